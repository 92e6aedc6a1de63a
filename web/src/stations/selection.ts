// Which stations the station panel shows, and what of them: the part of
// the map state in the URL that makes the panel permalinkable
// (`station=<layer>/<key>`, up to four times, with `parameter`, `from` and
// `to`). Pure functions, no DOM; every value is checked on its own.

import type { SeriesPoint } from '../chart';

/** Stations compared in one chart at most: four lines stay readable. */
export const MAX_STATIONS = 4;

export interface StationSelection {
  /** The layer with measurements the stations belong to. */
  layer: string;
  /** Station keys, in the order added (the order of the lines' colours). */
  stations: string[];
  /** The parameter shown; null: the first the stations have. */
  parameter: string | null;
  /** First and last year shown; null: from the first or to the last value. */
  from: string | null;
  to: string | null;
}

const MAX_KEY = 200;
const YEAR = /^\d{4}$/;
const CODE = /^[\p{L}\p{N}_.\-:]{1,100}$/u;

/**
 * The selection in `params`, or null when it names no station of a layer
 * in `measured`. Stations of another layer than the first named are
 * dropped (one chart compares one layer's parameter), as are repeats and
 * those beyond [`MAX_STATIONS`].
 */
export function parseStationParams(params: URLSearchParams, measured: ReadonlySet<string>): StationSelection | null {
  let layer: string | null = null;
  const stations: string[] = [];
  for (const value of params.getAll('station')) {
    const slash = value.indexOf('/');
    if (slash <= 0) continue;
    const id = value.slice(0, slash);
    const key = value.slice(slash + 1);
    if (!measured.has(id) || key === '' || key.length > MAX_KEY || /\p{Cc}/u.test(key)) continue;
    layer ??= id;
    if (id !== layer || stations.includes(key)) continue;
    stations.push(key);
    if (stations.length === MAX_STATIONS) break;
  }
  if (layer === null) return null;
  const parameter = params.get('parameter');
  let from = params.get('from');
  let to = params.get('to');
  from = from !== null && YEAR.test(from) ? from : null;
  to = to !== null && YEAR.test(to) ? to : null;
  if (from !== null && to !== null && from > to) [from, to] = [to, from];
  return { layer, stations, parameter: parameter !== null && CODE.test(parameter) ? parameter : null, from, to };
}

/** The selection as query pairs, in the order parsed. */
export function stationPairs(selection: StationSelection | null): [string, string][] {
  if (!selection || !selection.stations.length) return [];
  const pairs: [string, string][] = selection.stations.map((key) => ['station', `${selection.layer}/${key}`]);
  if (selection.parameter) pairs.push(['parameter', selection.parameter]);
  if (selection.from) pairs.push(['from', selection.from]);
  if (selection.to) pairs.push(['to', selection.to]);
  return pairs;
}

/** The points dated within the years `from`..`to` (each inclusive; null: open). */
export function withinYears(points: readonly SeriesPoint[], from: string | null, to: string | null): SeriesPoint[] {
  return points.filter((p) => {
    const year = p.date.slice(0, 4);
    return (from === null || year >= from) && (to === null || year <= to);
  });
}

/** Every year from the first to the last of `points`, as text. */
export function yearsSpanned(points: readonly SeriesPoint[]): string[] {
  const years = points.map((p) => Number(p.date.slice(0, 4))).filter(Number.isFinite);
  if (!years.length) return [];
  const first = Math.min(...years);
  const last = Math.max(...years);
  const span: string[] = [];
  for (let year = first; year <= last; year++) span.push(String(year).padStart(4, '0'));
  return span;
}
