// The station panel (docs/stations.md): a station's series in a large
// chart, docked beside the map (below it on a phone) so that the map stays
// usable for adding stations by a click. Up to four stations of one layer
// are compared in one chart; a parameter and a period are chosen; the
// values are there as a table and as downloads. Its state is part of the
// URL (`station=…`, see selection.ts): a link or an embed opens it again.

import { HttpError, type Api, type StationName, type StationSeries } from '../api';
import type { Catalogue } from '../catalogue';
import { el, icon, iconButton, replaceChildren } from '../dom';
import { ICONS } from '../icons';
import { t, type Lang } from '../i18n';
import type { MapView } from '../mapview';
import { lineSwatch, stationFigure, type LoadedStation } from './figure';
import { StationMarkers } from './markers';
import { MAX_STATIONS, yearsSpanned, type StationSelection } from './selection';

export interface StationPanelContext {
  /** The row beside the map that the panel docks into. */
  main: HTMLElement;
  mapView: MapView;
  api: Api;
  catalogue: Catalogue;
  lang: Lang;
  /** A message for the status line (read out by screen readers). */
  say: (message: string) => void;
}

/** A station's series as loaded: the answer, or why there is none. */
type Loaded = StationSeries | 'missing' | 'failed';

export class StationPanel {
  readonly element: HTMLElement;
  private readonly title: HTMLHeadingElement;
  private readonly list: HTMLUListElement;
  private readonly addSelect: HTMLSelectElement;
  private readonly addButton: HTMLButtonElement;
  private readonly addBox: HTMLElement;
  private readonly fullNote: HTMLElement;
  private readonly parameter: HTMLSelectElement;
  private readonly from: HTMLSelectElement;
  private readonly to: HTMLSelectElement;
  /** The chart (or why there is none), read out when it changes. */
  private readonly result: HTMLElement;
  private readonly details: HTMLElement;
  private selection: StationSelection | null = null;
  /** The stations of the selection's layer, by key (from /api/series/{layer}). */
  private names = new Map<string, string>();
  private positions = new Map<string, [number, number] | null>();
  private readonly markers: StationMarkers;
  private namesOf: string | null = null;
  private readonly loaded = new Map<string, Promise<Loaded>>();
  /** Counts renderings, so an older one's late answers are ignored. */
  private rendering = 0;
  private returnFocus: HTMLElement | null = null;
  private readonly changeListeners: (() => void)[] = [];
  private readonly openListeners: ((open: boolean) => void)[] = [];

  constructor(private readonly ctx: StationPanelContext) {
    const close = iconButton('station-panel-close', t('close'), ICONS.close, { class: 'icon-button dialog-close' });
    this.title = el('h2', { id: 'station-panel-title', tabindex: -1 }, t('station_panel_title'));
    this.list = el('ul', { class: 'station-list', 'aria-label': t('station_list') });
    this.addSelect = el('select', { id: 'station-add' });
    this.addButton = el('button', { type: 'button', id: 'station-add-button', class: 'text-button' }, t('station_add_button'));
    this.fullNote = el('p', { class: 'hint station-full', hidden: true }, t('station_compare_full'));
    this.addBox = el('div', { class: 'station-add' },
      el('label', { for: 'station-add' }, t('station_add_label')),
      el('div', { class: 'station-add-row' }, this.addSelect, this.addButton),
      el('p', { class: 'hint' }, t('station_add_hint')));
    this.parameter = el('select', { id: 'station-parameter' });
    this.from = el('select', { id: 'station-from' });
    this.to = el('select', { id: 'station-to' });
    this.result = el('div', { class: 'station-result', 'aria-live': 'polite' });
    this.details = el('div', { class: 'station-details' });
    const field = (control: HTMLSelectElement, label: string): HTMLElement =>
      el('div', { class: 'field' }, el('label', { for: control.id }, label), control);
    this.element = el('section', { id: 'station-panel', class: 'station-panel', 'aria-labelledby': 'station-panel-title', hidden: true },
      el('div', { class: 'dialog-head' }, this.title, close),
      el('div', { class: 'station-body' },
        // What is compared and how comes first, then the chart; adding a
        // station, the table and the downloads follow it.
        this.list,
        el('div', { class: 'station-controls' },
          field(this.parameter, t('station_parameter')),
          field(this.from, t('station_from')),
          field(this.to, t('station_to'))),
        this.result,
        this.addBox,
        this.fullNote,
        this.details));
    ctx.main.appendChild(this.element);
    this.markers = new StationMarkers(ctx.mapView);

    close.addEventListener('click', () => this.setOpen(false));
    this.element.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      event.preventDefault();
      this.setOpen(false);
    });
    this.addButton.addEventListener('click', () => {
      const selection = this.selection;
      if (selection && this.addSelect.value) this.add(selection.layer, this.addSelect.value);
    });
    // The period is kept across parameters (years a parameter lacks fall back to its own span).
    this.parameter.addEventListener('change', () => this.choose({ parameter: this.parameter.value }));
    this.from.addEventListener('change', () => this.choosePeriod('from'));
    this.to.addEventListener('change', () => this.choosePeriod('to'));
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  /** The layer whose stations are shown; null when the panel is closed. */
  get shownLayer(): string | null {
    return this.isOpen ? this.selection?.layer ?? null : null;
  }

  /** The selection shown, for the URL; null when the panel is closed. */
  current(): StationSelection | null {
    return this.isOpen ? this.selection : null;
  }

  /** Called whenever the selection changes or the panel opens or closes. */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** Called with true when the panel opens, false when it closes. */
  onOpen(listener: (open: boolean) => void): void {
    this.openListeners.push(listener);
  }

  /** Is this station shown? */
  has(layer: string, key: string): boolean {
    return this.isOpen && this.selection?.layer === layer && this.selection.stations.includes(key);
  }

  /** Can a station of `layer` be added to what is shown? */
  canAdd(layer: string): boolean {
    return this.isOpen && this.selection?.layer === layer && this.selection.stations.length < MAX_STATIONS;
  }

  /** Opens the panel with this station alone. */
  show(layer: string, key: string): void {
    this.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.selection = { layer, stations: [key], parameter: null, from: null, to: null };
    this.setOpen(true);
  }

  /** Opens the panel with a selection from the URL. */
  restore(selection: StationSelection): void {
    this.selection = { ...selection, stations: [...selection.stations] };
    this.setOpen(true, false);
  }

  /** Adds a station of the layer shown to the comparison. */
  add(layer: string, key: string): void {
    const selection = this.selection;
    if (!selection || selection.layer !== layer || selection.stations.includes(key)) return;
    if (selection.stations.length >= MAX_STATIONS) return;
    selection.stations.push(key);
    this.ctx.say(t('station_added', { name: this.names.get(key) ?? key }));
    void this.changed();
  }

  private remove(key: string): void {
    const selection = this.selection;
    if (!selection || selection.stations.length < 2) return;
    const index = selection.stations.indexOf(key);
    selection.stations = selection.stations.filter((k) => k !== key);
    this.ctx.say(t('station_removed', { name: this.names.get(key) ?? key }));
    // Focus goes to the next station's remove button once the list is new,
    // else (one station left, no buttons) to the list of stations to add.
    void this.changed().then(() => {
      const buttons = this.list.querySelectorAll<HTMLButtonElement>('button.station-remove');
      (buttons[Math.min(index, buttons.length - 1)] ?? this.addSelect).focus();
    });
  }

  /** Opens or closes the panel; `moveFocus` false when another panel takes its place. */
  setOpen(open: boolean, moveFocus = true): void {
    const was = this.isOpen;
    this.element.hidden = !open;
    this.ctx.main.classList.toggle('station-open', open);
    // The map gave room to the panel (or gets it back).
    this.ctx.mapView.map.updateSize();
    if (open) {
      void this.changed();
      if (moveFocus) this.title.focus();
    } else if (was) {
      const back = this.returnFocus && this.returnFocus.isConnected ? this.returnFocus : this.ctx.mapView.map.getTargetElement();
      if (moveFocus) back?.focus();
      this.returnFocus = null;
      this.markers.show([]);
      this.notify();
    }
    if (open !== was) for (const listener of this.openListeners) listener(open);
  }

  private choose(change: Partial<StationSelection>): void {
    if (!this.selection) return;
    Object.assign(this.selection, change);
    void this.changed();
  }

  /** A year chosen: the other end follows if it would lie on the wrong side; the ends mean "open". */
  private choosePeriod(end: 'from' | 'to'): void {
    const years = [...this.from.options].map((o) => o.value);
    let from = this.from.value;
    let to = this.to.value;
    if (from > to) {
      if (end === 'from') to = from;
      else from = to;
    }
    this.choose({ from: from === years[0] ? null : from, to: to === years[years.length - 1] ? null : to });
  }

  /** Shows the selection anew; the URL follows at once and again once rendering settled what is shown. */
  private changed(): Promise<void> {
    this.notify();
    return this.render().then(() => this.notify());
  }

  private notify(): void {
    for (const listener of this.changeListeners) listener();
  }

  private load(layer: string, key: string): Promise<Loaded> {
    const id = `${layer}/${key}`;
    let loading = this.loaded.get(id);
    if (!loading) {
      loading = this.ctx.api.series(layer, key, this.ctx.lang).then(
        (series) => series,
        (error: unknown) => (error instanceof HttpError && error.status === 404 ? 'missing' : 'failed'),
      );
      this.loaded.set(id, loading);
      // A failure is not kept: the next rendering asks again.
      void loading.then((answer) => {
        if (answer === 'failed') this.loaded.delete(id);
      });
    }
    return loading;
  }

  private async loadNames(layer: string): Promise<void> {
    if (this.namesOf === layer) return;
    let stations: StationName[] = [];
    try {
      stations = await this.ctx.api.stations(layer);
    } catch {
      // Without the list, stations are named by their keys and added by a click.
    }
    this.names = new Map(stations.map((s) => [s.station, s.name]));
    this.positions = new Map(stations.map((s) => [s.station, s.at]));
    this.namesOf = layer;
  }

  private async render(): Promise<void> {
    const selection = this.selection;
    if (!selection || !this.isOpen) return;
    const run = ++this.rendering;
    replaceChildren(this.result, el('p', { class: 'hint' }, t('station_loading')));
    await this.loadNames(selection.layer);
    const answers = await Promise.all(selection.stations.map((key) => this.load(selection.layer, key)));
    if (run !== this.rendering || this.selection !== selection || !this.isOpen) return;

    // A station the layer does not have is dropped (a stale link), and said.
    const missing = selection.stations.filter((_, i) => answers[i] === 'missing');
    if (missing.length) {
      this.ctx.say(t('station_not_found', { key: missing.join(', ') }));
      selection.stations = selection.stations.filter((k) => !missing.includes(k));
      if (!selection.stations.length) {
        this.setOpen(false, false);
        return;
      }
      await this.changed();
      return;
    }
    const stations: LoadedStation[] = [];
    const failed: string[] = [];
    selection.stations.forEach((key, i) => {
      const answer = answers[i];
      const name = this.names.get(key) ?? key;
      if (typeof answer === 'string') failed.push(name);
      else stations.push({ key, name, series: answer });
    });

    this.renderHead(selection);
    this.renderAdd(selection);
    this.markers.show(selection.stations.map((key, line) => ({ at: this.positions.get(key) ?? null, line })));
    const parameter = this.renderParameters(selection, stations);
    if (failed.length || !stations.length || parameter === null) {
      replaceChildren(this.result, el('p', { class: 'error' },
        failed.length ? t('station_failed', { name: failed.join(', ') }) : t('station_no_values')));
      this.details.replaceChildren();
      return;
    }
    this.renderYears(selection, stations, parameter);
    const figure = stationFigure(this.ctx.api, this.ctx.lang, stations, selection, parameter);
    replaceChildren(this.result, figure.chart);
    replaceChildren(this.details, ...figure.details);
  }

  private renderHead(selection: StationSelection): void {
    const layer = this.ctx.catalogue.layer(selection.layer)?.title ?? selection.layer;
    const first = selection.stations[0];
    this.title.textContent = selection.stations.length > 1
      ? t('station_compare_title', { n: selection.stations.length })
      : `${this.names.get(first) ?? first}`;
    this.element.dataset.layer = selection.layer;
    const single = selection.stations.length === 1;
    replaceChildren(this.list, ...selection.stations.map((key, index) => {
      const name = this.names.get(key) ?? key;
      const remove = single ? null : el('button', {
        type: 'button', class: 'icon-button station-remove', 'aria-label': t('station_remove', { name }), title: t('station_remove', { name }),
      }, icon(ICONS.close));
      remove?.addEventListener('click', () => this.remove(key));
      return el('li', { 'data-station': key },
        lineSwatch(index),
        el('span', { class: 'station-name' }, name, el('span', { class: 'station-key' }, ` ${key} · ${layer}`)),
        remove);
    }));
  }

  private renderAdd(selection: StationSelection): void {
    const full = selection.stations.length >= MAX_STATIONS;
    const others = [...this.names].filter(([key]) => !selection.stations.includes(key));
    this.addBox.hidden = full;
    this.fullNote.hidden = !full;
    replaceChildren(this.addSelect,
      el('option', { value: '' }, t('station_choose')),
      ...others.map(([key, name]) => el('option', { value: key }, name)));
    this.addSelect.disabled = others.length === 0;
    this.addButton.disabled = others.length === 0;
  }

  /** Fills the parameter choice; answers the parameter shown, or null when the stations have none. */
  private renderParameters(selection: StationSelection, stations: LoadedStation[]): string | null {
    const offered = new Map<string, string>();
    for (const station of stations) {
      for (const s of station.series.series) {
        if (s.points.length && !offered.has(s.parameter)) offered.set(s.parameter, s.unit ? `${s.label} (${s.unit})` : s.label);
      }
    }
    const parameter = selection.parameter !== null && offered.has(selection.parameter)
      ? selection.parameter
      : offered.keys().next().value ?? null;
    // The URL named a parameter none of them has: the first is shown instead.
    if (parameter !== selection.parameter) selection.parameter = parameter;
    replaceChildren(this.parameter, ...[...offered].map(([code, label]) => el('option', { value: code }, label)));
    if (parameter !== null) this.parameter.value = parameter;
    return parameter;
  }

  private renderYears(selection: StationSelection, stations: LoadedStation[], parameter: string): void {
    const points = stations.flatMap((s) => s.series.series.filter((x) => x.parameter === parameter).flatMap((x) => x.points));
    const years = yearsSpanned(points);
    const options = (): HTMLOptionElement[] => years.map((y) => el('option', { value: y }, y));
    replaceChildren(this.from, ...options());
    replaceChildren(this.to, ...options());
    // A year outside the values' span (a link, another parameter) means the open end.
    if (selection.from !== null && !years.includes(selection.from)) selection.from = null;
    if (selection.to !== null && !years.includes(selection.to)) selection.to = null;
    this.from.value = selection.from ?? years[0];
    this.to.value = selection.to ?? years[years.length - 1];
  }
}
