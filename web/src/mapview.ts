// The OpenLayers map: view snapped to the offered scales, one tiled WMS layer
// per visible layer on the fixed tile grid, the base map, and the marker.

import OlMap from 'ol/Map';
import View from 'ol/View';
import TileLayer from 'ol/layer/Tile';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import TileWMS from 'ol/source/TileWMS';
import TileGrid from 'ol/tilegrid/TileGrid';
import Feature from 'ol/Feature';
import Point from 'ol/geom/Point';
import { Circle as CircleStyle, Fill, RegularShape, Stroke, Style } from 'ol/style';
import { defaults as defaultInteractions } from 'ol/interaction/defaults';
import MouseWheelZoom from 'ol/interaction/MouseWheelZoom';
import { platformModifierKeyOnly } from 'ol/events/condition';
import { buffer as bufferExtent, getCenter } from 'ol/extent';

import type { Catalogue } from './catalogue';
import { safeUrl } from './dom';
import type { Store } from './store';
import type { Coord } from './permalink';
import { saneArea } from './permalink';
import { CRS, TILE_ORIGIN, TILE_SIZE, resolutionToScale, scaleToResolution, utm32 } from './projection';

export interface MapOptions {
  target: HTMLElement;
  wheelCtrl: boolean;
}

export class MapView {
  readonly map: OlMap;
  readonly view: View;
  private readonly grid: TileGrid;
  private readonly layers = new Map<string, TileLayer<TileWMS>>();
  private baseLayer: TileLayer<TileWMS> | null = null;
  private readonly markerSource = new VectorSource();
  /** Scales ascending, as offered by the scale selector. */
  readonly scales: number[];

  constructor(
    private readonly catalogue: Catalogue,
    private readonly store: Store,
    options: MapOptions,
  ) {
    const projection = utm32();
    this.scales = catalogue.scales;
    const resolutions = [...this.scales].sort((a, b) => b - a).map(scaleToResolution);
    this.grid = new TileGrid({ origin: TILE_ORIGIN, resolutions, tileSize: TILE_SIZE });
    this.view = new View({
      projection,
      resolutions,
      constrainResolution: true,
      enableRotation: false,
      extent: saneArea(catalogue.extent),
      constrainOnlyCenter: true,
      center: getCenter(catalogue.extent),
      resolution: resolutions[0],
    });
    const interactions = defaultInteractions({
      altShiftDragRotate: false,
      pinchRotate: false,
      mouseWheelZoom: !options.wheelCtrl,
    });
    if (options.wheelCtrl) interactions.push(new MouseWheelZoom({ condition: platformModifierKeyOnly }));
    this.map = new OlMap({
      target: options.target,
      view: this.view,
      controls: [],
      interactions,
      keyboardEventTarget: options.target,
    });
    this.map.addLayer(
      new VectorLayer({ source: this.markerSource, style: pinStyle(), zIndex: 10000, properties: { name: 'marker' } }),
    );
    this.syncBase();
    this.syncLayers();
    this.syncMarker();
    store.subscribe((change, id) => {
      if (change === 'layers') this.syncLayers();
      else if (change === 'opacity' && id) this.layers.get(id)?.setOpacity(store.opacityOf(id) / 100);
      else if (change === 'base') this.syncBase();
      else if (change === 'marker') this.syncMarker();
    });
  }

  private wmsSource(url: string, layers: string, transparent: boolean): TileWMS {
    return new TileWMS({
      url,
      params: { LAYERS: layers, STYLES: '', FORMAT: 'image/png', TRANSPARENT: transparent, VERSION: '1.3.0' },
      projection: CRS,
      tileGrid: this.grid,
      transition: 0,
    });
  }

  private syncLayers(): void {
    const order = this.catalogue.order;
    for (const id of order) {
      const on = this.store.isVisible(id);
      let layer = this.layers.get(id);
      if (on && !layer) {
        const def = this.catalogue.layer(id);
        if (!def) continue;
        layer = new TileLayer({
          source: this.wmsSource(this.catalogue.wms, id, true),
          opacity: this.store.opacityOf(id) / 100,
          // The first layer of the tree is drawn on top.
          zIndex: 100 + order.length - order.indexOf(id),
          minResolution: def.minScale !== null ? scaleToResolution(def.minScale) : undefined,
          maxResolution: def.maxScale !== null ? scaleToResolution(def.maxScale) : undefined,
          properties: { name: id },
        });
        this.layers.set(id, layer);
        this.map.addLayer(layer);
      }
      layer?.setVisible(on);
    }
  }

  private syncBase(): void {
    if (this.baseLayer) {
      this.map.removeLayer(this.baseLayer);
      this.baseLayer = null;
    }
    const base = this.catalogue.basemap(this.store.base);
    // An external base map's WMS is another origin the operator chose; only
    // http(s) URLs are used.
    const url = base ? safeUrl(base.wms) : null;
    if (!base || !url) return;
    this.baseLayer = new TileLayer({
      source: this.wmsSource(url, base.layers, false),
      zIndex: 0,
      properties: { name: `base:${base.id}` },
    });
    this.map.addLayer(this.baseLayer);
  }

  private syncMarker(): void {
    this.markerSource.clear();
    const at = this.store.marker;
    if (at) this.markerSource.addFeature(new Feature(new Point(at)));
  }

  /** Whether a layer is drawn at the current scale. */
  inRange(id: string): boolean {
    const def = this.catalogue.layer(id);
    const scale = this.scale();
    if (!def) return false;
    if (def.minScale !== null && scale < def.minScale) return false;
    if (def.maxScale !== null && scale >= def.maxScale) return false;
    return true;
  }

  /**
   * Moves the centre to whole metres, the precision a permalink keeps, so
   * that a link restores exactly this view: tiles are drawn at whole
   * pixels, and a centre a fraction of a metre off can round them one
   * pixel the other way. The move itself is far below a pixel.
   */
  snapCenter(): void {
    const c = this.view.getCenter();
    if (!c) return;
    const snapped = [Math.round(c[0]), Math.round(c[1])];
    if (snapped[0] !== c[0] || snapped[1] !== c[1]) this.view.setCenter(snapped);
  }

  center(): Coord {
    const c = this.view.getCenter() ?? getCenter(this.catalogue.extent);
    return [c[0], c[1]];
  }

  scale(): number {
    return resolutionToScale(this.view.getResolution() ?? scaleToResolution(this.scales[this.scales.length - 1]));
  }

  setScale(scale: number): void {
    this.view.setResolution(scaleToResolution(scale));
  }

  centerOn(at: Coord, scale?: number): void {
    this.view.setCenter(at);
    if (scale !== undefined) this.setScale(scale);
  }

  /** Show all of the data (the largest scale at which the extent fits). */
  home(): void {
    this.fit(this.catalogue.extent);
  }

  fit(extent: number[]): void {
    this.map.updateSize();
    const size = this.map.getSize();
    if (!size || size[0] === 0 || size[1] === 0) {
      this.view.setCenter(getCenter(extent));
      this.setScale(this.scales[this.scales.length - 1]);
      return;
    }
    this.view.fit(bufferExtent(extent, 0), { size, nearest: false });
  }

  zoomBy(delta: number): void {
    const zoom = this.view.getZoom();
    if (zoom === undefined) return;
    const max = this.view.getMaxZoom();
    const min = this.view.getMinZoom();
    this.view.setZoom(Math.min(max, Math.max(min, Math.round(zoom) + delta)));
  }
}

/** A map pin drawn by OpenLayers (no image): a dark ring on a red head over a point. */
function pinStyle(): Style[] {
  const fill = new Fill({ color: '#c8102e' });
  const stroke = new Stroke({ color: '#ffffff', width: 2 });
  return [
    new Style({
      image: new RegularShape({
        points: 3,
        radius: 9,
        // Point down by the shape's own angle: a rotation would turn the
        // displacement as well.
        angle: Math.PI,
        fill,
        stroke,
        displacement: [0, 9],
      }),
    }),
    new Style({
      image: new CircleStyle({ radius: 10, fill, stroke, displacement: [0, 20] }),
    }),
    new Style({
      image: new CircleStyle({ radius: 3.5, fill: new Fill({ color: '#ffffff' }), displacement: [0, 20] }),
    }),
  ];
}
