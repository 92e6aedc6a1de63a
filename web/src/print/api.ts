// The print and image export API (docs/print.md): what this caller may
// print (GET /api/print), queuing a PDF (POST /api/print) and asking how
// it stands, and the PNG of a view (POST /api/export). Every answer is
// checked into well-formed values or a PrintError with the server's own
// sentence. Requests that change something go through account.ts (the
// CSRF token while logged in).

import { unsafeFetch } from '../account';
import { safePath } from '../dom';
import type { Lang } from '../i18n';
import type { Coord } from '../permalink';

export type Orientation = 'portrait' | 'landscape';

/** The map's area on one sheet (paper × orientation × legend × comment). */
export interface PrintLayout {
  paper: string;
  orientation: Orientation;
  legend: boolean;
  comment: boolean;
  /** Width and height of the map on the sheet, in millimetres. */
  mapMm: [number, number];
}

export interface PrintOptions {
  papers: string[];
  dpis: number[];
  /** The scales a print may have (denominators). */
  minScale: number;
  maxScale: number;
  layouts: PrintLayout[];
}

/** A layer by id, or with its opacity (0–100) when it is not opaque. */
export type PrintLayer = string | { id: string; opacity: number };

/** Something of the user's over the map: the open drawing or an imported file. */
export interface Overlay {
  kind: 'drawing' | 'import';
  /** A GeoJSON FeatureCollection in lon/lat with simplestyle properties. */
  geojson: unknown;
}

/** What the map shows, as both a print and an image take it. */
export interface MapContent {
  layers: PrintLayer[];
  overlays: Overlay[];
  marker?: Coord;
  lang: Lang;
}

export interface PrintSpec extends MapContent {
  paper: string;
  orientation: Orientation;
  scale: number;
  dpi: number;
  center: Coord;
  title: string;
  comment: string;
  permalink: string;
  legend: boolean;
  grid: boolean;
}

export interface ExportSpec extends MapContent {
  center: Coord;
  /** Metres per CSS pixel. */
  resolution: number;
  width: number;
  height: number;
  ratio: 1 | 2;
}

export interface PrintJob {
  statusUrl: string;
  pdfUrl: string;
}

export type JobStatus =
  | { status: 'queued' | 'running' }
  | { status: 'done'; pdfUrl: string; bytes: number | null }
  | { status: 'failed'; error: string };

/** A refused or failed request: the HTTP status (0: no answer) and the server's sentence. */
export class PrintError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds to wait, from Retry-After (429). */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'PrintError';
  }
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function positive(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

function parseLayout(value: unknown): PrintLayout | null {
  const raw = obj(value);
  const mm = Array.isArray(raw.map_mm) ? raw.map_mm.map(positive) : [];
  if (typeof raw.paper !== 'string' || mm.length !== 2 || mm[0] === null || mm[1] === null) return null;
  if (raw.orientation !== 'portrait' && raw.orientation !== 'landscape') return null;
  return {
    paper: raw.paper,
    orientation: raw.orientation,
    legend: raw.legend === true,
    comment: raw.comment === true,
    mapMm: [mm[0], mm[1]],
  };
}

/** GET /api/print's answer; papers without a layout are dropped. */
export function parseOptions(value: unknown): PrintOptions {
  const raw = obj(value);
  const layouts = (Array.isArray(raw.layouts) ? raw.layouts : [])
    .map(parseLayout)
    .filter((l): l is PrintLayout => l !== null);
  const papers = (Array.isArray(raw.papers) ? raw.papers : [])
    .filter((p): p is string => typeof p === 'string' && /^[A-Za-z0-9]{1,8}$/.test(p))
    .filter((p) => layouts.some((l) => l.paper === p));
  const dpis = (Array.isArray(raw.dpis) ? raw.dpis : [])
    .map(positive)
    .filter((d): d is number => d !== null && Number.isInteger(d));
  return { papers, dpis, minScale: positive(raw.min_scale) ?? 1, maxScale: positive(raw.max_scale) ?? Infinity, layouts };
}

/** The layout of a sheet, or null when the server offers none such. */
export function findLayout(
  options: PrintOptions, paper: string, orientation: Orientation, legend: boolean, comment: boolean,
): PrintLayout | null {
  return options.layouts.find((l) => l.paper === paper && l.orientation === orientation
    && l.legend === legend && l.comment === comment) ?? null;
}

/** The ground a sheet's map covers at `scale`, in metres (width, height). */
export function groundSize(layout: PrintLayout, scale: number): [number, number] {
  return [(layout.mapMm[0] / 1000) * scale, (layout.mapMm[1] / 1000) * scale];
}

function parseStatus(value: unknown): JobStatus {
  const raw = obj(value);
  switch (raw.status) {
    case 'queued':
    case 'running':
      return { status: raw.status };
    case 'done': {
      const pdfUrl = safePath(raw.pdf_url);
      if (!pdfUrl) throw new PrintError(500, 'the finished print names no PDF');
      return { status: 'done', pdfUrl, bytes: positive(raw.bytes) };
    }
    case 'failed':
      return { status: 'failed', error: typeof raw.error === 'string' && raw.error ? raw.error.slice(0, 500) : 'failed' };
    default:
      throw new PrintError(500, 'the answer tells no status');
  }
}

async function failure(response: Response): Promise<PrintError> {
  let message = `${response.status} ${response.statusText}`.trim();
  try {
    const error = obj(await response.json()).error;
    if (typeof error === 'string' && error) message = error.slice(0, 500);
  } catch {
    // Not JSON: the status line says enough.
  }
  const retry = Number(response.headers.get('retry-after'));
  return new PrintError(response.status, message, Number.isFinite(retry) && retry > 0 ? retry : null);
}

async function send(url: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    const request: RequestInit = { credentials: 'same-origin', cache: 'no-store', ...init };
    response = await (init.method === 'POST' ? unsafeFetch(url, request) : fetch(url, request));
  } catch (error) {
    throw new PrintError(0, error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw await failure(response);
  return response;
}

async function json(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    throw new PrintError(response.status, 'the answer is not JSON');
  }
}

function post(body: unknown): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  };
}

/** The file name of a Content-Disposition header, if it is a plain one. */
function fileName(disposition: string | null, fallback: string): string {
  const match = /filename="([A-Za-z0-9._-]{1,80})"/.exec(disposition ?? '');
  return match ? match[1] : fallback;
}

export class PrintApi {
  constructor(private readonly base: string) {}

  async options(): Promise<PrintOptions> {
    return parseOptions(await json(await send(`${this.base}/print`, { headers: { Accept: 'application/json' } })));
  }

  async submit(spec: PrintSpec): Promise<PrintJob> {
    const body = obj(await json(await send(`${this.base}/print`, post(spec))));
    const statusUrl = safePath(body.status_url);
    const pdfUrl = safePath(body.pdf_url);
    if (!statusUrl || !pdfUrl) throw new PrintError(500, 'the answer names no job');
    return { statusUrl, pdfUrl };
  }

  async status(job: PrintJob): Promise<JobStatus> {
    return parseStatus(await json(await send(job.statusUrl, { headers: { Accept: 'application/json' } })));
  }

  /** The PNG of a view and its file name. */
  async exportImage(spec: ExportSpec): Promise<{ blob: Blob; name: string }> {
    const response = await send(`${this.base}/export`, { ...post(spec), headers: { 'Content-Type': 'application/json', Accept: 'image/png' } });
    const blob = await response.blob();
    if (blob.type && blob.type !== 'image/png') throw new PrintError(response.status, `the answer is ${blob.type}, not a PNG`);
    return { blob, name: fileName(response.headers.get('content-disposition'), 'karte.png') };
  }
}
