// Feature info: a click queries the visible queryable layers with WMS
// GetFeatureInfo (JSON) and shows the features' fields under their labels in
// #feature-info; for layers with measurements, also the latest values.

import Feature from 'ol/Feature';
import Point from 'ol/geom/Point';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import { Circle as CircleStyle, Stroke, Style } from 'ol/style';
import type MapBrowserEvent from 'ol/MapBrowserEvent';

import type { Api, LayerDef } from './api';
import { el, iconButton, replaceChildren } from './dom';
import { ICONS } from './icons';
import { lineChart, seriesTable } from './chart';
import { formatNumber, getLang, t } from './i18n';
import type { MapView } from './mapview';
import type { Store } from './store';
import { CRS } from './projection';

/** What feature info may ask of the station panel (stations/panel.ts). */
export interface StationLinks {
  /** The layer whose stations are shown; null when the panel is closed. */
  readonly shownLayer: string | null;
  has(layer: string, key: string): boolean;
  canAdd(layer: string): boolean;
  show(layer: string, key: string): void;
  add(layer: string, key: string): void;
}

interface InfoFeature {
  layer: string;
  properties: Record<string, unknown>;
}

const SIZE = 101;
const HALF = 50;

export class FeatureInfo {
  private readonly panel: HTMLElement;
  private readonly body: HTMLElement;
  private readonly clickSource = new VectorSource();
  private controller: AbortController | null = null;
  /** A tool (measuring) may take clicks for itself. */
  enabled = true;

  constructor(
    parent: HTMLElement,
    private readonly mapView: MapView,
    private readonly store: Store,
    private readonly api: Api,
    private readonly wms: string,
    private readonly stations: StationLinks | null = null,
  ) {
    const close = iconButton('feature-info-close', t('close'), ICONS.close, { class: 'icon-button dialog-close' });
    this.body = el('div', { class: 'feature-info-body', 'aria-live': 'polite' });
    this.panel = el('section', { id: 'feature-info', class: 'feature-info', role: 'dialog', 'aria-labelledby': 'feature-info-title', hidden: true },
      el('div', { class: 'dialog-head' }, el('h2', { id: 'feature-info-title' }, t('feature_info')), close),
      this.body);
    close.addEventListener('click', () => this.close());
    this.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.close();
    });
    parent.appendChild(this.panel);
    mapView.map.addLayer(new VectorLayer({
      source: this.clickSource,
      zIndex: 9999,
      style: new Style({ image: new CircleStyle({ radius: 8, stroke: new Stroke({ color: '#0b4f8a', width: 3 }) }) }),
    }));
    mapView.map.on('singleclick', (event: MapBrowserEvent<PointerEvent | KeyboardEvent | WheelEvent>) => {
      if (this.enabled) void this.query([event.coordinate[0], event.coordinate[1]]);
    });
  }

  close(): void {
    this.controller?.abort();
    this.panel.hidden = true;
    this.clickSource.clear();
  }

  private queryLayers(): LayerDef[] {
    return this.store.visibleIds()
      .map((id) => this.store.catalogue.layer(id))
      .filter((def): def is LayerDef => !!def && def.queryable && this.mapView.inRange(def.id));
  }

  /** The GetFeatureInfo URL for a 101×101 pixel box centred on the click. */
  requestUrl(at: [number, number], layers: string[]): string {
    const res = this.mapView.view.getResolution() ?? 1;
    const minX = at[0] - (HALF + 0.5) * res;
    const maxY = at[1] + (HALF + 0.5) * res;
    const bbox = [minX, maxY - SIZE * res, minX + SIZE * res, maxY].map((v) => v.toFixed(3)).join(',');
    const params = new URLSearchParams({
      SERVICE: 'WMS', VERSION: '1.3.0', REQUEST: 'GetFeatureInfo',
      LAYERS: layers.join(','), QUERY_LAYERS: layers.join(','), STYLES: '',
      CRS, BBOX: bbox, WIDTH: String(SIZE), HEIGHT: String(SIZE),
      I: String(HALF), J: String(HALF),
      INFO_FORMAT: 'application/json', FEATURE_COUNT: '5', FORMAT: 'image/png',
      LANGUAGE: getLang(),
    });
    return `${this.wms}${this.wms.includes('?') ? '&' : '?'}${params.toString()}`;
  }

  async query(at: [number, number]): Promise<void> {
    const layers = this.queryLayers().map((l) => l.id);
    // The base map is asked as well (the server answers for its queryable
    // members): a click anywhere says which municipality is there.
    const base = this.store.catalogue.basemap(this.store.base);
    for (const id of base?.queryableLayers ?? []) {
      if (!layers.includes(id)) layers.push(id);
    }
    this.controller?.abort();
    if (!layers.length) {
      this.close();
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    this.clickSource.clear();
    this.clickSource.addFeature(new Feature(new Point(at)));
    replaceChildren(this.body, el('p', { class: 'hint' }, t('feature_info_loading')));
    this.panel.hidden = false;
    let features: InfoFeature[];
    try {
      const response = await fetch(this.requestUrl(at, layers), { signal: controller.signal });
      if (!response.ok) throw new Error(String(response.status));
      features = parseFeatures(await response.json());
    } catch (error) {
      if (controller.signal.aborted) return;
      replaceChildren(this.body, el('p', { class: 'error' }, t('feature_info_failed')));
      return;
    }
    if (controller.signal.aborted) return;
    if (!features.length) {
      replaceChildren(this.body, el('p', { class: 'hint' }, t('feature_info_none')));
      return;
    }
    // Thematic layers first (in tree order), then the base map's members;
    // a feature that both answer for is shown once.
    const rank = (layer: string): number => {
      const visible = this.store.visibleIds().indexOf(layer);
      if (visible >= 0) return visible;
      const known = this.store.catalogue.order.indexOf(layer);
      return 1000 + (known >= 0 ? known : 1000);
    };
    const seen = new Set<string>();
    features = features.filter((f) => {
      const key = `${f.layer}\u0000${JSON.stringify(f.properties)}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    features.sort((a, b) => rank(a.layer) - rank(b.layer));
    replaceChildren(this.body, ...features.map((f) => this.renderFeature(f, controller.signal)));
  }

  private renderFeature(feature: InfoFeature, signal: AbortSignal): HTMLElement {
    const def = this.store.catalogue.layer(feature.layer);
    const fields = def?.fields.length
      ? def.fields
      : Object.keys(feature.properties).map((field) => ({ field, label: field }));
    const list = el('dl', { class: 'facts' });
    for (const { field, label } of fields) {
      if (!(field in feature.properties)) continue;
      list.append(el('dt', {}, label), el('dd', {}, formatValue(feature.properties[field])));
    }
    const item = el('article', { class: 'feature', 'data-layer': feature.layer },
      el('h3', {}, def?.title ?? feature.layer),
      list);
    if (def?.measurements) {
      const key = measurementKey(def, feature.properties);
      if (key !== null) {
        if (this.stations) item.append(this.stationAction(this.stations, def.id, key));
        item.append(this.measurements(def.id, key, signal), this.series(def.id, key, signal));
      }
    }
    return item;
  }

  /**
   * The way to the station panel: open it with this station, or, while it
   * shows stations of this layer, add this one to the comparison.
   */
  private stationAction(stations: StationLinks, layer: string, key: string): HTMLElement {
    const box = el('p', { class: 'station-action' });
    const render = (): void => {
      if (stations.has(layer, key)) {
        replaceChildren(box, el('span', { class: 'hint', tabindex: -1 }, t('station_in_compare')));
        return;
      }
      // Four stations shown already: opening this one starts a new comparison.
      const sameLayer = stations.shownLayer === layer;
      const adding = sameLayer && stations.canAdd(layer);
      const full = sameLayer && !adding;
      const button = el('button', { type: 'button', class: 'text-button station-open', 'data-action': adding ? 'add' : 'open' },
        t(adding ? 'station_add_compare' : 'station_open'));
      button.addEventListener('click', () => {
        if (adding) {
          stations.add(layer, key);
          render();
          // The button is gone: focus stays here, on what replaced it.
          box.querySelector<HTMLElement>('[tabindex]')?.focus();
        } else {
          stations.show(layer, key);
        }
      });
      replaceChildren(box, button, full ? el('span', { class: 'hint' }, ` ${t('station_compare_full')}`) : null);
    };
    render();
    return box;
  }

  private measurements(layer: string, key: string, signal: AbortSignal): HTMLElement {
    const box = el('div', { class: 'measurements', 'data-key': key },
      el('h4', {}, t('measurements')),
      el('p', { class: 'hint' }, t('measurements_loading')));
    this.api.measurements(layer, key, getLang(), signal).then(
      (values) => {
        if (signal.aborted) return;
        const heading = el('h4', {}, t('measurements'));
        if (!values.length) {
          replaceChildren(box, heading, el('p', { class: 'hint' }, t('measurements_none')));
          return;
        }
        const rows = values.map((m) =>
          el('tr', {},
            el('th', { scope: 'row' }, m.label),
            el('td', { class: 'num' }, m.value === null ? '–' : `${formatNumber(m.value, 2)}${m.unit ? ` ${m.unit}` : ''}`),
            el('td', { class: 'num' }, m.date.slice(0, 4))));
        replaceChildren(box, heading,
          el('table', { class: 'measurement-table' },
            el('thead', {}, el('tr', {},
              el('th', { scope: 'col' }, t('parameter')),
              el('th', { scope: 'col' }, t('value')),
              el('th', { scope: 'col' }, t('year')))),
            el('tbody', {}, ...rows)));
      },
      () => {
        if (!signal.aborted) replaceChildren(box, el('h4', {}, t('measurements')), el('p', { class: 'error' }, t('measurements_failed')));
      },
    );
    return box;
  }

  /**
   * A compact chart of each parameter over all its dates, with the limit
   * line, the values as a table to open, and the downloads with their
   * source note and licence.
   */
  private series(layer: string, key: string, signal: AbortSignal): HTMLElement {
    const box = el('div', { class: 'station-series', 'data-key': key });
    this.api.series(layer, key, getLang(), signal).then(
      (found) => {
        if (signal.aborted) return;
        const shown = found.series.filter((s) => s.points.length > 0);
        if (!shown.length) return;
        const parts = shown.map((s) => {
          const options = { title: s.label, unit: s.unit, limit: s.limit, lines: [{ name: '', points: s.points }] };
          return el('figure', { class: 'series', 'data-parameter': s.parameter },
            el('figcaption', {}, s.unit ? `${s.label} (${s.unit})` : s.label),
            lineChart(options),
            el('details', {}, el('summary', {}, t('series_as_table')), seriesTable(options)));
        });
        const csv = this.api.seriesUrl(layer, key, getLang(), 'csv');
        const json = this.api.seriesUrl(layer, key, getLang(), 'json');
        replaceChildren(box,
          el('h4', {}, t('series_heading')),
          ...parts,
          el('p', { class: 'series-downloads' },
            el('a', { href: csv, download: '', class: 'series-download', 'data-format': 'csv' }, t('series_download_csv')),
            ' · ',
            el('a', { href: json, download: '', class: 'series-download', 'data-format': 'json' }, t('series_download_json'))),
          el('p', { class: 'hint series-source' }, t('series_source', {
            source: found.licence && !found.source.includes(found.licence)
              ? `${found.source}, ${found.licence}`
              : found.source,
          })));
      },
      () => {
        if (!signal.aborted) replaceChildren(box, el('p', { class: 'error' }, t('measurements_failed')));
      },
    );
    return box;
  }
}

/** The value identifying a feature for /api/measurements. */
export function measurementKey(def: LayerDef, properties: Record<string, unknown>): string | null {
  const name = def.measurementKey
    ?? def.fields.find((f) => f.field.endsWith('_id') || f.field === 'key')?.field
    ?? null;
  if (name === null) return null;
  const value = properties[name];
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '–';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : formatNumber(value, 3);
  if (typeof value === 'boolean') return value ? '✓' : '✗';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function parseFeatures(json: unknown): InfoFeature[] {
  if (!json || typeof json !== 'object') return [];
  const features = (json as { features?: unknown }).features;
  if (!Array.isArray(features)) return [];
  const result: InfoFeature[] = [];
  for (const f of features) {
    if (!f || typeof f !== 'object') continue;
    const raw = f as { layer?: unknown; properties?: unknown; id?: unknown };
    let layer = typeof raw.layer === 'string' ? raw.layer : '';
    // Some servers name the layer in the feature id (`layer.42`) instead.
    if (!layer && typeof raw.id === 'string') layer = raw.id.split('.')[0];
    const properties = raw.properties && typeof raw.properties === 'object' ? (raw.properties as Record<string, unknown>) : {};
    result.push({ layer, properties });
  }
  return result;
}
