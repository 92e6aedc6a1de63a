// The map state in the URL (docs/viewer.md, "Map state in the URL"):
// parsing with validation, and serialising. Pure functions, no DOM.
// Every parameter is checked on its own; an invalid value falls back to its
// default and unknown parameters are ignored.

import type { Extent } from './api';
import { parseDrawingId } from './draw/ids';
import { externalValues, parseExternalParams, parseFileParams, type ExternalServiceEntry } from './external/params';
import { isLang, type Lang } from './i18n';
import { parseStationParams, stationPairs, type StationSelection } from './stations/selection';

export type Coord = [number, number];

export interface LayerEntry {
  id: string;
  opacity: number;
}

export interface UrlState {
  lang: Lang | null;
  center: Coord | null;
  scale: number | null;
  /** null: the default layers; []: none. */
  layers: LayerEntry[] | null;
  base: string | null;
  marker: Coord | null;
  tree: boolean;
  wheelCtrl: boolean;
  /** A saved drawing's public id (never its edit key). */
  drawing: string | null;
  /** Other servers' WMS layers (`wms`), fetched again through numis. */
  external: ExternalServiceEntry[];
  /** Files by URL shown as temporary layers (`file`). */
  files: string[];
  /** The station panel's stations and what of them it shows (`station`…). */
  station: StationSelection | null;
}

export interface ParseContext {
  layerIds: ReadonlySet<string>;
  /** The layers with measurements (whose stations `station` may name). */
  measuredIds?: ReadonlySet<string>;
  baseIds: ReadonlySet<string>;
  scales: readonly number[];
  extent: Extent;
}

const MAX_PARAM = 4000;
const MAX_LAYERS = 200;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$/;
const OPACITY = /^\d{1,3}$/;

/** The first value of `name`, if present and of sane length. */
function param(params: URLSearchParams, name: string): string | null {
  const value = params.get(name);
  return value !== null && value.length <= MAX_PARAM ? value : null;
}

export function parseNumber(text: string | null): number | null {
  if (text === null || text.length > 40 || !NUMBER.test(text.trim())) return null;
  const value = Number(text.trim());
  return Number.isFinite(value) ? value : null;
}

/** The area a centre or marker may lie in: the data's extent with a wide margin. */
export function saneArea(extent: Extent): Extent {
  const margin = Math.max(extent[2] - extent[0], extent[3] - extent[1]);
  return [extent[0] - margin, extent[1] - margin, extent[2] + margin, extent[3] + margin];
}

function inArea(c: Coord, area: Extent): boolean {
  return c[0] >= area[0] && c[0] <= area[2] && c[1] >= area[1] && c[1] <= area[3];
}

export function parseCoordPair(text: string | null, area: Extent): Coord | null {
  if (text === null) return null;
  const parts = text.split(',');
  if (parts.length !== 2) return null;
  const x = parseNumber(parts[0]);
  const y = parseNumber(parts[1]);
  if (x === null || y === null) return null;
  return inArea([x, y], area) ? [x, y] : null;
}

/** The offered scale nearest to `scale` (on a log scale), or null if it is absurd. */
export function nearestScale(scale: number | null, scales: readonly number[]): number | null {
  if (scale === null || !Number.isFinite(scale) || scale < 1 || scale > 1e9 || scales.length === 0) return null;
  let best = scales[0];
  for (const s of scales) {
    if (Math.abs(Math.log(s / scale)) < Math.abs(Math.log(best / scale))) best = s;
  }
  return best;
}

export function parseLayersParam(text: string | null, ids: ReadonlySet<string>): LayerEntry[] | null {
  if (text === null) return null;
  if (text.trim() === '') return [];
  const entries: LayerEntry[] = [];
  const seen = new Set<string>();
  for (const part of text.split(',').slice(0, MAX_LAYERS)) {
    const colon = part.lastIndexOf(':');
    const id = (colon >= 0 ? part.slice(0, colon) : part).trim();
    if (!ids.has(id) || seen.has(id)) continue;
    let opacity = 100;
    if (colon >= 0) {
      const raw = part.slice(colon + 1).trim();
      const value = OPACITY.test(raw) ? Number(raw) : NaN;
      if (Number.isInteger(value) && value >= 0 && value <= 100) opacity = value;
    }
    seen.add(id);
    entries.push({ id, opacity });
  }
  // Something was asked for, but nothing of it exists: the defaults.
  return entries.length ? entries : null;
}

export function parseLangParam(params: URLSearchParams): Lang | null {
  const value = param(params, 'lang');
  return isLang(value) ? value : null;
}

export function parseUrlState(params: URLSearchParams, ctx: ParseContext): UrlState {
  const area = saneArea(ctx.extent);
  const x = parseNumber(param(params, 'x'));
  const y = parseNumber(param(params, 'y'));
  const center: Coord | null = x !== null && y !== null && inArea([x, y], area) ? [x, y] : null;
  const base = param(params, 'base');
  return {
    lang: parseLangParam(params),
    center,
    scale: nearestScale(parseNumber(param(params, 'scale')), ctx.scales),
    layers: parseLayersParam(param(params, 'layers'), ctx.layerIds),
    base: base !== null && (base === 'none' || ctx.baseIds.has(base)) ? base : null,
    marker: parseCoordPair(param(params, 'marker'), area),
    tree: param(params, 'tree') === '1',
    wheelCtrl: param(params, 'wheel') === 'ctrl',
    drawing: parseDrawingId(param(params, 'drawing')),
    external: parseExternalParams(params),
    files: parseFileParams(params),
    station: parseStationParams(params, ctx.measuredIds ?? new Set()),
  };
}

export interface SerialState {
  lang: Lang;
  center: Coord;
  scale: number;
  layers: LayerEntry[];
  base: string;
  marker: Coord | null;
  tree?: boolean;
  wheelCtrl?: boolean;
  drawing?: string | null;
  external?: readonly ExternalServiceEntry[];
  files?: readonly string[];
  station?: StationSelection | null;
}

/** Percent-encoding that leaves `,`, `:` and `/` readable (they are safe in a query value). */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/%2C/gi, ',').replace(/%3A/gi, ':').replace(/%2F/gi, '/');
}

function metres(value: number): string {
  return String(Math.round(value));
}

/** The query string (without `?`) for a state. */
export function serializeState(state: SerialState): string {
  const parts: [string, string][] = [
    ['lang', state.lang],
    ['x', metres(state.center[0])],
    ['y', metres(state.center[1])],
    ['scale', String(Math.round(state.scale))],
    ['layers', state.layers.map((l) => (l.opacity === 100 ? l.id : `${l.id}:${l.opacity}`)).join(',')],
    ['base', state.base],
  ];
  if (state.marker) parts.push(['marker', `${metres(state.marker[0])},${metres(state.marker[1])}`]);
  if (state.drawing) parts.push(['drawing', state.drawing]);
  for (const value of externalValues(state.external ?? [])) parts.push(['wms', value]);
  for (const file of state.files ?? []) parts.push(['file', file]);
  parts.push(...stationPairs(state.station ?? null));
  if (state.tree) parts.push(['tree', '1']);
  if (state.wheelCtrl) parts.push(['wheel', 'ctrl']);
  return parts.map(([k, v]) => `${k}=${encode(v)}`).join('&');
}
