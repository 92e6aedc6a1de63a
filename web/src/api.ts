// The JSON endpoints of docs/viewer.md: types, fetching, and checks that turn
// whatever arrives into well-formed values.

import type { SeriesData, SeriesPoint } from './chart';
import type { Lang } from './i18n';

export type Extent = [number, number, number, number];

export interface Licence {
  id: string;
  name: string;
  url: string | null;
}

export interface FieldDef {
  field: string;
  label: string;
}

export interface LayerDef {
  id: string;
  title: string;
  abstract: string;
  licence: Licence | null;
  attribution: string;
  modified: boolean;
  dataDate: string | null;
  metadataUrl: string | null;
  queryable: boolean;
  fields: FieldDef[];
  legendUrl: string | null;
  minScale: number | null;
  maxScale: number | null;
  visible: boolean;
  measurements: boolean;
  measurementKey: string | null;
}

export interface BaseMapDef {
  id: string;
  title: string;
  wms: string;
  layers: string;
  /** The base map's members that answer GetFeatureInfo. */
  queryableLayers: string[];
  attribution: string[];
}

export type TreeNode =
  | { type: 'folder'; id: string; title: string; children: TreeNode[] }
  | { type: 'layer'; id: string };

export interface LayersResponse {
  crs: string;
  extent: Extent;
  wms: string;
  scales: number[];
  basemaps: BaseMapDef[];
  tree: TreeNode[];
  layers: Map<string, LayerDef>;
}

export interface SearchResult {
  kind: string;
  kindLabel: string;
  label: string;
  detail: string;
  x: number | null;
  y: number | null;
  bbox: Extent | null;
  layer: string | null;
}

export interface Measurement {
  parameter: string;
  label: string;
  unit: string;
  date: string;
  value: number | null;
}

export const DEFAULT_SCALES = [5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2000000];
// Lower Saxony in EPSG:25832, used while the server sends no extent.
export const DEFAULT_EXTENT: Extent = [342771.9, 5682911.3, 674202.3, 5971589.0];

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : fallback;
}
function optStr(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
export function extentOf(value: unknown): Extent | null {
  if (!Array.isArray(value) || value.length !== 4) return null;
  const numbers = value.map(num);
  if (numbers.some((n) => n === null)) return null;
  const [a, b, c, d] = numbers as number[];
  return a < c && b < d ? [a, b, c, d] : null;
}

function parseTree(value: unknown, depth = 0): TreeNode[] {
  if (!Array.isArray(value) || depth > 10) return [];
  const nodes: TreeNode[] = [];
  for (const item of value) {
    const node = obj(item);
    const id = str(node.id);
    if (node.type === 'folder') {
      nodes.push({ type: 'folder', id, title: str(node.title, id), children: parseTree(node.children, depth + 1) });
    } else if (id) {
      nodes.push({ type: 'layer', id });
    }
  }
  return nodes;
}

function parseLayer(id: string, value: unknown): LayerDef {
  const raw = obj(value);
  const licenceRaw = obj(raw.licence);
  const licence = optStr(licenceRaw.id) ? { id: str(licenceRaw.id), name: str(licenceRaw.name), url: optStr(licenceRaw.url) } : null;
  const fields: FieldDef[] = [];
  if (Array.isArray(raw.fields)) {
    for (const f of raw.fields) {
      const field = obj(f);
      const name = str(field.field);
      if (name) fields.push({ field: name, label: str(field.label, name) });
    }
  }
  return {
    id,
    title: str(raw.title, id),
    abstract: str(raw.abstract),
    licence,
    attribution: str(raw.attribution),
    modified: raw.modified === true,
    dataDate: optStr(raw.data_date),
    metadataUrl: optStr(raw.metadata_url),
    queryable: raw.queryable === true,
    fields,
    legendUrl: optStr(raw.legend_url),
    minScale: num(raw.min_scale),
    maxScale: num(raw.max_scale),
    visible: raw.visible === true,
    measurements: raw.measurements === true,
    measurementKey: optStr(raw.measurement_key),
  };
}

export function parseLayers(value: unknown, fallbackWms: string): LayersResponse {
  const raw = obj(value);
  const layers = new Map<string, LayerDef>();
  for (const [id, def] of Object.entries(obj(raw.layers))) {
    if (id) layers.set(id, parseLayer(id, def));
  }
  const scales = Array.isArray(raw.scales)
    ? raw.scales.map(num).filter((s): s is number => s !== null && s > 0)
    : [];
  const basemaps: BaseMapDef[] = [];
  if (Array.isArray(raw.basemaps)) {
    for (const b of raw.basemaps) {
      const base = obj(b);
      const id = str(base.id);
      if (!id || id === 'none') continue;
      const attribution = Array.isArray(base.attribution)
        ? base.attribution.filter((a): a is string => typeof a === 'string')
        : typeof base.attribution === 'string'
          ? [base.attribution]
          : [];
      basemaps.push({
        id,
        title: str(base.title, id),
        wms: str(base.wms, fallbackWms) || fallbackWms,
        layers: str(base.layers, id) || id,
        queryableLayers: Array.isArray(base.queryable_layers)
          ? base.queryable_layers.filter((l): l is string => typeof l === 'string' && l !== '')
          : [],
        attribution,
      });
    }
  }
  return {
    crs: str(raw.crs, 'EPSG:25832'),
    extent: extentOf(raw.extent) ?? DEFAULT_EXTENT,
    wms: str(raw.wms, fallbackWms) || fallbackWms,
    scales: (scales.length ? scales : DEFAULT_SCALES).slice().sort((a, b) => a - b),
    basemaps,
    tree: parseTree(raw.tree),
    layers,
  };
}

export function parseSearch(value: unknown): SearchResult[] {
  const results = obj(value).results;
  if (!Array.isArray(results)) return [];
  return results.slice(0, 10).map((r) => {
    const hit = obj(r);
    return {
      kind: str(hit.kind),
      kindLabel: str(hit.kind_label),
      label: str(hit.label),
      detail: str(hit.detail),
      x: num(hit.x),
      y: num(hit.y),
      bbox: extentOf(hit.bbox),
      layer: optStr(hit.layer),
    };
  });
}

export function parseMeasurements(value: unknown): Measurement[] {
  const values = obj(value).values;
  if (!Array.isArray(values)) return [];
  return values.map((v) => {
    const m = obj(v);
    return {
      parameter: str(m.parameter),
      label: str(m.label, str(m.parameter)),
      unit: str(m.unit),
      date: str(m.date),
      value: num(m.value),
    };
  });
}

/** `/api/series`'s answer: a station's series with source note and licence. */
export interface StationSeries {
  station: string;
  source: string;
  licence: string;
  series: SeriesData[];
}

export function parseSeries(value: unknown): StationSeries {
  const raw = obj(value);
  const series = Array.isArray(raw.series) ? raw.series : [];
  const licence = obj(raw.licence);
  return {
    station: str(raw.station),
    source: str(raw.source),
    // The licence's short name (CC BY 4.0); empty when it has none.
    licence: str(licence.name),
    series: series.map((v) => {
      const s = obj(v);
      const limit = obj(s.limit);
      const limitValue = num(limit.value);
      const points = Array.isArray(s.points) ? s.points : [];
      return {
        parameter: str(s.parameter),
        label: str(s.label, str(s.parameter)),
        unit: str(s.unit),
        limit: limitValue === null ? null : { value: limitValue, label: str(limit.label) },
        points: points
          .map((p) => ({ date: str(obj(p).date), value: num(obj(p).value) }))
          .filter((p): p is SeriesPoint => p.date !== '' && p.value !== null),
      };
    }),
  };
}

/** A station of `/api/series/{layer}`: its key and name. */
export interface StationName {
  station: string;
  name: string;
  /** Where it is, EPSG:25832; null when the server does not know. */
  at: [number, number] | null;
}

/** What of a station's series a URL asks for (all when empty). */
export interface SeriesFilter {
  parameter?: string | null;
  from?: string | null;
  to?: string | null;
}

export function parseStations(value: unknown): StationName[] {
  const stations = obj(value).stations;
  if (!Array.isArray(stations)) return [];
  return stations
    .map((v) => {
      const raw = obj(v);
      const at = Array.isArray(raw.at) && raw.at.length === 2 ? raw.at.map(num) : null;
      return {
        station: str(raw.station),
        name: str(raw.name) || str(raw.station),
        at: at && at[0] !== null && at[1] !== null ? [at[0], at[1]] as [number, number] : null,
      };
    })
    .filter((s) => s.station !== '');
}

/** `/api/attribution`'s answer: the notes to show, in order; junk is dropped. */
export function parseAttribution(value: unknown): string[] {
  const notes = obj(value).notes;
  if (!Array.isArray(notes)) throw new Error('attribution: no notes');
  return notes.filter((n): n is string => typeof n === 'string' && n.trim() !== '').map((n) => n.trim());
}

/** One open-data file of a layer (`/api/data`, docs/downloads.md). */
export interface DataFile {
  format: string;
  label: string;
  url: string;
  /** The ZIP's size in bytes. */
  size: number;
  crs: string;
}

/** A layer's open-data files: the ZIPs and the plain KML. */
export interface LayerData {
  files: DataFile[];
  kmlUrl: string | null;
  licence: string;
}

/** `/api/data`'s answer by layer id; files without a same-origin URL are dropped. */
export function parseData(value: unknown): Map<string, LayerData> {
  const layers = obj(value).layers;
  if (!Array.isArray(layers)) throw new Error('data: no layers');
  const out = new Map<string, LayerData>();
  for (const item of layers) {
    const layer = obj(item);
    const id = str(layer.id);
    if (!id) continue;
    const formats = Array.isArray(layer.formats) ? layer.formats : [];
    const files: DataFile[] = [];
    for (const f of formats) {
      const file = obj(f);
      const url = sameOriginPath(file.url);
      const size = num(file.size);
      if (!url || size === null) continue;
      files.push({ format: str(file.format), label: str(file.label, str(file.format)), url, size, crs: str(file.crs) });
    }
    const licence = obj(layer.licence);
    out.set(id, { files, kmlUrl: sameOriginPath(layer.kml_url), licence: str(licence.name, str(licence.id)) });
  }
  return out;
}

/** A path on this server (`/api/data/…`), or null. */
function sameOriginPath(value: unknown): string | null {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : null;
}

/** An answer other than 2xx, with its status (404: there is no such thing). */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function getJson(url: string, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(url, {
    signal,
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  });
  if (!response.ok) throw new HttpError(response.status, `${response.status} ${response.statusText} for ${url}`);
  return response.json();
}

export class Api {
  constructor(
    private readonly base: string,
    private readonly wms: string,
  ) {}

  /** The open-data files of every layer the caller may download. */
  async data(lang: Lang): Promise<Map<string, LayerData>> {
    return parseData(await getJson(`${this.base}/data?lang=${lang}`));
  }

  async layers(lang: Lang): Promise<LayersResponse> {
    return parseLayers(await getJson(`${this.base}/layers?lang=${lang}`), this.wms);
  }

  async search(query: string, lang: Lang, signal?: AbortSignal): Promise<SearchResult[]> {
    const q = encodeURIComponent(query);
    return parseSearch(await getJson(`${this.base}/search?q=${q}&lang=${lang}`, signal));
  }

  async measurements(layer: string, key: string, lang: Lang, signal?: AbortSignal): Promise<Measurement[]> {
    const url = `${this.base}/measurements/${encodeURIComponent(layer)}/${encodeURIComponent(key)}?lang=${lang}`;
    return parseMeasurements(await getJson(url, signal));
  }

  async series(layer: string, key: string, lang: Lang, signal?: AbortSignal): Promise<StationSeries> {
    return parseSeries(await getJson(this.seriesUrl(layer, key, lang, 'json'), signal));
  }

  /**
   * Where a station's series are, as JSON for the charts or CSV to
   * download; `only` narrows them to one parameter and a period.
   */
  seriesUrl(layer: string, key: string, lang: Lang, format: 'json' | 'csv', only: SeriesFilter = {}): string {
    const q = new URLSearchParams();
    if (only.parameter) q.set('parameter', only.parameter);
    if (only.from) q.set('from', only.from);
    if (only.to) q.set('to', only.to);
    q.set('lang', lang);
    q.set('format', format);
    return `${this.base}/series/${encodeURIComponent(layer)}/${encodeURIComponent(key)}?${q}`;
  }

  /** The stations of a layer with measurements, in name order. */
  async stations(layer: string, signal?: AbortSignal): Promise<StationName[]> {
    return parseStations(await getJson(`${this.base}/series/${encodeURIComponent(layer)}`, signal));
  }

  /** The source notes of the base map and the layers, from the server's one attribution function. */
  async attribution(layers: string[], base: string, lang: Lang, signal?: AbortSignal): Promise<string[]> {
    const q = new URLSearchParams({ layers: layers.join(','), base, lang });
    return parseAttribution(await getJson(`${this.base}/attribution?${q}`, signal));
  }

  qrUrl(text: string): string {
    return `${this.base}/qr?text=${encodeURIComponent(text)}`;
  }
}
