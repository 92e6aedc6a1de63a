// What the station panel shows for its selection: one large chart with a
// line per station (colour and dash pattern per place in the selection,
// so a line keeps its look when the parameter changes), the values as a
// table, the downloads of exactly what is shown, and the source note.

import type { Api, StationSeries } from '../api';
import { lineChart, seriesTable, type ChartLine, type ChartOptions, type SeriesData } from '../chart';
import { el } from '../dom';
import { t, type Lang } from '../i18n';
import { withinYears, type StationSelection } from './selection';

/** A station of the selection with what was loaded of it. */
export interface LoadedStation {
  key: string;
  name: string;
  series: StationSeries;
}

const SVG = 'http://www.w3.org/2000/svg';

/** A short sample of line `index`'s look, for the station list (decorative). */
export function lineSwatch(index: number): SVGSVGElement {
  const swatch = document.createElementNS(SVG, 'svg');
  swatch.setAttribute('class', `station-swatch chart-series chart-series-${index % 4}`);
  swatch.setAttribute('viewBox', '0 0 28 10');
  swatch.setAttribute('aria-hidden', 'true');
  swatch.setAttribute('focusable', 'false');
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('class', 'chart-line');
  line.setAttribute('points', '1,5 27,5');
  const dot = document.createElementNS(SVG, 'circle');
  dot.setAttribute('class', 'chart-dot');
  dot.setAttribute('cx', '14');
  dot.setAttribute('cy', '5');
  dot.setAttribute('r', '2.5');
  swatch.append(line, dot);
  return swatch;
}

/** The chosen parameter's series of each station (null where it has none). */
export function parameterOf(stations: LoadedStation[], parameter: string): (SeriesData | null)[] {
  return stations.map((s) => s.series.series.find((x) => x.parameter === parameter) ?? null);
}

/** The chart's options: one line per station, in the selection's order. */
export function chartOptions(stations: LoadedStation[], selection: StationSelection, parameter: string): ChartOptions | null {
  const series = parameterOf(stations, parameter);
  const first = series.find((s) => s !== null);
  if (!first) return null;
  const lines: ChartLine[] = stations.map((station, i) => ({
    name: station.name,
    points: withinYears(series[i]?.points ?? [], selection.from, selection.to),
  }));
  return { title: first.label, unit: first.unit, limit: first.limit, lines, width: 520, height: 280 };
}

/** What the panel shows of a selection: the chart first, then the table, downloads and source note. */
export interface StationFigure {
  chart: HTMLElement;
  details: HTMLElement[];
}

export function stationFigure(api: Api, lang: Lang, stations: LoadedStation[], selection: StationSelection, parameter: string): StationFigure {
  const options = chartOptions(stations, selection, parameter);
  if (!options || !options.lines.some((l) => l.points.length)) {
    return { chart: el('p', { class: 'hint station-empty' }, t('station_no_values')), details: [] };
  }
  const only = { parameter, from: selection.from, to: selection.to };
  const downloads = stations.map((s) => el('li', {},
    el('span', {}, `${s.name}: `),
    el('a', {
      href: api.seriesUrl(selection.layer, s.key, lang, 'csv', only), download: '', class: 'series-download',
      'data-format': 'csv', 'data-station': s.key, 'aria-label': t('station_download', { name: s.name, format: 'CSV' }),
    }, 'CSV'),
    ' · ',
    el('a', {
      href: api.seriesUrl(selection.layer, s.key, lang, 'json', only), download: '', class: 'series-download',
      'data-format': 'json', 'data-station': s.key, 'aria-label': t('station_download', { name: s.name, format: 'JSON' }),
    }, 'JSON')));
  const source = stations[0].series;
  const note = source.licence && !source.source.includes(source.licence) ? `${source.source}, ${source.licence}` : source.source;
  return {
    chart: el('figure', { class: 'series station-chart', 'data-parameter': parameter },
      el('figcaption', {}, options.unit ? `${options.title} (${options.unit})` : options.title),
      lineChart(options)),
    details: [
      el('h3', {}, t('station_values')),
      // A wide table scrolls on its own; focusable, so a keyboard can scroll it.
      el('div', { class: 'station-table', tabindex: 0, role: 'region', 'aria-label': t('station_values') }, seriesTable(options)),
      el('h3', {}, t('station_downloads')),
      el('ul', { class: 'station-downloads' }, ...downloads),
      el('p', { class: 'hint series-source' }, t('series_source', { source: note })),
    ],
  };
}
