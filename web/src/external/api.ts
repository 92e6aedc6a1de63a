// The routes under /api/external/… (crates/numis-server/openapi.json):
// another server's WMS capabilities, map images and legends, and files by
// URL, all fetched by numis, so that the citizen's browser never contacts
// the provider (clause P3). Whatever arrives is checked into well-formed
// values; a refusal carries the server's own sentence.

import { extentOf, type Extent } from '../api';
import type { Lang } from '../i18n';

export interface WmsAttribution {
  title: string;
  url: string | null;
}

export interface WmsLayerInfo {
  name: string;
  title: string;
  abstract: string;
  crs: string[];
  queryable: boolean;
  attribution: WmsAttribution | null;
  /** The service offers a legend image for the layer. */
  legend: boolean;
  /** Longitude/latitude bounds, if the service names them. */
  bbox: Extent | null;
}

export interface WmsService {
  /** The service address as numis read it (the key of everything below). */
  url: string;
  version: string;
  title: string;
  abstract: string;
  provider: string;
  fees: string;
  accessConstraints: string;
  formats: string[];
  layers: WmsLayerInfo[];
}

/** A refused or failed request: the HTTP status (0: no answer) and the server's sentence. */
export class ExternalError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ExternalError';
  }
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

/** A string, trimmed and bounded (a provider's texts can be long). */
function text(value: unknown, max = 2000): string {
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

function strings(value: unknown, max = 200): string[] {
  return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string' && s !== '').slice(0, max) : [];
}

const MAX_LAYERS = 1000;

function parseLayer(value: unknown): WmsLayerInfo | null {
  const raw = obj(value);
  const name = text(raw.name, 200);
  if (!name) return null;
  const attribution = obj(raw.attribution);
  const attributionTitle = text(attribution.title, 500);
  const attributionUrl = text(attribution.url, 2000);
  return {
    name,
    title: text(raw.title, 300) || name,
    abstract: text(raw.abstract),
    crs: strings(raw.crs).map((c) => c.toUpperCase()),
    queryable: raw.queryable === true,
    attribution: attributionTitle || attributionUrl ? { title: attributionTitle, url: attributionUrl || null } : null,
    legend: raw.legend === true,
    bbox: extentOf(raw.bbox),
  };
}

export function parseCapabilities(value: unknown, asked: string): WmsService {
  const raw = obj(value);
  const layers = Array.isArray(raw.layers)
    ? raw.layers.slice(0, MAX_LAYERS).map(parseLayer).filter((l): l is WmsLayerInfo => l !== null)
    : [];
  const version = text(raw.version, 20);
  return {
    url: text(raw.url, 2000) || asked,
    version: version === '1.1.1' || version === '1.1.0' ? version : '1.3.0',
    title: text(raw.title, 300),
    abstract: text(raw.abstract),
    provider: text(raw.provider, 500),
    fees: text(raw.fees),
    accessConstraints: text(raw.access_constraints),
    formats: strings(raw.formats, 50),
    layers,
  };
}

/** The server's sentence for a refusal, else the status line. */
async function failure(response: Response): Promise<ExternalError> {
  let message = `${response.status} ${response.statusText}`.trim();
  try {
    const error = text(obj(await response.json()).error, 500);
    if (error) message = error;
  } catch {
    // Not JSON: the status line says enough.
  }
  return new ExternalError(response.status, message);
}

async function get(url: string, accept: string, signal?: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal, credentials: 'same-origin', headers: { Accept: accept } });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ExternalError(0, error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw await failure(response);
  return response;
}

export class ExternalApi {
  /** `base`: the API's path, e.g. `/api`. */
  constructor(private readonly base: string) {}

  async capabilities(url: string, lang: Lang, signal?: AbortSignal): Promise<WmsService> {
    const q = new URLSearchParams({ url, lang });
    const response = await get(`${this.base}/external/wms/capabilities?${q}`, 'application/json', signal);
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new ExternalError(response.status, 'the answer is not JSON');
    }
    return parseCapabilities(body, url);
  }

  /** The GetMap address for OpenLayers, which appends the WMS parameters. */
  mapUrl(service: string): string {
    return `${this.base}/external/wms/map?url=${encodeURIComponent(service)}`;
  }

  legendUrl(service: string, layer: string): string {
    const q = new URLSearchParams({ url: service, layer });
    return `${this.base}/external/wms/legend?${q}`;
  }

  /** A KML, KMZ, GPX or GeoJSON file from the web, read by the server as an upload: GeoJSON. */
  async file(url: string, signal?: AbortSignal): Promise<unknown> {
    const q = new URLSearchParams({ url });
    const response = await get(`${this.base}/external/file?${q}`, 'application/geo+json, application/json', signal);
    try {
      return await response.json();
    } catch {
      throw new ExternalError(response.status, 'the answer is not GeoJSON');
    }
  }
}
