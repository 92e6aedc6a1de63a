// Printing and the image export (docs/print.md; clauses L1, L2, L4): the
// toolbar's "Drucken" opens a panel docked beside the map (below it on a
// phone), so the map stays usable and the frame of what will be printed
// stays in view. The PDF tab sends the chosen sheet, scale and frame
// centre with what the map shows (layers, drawing, imports, marker) to
// POST /api/print and follows the job until its PDF can be downloaded;
// the image tab sends the current view to POST /api/export and saves the
// PNG it answers.

import { containsCoordinate, getHeight, getWidth, type Extent } from 'ol/extent';

import type { Catalogue } from '../catalogue';
import { el, icon, replaceChildren, startDownload } from '../dom';
import { ICONS } from '../icons';
import { formatNumber, formatScale, t, type Lang } from '../i18n';
import type { MapView } from '../mapview';
import type { Coord } from '../permalink';
import type { Store } from '../store';
import { formatLength, formatUtm } from '../tools';
import type { UrlSync } from '../urlsync';
import {
  PrintError, findLayout, groundSize, type Orientation, type Overlay, type PrintApi, type PrintLayout, type PrintOptions,
  type PrintSpec,
} from './api';
import { mapContent, printLayers } from './content';
import { PrintFrame } from './frame';
import { ImageExport } from './image';
import { awaitPdf } from './job';
import { buildPrintPanel, type Direction, type PrintPanel } from './panel';
import { errorText, showMessage, showProgress } from './status';

export interface PrintContext {
  /** The row beside the map that the panel docks into. */
  main: HTMLElement;
  mapView: MapView;
  store: Store;
  catalogue: Catalogue;
  urls: UrlSync;
  api: PrintApi;
  lang: Lang;
  /** The user's drawing and imported layers as they are now. */
  overlays: () => Overlay[];
  /** What lies over the map's lower edge (scale bar, source notes): the frame is placed above it. */
  covers: HTMLElement[];
}

type Tab = 'pdf' | 'image';

/** A step of the frame by button or arrow key, as a share of its size; with Shift. */
const STEP = 0.1;
const BIG_STEP = 0.5;
/** The default scale is the finest at which the frame fills at most this much of the map. */
const FIT_SHARE = 0.8;
const CURRENT = 'current';

function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${formatNumber(bytes / 1024, 0)} KB` : `${formatNumber(bytes / (1024 * 1024), 1)} MB`;
}

/** An extent shrunk on every side by `share` of its size. */
function inset(extent: Extent, share: number): Extent {
  const dx = getWidth(extent) * share;
  const dy = getHeight(extent) * share;
  return [extent[0] + dx, extent[1] + dy, extent[2] - dx, extent[3] - dy];
}

export class PrintController {
  readonly button: HTMLButtonElement;
  private readonly panel: PrintPanel;
  private readonly frame: PrintFrame;
  private readonly image: ImageExport;
  private options: PrintOptions | null = null;
  private loading: Promise<void> | null = null;
  private tab: Tab = 'pdf';
  /** The visitor chose a scale: it is kept; until then each opening fits one. */
  private scaleChosen = false;
  /** Counts print requests, so an older one's answers are ignored. */
  private job = 0;
  private readonly openListeners: ((open: boolean) => void)[] = [];

  constructor(private readonly ctx: PrintContext) {
    this.panel = buildPrintPanel();
    ctx.main.appendChild(this.panel.element);
    this.frame = new PrintFrame(ctx.mapView.map);
    this.image = new ImageExport(this.panel, ctx);
    this.button = el('button', {
      type: 'button', id: 'print-button', class: 'text-button', 'aria-controls': 'print-panel', 'aria-expanded': 'false',
    }, icon(ICONS.printer), el('span', {}, t('print')));
    this.button.addEventListener('click', () => this.setOpen(!this.isOpen));
    this.fillScales();
    this.renderSummary();
    this.wire();
  }

  get isOpen(): boolean {
    return !this.panel.element.hidden;
  }

  /** Called with true when the panel opens (the map's clicks then move the frame), false when it closes. */
  onOpen(listener: (open: boolean) => void): void {
    this.openListeners.push(listener);
  }

  setOpen(open: boolean): void {
    if (this.isOpen === open) return;
    this.panel.element.hidden = !open;
    this.ctx.main.classList.toggle('print-open', open);
    this.button.setAttribute('aria-expanded', String(open));
    // The map gave room to the panel (or gets it back).
    this.ctx.mapView.map.updateSize();
    if (open) {
      this.setSheet(false);
      this.image.renderSizes();
      this.renderForeignBase();
      // The active tab, or on a phone the folded sheet's toggle.
      const tab = this.panel.tabs[this.tab];
      (tab.getClientRects().length ? tab : this.panel.sheet).focus();
      void this.loadOptions().then(() => {
        if (this.isOpen) this.placeFrame();
      });
    } else {
      this.frame.show(false);
    }
    for (const listener of this.openListeners) listener(open);
  }

  // ------------------------------------------------------------ wiring

  private wire(): void {
    const p = this.panel;
    const { mapView, store } = this.ctx;
    p.close.addEventListener('click', () => {
      this.setOpen(false);
      this.button.focus();
    });
    p.element.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      event.preventDefault();
      this.setOpen(false);
      this.button.focus();
    });

    p.sheet.addEventListener('click', () => this.setSheet(p.sheet.getAttribute('aria-expanded') !== 'true'));
    p.tabs.pdf.addEventListener('click', () => this.selectTab('pdf'));
    p.tabs.image.addEventListener('click', () => this.selectTab('image'));
    p.tabs.pdf.parentElement?.addEventListener('keydown', (event) => {
      const keys: Record<string, Tab> = { ArrowLeft: 'pdf', Home: 'pdf', ArrowRight: 'image', End: 'image' };
      const tab = keys[event.key];
      if (!tab) return;
      event.preventDefault();
      this.selectTab(tab, true);
    });

    // The sheet's layout or scale changed: the frame follows at once.
    for (const control of [p.paper, p.scale, p.portrait, p.landscape, p.legend]) {
      control.addEventListener('change', () => this.resizeFrame());
    }
    p.scale.addEventListener('change', () => (this.scaleChosen = true));
    p.comment.addEventListener('input', () => this.resizeFrame());

    for (const [direction, button] of Object.entries(p.move) as [Direction, HTMLButtonElement][]) {
      button.addEventListener('click', (event) => this.step(direction, event.shiftKey));
    }
    p.moves.addEventListener('keydown', (event) => {
      const keys: Record<string, Direction> = { ArrowUp: 'n', ArrowDown: 's', ArrowLeft: 'w', ArrowRight: 'e' };
      const direction = keys[event.key];
      if (!direction) return;
      event.preventDefault();
      this.step(direction, event.shiftKey);
    });
    p.centre.addEventListener('click', () => this.frame.setCenter(this.freeCentre()));
    this.frame.onMove((final) => this.renderFrame(final));

    p.create.addEventListener('click', () => void this.createPdf());

    mapView.view.on('change:resolution', () => {
      this.renderCurrentScale();
      if (this.isOpen && p.scale.value === CURRENT) this.resizeFrame();
    });
    mapView.map.on('change:size', () => {
      if (this.isOpen) this.image.renderSizes();
    });
    store.subscribe((change) => {
      if (change === 'base') this.renderForeignBase();
    });
  }

  /**
   * On narrow screens the panel is a sheet below the map: folded, it shows
   * what will be printed and the button to print, leaving the map (and the
   * frame) most of the screen; unfolded, all settings. Wide screens show
   * everything and never see the toggle.
   */
  private setSheet(expanded: boolean): void {
    this.panel.element.dataset.sheet = expanded ? 'expanded' : 'collapsed';
    this.panel.sheet.setAttribute('aria-expanded', String(expanded));
    // Folded, only the PDF's button shows: the frame belongs to it.
    if (!expanded && this.tab !== 'pdf') this.selectTab('pdf');
    this.ctx.mapView.map.updateSize();
  }

  private selectTab(tab: Tab, focus = false): void {
    this.tab = tab;
    for (const name of ['pdf', 'image'] as const) {
      const selected = name === tab;
      this.panel.tabs[name].setAttribute('aria-selected', String(selected));
      this.panel.tabs[name].tabIndex = selected ? 0 : -1;
      this.panel.pages[name].hidden = !selected;
    }
    // The frame belongs to the PDF; the image is the view as it is.
    this.frame.show(this.isOpen && tab === 'pdf' && this.options !== null);
    if (focus) this.panel.tabs[tab].focus();
  }

  // ------------------------------------------------------------ the sheet

  private loadOptions(): Promise<void> {
    if (this.options) return Promise.resolve();
    this.loading ??= this.fetchOptions().finally(() => (this.loading = null));
    return this.loading;
  }

  private async fetchOptions(): Promise<void> {
    const p = this.panel;
    p.loading.hidden = false;
    showMessage(p.message, '');
    try {
      const options = await this.ctx.api.options();
      if (!options.papers.length || !options.dpis.length) throw new PrintError(500, 'no paper or resolution is offered');
      this.options = options;
      this.fillOptions(options);
      p.settings.disabled = false;
      p.create.disabled = false;
    } catch (error) {
      showMessage(p.message, t('print_options_failed', { m: errorText(error) }));
    } finally {
      p.loading.hidden = true;
    }
  }

  private fillOptions(options: PrintOptions): void {
    const p = this.panel;
    replaceChildren(p.paper, ...options.papers.map((paper) => el('option', { value: paper }, paper)));
    p.paper.value = options.papers.includes('A4') ? 'A4' : options.papers[0];
    replaceChildren(p.dpi, ...options.dpis.map((dpi) => el('option', { value: dpi }, t('print_dpi_value', { n: dpi }))));
    p.dpi.value = String(options.dpis[0]);
    // Only the map's scales a print may have.
    for (const option of Array.from(p.scale.options)) {
      const scale = Number(option.value);
      if (option.value !== CURRENT && (scale < options.minScale || scale > options.maxScale)) option.remove();
    }
  }

  private fillScales(): void {
    const p = this.panel;
    replaceChildren(p.scale,
      el('option', { value: CURRENT }),
      ...this.ctx.mapView.scales.map((scale) => el('option', { value: scale }, formatScale(scale))));
    this.renderCurrentScale();
  }

  private renderCurrentScale(): void {
    const option = this.panel.scale.querySelector<HTMLOptionElement>(`option[value="${CURRENT}"]`);
    if (option) option.textContent = t('print_scale_current', { s: formatScale(this.ctx.mapView.scale()) });
  }

  private get orientation(): Orientation {
    return this.panel.portrait.checked ? 'portrait' : 'landscape';
  }

  private layout(): PrintLayout | null {
    const p = this.panel;
    if (!this.options) return null;
    return findLayout(this.options, p.paper.value, this.orientation, p.legend.checked, p.comment.value.trim() !== '');
  }

  private printScale(): number {
    const value = this.panel.scale.value;
    return value === CURRENT ? this.ctx.mapView.scale() : Number(value);
  }

  /**
   * The part of the map nothing lies over, in pixels (width, height from
   * the top): the scale bar and the source notes cover its lower edge,
   * on a phone a good part of it.
   */
  private freeSize(): [number, number] | null {
    const target = this.ctx.mapView.map.getTargetElement();
    if (!target) return null;
    const box = target.getBoundingClientRect();
    let bottom = box.bottom;
    for (const cover of this.ctx.covers) {
      const r = cover.getBoundingClientRect();
      if (r.height > 0 && r.top > box.top) bottom = Math.min(bottom, r.top);
    }
    // Whatever covers it, at least half the map counts.
    return [box.width, Math.max(bottom - box.top, box.height / 2)];
  }

  /** The middle of the map's free part, where a frame starts. */
  private freeCentre(): Coord {
    const { map } = this.ctx.mapView;
    const free = this.freeSize();
    const at = free ? map.getCoordinateFromPixel([free[0] / 2, free[1] / 2]) : null;
    return at ? [at[0], at[1]] : this.ctx.mapView.center();
  }

  /**
   * The largest of the map's scales at which the frame fits into the
   * map's free part, with a margin; the finest scale if none does.
   */
  private fitScale(layout: PrintLayout): number {
    const { view, scales } = this.ctx.mapView;
    const size = this.freeSize();
    const resolution = view.getResolution();
    if (!size || !resolution) return scales[0];
    const bound = Math.min(
      (size[0] * resolution * FIT_SHARE) / (layout.mapMm[0] / 1000),
      (size[1] * resolution * FIT_SHARE) / (layout.mapMm[1] / 1000),
    );
    const offered = Array.from(this.panel.scale.options).map((o) => Number(o.value)).filter((s) => Number.isFinite(s));
    const fitting = offered.filter((s) => s <= bound);
    return fitting.length ? fitting[fitting.length - 1] : offered[0] ?? scales[0];
  }

  /** The frame in the middle of the map, at the chosen (or a fitting) scale. */
  private placeFrame(): void {
    const layout = this.layout();
    if (!layout) return;
    if (!this.scaleChosen) this.panel.scale.value = String(this.fitScale(layout));
    this.frame.setSize(groundSize(layout, this.printScale()));
    this.frame.setCenter(this.freeCentre());
    this.frame.show(this.tab === 'pdf');
    this.renderSummary();
  }

  private resizeFrame(): void {
    const layout = this.layout();
    if (!layout) return;
    this.frame.setSize(groundSize(layout, this.printScale()));
    this.renderFrame(true);
    this.renderSummary();
  }

  /** The sheet in a few words ("A4 quer · 1:25.000"), shown on narrow screens. */
  private renderSummary(): void {
    const p = this.panel;
    p.summary.textContent = this.options ? t('print_summary', {
      paper: p.paper.value,
      orientation: t(this.orientation === 'portrait' ? 'print_summary_portrait' : 'print_summary_landscape'),
      scale: formatScale(this.printScale()),
    }) : t('print_title');
  }

  private step(direction: Direction, big: boolean): void {
    const [w, h] = this.frame.groundSize;
    const share = big ? BIG_STEP : STEP;
    const moves: Record<Direction, Coord> = { n: [0, h * share], s: [0, -h * share], e: [w * share, 0], w: [-w * share, 0] };
    this.frame.moveBy(...moves[direction]);
    // Moved by keys, the frame is not let out of sight: the map follows.
    const { map, view } = this.ctx.mapView;
    const size = map.getSize();
    if (size && !containsCoordinate(inset(view.calculateExtent(size), 0.1), this.frame.center)) {
      view.setCenter(this.frame.center);
    }
  }

  /** The frame's size and centre: as data for tests always, as text once a move ends. */
  private renderFrame(final: boolean): void {
    const p = this.panel;
    const [w, h] = this.frame.groundSize;
    const [x, y] = this.frame.center;
    p.element.dataset.frame = `${Math.round(w)},${Math.round(h)}`;
    p.element.dataset.center = `${Math.round(x)},${Math.round(y)}`;
    if (!final) return;
    p.frameSize.textContent = t('print_frame_size', { w: formatLength(w), h: formatLength(h) });
    // Each coordinate keeps its letter when the line breaks.
    p.frameCentre.textContent = t('print_frame_center', { c: formatUtm([x, y]).replace(/([EN]) /g, '$1\u00a0') });
  }

  private renderForeignBase(): void {
    const { foreignBase } = printLayers(this.ctx.store, this.ctx.catalogue);
    this.panel.foreignBase.hidden = foreignBase === null;
    this.panel.foreignBase.textContent = foreignBase ? t('print_base_foreign', { name: foreignBase }) : '';
  }

  // ------------------------------------------------------------ the PDF

  private spec(): PrintSpec | null {
    const p = this.panel;
    const layout = this.layout();
    if (!layout) return null;
    const { store, catalogue, urls, lang } = this.ctx;
    const [x, y] = this.frame.center;
    const center: Coord = [Math.round(x), Math.round(y)];
    const scale = this.printScale();
    return {
      ...mapContent(store, catalogue, this.ctx.overlays(), lang),
      paper: layout.paper,
      orientation: layout.orientation,
      scale,
      dpi: Number(p.dpi.value),
      center,
      title: p.title.value.trim(),
      comment: p.comment.value.trim(),
      permalink: urls.viewPathAt(center, scale),
      legend: p.legend.checked,
      grid: p.grid.checked,
    };
  }

  private async createPdf(): Promise<void> {
    const p = this.panel;
    const spec = this.spec();
    if (!spec) return;
    const job = ++this.job;
    const current = (): boolean => job === this.job;
    p.create.disabled = true;
    p.result.hidden = true;
    replaceChildren(p.result);
    showMessage(p.message, '');
    showProgress(p.progress, p.progressText, 'sending');
    try {
      const printJob = await this.ctx.api.submit(spec);
      const pdf = await awaitPdf(this.ctx.api, printJob, (state) => showProgress(p.progress, p.progressText, state), current);
      if (pdf && current()) this.offer(pdf.url, pdf.bytes);
    } catch (error) {
      if (!current()) return;
      showProgress(p.progress, p.progressText, 'failed');
      showMessage(p.message, t('print_failed', { m: errorText(error) }));
    } finally {
      if (current()) p.create.disabled = false;
    }
  }

  /**
   * The finished PDF: a download link to keep, and the download started.
   * The server names the file (Content-Disposition), which browsers prefer
   * to a link's own name.
   */
  private offer(url: string, bytes: number | null): void {
    const p = this.panel;
    showProgress(p.progress, p.progressText, 'done');
    const label = bytes ? t('print_download_size', { s: formatBytes(bytes) }) : t('print_download');
    replaceChildren(p.result, el('a', { id: 'print-download', class: 'text-button', href: url, download: true },
      icon(ICONS.download), el('span', {}, label)));
    p.result.hidden = false;
    startDownload(url);
  }
}
