// Files by URL: a KML, KMZ, GPX or GeoJSON file on another server, fetched
// and read by numis exactly like an upload (/api/external/file), and turned
// into the drawing's features. The browser never contacts the other server
// and never parses the file's XML itself.

import type Feature from 'ol/Feature';

import { readCollection } from '../draw/features';
import type { ExternalApi } from './api';

export async function loadFileFeatures(api: ExternalApi, url: string, signal?: AbortSignal): Promise<Feature[]> {
  return readCollection(await api.file(url, signal));
}
