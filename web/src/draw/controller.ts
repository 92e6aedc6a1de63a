// Drawing on the map (clauses P4, P7–P11): the panel's tools, undo and
// redo, saving and sharing, the read-only view of someone else's drawing
// with "copy and edit" and "report", editing with the edit link (autosave),
// deleting, importing files (into the drawing or as a temporary layer) and
// exporting. Everything works anonymously; the edit key stays in this tab
// (the address bar's fragment and memory) and in the Authorization header.
// Logged in to "Mein NUMIS", a saved or copied drawing is bound to the
// account (by the server), its owner edits it without the key, and a
// drawing opened with its key may be added to the account.

import type Feature from 'ol/Feature';
import VectorLayer from 'ol/layer/Vector';
import type Layer from 'ol/layer/Layer';
import VectorSource from 'ol/source/Vector';
import { buffer, getHeight, getWidth, type Extent } from 'ol/extent';

import { account, accountKnown, onAccountChange, refreshAccount } from '../account';
import { el, icon, iconButton, replaceChildren, saveBlob } from '../dom';
import { ICONS } from '../icons';
import { ExternalError, type ExternalApi } from '../external/api';
import { loadFileFeatures } from '../external/files';
import { MAX_FILE_URLS, type ExternalState } from '../external/state';
import { externalUrl, fileLabel } from '../external/urls';
import { formatInstant, t, type Key } from '../i18n';
import type { MapView } from '../mapview';
import type { Shell } from '../shell';
import type { Store } from '../store';
import { DrawingError, DrawingsApi, GEOJSON_TYPE, uploadType, type Created, type ExportFormat } from './api';
import { renderDescription } from './description';
import { Editor, measureText, type Tool } from './editor';
import {
  DEFAULT_FILL_OPACITY, DEFAULT_WIDTH, SYMBOLS, TEXT_ICON, cloneFeature, collectionObject, extentOf, kindOf, propsOf,
  readCollection, setProps, snapshot, sorted, writeCollection, type DrawProps, type Snapshot,
} from './features';
import { History } from './history';
import { editFragment } from './ids';
import { buildPanel, type Panel } from './panel';
import { ConfirmDialog, DrawingShareDialog, ReportDialog, type DrawingLinks } from './sharedialog';
import { featureStyle } from './style';

export type Mode = 'new' | 'edit' | 'view';
type SaveState = 'saved' | 'saving' | 'failed';

const AUTOSAVE_MS = 1000;
const RETRY_MS = 10000;
const MAX_LISTED = 200;
const MAX_IMPORT_FILES = 10;
const DRAWING_Z = 9400;
const TEMP_Z = 9300;

export interface DrawingContext {
  /** Where dialogs go (the viewer's root). */
  root: HTMLElement;
  /** The map's box: the panel sits over it and files may be dropped on it. */
  mapWrap: HTMLElement;
  mapView: MapView;
  store: Store;
  shell: Shell;
  api: DrawingsApi;
  say: (message: string, sticky?: boolean) => void;
  /** The URL asked for a view (x/y/scale): then a drawing does not move it. */
  explicitView: boolean;
  /** Files by URL: fetched through numis; those shown as layers join the permalink. */
  externalApi: ExternalApi;
  external: ExternalState;
}

interface TempLayer {
  id: number;
  name: string;
  layer: VectorLayer<VectorSource>;
  extent: Extent | null;
  /** The file's address when it was loaded by URL (it is then in the permalink). */
  url: string | null;
}

/** Zooms to features with a margin (a lone point at the finest scale). */
export function fitTo(mapView: MapView, extent: Extent | null): void {
  if (!extent) return;
  const margin = Math.max(getWidth(extent), getHeight(extent)) * 0.1 + 50;
  mapView.fit(buffer(extent, margin));
}

/** The drawing layer: read-only in the embed, edited in the viewer. */
export function drawingLayer(source: VectorSource, name = 'drawing', zIndex = DRAWING_Z): VectorLayer<VectorSource> {
  return new VectorLayer({ source, style: featureStyle, zIndex, properties: { name }, updateWhileInteracting: true });
}

function statusText(error: unknown): string {
  if (error instanceof ExternalError) {
    return error.status === 0 ? t('draw_offline') : error.message;
  }
  if (!(error instanceof DrawingError)) return error instanceof Error ? error.message : String(error);
  switch (error.status) {
    case 0:
      return t('draw_offline');
    case 429:
      return error.retryAfter
        ? t('draw_rate_limited_retry', { m: error.message, s: Math.ceil(error.retryAfter) })
        : t('draw_rate_limited', { m: error.message });
    case 413:
      return t('draw_too_large', { m: error.message });
    default:
      return error.message;
  }
}

export class DrawingController {
  readonly button: HTMLButtonElement;
  private readonly panel: Panel;
  private readonly source = new VectorSource();
  private readonly layer: VectorLayer<VectorSource>;
  private readonly editor: Editor;
  private readonly history: History<Snapshot>;
  private readonly shareDialog: DrawingShareDialog;
  private readonly deleteDialog: ConfirmDialog;
  private readonly reportDialog: ReportDialog;
  private readonly temp: TempLayer[] = [];
  private tempId = 0;

  private mode: Mode = 'new';
  private id: string | null = null;
  private key: string | null = null;
  /** Bound to the logged-in account: editable without the key. */
  private yours = false;
  private expiresAt: string | null = null;
  private apiLinks: { view: string | null; edit: string | null } = { view: null, edit: null };

  /** Counts changes, so a save knows whether more came in meanwhile. */
  private revision = 0;
  private savedRevision = 0;
  private saving = false;
  private saveTimer: number | undefined;
  private saveStopped = false;
  private listTimer: number | undefined;
  private openListeners: ((open: boolean) => void)[] = [];

  constructor(private readonly ctx: DrawingContext) {
    this.panel = buildPanel();
    ctx.mapWrap.appendChild(this.panel.element);
    this.layer = drawingLayer(this.source);
    ctx.mapView.map.addLayer(this.layer);
    this.history = new History<Snapshot>([]);
    this.editor = new Editor(ctx.mapView.map, this.source, this.layer, () => this.temp.map((l) => l.layer as Layer), {
      prepare: (feature, tool) => setProps(feature, this.newProps(tool)),
      committed: () => this.changed(),
      selected: (feature) => this.showSelected(feature),
      measured: (text) => (this.panel.measure.textContent = text ?? ''),
      placedText: () => {
        this.syncTools();
        this.ctx.say('');
        this.panel.featureName.focus();
        this.panel.featureName.select();
      },
    });
    this.shareDialog = new DrawingShareDialog(ctx.root);
    this.deleteDialog = new ConfirmDialog(ctx.root, 'draw-delete', t('draw_delete_title'), t('draw_delete_confirm'));
    this.reportDialog = new ReportDialog(ctx.root);

    this.button = el('button', {
      type: 'button', id: 'draw-button', class: 'text-button', 'aria-controls': 'draw-panel', 'aria-expanded': 'false',
    }, icon(ICONS.pencil), el('span', {}, t('draw')));
    this.button.addEventListener('click', () => this.setOpen(this.panel.element.hidden));
    this.panel.close.addEventListener('click', () => {
      this.setOpen(false);
      this.button.focus();
    });
    this.wirePanel();
    this.wireKeys();
    this.wireDrop();
    this.source.on(['addfeature', 'removefeature', 'changefeature', 'clear'], () => this.scheduleList());
    window.addEventListener('pagehide', () => this.flushOnUnload());
    this.render();
    this.renderList();
  }

  // ------------------------------------------------------------ panel

  get isOpen(): boolean {
    return !this.panel.element.hidden;
  }

  /** Called with true when the panel opens (the map's clicks are then the panel's), false when it closes. */
  onOpen(listener: (open: boolean) => void): void {
    this.openListeners.push(listener);
  }

  setOpen(open: boolean): void {
    if (this.isOpen === open) return;
    if (!open && this.editor.currentTool !== 'select') this.setTool('select');
    this.panel.element.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
    this.editor.setActive(open);
    this.syncTools();
    for (const listener of this.openListeners) listener(open);
  }

  /**
   * The user's own content on the map, for a print or an image: the
   * drawing (when it has features) and each temporary layer, as GeoJSON.
   */
  overlays(): { kind: 'drawing' | 'import'; geojson: object }[] {
    const out: { kind: 'drawing' | 'import'; geojson: object }[] = [];
    const features = this.features();
    if (features.length) out.push({ kind: 'drawing', geojson: collectionObject(features) });
    for (const item of this.temp) {
      const imported = item.layer.getSource()?.getFeatures() ?? [];
      if (imported.length) out.push({ kind: 'import', geojson: collectionObject(imported) });
    }
    return out;
  }

  /** Another tool (measuring) takes the map: stop drawing. */
  stopTool(): void {
    if (this.editor.currentTool !== 'select') this.setTool('select');
  }

  private setTool(tool: Tool): void {
    this.editor.setTool(tool);
    this.syncTools();
    this.panel.measure.textContent = '';
    if (tool !== 'select') this.ctx.say(t(`draw_hint_${tool}` as Key), true);
    else this.ctx.say('');
  }

  private syncTools(): void {
    const current = this.editor.currentTool;
    for (const [tool, button] of this.panel.toolButtons) button.setAttribute('aria-pressed', String(tool === current));
    this.panel.undo.disabled = !this.history.canUndo;
    this.panel.redo.disabled = !this.history.canRedo;
  }

  private get editable(): boolean {
    return this.mode !== 'view';
  }

  /** Shows what belongs to the mode, and the drawing's facts. */
  private render(): void {
    const p = this.panel;
    p.element.dataset.mode = this.mode;
    document.body.dataset.drawing = this.mode;
    const edit = this.mode === 'edit';
    const view = this.mode === 'view';
    p.tools.hidden = view;
    p.styleBox.hidden = view;
    p.save.hidden = this.mode !== 'new';
    p.links.hidden = !edit;
    p.remove.hidden = !edit;
    p.saveState.hidden = !edit;
    p.copy.hidden = !view;
    p.report.hidden = !view;
    p.fresh.hidden = this.mode === 'new';
    p.title.readOnly = view;
    p.featureName.readOnly = view;
    p.deleteFeature.hidden = view;
    p.importIntoDrawing.disabled = view;
    if (view) p.importAsLayer.checked = true;
    p.info.hidden = !this.expiresAt;
    if (this.expiresAt) {
      replaceChildren(p.expiry, t('draw_expires'), ' ', el('time', { datetime: this.expiresAt }, formatInstant(this.expiresAt)));
    }
    this.editor.setEditable(this.editable);
    this.renderAccount();
    this.syncTools();
  }

  /** Whether changes can be saved: with the edit key, or as the owner. */
  private get canWrite(): boolean {
    return this.key !== null || this.yours;
  }

  /** "Saved in Mein NUMIS", or the offer to add a drawing opened with its key. */
  private renderAccount(): void {
    const p = this.panel;
    const edit = this.mode === 'edit' && this.id !== null;
    const saved = edit && this.yours;
    const offer = edit && !this.yours && this.key !== null && account() !== null;
    p.accountSaved.hidden = !saved;
    p.claim.hidden = !offer;
    p.account.hidden = !saved && !offer;
  }

  private message(text: string, kind: 'error' | 'info' = 'error'): void {
    const m = this.panel.message;
    m.textContent = text;
    m.dataset.kind = kind;
    m.hidden = text === '';
  }

  private setSaveState(state: SaveState, detail = ''): void {
    const s = this.panel.saveState;
    s.dataset.state = state;
    const text = state === 'saved' ? t('draw_state_saved') : state === 'saving' ? t('draw_state_saving') : t('draw_state_failed');
    s.textContent = detail ? `${text} ${detail}` : text;
  }

  // ------------------------------------------------------------ wiring

  private wirePanel(): void {
    const p = this.panel;
    for (const [tool, button] of p.toolButtons) button.addEventListener('click', () => this.setTool(tool));
    p.undo.addEventListener('click', () => this.undo());
    p.redo.addEventListener('click', () => this.redo());
    p.deleteFeature.addEventListener('click', () => this.deleteSelected());

    // Style controls: the defaults for new features, and the selected one's.
    const live = (): void => this.applyStyle(false);
    const commit = (): void => this.applyStyle(true);
    for (const control of [p.color, p.width, p.fillOpacity, p.symbol, p.labelScale]) {
      control.addEventListener('input', live);
      control.addEventListener('change', commit);
    }
    p.featureName.addEventListener('input', () => this.renameSelected(false));
    p.featureName.addEventListener('change', () => this.renameSelected(true));
    p.featureName.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') p.featureName.blur();
    });
    p.title.addEventListener('input', () => {
      if (this.mode === 'edit') this.changed(false);
    });

    p.features.addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-feature]');
      if (!button) return;
      const feature = this.source.getFeatureById(button.dataset.feature ?? '') as Feature | null;
      if (!feature) return;
      this.editor.setSelected(feature);
      this.syncTools();
      fitTo(this.ctx.mapView, feature.getGeometry()?.getExtent() ?? null);
    });

    p.save.addEventListener('click', () => void this.saveNew());
    p.links.addEventListener('click', () => this.openShare());
    p.copy.addEventListener('click', () => void this.copy());
    p.remove.addEventListener('click', () => void this.remove());
    p.report.addEventListener('click', () => this.report());
    p.fresh.addEventListener('click', () => void this.startNew());
    p.claim.addEventListener('click', () => void this.claim());
    onAccountChange(() => this.renderAccount());
    void accountKnown().then(() => this.renderAccount());

    p.importFile.addEventListener('change', () => {
      const files = Array.from(p.importFile.files ?? []);
      p.importFile.value = '';
      void this.importFiles(files);
    });
    p.importUrlForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.importUrl(p.importUrl.value);
    });
    p.layers.addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-layer-action]');
      const item = this.temp.find((l) => String(l.id) === button?.dataset.layerId);
      if (!button || !item) return;
      if (button.dataset.layerAction === 'zoom') fitTo(this.ctx.mapView, item.extent);
      else this.removeTempLayer(item);
    });
    p.exportButton.addEventListener('click', () => void this.exportAs(p.exportFormat.value as ExportFormat));
  }

  private typing(target: EventTarget | null): boolean {
    if (!(target instanceof HTMLElement)) return false;
    if (target.isContentEditable) return true;
    if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
    return target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'range', 'color', 'file'].includes(target.type);
  }

  private wireKeys(): void {
    document.addEventListener('keydown', (event) => {
      if (!this.isOpen || event.defaultPrevented || document.querySelector('dialog[open]')) return;
      if (event.key === 'Escape') {
        if (this.editor.abort()) return;
        if (this.editor.selected()) {
          this.editor.setSelected(null);
          return;
        }
        if (this.editor.currentTool !== 'select') this.setTool('select');
        return;
      }
      if (this.typing(event.target) || !this.editable) return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && !event.altKey && ((key === 'z' && event.shiftKey) || (key === 'y' && !event.shiftKey))) {
        event.preventDefault();
        this.redo();
      } else if (mod && !event.altKey && key === 'z') {
        event.preventDefault();
        // While drawing, undo takes back the last point.
        if (!this.editor.removeLastPoint()) this.undo();
      } else if (!mod && (event.key === 'Delete' || event.key === 'Backspace') && this.editor.selected()) {
        event.preventDefault();
        this.deleteSelected();
      } else if (!mod && event.key === 'Enter' && (event.target === this.ctx.mapView.map.getTargetElement() || event.target === document.body)) {
        this.editor.finish();
      }
    });
  }

  private wireDrop(): void {
    const wrap = this.ctx.mapWrap;
    const hasFiles = (event: DragEvent): boolean => Array.from(event.dataTransfer?.types ?? []).includes('Files');
    wrap.addEventListener('dragover', (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
      wrap.classList.add('drop-active');
    });
    wrap.addEventListener('dragleave', (event) => {
      if (event.target === wrap || !wrap.contains(event.relatedTarget as Node | null)) wrap.classList.remove('drop-active');
    });
    wrap.addEventListener('drop', (event) => {
      wrap.classList.remove('drop-active');
      if (!hasFiles(event)) return;
      event.preventDefault();
      const files = Array.from(event.dataTransfer?.files ?? []);
      this.setOpen(true);
      void this.importFiles(files);
    });
  }

  // ------------------------------------------------------------ features

  private features(): Feature[] {
    return sorted(this.source.getFeatures());
  }

  /** Properties of a new feature from the panel's controls. */
  private newProps(tool: Tool): DrawProps {
    const p = this.panel;
    const stroke = p.color.value.toLowerCase();
    const width = Number(p.width.value) || DEFAULT_WIDTH;
    const fillOpacity = Number(p.fillOpacity.value) / 100;
    switch (tool) {
      case 'point':
        return { stroke, 'stroke-opacity': 1, icon: p.symbol.value };
      case 'text':
        return {
          stroke, 'stroke-opacity': 1, icon: TEXT_ICON,
          name: p.text.value.trim() || t('draw_text_default'),
          'label-scale': Number(p.labelScale.value) || 1,
        };
      case 'line':
        return { stroke, 'stroke-opacity': 1, 'stroke-width': width };
      default:
        return {
          stroke, 'stroke-opacity': 1, 'stroke-width': width, fill: stroke,
          'fill-opacity': Number.isFinite(fillOpacity) ? fillOpacity : DEFAULT_FILL_OPACITY,
        };
    }
  }

  /** The controls show the selected feature's style. */
  private showSelected(feature: Feature | null): void {
    const p = this.panel;
    p.selectedBox.hidden = !feature;
    this.markListSelection(feature);
    if (!feature) {
      replaceChildren(p.featureDescription);
      p.measure.textContent = '';
      return;
    }
    const props = propsOf(feature);
    const kind = kindOf(feature);
    p.featureName.value = props.name ?? '';
    p.featureName.placeholder = t(`draw_kind_${kind}` as Key);
    replaceChildren(p.featureDescription, props.description ? renderDescription(props.description) : null);
    if (props.stroke) p.color.value = props.stroke;
    if (props['stroke-width'] !== undefined) p.width.value = String(Math.round(props['stroke-width']));
    if (props['fill-opacity'] !== undefined) p.fillOpacity.value = String(Math.round(props['fill-opacity'] * 100));
    if (props.icon && (SYMBOLS as readonly string[]).includes(props.icon)) p.symbol.value = props.icon;
    if (props['label-scale'] !== undefined) p.labelScale.value = String(props['label-scale']);
    p.measure.textContent = measureText(feature.getGeometry()) ?? '';
  }

  private applyStyle(commit: boolean): void {
    const feature = this.editor.selected();
    if (!feature || !this.editable) return;
    const p = this.panel;
    const props = propsOf(feature);
    const kind = kindOf(feature);
    const stroke = p.color.value.toLowerCase();
    props.stroke = stroke;
    props['stroke-opacity'] = props['stroke-opacity'] ?? 1;
    if (kind === 'line' || kind === 'polygon') props['stroke-width'] = Number(p.width.value) || DEFAULT_WIDTH;
    if (kind === 'polygon') {
      props.fill = stroke;
      props['fill-opacity'] = Number(p.fillOpacity.value) / 100;
    }
    if (kind === 'point') props.icon = p.symbol.value;
    if (kind === 'text') props['label-scale'] = Number(p.labelScale.value) || 1;
    setProps(feature, props);
    if (commit) this.changed();
  }

  private renameSelected(commit: boolean): void {
    const feature = this.editor.selected();
    if (!feature || !this.editable) return;
    const props = propsOf(feature);
    const name = this.panel.featureName.value.trim();
    if (name) props.name = name;
    else if (kindOf(feature) === 'text') props.name = t('draw_text_default');
    else delete props.name;
    setProps(feature, props);
    if (commit) this.changed();
    else this.changed(false);
  }

  private deleteSelected(): void {
    const feature = this.editor.selected();
    if (!feature || !this.editable || !this.source.hasFeature(feature)) return;
    this.editor.setSelected(null);
    this.source.removeFeature(feature);
    this.changed();
    this.ctx.say(t('draw_feature_deleted'));
  }

  /**
   * The features changed. With `record`, the state goes into the undo
   * history (typing a name records once, when the field is left).
   */
  private changed(record = true): void {
    if (record) {
      this.history.record(snapshot(this.source.getFeatures()));
      this.syncTools();
    }
    this.revision += 1;
    if (this.mode === 'edit') this.scheduleSave();
  }

  private restore(state: Snapshot): void {
    this.editor.setSelected(null);
    this.source.clear();
    this.source.addFeatures(state.map(cloneFeature));
    this.revision += 1;
    if (this.mode === 'edit') this.scheduleSave();
    this.syncTools();
  }

  private undo(): void {
    if (!this.editable) return;
    this.editor.abort();
    const state = this.history.undo();
    if (state) {
      this.restore(state);
      this.ctx.say(t('draw_undone'));
    }
  }

  private redo(): void {
    if (!this.editable) return;
    const state = this.history.redo();
    if (state) {
      this.restore(state);
      this.ctx.say(t('draw_redone'));
    }
  }

  private scheduleList(): void {
    if (this.listTimer !== undefined) return;
    this.listTimer = window.setTimeout(() => {
      this.listTimer = undefined;
      this.renderList();
    }, 30);
  }

  private renderList(): void {
    const features = this.features();
    const selected = this.editor.selected();
    const items = features.slice(0, MAX_LISTED).map((feature) => {
      const name = propsOf(feature).name;
      const kind = kindOf(feature);
      return el('li', {},
        el('button', {
          type: 'button', class: 'draw-feature', 'data-feature': String(feature.getId()),
          'data-kind': kind, 'aria-pressed': String(feature === selected),
        },
        el('span', { class: 'draw-feature-kind' }, t(`draw_kind_${kind}` as Key)),
        el('span', { class: 'draw-feature-name' }, name ?? '–')));
    });
    if (features.length > MAX_LISTED) items.push(el('li', { class: 'hint' }, t('draw_more', { n: features.length - MAX_LISTED })));
    if (!features.length) items.push(el('li', { class: 'hint' }, this.editable ? t('draw_none_yet') : t('draw_none')));
    replaceChildren(this.panel.features, ...items);
    this.panel.features.dataset.count = String(features.length);
  }

  private markListSelection(feature: Feature | null): void {
    const id = feature ? String(feature.getId()) : null;
    for (const button of this.panel.features.querySelectorAll<HTMLButtonElement>('button[data-feature]')) {
      button.setAttribute('aria-pressed', String(button.dataset.feature === id));
    }
  }

  // ------------------------------------------------------------ the drawing's life

  private setFeatures(features: Feature[]): void {
    this.editor.setSelected(null);
    this.source.clear();
    this.source.addFeatures(features);
    this.history.reset(snapshot(features));
    this.syncTools();
  }

  /** The address bar keeps the edit key in its fragment (never sent); null removes it. */
  private setFragment(key: string | null): void {
    const url = `${window.location.pathname}${window.location.search}${key ? editFragment(key) : ''}`;
    try {
      window.history.replaceState(window.history.state, '', url);
    } catch {
      // Throttled; the key stays in memory.
    }
  }

  private karteLink(): string {
    return `${window.location.origin}${this.ctx.shell.karteUrl}`;
  }

  private links(): DrawingLinks | null {
    if (!this.id || !this.canWrite) return null;
    const base = this.karteLink();
    const view = this.apiLinks.view ?? `${base}${base.includes('?') ? '&' : '?'}drawing=${this.id}`;
    const edit = this.key ? this.apiLinks.edit ?? `${view}${editFragment(this.key)}` : null;
    return { id: this.id, view, edit, expiresAt: this.expiresAt, inAccount: this.yours };
  }

  private openShare(): void {
    const links = this.links();
    if (links) this.shareDialog.open(links, this.mode === 'edit' ? this.panel.links : null);
  }

  /**
   * A drawing was created or copied: it is now this tab's to edit, and
   * with `yours` bound to the logged-in account.
   */
  private becomeEditor(created: Created, yours: boolean): void {
    this.mode = 'edit';
    this.id = created.id;
    this.key = created.key;
    this.yours = yours;
    this.expiresAt = created.expiresAt;
    this.apiLinks = { view: created.shareUrl, edit: created.editUrl };
    this.saveStopped = false;
    this.setFragment(created.key);
    this.ctx.store.setDrawing(created.id);
    this.setSaveState('saved');
    this.message('');
    this.render();
  }

  /**
   * Opens the drawing of a link: read-only, or editable with its key or
   * as its owner's.
   */
  async open(id: string, key: string | null): Promise<void> {
    this.mode = key ? 'edit' : 'view';
    this.id = id;
    this.key = key;
    this.yours = false;
    this.render();
    document.body.dataset.drawing = 'loading';
    this.setOpen(true);
    try {
      const loaded = await this.ctx.api.load(id);
      const features = readCollection(loaded.collection);
      this.setFeatures(features);
      this.panel.title.value = loaded.title;
      this.expiresAt = loaded.expiresAt;
      this.savedRevision = this.revision;
      this.yours = loaded.yours;
      if (this.yours) this.mode = 'edit';
      if (this.canWrite) this.setSaveState('saved');
      this.render();
      if (!this.ctx.explicitView) fitTo(this.ctx.mapView, extentOf(features));
      this.ctx.say(key ? t('draw_opened_edit') : this.yours ? t('draw_opened_yours') : t('draw_opened_view'));
    } catch (error) {
      this.forget();
      this.render();
      this.message(this.loadError(error));
      document.body.dataset.drawing = error instanceof DrawingError && error.status === 404 ? 'missing'
        : error instanceof DrawingError && error.status === 410 ? 'gone' : 'failed';
    }
  }

  private loadError(error: unknown): string {
    if (error instanceof DrawingError && error.status === 404) return t('draw_missing');
    if (error instanceof DrawingError && error.status === 410) {
      const when = error.expiredAt;
      return when ? t('draw_gone_on', { d: formatInstant(when) }) : t('draw_gone');
    }
    return t('draw_load_failed', { m: statusText(error) });
  }

  /** Back to a new, empty drawing; the link's id and key are dropped. */
  private forget(): void {
    window.clearTimeout(this.saveTimer);
    this.mode = 'new';
    this.id = null;
    this.key = null;
    this.yours = false;
    this.expiresAt = null;
    this.apiLinks = { view: null, edit: null };
    this.saveStopped = false;
    this.setFeatures([]);
    this.panel.title.value = '';
    this.setFragment(null);
    this.ctx.store.setDrawing(null);
  }

  private async startNew(): Promise<void> {
    if (this.mode === 'edit') await this.flush();
    this.forget();
    this.message('');
    this.render();
    this.shareDialog.close();
  }

  private async saveNew(): Promise<void> {
    if (this.mode !== 'new') return;
    const features = this.features();
    if (!features.length) {
      this.message(t('draw_empty'));
      return;
    }
    this.panel.save.disabled = true;
    const revision = this.revision;
    try {
      const created = await this.ctx.api.create(this.panel.title.value, writeCollection(features));
      const yours = await this.boundToAccount(created.id);
      this.savedRevision = revision;
      this.becomeEditor(created, yours);
      this.ctx.say(t('draw_saved'));
      this.openShare();
      if (this.revision !== revision) this.scheduleSave();
    } catch (error) {
      this.message(t('draw_save_failed', { m: statusText(error) }));
    } finally {
      this.panel.save.disabled = false;
    }
  }

  /**
   * Whether the server bound a new drawing to the logged-in account (it
   * does so for every save with a live session; the session may have
   * ended meanwhile, so the drawing itself is asked).
   */
  private async boundToAccount(id: string): Promise<boolean> {
    if (!account()) return false;
    let yours = false;
    try {
      yours = (await this.ctx.api.load(id)).yours;
    } catch {
      return false;
    }
    // Not bound: the session has ended (say, logged out in another tab);
    // the header should not go on showing the pseudonym.
    if (!yours) void refreshAccount();
    return yours;
  }

  /** "Zu meinen Zeichnungen hinzufügen": binds a drawing opened with its key. */
  private async claim(): Promise<void> {
    if (this.mode !== 'edit' || !this.id || !this.key || this.yours) return;
    const p = this.panel;
    p.claim.disabled = true;
    try {
      await this.ctx.api.claim(this.id, this.key);
      this.yours = true;
      this.renderAccount();
      this.message(t('draw_claimed'), 'info');
      // The button is gone; the link to the list takes the focus.
      p.accountLink.focus();
    } catch (error) {
      this.message(t('draw_claim_failed', { m: statusText(error) }));
    } finally {
      p.claim.disabled = false;
    }
  }

  private scheduleSave(): void {
    if (this.mode !== 'edit' || this.saveStopped) return;
    this.setSaveState('saving');
    window.clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => void this.flush(), AUTOSAVE_MS);
  }

  /** Saves now if anything changed since the last save (autosave). */
  private async flush(): Promise<void> {
    window.clearTimeout(this.saveTimer);
    if (this.mode !== 'edit' || !this.id || !this.canWrite || this.saveStopped) return;
    if (this.saving || this.revision === this.savedRevision) return;
    const revision = this.revision;
    const id = this.id;
    this.saving = true;
    this.setSaveState('saving');
    try {
      const expires = await this.ctx.api.update(id, this.key, this.panel.title.value, writeCollection(this.features()));
      if (this.id !== id) return;
      this.savedRevision = revision;
      if (expires) this.expiresAt = expires;
      this.render();
      if (this.revision !== this.savedRevision) this.scheduleSave();
      else this.setSaveState('saved');
    } catch (error) {
      if (this.id !== id) return;
      this.saveFailed(error);
    } finally {
      this.saving = false;
    }
  }

  private saveFailed(error: unknown): void {
    const status = error instanceof DrawingError ? error.status : 0;
    if (status === 403) {
      this.saveStopped = true;
      this.setSaveState('failed');
      this.message(t('draw_key_invalid'));
    } else if (status === 404 || status === 410) {
      this.saveStopped = true;
      this.setSaveState('failed');
      this.message(this.loadError(error));
    } else {
      this.setSaveState('failed', t('draw_retrying'));
      this.message(t('draw_save_failed', { m: statusText(error) }));
      window.clearTimeout(this.saveTimer);
      this.saveTimer = window.setTimeout(() => void this.flush(), RETRY_MS);
    }
  }

  /** Leaving the page with a change not yet saved: the browser sends it on. */
  private flushOnUnload(): void {
    if (this.mode !== 'edit' || !this.id || !this.canWrite || this.saveStopped) return;
    if (this.revision === this.savedRevision || this.saving) return;
    this.ctx.api.updateOnUnload(this.id, this.key, this.panel.title.value, writeCollection(this.features()));
  }

  private async copy(): Promise<void> {
    if (this.mode !== 'view' || !this.id) return;
    this.panel.copy.disabled = true;
    try {
      const created = await this.ctx.api.copy(this.id);
      this.becomeEditor(created, await this.boundToAccount(created.id));
      this.history.reset(snapshot(this.source.getFeatures()));
      this.savedRevision = this.revision;
      this.ctx.say(t('draw_copied'));
      this.openShare();
    } catch (error) {
      this.message(t('draw_copy_failed', { m: statusText(error) }));
    } finally {
      this.panel.copy.disabled = false;
    }
  }

  private async remove(): Promise<void> {
    if (this.mode !== 'edit' || !this.id || !this.canWrite) return;
    const ok = await this.deleteDialog.ask(t('draw_delete_text'));
    if (!ok || !this.id || !this.canWrite) return;
    window.clearTimeout(this.saveTimer);
    try {
      await this.ctx.api.remove(this.id, this.key);
    } catch (error) {
      const status = error instanceof DrawingError ? error.status : 0;
      if (status !== 404 && status !== 410) {
        this.message(status === 403 ? t('draw_key_invalid') : t('draw_delete_failed', { m: statusText(error) }));
        return;
      }
    }
    this.forget();
    this.render();
    this.message(t('draw_deleted'), 'info');
    this.ctx.say(t('draw_deleted'));
  }

  private report(): void {
    const id = this.id;
    if (this.mode !== 'view' || !id) return;
    this.reportDialog.open(async (reason) => {
      try {
        await this.ctx.api.report(id, reason);
        this.message(t('draw_reported'), 'info');
        return null;
      } catch (error) {
        return t('draw_report_failed', { m: statusText(error) });
      }
    });
  }

  // ------------------------------------------------------------ import and export

  private async importFiles(files: File[]): Promise<void> {
    for (const file of files.slice(0, MAX_IMPORT_FILES)) await this.importFile(file);
  }

  private async importFile(file: File): Promise<void> {
    const asLayer = !this.editable || this.panel.importAsLayer.checked;
    const name = file.name.slice(0, 200);
    this.message(t('draw_importing', { name }), 'info');
    let features: Feature[];
    try {
      const blob = await this.ctx.api.convert(file, uploadType(file.name), 'geojson');
      features = readCollection(JSON.parse(await blob.text()));
    } catch (error) {
      this.message(t('draw_import_failed', { name, m: statusText(error) }));
      return;
    }
    if (!features.length) {
      this.message(t('draw_import_empty', { name }));
      return;
    }
    const extent = extentOf(features);
    if (asLayer) {
      this.addTempLayer(name, features, extent);
    } else {
      this.source.addFeatures(features);
      this.changed();
    }
    fitTo(this.ctx.mapView, extent);
    this.message(t(asLayer ? 'draw_imported_layer' : 'draw_imported', { name, n: features.length }), 'info');
  }

  /**
   * A file from the web by its address, fetched and read by numis like an
   * upload: into the drawing, or as a temporary layer (which the permalink
   * then names).
   */
  private async importUrl(raw: string): Promise<void> {
    const url = externalUrl(raw);
    if (!url) {
      this.message(t('draw_import_url_invalid'));
      this.panel.importUrl.focus();
      return;
    }
    const asLayer = !this.editable || this.panel.importAsLayer.checked;
    const name = fileLabel(url);
    const shown = this.temp.find((l) => l.url === url);
    if (asLayer && shown) {
      fitTo(this.ctx.mapView, shown.extent);
      this.message(t('draw_imported_layer', { name, n: shown.layer.getSource()?.getFeatures().length ?? 0 }), 'info');
      return;
    }
    if (asLayer && this.ctx.external.files.length >= MAX_FILE_URLS) {
      this.message(t('draw_import_url_full', { n: MAX_FILE_URLS }));
      return;
    }
    this.message(t('draw_importing', { name }), 'info');
    this.panel.importUrlLoad.disabled = true;
    let features: Feature[];
    try {
      features = await loadFileFeatures(this.ctx.externalApi, url);
    } catch (error) {
      this.message(t('draw_import_failed', { name, m: statusText(error) }));
      return;
    } finally {
      this.panel.importUrlLoad.disabled = false;
    }
    if (!features.length) {
      this.message(t('draw_import_empty', { name }));
      return;
    }
    const extent = extentOf(features);
    if (asLayer) {
      this.addTempLayer(name, features, extent, url);
      this.ctx.external.addFile(url);
    } else {
      this.source.addFeatures(features);
      this.changed();
    }
    this.panel.importUrl.value = '';
    fitTo(this.ctx.mapView, extent);
    this.message(t(asLayer ? 'draw_imported_layer' : 'draw_imported', { name, n: features.length }), 'info');
  }

  /** Files named by a permalink (`file=…`): shown as temporary layers again. */
  async showFileUrls(urls: readonly string[], fit: boolean): Promise<void> {
    const failures: string[] = [];
    for (const url of urls.slice(0, MAX_FILE_URLS)) {
      const name = fileLabel(url);
      try {
        const features = await loadFileFeatures(this.ctx.externalApi, url);
        if (!features.length) continue;
        const extent = extentOf(features);
        this.addTempLayer(name, features, extent, url);
        this.ctx.external.addFile(url);
        if (fit) fitTo(this.ctx.mapView, extent);
      } catch (error) {
        failures.push(t('draw_import_failed', { name, m: statusText(error) }));
      }
    }
    if (failures.length) this.ctx.say(failures.join(' '));
  }

  private addTempLayer(name: string, features: Feature[], extent: Extent | null, url: string | null = null): void {
    const source = new VectorSource({ features });
    const layer = drawingLayer(source, `import:${name}`, TEMP_Z + this.temp.length);
    this.ctx.mapView.map.addLayer(layer);
    this.tempId += 1;
    this.temp.push({ id: this.tempId, name, layer, extent, url });
    this.renderTempLayers();
  }

  private removeTempLayer(item: TempLayer): void {
    this.ctx.mapView.map.removeLayer(item.layer);
    this.temp.splice(this.temp.indexOf(item), 1);
    if (item.url) this.ctx.external.removeFile(item.url);
    if (this.editor.selected() && !this.source.hasFeature(this.editor.selected() as Feature)) this.editor.setSelected(null);
    this.renderTempLayers();
    this.ctx.say(t('draw_layer_removed', { name: item.name }));
  }

  private renderTempLayers(): void {
    replaceChildren(this.panel.layers, ...this.temp.map((item) => el('li', { class: 'draw-layer', 'data-layer-id': String(item.id) },
      el('span', { class: 'draw-layer-name' }, item.name),
      el('span', { class: 'draw-layer-count' }, t('draw_layer_count', { n: item.layer.getSource()?.getFeatures().length ?? 0 })),
      iconButton(`draw-layer-zoom-${item.id}`, t('draw_layer_zoom', { name: item.name }), ICONS.zoomTo,
        { class: 'icon-button small', 'data-layer-action': 'zoom', 'data-layer-id': String(item.id) }),
      iconButton(`draw-layer-remove-${item.id}`, t('draw_layer_remove', { name: item.name }), ICONS.close,
        { class: 'icon-button small', 'data-layer-action': 'remove', 'data-layer-id': String(item.id) }))));
    this.panel.layers.dataset.count = String(this.temp.length);
  }

  private async exportAs(format: ExportFormat): Promise<void> {
    const features = this.features();
    if (!features.length) {
      this.message(t('draw_export_empty'));
      return;
    }
    this.panel.exportButton.disabled = true;
    try {
      const blob = await this.ctx.api.convert(writeCollection(features), GEOJSON_TYPE, format);
      const stem = this.panel.title.value.trim().replace(/[^\p{L}\p{N}_-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60);
      saveBlob(blob, `${stem || t('draw_file_stem')}.${format}`);
      this.message('');
    } catch (error) {
      this.message(t('draw_export_failed', { m: statusText(error) }));
    } finally {
      this.panel.exportButton.disabled = false;
    }
  }
}
