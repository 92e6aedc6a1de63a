// What the map shows, as a print or an image takes it: the layers bottom
// first (the base map first) with their opacity, the user's own content
// over them (the drawing and imported files) and the search marker.

import type { Catalogue } from '../catalogue';
import { safePath } from '../dom';
import type { Lang } from '../i18n';
import type { Store } from '../store';
import type { MapContent, Overlay, PrintLayer } from './api';

export interface LayerList {
  layers: PrintLayer[];
  /** The base map's title when it is another service's, which the server cannot draw. */
  foreignBase: string | null;
}

/** The visible layers bottom first, the portal's own base map first. */
export function printLayers(store: Store, catalogue: Catalogue): LayerList {
  const layers: PrintLayer[] = [];
  let foreignBase: string | null = null;
  const base = catalogue.basemap(store.base);
  if (base) {
    // The portal's own base maps are layers of its WMS (a same-origin
    // path); an external one is drawn by its own service in the browser.
    if (safePath(base.wms) !== null) layers.push(base.layers);
    else foreignBase = base.title;
  }
  // The store lists the layer tree's order, top first.
  for (const { id, opacity } of [...store.entries()].reverse()) {
    layers.push(opacity === 100 ? id : { id, opacity });
  }
  return { layers, foreignBase };
}

export function mapContent(store: Store, catalogue: Catalogue, overlays: Overlay[], lang: Lang): MapContent {
  const content: MapContent = { layers: printLayers(store, catalogue).layers, overlays, lang };
  const marker = store.marker;
  if (marker) content.marker = [Math.round(marker[0]), Math.round(marker[1])];
  return content;
}
