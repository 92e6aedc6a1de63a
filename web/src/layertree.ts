// The side panel: base map chooser, layer tree (switch, opacity, info) and
// the legends of the visible layers.

import type { TreeNode } from './api';
import { el, iconButton, replaceChildren, safeUrl, uniqueId } from './dom';
import { ICONS } from './icons';
import { t } from './i18n';
import type { MapView } from './mapview';
import type { Store } from './store';
import type { LayerInfoDialog } from './layerinfo';

export class LayerPanel {
  private readonly checkboxes = new Map<string, HTMLInputElement>();
  private readonly ranges = new Map<string, HTMLInputElement>();
  private readonly rows = new Map<string, HTMLElement>();
  private readonly legend: HTMLElement;
  private readonly legendSection: HTMLElement;
  private readonly baseSelect: HTMLSelectElement;
  /** Legends from elsewhere (external layers), after the portal's own. */
  private extraLegend: HTMLElement[] = [];

  constructor(
    panel: HTMLElement,
    private readonly store: Store,
    private readonly mapView: MapView,
    private readonly info: LayerInfoDialog,
  ) {
    const catalogue = store.catalogue;

    this.baseSelect = el('select', { id: 'basemap', name: 'base' });
    for (const base of catalogue.basemaps) {
      this.baseSelect.appendChild(el('option', { value: base.id }, base.title));
    }
    this.baseSelect.appendChild(el('option', { value: 'none' }, t('basemap_none')));
    this.baseSelect.value = store.base;
    this.baseSelect.addEventListener('change', () => store.setBase(this.baseSelect.value));

    const tree = el('div', { id: 'layer-tree', class: 'layer-tree' });
    tree.appendChild(this.renderNodes(catalogue.tree, 0));
    const untreed = catalogue.untreed;
    if (untreed.length) {
      tree.appendChild(this.renderNodes(untreed.map((id) => ({ type: 'layer', id })), 0));
    }

    this.legend = el('div', { id: 'legend', class: 'legend' });
    const legendId = uniqueId('legend-heading');
    const layersId = uniqueId('layers-heading');
    this.legendSection = el('section', { class: 'panel-section', 'aria-labelledby': legendId },
      el('h2', { id: legendId }, t('legend')),
      this.legend);
    panel.append(
      el('section', { class: 'panel-section', 'aria-labelledby': layersId },
        el('h2', { id: layersId }, t('layers')),
        el('div', { class: 'field' }, el('label', { for: 'basemap' }, t('basemap')), this.baseSelect),
        tree),
      this.legendSection,
    );

    this.renderLegend();
    this.updateRanges();
    store.subscribe((change, id) => {
      if (change === 'layers') {
        for (const [layer, box] of this.checkboxes) {
          box.checked = store.isVisible(layer);
          this.rows.get(layer)?.classList.toggle('on', box.checked);
        }
        this.renderLegend();
        this.updateRanges();
      } else if (change === 'opacity' && id) {
        const range = this.ranges.get(id);
        if (range) range.value = String(store.opacityOf(id));
      } else if (change === 'base') {
        this.baseSelect.value = store.base;
      }
    });
    mapView.view.on('change:resolution', () => this.updateRanges());
  }

  private renderNodes(nodes: TreeNode[], depth: number): HTMLElement {
    const list = el('ul', { class: 'tree-list', role: depth === 0 ? 'list' : null });
    for (const node of nodes) {
      if (node.type === 'folder') {
        const details = el('details', { class: 'folder', open: true, 'data-folder': node.id },
          el('summary', {}, node.title),
          this.renderNodes(node.children, depth + 1));
        list.appendChild(el('li', {}, details));
      } else {
        const row = this.renderLayer(node.id);
        if (row) list.appendChild(row);
      }
    }
    return list;
  }

  private renderLayer(id: string): HTMLElement | null {
    const def = this.store.catalogue.layer(id);
    if (!def || this.rows.has(id)) return null;
    const boxId = uniqueId('layer');
    const box = el('input', { type: 'checkbox', id: boxId, 'data-layer': id });
    box.checked = this.store.isVisible(id);
    box.addEventListener('change', () => this.store.setVisible(id, box.checked));
    const range = el('input', {
      type: 'range', min: 0, max: 100, step: 1, 'data-opacity': id,
      'aria-label': t('opacity_of', { title: def.title }),
    });
    range.value = String(this.store.opacityOf(id));
    range.addEventListener('input', () => this.store.setOpacity(id, Number(range.value)));
    range.addEventListener('change', () => this.store.setOpacity(id, Number(range.value)));
    const infoButton = iconButton(uniqueId('info'), t('info_of', { title: def.title }), ICONS.info, { 'data-info': id });
    infoButton.removeAttribute('id');
    infoButton.classList.add('small');
    infoButton.addEventListener('click', () => this.info.open(id, infoButton));
    const row = el('li', { class: this.store.isVisible(id) ? 'layer-row on' : 'layer-row', 'data-layer-row': id },
      el('div', { class: 'layer-main' },
        box,
        el('label', { for: boxId, class: 'layer-title' }, def.title),
        infoButton),
      el('div', { class: 'layer-opacity' }, range));
    this.checkboxes.set(id, box);
    this.ranges.set(id, range);
    this.rows.set(id, row);
    return row;
  }

  private updateRanges(): void {
    for (const [id, row] of this.rows) {
      const out = this.store.isVisible(id) && !this.mapView.inRange(id);
      row.classList.toggle('out-of-range', out);
      if (out) row.setAttribute('title', t('out_of_range'));
      else row.removeAttribute('title');
    }
  }

  /** A section of its own between the layers and the legend (external maps). */
  addSection(section: HTMLElement): void {
    this.legendSection.before(section);
  }

  /** Legends of other layers (external maps), shown after the portal's own. */
  setExtraLegend(items: HTMLElement[]): void {
    this.extraLegend = items;
    this.renderLegend();
  }

  private renderLegend(): void {
    const visible = this.store.visibleIds();
    if (!visible.length && !this.extraLegend.length) {
      replaceChildren(this.legend, el('p', { class: 'hint' }, t('legend_empty')));
      return;
    }
    const items = visible.map((id) => {
      const def = this.store.catalogue.layer(id);
      if (!def) return null;
      const src = safeUrl(def.legendUrl, true);
      return el('figure', { class: 'legend-item', 'data-legend': id },
        el('figcaption', {}, def.title),
        src ? el('img', { src, alt: t('legend_of', { title: def.title }), loading: 'lazy' }) : null);
    });
    replaceChildren(this.legend, ...items, ...this.extraLegend);
  }

  /** Open the folders around a layer and bring its switch into view. */
  reveal(id: string): void {
    const row = this.rows.get(id);
    if (!row) return;
    for (let node: HTMLElement | null = row; node; node = node.parentElement) {
      if (node instanceof HTMLDetailsElement) node.open = true;
    }
    row.scrollIntoView({ block: 'nearest' });
  }
}
