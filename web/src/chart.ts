// Line charts of measured series (/api/series) as SVG, made with DOM calls
// like every other element: no chart library, no markup parsed, no inline
// style or script (the CSP stays as it is); colours and line styles come
// from style.css classes. Each chart names itself for screen readers
// (role img, a title saying what, when and the limit) and comes with the
// values as a table, which is the accessible way to read them.

import { append, el, setAttrs, type Attrs, type Child } from './dom';
import { formatNumber, locale, t } from './i18n';

export interface SeriesPoint {
  date: string;
  value: number;
}

export interface SeriesLimit {
  value: number;
  label: string;
}

/** One parameter's series at one station, as /api/series answers. */
export interface SeriesData {
  parameter: string;
  label: string;
  unit: string;
  limit: SeriesLimit | null;
  points: SeriesPoint[];
}

/** One line of a chart: a station's series. */
export interface ChartLine {
  name: string;
  points: SeriesPoint[];
}

export interface ChartOptions {
  /** What is shown, e.g. "NO₂-Jahresmittelwert". */
  title: string;
  unit: string;
  limit: SeriesLimit | null;
  lines: ChartLine[];
  /** Drawing size in SVG units; the chart scales to its box's width. */
  width?: number;
  height?: number;
}

const SVG = 'http://www.w3.org/2000/svg';
/** Room for the axes' labels: left, right, top, bottom. */
const MARGIN = { left: 34, right: 16, top: 12, bottom: 20 };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  setAttrs(element, attrs);
  append(element, ...children);
  return element;
}

/** A date of the series as a fractional year (2011-07-02 → 2011.5). */
export function yearOf(date: string): number {
  const year = Number(date.slice(0, 4));
  const month = date.length >= 7 ? Number(date.slice(5, 7)) : 1;
  const day = date.length >= 10 ? Number(date.slice(8, 10)) : 1;
  return year + ((month - 1) * 30.44 + (day - 1)) / 365.25;
}

/** How a date is shown: the year for annual values, else the day. */
export function formatDate(date: string, annual: boolean): string {
  if (annual) return date.slice(0, 4);
  const parsed = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? date : parsed.toLocaleDateString(locale(), { timeZone: 'UTC' });
}

/** Are all dates the first of January (annual values)? */
export function isAnnual(points: SeriesPoint[]): boolean {
  return points.every((p) => p.date.length === 4 || p.date.slice(4, 10) === '-01-01');
}

/** Ticks at 1, 2 or 5 × 10ⁿ covering 0..max. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? rough;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** The chart as an SVG element. */
export function lineChart(options: ChartOptions): SVGSVGElement {
  const width = options.width ?? 280;
  const height = options.height ?? 150;
  const points = options.lines.flatMap((l) => l.points);
  const years = points.map((p) => yearOf(p.date));
  const first = Math.min(...years);
  const last = Math.max(...years);
  const top = Math.max(...points.map((p) => p.value), options.limit?.value ?? 0, 0);
  const ticks = niceTicks(top * 1.05);
  const yMax = ticks[ticks.length - 1];
  const plot = {
    left: MARGIN.left,
    right: width - MARGIN.right,
    top: MARGIN.top,
    bottom: height - MARGIN.bottom,
  };
  const span = last > first ? last - first : 1;
  const x = (year: number) => plot.left + ((year - first) / span) * (plot.right - plot.left);
  const y = (value: number) => plot.bottom - (value / yMax) * (plot.bottom - plot.top);
  const px = (v: number) => v.toFixed(1);

  const annual = isAnnual(points);
  const from = points.length ? formatDate(points.reduce((a, b) => (a.date < b.date ? a : b)).date, annual) : '';
  const to = points.length ? formatDate(points.reduce((a, b) => (a.date > b.date ? a : b)).date, annual) : '';
  const titleText = [
    `${options.title}${options.unit ? ` (${options.unit})` : ''}, ${from}–${to}`,
    options.lines.length > 1 ? options.lines.map((l) => l.name).join(', ') : '',
    options.limit ? `${t('limit')}: ${formatNumber(options.limit.value, 2)}` : '',
  ].filter(Boolean).join('; ');
  const chart = svg('svg', {
    class: 'series-chart',
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': titleText,
    preserveAspectRatio: 'xMidYMid meet',
  }, svg('title', {}, titleText));

  // Value axis: gridlines and labels.
  for (const tick of ticks) {
    chart.append(
      svg('line', { class: 'chart-grid', x1: plot.left, x2: plot.right, y1: px(y(tick)), y2: px(y(tick)) }),
      svg('text', { class: 'chart-tick', x: plot.left - 4, y: px(y(tick) + 3), 'text-anchor': 'end' }, formatNumber(tick, 2)),
    );
  }
  // Time axis: whole years, thinned to fit.
  const firstYear = Math.ceil(first - 1e-9);
  const lastYear = Math.floor(last + 1e-9);
  const every = Math.max(1, Math.ceil((lastYear - firstYear + 1) / Math.max(1, Math.floor((plot.right - plot.left) / 34))));
  for (let year = firstYear; year <= lastYear; year += every) {
    chart.append(svg('text', { class: 'chart-tick', x: px(x(year)), y: height - 6, 'text-anchor': 'middle' }, String(year)));
  }
  chart.append(svg('line', { class: 'chart-axis', x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom }));

  if (options.limit) {
    const ly = y(options.limit.value);
    chart.append(
      svg('line', { class: 'chart-limit', x1: plot.left, x2: plot.right, y1: px(ly), y2: px(ly) }),
      svg('text', { class: 'chart-limit-label', x: plot.right - 2, y: px(ly - 3), 'text-anchor': 'end' }, options.limit.label),
    );
  }

  options.lines.forEach((line, index) => {
    const sorted = [...line.points].sort((a, b) => (a.date < b.date ? -1 : 1));
    const coords = sorted.map((p) => `${px(x(yearOf(p.date)))},${px(y(p.value))}`).join(' ');
    const group = svg('g', { class: `chart-series chart-series-${index % 4}`, 'data-name': line.name });
    if (sorted.length > 1) group.append(svg('polyline', { class: 'chart-line', points: coords }));
    for (const p of sorted) {
      group.append(svg('circle', { class: 'chart-dot', cx: px(x(yearOf(p.date))), cy: px(y(p.value)), r: 2.5 },
        svg('title', {}, `${line.name ? `${line.name}, ` : ''}${formatDate(p.date, annual)}: ${formatNumber(p.value, 2)}${options.unit ? ` ${options.unit}` : ''}`)));
    }
    chart.append(group);
  });
  return chart;
}

/** The values of the lines as a table: the chart's accessible twin. */
export function seriesTable(options: ChartOptions): HTMLTableElement {
  const annual = isAnnual(options.lines.flatMap((l) => l.points));
  const dates = [...new Set(options.lines.flatMap((l) => l.points.map((p) => p.date)))].sort();
  const unit = options.unit ? ` (${options.unit})` : '';
  const head = el('tr', {}, el('th', { scope: 'col' }, annual ? t('year') : t('date')),
    ...options.lines.map((l) => el('th', { scope: 'col', class: 'num' }, `${l.name || options.title}${unit}`)));
  const rows = dates.map((date) => el('tr', {},
    el('th', { scope: 'row' }, formatDate(date, annual)),
    ...options.lines.map((l) => {
      const point = l.points.find((p) => p.date === date);
      const over = point && options.limit && point.value > options.limit.value;
      return el('td', { class: over ? 'num over-limit' : 'num' }, point ? formatNumber(point.value, 2) : '–');
    })));
  return el('table', { class: 'series-table' },
    el('caption', {}, `${options.title}${unit}`),
    el('thead', {}, head),
    el('tbody', {}, ...rows));
}
