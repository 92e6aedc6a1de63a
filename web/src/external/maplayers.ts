// The external layers on the map: one OpenLayers ImageWMS layer each,
// whose images come through numis (/api/external/wms/map), never from the
// provider. The image is asked in EPSG:25832 where the layer offers it;
// else in EPSG:3857 or EPSG:4326, and OpenLayers reprojects it into the
// map's EPSG:25832 (raster reprojection).

import ImageLayer from 'ol/layer/Image';
import ImageWMS from 'ol/source/ImageWMS';

import type { MapView } from '../mapview';
import { CRS } from '../projection';
import type { ExternalApi, WmsLayerInfo, WmsService } from './api';
import type { ExternalLayer, ExternalState } from './state';

/** Above the portal's layers (100…), below temporary layers and drawings (9300…). */
const EXTERNAL_Z = 5000;

/** The projections asked for, best first: the map's own needs no reprojection. */
const PREFERRED_CRS = [CRS, 'EPSG:3857', 'EPSG:4326', 'CRS:84'];

/** The CRS to ask a layer's images in, or null when it offers none the viewer can use. */
export function chooseCrs(layer: WmsLayerInfo): string | null {
  const offered = new Set(layer.crs.map((c) => c.toUpperCase()));
  return PREFERRED_CRS.find((c) => offered.has(c)) ?? null;
}

/** The image format to ask for: PNG (transparent) where offered. */
export function chooseFormat(service: WmsService): string {
  const formats = service.formats.map((f) => f.toLowerCase());
  for (const wanted of ['image/png', 'image/png; mode=8bit', 'image/png8', 'image/gif', 'image/jpeg']) {
    if (formats.includes(wanted)) return wanted;
  }
  return formats.find((f) => /^image\/(png|jpeg|gif|webp)/.test(f)) ?? 'image/png';
}

export class ExternalMapLayers {
  private readonly layers = new Map<number, ImageLayer<ImageWMS>>();

  constructor(
    private readonly mapView: MapView,
    private readonly state: ExternalState,
    private readonly api: ExternalApi,
  ) {
    for (const layer of state.layers) this.add(layer);
    this.restack();
    state.subscribe((change, layer) => {
      if (!layer) return;
      if (change === 'added') this.add(layer);
      else if (change === 'removed') this.remove(layer);
      else if (change === 'visibility') this.layers.get(layer.id)?.setVisible(layer.visible);
      else if (change === 'opacity') this.layers.get(layer.id)?.setOpacity(layer.opacity / 100);
      this.restack();
    });
  }

  private add(layer: ExternalLayer): void {
    const crs = chooseCrs(layer.layer);
    if (!crs || this.layers.has(layer.id)) return;
    const format = chooseFormat(layer.service);
    const source = new ImageWMS({
      url: this.api.mapUrl(layer.service.url),
      params: {
        LAYERS: layer.layer.name,
        STYLES: '',
        VERSION: layer.service.version,
        FORMAT: format,
        TRANSPARENT: format !== 'image/jpeg',
      },
      // A projection other than the view's makes OpenLayers reproject the image.
      projection: crs,
      ratio: 1,
    });
    const image = new ImageLayer({
      source,
      opacity: layer.opacity / 100,
      visible: layer.visible,
      properties: { name: `external:${layer.id}`, external: layer.id, crs },
    });
    this.layers.set(layer.id, image);
    this.mapView.map.addLayer(image);
  }

  private remove(layer: ExternalLayer): void {
    const image = this.layers.get(layer.id);
    if (!image) return;
    this.mapView.map.removeLayer(image);
    this.layers.delete(layer.id);
  }

  /** The last added is drawn on top. */
  private restack(): void {
    this.state.layers.forEach((layer, index) => this.layers.get(layer.id)?.setZIndex(EXTERNAL_Z + index));
  }
}
