// The drawings API (crates/numis-server/openapi.json) and /api/convert:
// fetching, and turning every answer into well-formed values or a
// DrawingError with the server's own message. The edit key only ever
// travels in the Authorization header, never in a URL. Requests that
// change something go through account.ts (the CSRF token while logged
// in); a logged-in owner changes their drawing without the key.

import { unsafeFetch, unsafeFetchOnUnload } from '../account';
import { safeUrl } from '../dom';
import { getLang } from '../i18n';

export type ExportFormat = 'geojson' | 'kml' | 'gpx';

export const GEOJSON_TYPE = 'application/geo+json';

/** A refused or failed request: the HTTP status (0: no answer) and the reason. */
export class DrawingError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds to wait, from Retry-After (429). */
    readonly retryAfter: number | null = null,
    /** When the drawing expired (410), RFC 3339. */
    readonly expiredAt: string | null = null,
  ) {
    super(message);
    this.name = 'DrawingError';
  }
}

/** The answer to creating or copying a drawing. */
export interface Created {
  id: string;
  key: string;
  shareUrl: string | null;
  editUrl: string | null;
  expiresAt: string | null;
}

export interface Loaded {
  id: string;
  title: string;
  expiresAt: string | null;
  copiedFrom: string | null;
  /** Bound to the logged-in account: its owner may change it without the key. */
  yours: boolean;
  /** The FeatureCollection as parsed JSON. */
  collection: unknown;
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

/** The content type the server expects for an uploaded file, by its name. */
export function uploadType(name: string): string {
  const lower = name.toLowerCase();
  if (lower.endsWith('.kml')) return 'application/vnd.google-earth.kml+xml';
  if (lower.endsWith('.kmz')) return 'application/vnd.google-earth.kmz';
  if (lower.endsWith('.gpx')) return 'application/gpx+xml';
  if (lower.endsWith('.geojson') || lower.endsWith('.json')) return GEOJSON_TYPE;
  return 'application/octet-stream';
}

async function failure(response: Response): Promise<DrawingError> {
  let message = `${response.status} ${response.statusText}`.trim();
  let expiredAt: string | null = null;
  try {
    const body = obj(await response.json());
    const error = str(body.error);
    if (error) message = error.slice(0, 500);
    const expired = str(body.expired_at);
    if (expired && !Number.isNaN(Date.parse(expired))) expiredAt = expired;
  } catch {
    // Not JSON: the status line says enough.
  }
  const retry = Number(response.headers.get('retry-after'));
  return new DrawingError(response.status, message, Number.isFinite(retry) && retry > 0 ? retry : null, expiredAt);
}

/** Methods that change something: they carry the CSRF token while logged in. */
function unsafe(init: RequestInit): boolean {
  return !['GET', 'HEAD', undefined].includes(init.method?.toUpperCase());
}

async function send(url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    const request: RequestInit = { credentials: 'same-origin', cache: 'no-store', ...init };
    response = await (unsafe(init) ? unsafeFetch(url, request) : fetch(url, request));
  } catch (error) {
    throw new DrawingError(0, error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw await failure(response);
  return response;
}

async function json(response: Response): Promise<Json> {
  try {
    return obj(await response.json());
  } catch {
    throw new DrawingError(response.status, 'the answer is not JSON');
  }
}

function created(body: Json): Created {
  const id = str(body.id);
  const key = str(body.edit_key);
  if (!id || !key || !TOKEN.test(id) || !TOKEN.test(key)) throw new DrawingError(500, 'the answer has no id and key');
  return {
    id,
    key,
    shareUrl: safeUrl(body.share_url),
    editUrl: safeUrl(body.edit_url),
    expiresAt: str(body.expires_at),
  };
}

/** `lang=de|en`: the server's share and edit links open the viewer in the saver's language. */
function langParam(): string {
  return `lang=${getLang()}`;
}

function createQuery(title: string): string {
  return title.trim() ? `?title=${encodeURIComponent(title.trim())}&${langParam()}` : `?${langParam()}`;
}

/** The edit key as the Authorization header; none for an owner's request. */
function bearer(key: string | null): Record<string, string> {
  return key ? { Authorization: `Bearer ${key}` } : {};
}

export class DrawingsApi {
  constructor(private readonly base: string) {}

  private drawingUrl(id: string): string {
    return `${this.base}/drawings/${encodeURIComponent(id)}`;
  }

  async create(title: string, geojson: string): Promise<Created> {
    const response = await send(`${this.base}/drawings${createQuery(title)}`, {
      method: 'POST',
      headers: { 'Content-Type': GEOJSON_TYPE, Accept: 'application/json' },
      body: geojson,
    });
    return created(await json(response));
  }

  async load(id: string): Promise<Loaded> {
    const response = await send(this.drawingUrl(id), { headers: { Accept: 'application/geo+json, application/json' } });
    const body = await json(response);
    return {
      id,
      title: str(body.title) ?? '',
      expiresAt: str(body.expires_at),
      copiedFrom: str(body.copied_from),
      yours: body.yours === true,
      collection: body,
    };
  }

  /**
   * Replaces the features and title; answers the new expiry. Without a key
   * the session's account must own the drawing.
   */
  async update(id: string, key: string | null, title: string, geojson: string): Promise<string | null> {
    const response = await send(`${this.drawingUrl(id)}?title=${encodeURIComponent(title.trim())}`, {
      method: 'PUT',
      headers: { 'Content-Type': GEOJSON_TYPE, Accept: 'application/json', ...bearer(key) },
      body: geojson,
    });
    return str((await json(response)).expires_at);
  }

  /** The same request, handed to the browser to finish while the page goes away. */
  updateOnUnload(id: string, key: string | null, title: string, geojson: string): void {
    try {
      void unsafeFetchOnUnload(`${this.drawingUrl(id)}?title=${encodeURIComponent(title.trim())}`, {
        method: 'PUT',
        headers: { 'Content-Type': GEOJSON_TYPE, ...bearer(key) },
        body: geojson,
      }).catch(() => undefined);
    } catch {
      // keepalive bodies are limited (64 kB); the last autosave stands.
    }
  }

  async remove(id: string, key: string | null): Promise<void> {
    await send(this.drawingUrl(id), { method: 'DELETE', headers: bearer(key) });
  }

  /** Binds a drawing opened with its edit key to the logged-in account ("Mein NUMIS"). */
  async claim(id: string, key: string): Promise<void> {
    await send(`${this.base}/me/drawings/${encodeURIComponent(id)}`, {
      method: 'POST',
      headers: { Accept: 'application/json', ...bearer(key) },
    });
  }

  async copy(id: string): Promise<Created> {
    const response = await send(`${this.drawingUrl(id)}/copy?${langParam()}`, { method: 'POST', headers: { Accept: 'application/json' } });
    return created(await json(response));
  }

  async report(id: string, reason: string): Promise<void> {
    await send(`${this.drawingUrl(id)}/report`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ reason }),
    });
  }

  /**
   * Any KML/KMZ/GPX/GeoJSON document converted by the server (which reads,
   * limits and sanitises it exactly as a saved drawing, and stores
   * nothing): the browser never parses an uploaded XML document itself.
   */
  async convert(body: Blob | string, contentType: string, to: ExportFormat): Promise<Blob> {
    const response = await send(`${this.base}/convert?to=${to}`, {
      method: 'POST',
      headers: { 'Content-Type': contentType },
      body,
    });
    return response.blob();
  }
}
