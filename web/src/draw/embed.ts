// The embed's drawing (`/embed?drawing=id`): shown read-only, without any
// tool, copy or report (clause P6 keeps the embed's functions fixed).

import VectorSource from 'ol/source/Vector';

import type { MapView } from '../mapview';
import type { DrawingsApi } from './api';
import { DrawingError } from './api';
import { drawingLayer, fitTo } from './controller';
import { extentOf, readCollection } from './features';

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
