// The "Externe Karten" / "External maps" group of the layer panel: each
// external layer with its switch, opacity, info (provider and terms) and
// a remove button, and the "Karten hinzufügen" button (full viewer only).
// Their legends join the panel's legend section, asked through numis.

import { el, iconButton, replaceChildren, uniqueId } from '../dom';
import { ICONS } from '../icons';
import { t } from '../i18n';
import type { LayerInfoDialog } from '../layerinfo';
import type { ExternalApi } from './api';
import type { AddMapsDialog } from './dialog';
import { externalInfo } from './info';
import type { ExternalLayer, ExternalState } from './state';

export interface ExternalTreeOptions {
  state: ExternalState;
  api: ExternalApi;
  info: LayerInfoDialog;
  /** The dialog to add maps; none in the embed. */
  dialog: AddMapsDialog | null;
  say: (message: string) => void;
  /** Receives the legends of the visible external layers. */
  legends: (items: HTMLElement[]) => void;
}

export class ExternalTree {
  readonly element: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly empty: HTMLElement;
  private readonly addButton: HTMLButtonElement | null;

  constructor(private readonly options: ExternalTreeOptions) {
    const headingId = uniqueId('external-heading');
    this.list = el('ul', { id: 'external-layers', class: 'tree-list external-list', role: 'list' });
    this.empty = el('p', { class: 'hint external-empty' }, t('external_empty'));
    this.addButton = options.dialog
      ? el('button', { type: 'button', id: 'external-add', class: 'text-button', 'aria-haspopup': 'dialog' },
        el('span', { class: 'external-add-icon', 'aria-hidden': 'true' }, '+'), el('span', {}, t('external_add')))
      : null;
    const dialog = options.dialog;
    const addButton = this.addButton;
    if (dialog && addButton) addButton.addEventListener('click', () => dialog.open(addButton));
    this.element = el('section', { id: 'external-group', class: 'panel-section external-group', 'aria-labelledby': headingId },
      el('h2', { id: headingId }, t('external_group')),
      this.list,
      this.empty,
      addButton ? el('div', { class: 'button-row' }, addButton) : null);
    this.render();
    options.state.subscribe((change, layer) => {
      if (change === 'opacity' || change === 'files') return;
      if (change === 'visibility' && layer) {
        const box = this.list.querySelector<HTMLInputElement>(`input[data-external="${layer.id}"]`);
        if (box) box.checked = layer.visible;
        box?.closest('li')?.classList.toggle('on', layer.visible);
        this.renderLegends();
        return;
      }
      this.render();
    });
  }

  private render(): void {
    const layers = [...this.options.state.layers].reverse();
    replaceChildren(this.list, ...layers.map((layer) => this.renderLayer(layer)));
    // The embed shows the group only when there is something in it.
    this.empty.hidden = layers.length > 0;
    this.element.hidden = !this.addButton && layers.length === 0;
    this.renderLegends();
  }

  private renderLayer(layer: ExternalLayer): HTMLElement {
    const { state, info, say } = this.options;
    const title = layer.layer.title;
    const boxId = uniqueId('external-switch');
    const box = el('input', { type: 'checkbox', id: boxId, 'data-external': layer.id });
    box.checked = layer.visible;
    box.addEventListener('change', () => state.setVisible(layer, box.checked));
    const range = el('input', {
      type: 'range', min: 0, max: 100, step: 1, 'data-external-opacity': layer.id,
      'aria-label': t('opacity_of', { title }),
    });
    range.value = String(layer.opacity);
    const setOpacity = (): void => state.setOpacity(layer, Number(range.value));
    range.addEventListener('input', setOpacity);
    range.addEventListener('change', setOpacity);
    const infoButton = iconButton(uniqueId('external-info'), t('info_of', { title }), ICONS.info, { 'data-external-info': layer.id });
    infoButton.classList.add('small');
    infoButton.addEventListener('click', () => info.show(title, externalInfo(layer), infoButton));
    const remove = iconButton(uniqueId('external-remove'), t('external_remove', { title }), ICONS.trash, { 'data-external-remove': layer.id });
    remove.classList.add('small');
    remove.addEventListener('click', () => {
      state.remove(layer);
      say(t('external_removed', { title }));
      // The focus goes on to the next row, or to the add button.
      (this.list.querySelector<HTMLElement>('input[data-external]') ?? this.addButton)?.focus();
    });
    const provider = layer.service.provider || layer.service.title;
    return el('li', { class: layer.visible ? 'layer-row external-row on' : 'layer-row external-row', 'data-external-row': layer.id },
      el('div', { class: 'layer-main' },
        box,
        el('label', { for: boxId, class: 'layer-title' }, title,
          provider ? el('span', { class: 'external-provider' }, provider) : null),
        infoButton,
        remove),
      el('div', { class: 'layer-opacity' }, range));
  }

  private renderLegends(): void {
    const items = this.options.state.visibleLayers()
      .filter((layer) => layer.layer.legend)
      .map((layer) => el('figure', { class: 'legend-item', 'data-external-legend': layer.id },
        el('figcaption', {}, layer.layer.title),
        el('img', { src: this.options.api.legendUrl(layer.service.url, layer.layer.name), alt: t('legend_of', { title: layer.layer.title }), loading: 'lazy' })));
    this.options.legends(items);
  }
}
