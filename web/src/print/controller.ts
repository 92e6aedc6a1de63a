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
import { el, icon, replaceChildren, saveBlob, startDownload } from '../dom';
import { ICONS } from '../icons';
import { formatNumber, formatScale, t, type Key, type Lang } from '../i18n';
import type { MapView } from '../mapview';
import type { Coord } from '../permalink';
import type { Store } from '../store';
import { formatLength, formatUtm } from '../tools';
import type { UrlSync } from '../urlsync';
import {
  PrintError, findLayout, groundSize, type ExportSpec, type JobStatus, type Orientation, type Overlay, type PrintApi,
  type PrintLayout, type PrintOptions, type PrintSpec,
} from './api';
import { mapContent, printLayers } from './content';
import { PrintFrame } from './frame';
import { buildPrintPanel, type Direction, type PrintPanel } from './panel';

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
}

type Tab = 'pdf' | 'image';
type Progress = 'idle' | 'sending' | 'queued' | 'running' | 'done' | 'failed';

/** How often a print job is asked how it stands. */
const POLL_MS = 500;
/** After this long a job that is still not done is given up (the server's own limit is shorter). */
const GIVE_UP_MS = 5 * 60_000;
/** Unanswered status requests in a row before the print counts as failed. */
const MAX_LOST_POLLS = 3;
/** A step of the frame by button or arrow key, as a share of its size; with Shift. */
const STEP = 0.1;
const BIG_STEP = 0.5;
/** The default scale is the finest at which the frame fills at most this much of the map. */
const FIT_SHARE = 0.8;
/** The export's bounds on each side, in CSS pixels. */
const MAX_IMAGE_SIDE = 2048;
const CURRENT = 'current';

const PROGRESS_TEXT: Record<Exclude<Progress, 'idle' | 'failed'>, Key> = {
  sending: 'print_state_sending',
  queued: 'print_state_queued',
  running: 'print_state_running',
  done: 'print_state_done',
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, ms));
}

function errorText(error: unknown): string {
  if (!(error instanceof PrintError)) return error instanceof Error ? error.message : String(error);
  if (error.status === 0) return t('print_offline');
  if (error.status === 429 && error.retryAfter) return t('print_retry_in', { m: error.message, s: Math.ceil(error.retryAfter) });
  return error.message;
}

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
      this.renderImageSizes();
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
    p.centre.addEventListener('click', () => this.frame.setCenter(mapView.center()));
    this.frame.onMove((final) => this.renderFrame(final));

    p.create.addEventListener('click', () => void this.createPdf());
    p.save.addEventListener('click', () => void this.saveImage());

    mapView.view.on('change:resolution', () => {
      this.renderCurrentScale();
      if (this.isOpen && p.scale.value === CURRENT) this.resizeFrame();
    });
    mapView.map.on('change:size', () => this.renderImageSizes());
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
    this.message(p.message, '');
    try {
      const options = await this.ctx.api.options();
      if (!options.papers.length || !options.dpis.length) throw new PrintError(500, 'no paper or resolution is offered');
      this.options = options;
      this.fillOptions(options);
      p.settings.disabled = false;
      p.create.disabled = false;
    } catch (error) {
      this.message(p.message, t('print_options_failed', { m: errorText(error) }));
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
   * The largest of the map's scales at which the frame fits into the map
   * as it is shown, with a margin; the finest scale if none does.
   */
  private fitScale(layout: PrintLayout): number {
    const { map, view, scales } = this.ctx.mapView;
    const size = map.getSize();
    const resolution = view.getResolution();
    if (!size || !resolution) return scales[0];
    const bound = Math.min(
      (size[0] * resolution * FIT_SHARE) / (layout.mapMm[0] / 1000),
      (size[1] * resolution * FIT_SHARE) / (layout.mapMm[1] / 1000),
    );
    const fitting = scales.filter((s) => s <= bound);
    return fitting.length ? fitting[fitting.length - 1] : scales[0];
  }

  /** The frame at the map's centre, at the chosen (or a fitting) scale. */
  private placeFrame(): void {
    const layout = this.layout();
    if (!layout) return;
    if (!this.scaleChosen) this.panel.scale.value = String(this.fitScale(layout));
    this.frame.setSize(groundSize(layout, this.printScale()));
    this.frame.setCenter(this.ctx.mapView.center());
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

  /** The sheet in a few words ("A4 · Querformat · 1:25.000"), shown on narrow screens. */
  private renderSummary(): void {
    const p = this.panel;
    p.summary.textContent = this.options ? t('print_summary', {
      paper: p.paper.value,
      orientation: t(this.orientation === 'portrait' ? 'print_portrait' : 'print_landscape'),
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
    p.create.disabled = true;
    p.result.hidden = true;
    replaceChildren(p.result);
    this.message(p.message, '');
    this.progress(p.progress, p.progressText, 'sending');
    try {
      const printJob = await this.ctx.api.submit(spec);
      const started = Date.now();
      let lost = 0;
      for (;;) {
        await sleep(POLL_MS);
        if (job !== this.job) return;
        let status: JobStatus;
        try {
          status = await this.ctx.api.status(printJob);
          lost = 0;
        } catch (error) {
          // A status request lost on the way is asked again; a refusal is final.
          if (!(error instanceof PrintError) || error.status !== 0 || ++lost >= MAX_LOST_POLLS) throw error;
          continue;
        }
        if (status.status === 'done') {
          this.offer(status.pdfUrl, status.bytes);
          return;
        }
        if (status.status === 'failed') throw new PrintError(500, status.error);
        this.progress(p.progress, p.progressText, status.status);
        if (Date.now() - started > GIVE_UP_MS) throw new PrintError(500, t('print_too_long'));
      }
    } catch (error) {
      if (job !== this.job) return;
      this.progress(p.progress, p.progressText, 'failed');
      this.message(p.message, t('print_failed', { m: errorText(error) }));
    } finally {
      if (job === this.job) p.create.disabled = false;
    }
  }

  /**
   * The finished PDF: a download link to keep, and the download started.
   * The server names the file (Content-Disposition), which browsers prefer
   * to a link's own name.
   */
  private offer(url: string, bytes: number | null): void {
    const p = this.panel;
    this.progress(p.progress, p.progressText, 'done');
    const label = bytes ? t('print_download_size', { s: formatBytes(bytes) }) : t('print_download');
    replaceChildren(p.result, el('a', { id: 'print-download', class: 'text-button', href: url, download: true },
      icon(ICONS.download), el('span', {}, label)));
    p.result.hidden = false;
    startDownload(url);
  }

  // ------------------------------------------------------------ the image

  /** The map's size in CSS pixels, within the export's bounds. */
  private imageSize(): [number, number] | null {
    const size = this.ctx.mapView.map.getSize();
    if (!size || size[0] < 1 || size[1] < 1) return null;
    const side = (n: number): number => Math.min(MAX_IMAGE_SIDE, Math.max(1, Math.round(n)));
    return [side(size[0]), side(size[1])];
  }

  private renderImageSizes(): void {
    if (!this.isOpen) return;
    const [w, h] = this.imageSize() ?? [0, 0];
    this.panel.ratio1Label.textContent = t('image_ratio_1', { w: formatNumber(w), h: formatNumber(h) });
    this.panel.ratio2Label.textContent = t('image_ratio_2', { w: formatNumber(w * 2), h: formatNumber(h * 2) });
  }

  private async saveImage(): Promise<void> {
    const p = this.panel;
    const { mapView, store, catalogue, lang } = this.ctx;
    const size = this.imageSize();
    const resolution = mapView.view.getResolution();
    if (!size || !resolution) return;
    const spec: ExportSpec = {
      ...mapContent(store, catalogue, this.ctx.overlays(), lang),
      center: mapView.center(),
      resolution,
      width: size[0],
      height: size[1],
      ratio: p.ratio2.checked ? 2 : 1,
    };
    p.save.disabled = true;
    this.message(p.imageMessage, '');
    this.progress(p.imageProgress, p.imageProgressText, 'sending', t('image_state_saving'));
    try {
      const { blob, name } = await this.ctx.api.exportImage(spec);
      saveBlob(blob, name);
      this.progress(p.imageProgress, p.imageProgressText, 'done', t('image_state_done'));
    } catch (error) {
      this.progress(p.imageProgress, p.imageProgressText, 'failed');
      this.message(p.imageMessage, t('image_failed', { m: errorText(error) }));
    } finally {
      p.save.disabled = false;
    }
  }

  // ------------------------------------------------------------ messages

  /** A progress line's state; its text changes only with it, so it is read out once. */
  private progress(line: HTMLElement, text: HTMLElement, state: Progress, words?: string): void {
    if (line.dataset.state === state) return;
    line.dataset.state = state;
    text.textContent = words ?? (state === 'idle' || state === 'failed' ? '' : t(PROGRESS_TEXT[state]));
  }

  private message(element: HTMLElement, text: string): void {
    element.textContent = text;
    element.hidden = text === '';
  }
}
