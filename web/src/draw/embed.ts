// The embed's drawing (`/embed?drawing=id`): shown read-only, without any
// tool, copy or report (clause P6 keeps the embed's functions fixed).

import VectorSource from 'ol/source/Vector';

import type { ExternalApi } from '../external/api';
import { loadFileFeatures } from '../external/files';
import type { MapView } from '../mapview';
import type { DrawingsApi } from './api';
import { DrawingError } from './api';
import { drawingLayer, fitTo } from './controller';
import { extentOf, readCollection } from './features';

/** Below the drawing, as in the full viewer's temporary layers. */
const FILE_Z = 9300;

export async function showDrawing(mapView: MapView, api: DrawingsApi, id: string, explicitView: boolean): Promise<void> {
  const source = new VectorSource();
  mapView.map.addLayer(drawingLayer(source));
  document.body.dataset.drawing = 'loading';
  try {
    const loaded = await api.load(id);
    const features = readCollection(loaded.collection);
    source.addFeatures(features);
    if (!explicitView) fitTo(mapView, extentOf(features));
    document.body.dataset.drawing = 'view';
  } catch (error) {
    document.body.dataset.drawing = error instanceof DrawingError && error.status === 404 ? 'missing'
      : error instanceof DrawingError && error.status === 410 ? 'gone' : 'failed';
  }
}

/**
 * Files by URL named by the embed's link (`file=…`): fetched through numis
 * again and shown read-only, each as a layer of its own. One that fails is
 * left out quietly: the embed has no place for messages.
 */
export async function showFiles(mapView: MapView, api: ExternalApi, urls: readonly string[], fit: boolean): Promise<void> {
  for (const [index, url] of urls.entries()) {
    try {
      const features = await loadFileFeatures(api, url);
      if (!features.length) continue;
      mapView.map.addLayer(drawingLayer(new VectorSource({ features }), `import:${url}`, FILE_Z + index));
      if (fit) fitTo(mapView, extentOf(features));
    } catch (error) {
      console.warn('file by URL:', error);
    }
  }
}
