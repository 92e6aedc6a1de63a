// The permalink's parameters for third parties' data (docs/viewer.md, "Map
// state in the URL"): pure parsing with validation, and serialising.
//
//   wms=<service address>#<layer>[:<opacity>],<layer>…   once per service
//   file=<file address>                                  once per file
//
// Layer names are percent-encoded inside the value, so a name may hold any
// character; the service address never has a fragment (it is dropped), so
// the last `#` separates it from the layers. Only http(s) addresses, at most
// MAX_EXTERNAL_SERVICES services, MAX_EXTERNAL_LAYERS layers and
// MAX_FILE_URLS files; anything else is ignored.

import { MAX_EXTERNAL_LAYERS, MAX_EXTERNAL_SERVICES, MAX_FILE_URLS } from './state';
import { MAX_URL_LENGTH, externalUrl, layerName } from './urls';

export interface ExternalLayerEntry {
  name: string;
  opacity: number;
}

export interface ExternalServiceEntry {
  url: string;
  layers: ExternalLayerEntry[];
}

/** A value may hold the address, the separator and the layers. */
const MAX_VALUE = MAX_URL_LENGTH + 4000;
const OPACITY = /^\d{1,3}$/;

function values(params: URLSearchParams, name: string, max: number): string[] {
  // Bounded before anything is looked at: a link with thousands of them costs nothing.
  return params.getAll(name).slice(0, max * 4).filter((v) => v.length <= MAX_VALUE);
}

function decode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function parseLayerEntry(part: string): ExternalLayerEntry | null {
  const colon = part.lastIndexOf(':');
  const name = layerName(decode(colon >= 0 ? part.slice(0, colon) : part));
  if (!name) return null;
  let opacity = 100;
  if (colon >= 0) {
    const raw = part.slice(colon + 1);
    const value = OPACITY.test(raw) ? Number(raw) : NaN;
    if (value >= 0 && value <= 100) opacity = value;
  }
  return { name, opacity };
}

export function parseExternalParams(params: URLSearchParams): ExternalServiceEntry[] {
  const services: ExternalServiceEntry[] = [];
  let count = 0;
  for (const value of values(params, 'wms', MAX_EXTERNAL_SERVICES)) {
    if (services.length >= MAX_EXTERNAL_SERVICES || count >= MAX_EXTERNAL_LAYERS) break;
    const hash = value.lastIndexOf('#');
    if (hash <= 0) continue;
    const url = externalUrl(value.slice(0, hash));
    if (!url) continue;
    let service = services.find((s) => s.url === url);
    const fresh = !service;
    service ??= { url, layers: [] };
    for (const part of value.slice(hash + 1).split(',').slice(0, MAX_EXTERNAL_LAYERS)) {
      const entry = parseLayerEntry(part);
      if (!entry || service.layers.some((l) => l.name === entry.name)) continue;
      if (count >= MAX_EXTERNAL_LAYERS) break;
      service.layers.push(entry);
      count += 1;
    }
    if (fresh && service.layers.length) services.push(service);
  }
  return services;
}

export function parseFileParams(params: URLSearchParams): string[] {
  const files: string[] = [];
  for (const value of values(params, 'file', MAX_FILE_URLS)) {
    const url = externalUrl(value);
    if (url && !files.includes(url)) files.push(url);
    if (files.length >= MAX_FILE_URLS) break;
  }
  return files;
}

/** The `wms` values (not yet query-encoded) for the services and their layers, in order. */
export function externalValues(services: readonly ExternalServiceEntry[]): string[] {
  return services
    .filter((s) => s.layers.length)
    .map((s) => `${s.url}#${s.layers.map((l) => (l.opacity === 100 ? encodeURIComponent(l.name) : `${encodeURIComponent(l.name)}:${l.opacity}`)).join(',')}`);
}
