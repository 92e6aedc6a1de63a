// The drawing tools on the map, with OpenLayers' own interactions: Draw
// (point, line, polygon, circle, rectangle, text label), Select, Modify
// (reshape), Translate (move) and Snap, and the length or area shown while
// drawing. The map is in EPSG:25832 metres, so planar measures are right.

import type OlMap from 'ol/Map';
import type Feature from 'ol/Feature';
import type Geometry from 'ol/geom/Geometry';
import { Circle as CircleGeom, LineString, MultiLineString, MultiPolygon, Polygon } from 'ol/geom';
import { fromCircle } from 'ol/geom/Polygon';
import Draw, { createBox } from 'ol/interaction/Draw';
import type Interaction from 'ol/interaction/Interaction';
import Modify from 'ol/interaction/Modify';
import Select from 'ol/interaction/Select';
import Snap from 'ol/interaction/Snap';
import Translate from 'ol/interaction/Translate';
import type VectorLayer from 'ol/layer/Vector';
import type Layer from 'ol/layer/Layer';
import Overlay from 'ol/Overlay';
import type VectorSource from 'ol/source/Vector';
import { unByKey } from 'ol/Observable';
import type { EventsKey } from 'ol/events';
import { click } from 'ol/events/condition';

import { el } from '../dom';
import { t } from '../i18n';
import { formatArea, formatLength } from '../tools';
import { newFeatureId } from './features';
import { selectedStyle } from './style';

export type Tool = 'select' | 'point' | 'line' | 'polygon' | 'circle' | 'rectangle' | 'text';
export const DRAW_TOOLS: readonly Tool[] = ['point', 'line', 'polygon', 'circle', 'rectangle', 'text'];

/** Sides of the polygon a circle is saved as. */
const CIRCLE_SIDES = 64;

/** Length or area of a geometry (planar, in metres), as text. */
export function measureText(geometry: Geometry | undefined): string | null {
  if (!geometry) return null;
  if (geometry instanceof CircleGeom) {
    const r = geometry.getRadius();
    return t('draw_measure_circle', { r: formatLength(r), a: formatArea(Math.PI * r * r) });
  }
  if (geometry instanceof LineString || geometry instanceof MultiLineString) {
    return t('draw_measure_length', { v: formatLength(geometry.getLength()) });
  }
  if (geometry instanceof Polygon || geometry instanceof MultiPolygon) {
    const ring = geometry instanceof Polygon ? new LineString(geometry.getLinearRing(0)?.getCoordinates() ?? []) : null;
    const area = formatArea(geometry.getArea());
    return ring ? t('draw_measure_area', { a: area, p: formatLength(ring.getLength()) }) : t('draw_measure_area_only', { a: area });
  }
  return null;
}

export interface EditorHooks {
  /** A new feature is about to be added: give it its properties. */
  prepare(feature: Feature, tool: Tool): void;
  /** The features changed by the user (drawn, moved, reshaped). */
  committed(): void;
  selected(feature: Feature | null): void;
  measured(text: string | null): void;
  /** After a text label was placed (the panel focuses its name). */
  placedText(feature: Feature): void;
}

export class Editor {
  private tool: Tool = 'select';
  private editable = false;
  private readonly select: Select;
  private readonly modify: Modify;
  private readonly translate: Translate;
  private readonly snap: Snap;
  private draw: Draw | null = null;
  private readonly tooltip: Overlay;
  private readonly tooltipElement: HTMLElement;
  private sketchListener: EventsKey | null = null;
  private active = false;

  constructor(
    private readonly map: OlMap,
    private readonly source: VectorSource,
    layer: VectorLayer,
    private readonly selectableLayers: () => Layer[],
    private readonly hooks: EditorHooks,
  ) {
    this.select = new Select({
      condition: click,
      layers: (l) => l === layer || (!this.editable && this.selectableLayers().includes(l)),
      style: selectedStyle,
      hitTolerance: 6,
    });
    this.select.on('select', () => this.hooks.selected(this.selected()));
    this.translate = new Translate({ features: this.select.getFeatures(), hitTolerance: 6 });
    this.modify = new Modify({ features: this.select.getFeatures(), pixelTolerance: 8 });
    this.translate.on('translateend', () => {
      this.hooks.committed();
      this.hooks.measured(measureText(this.selected()?.getGeometry()));
    });
    this.modify.on('modifyend', () => {
      this.hooks.committed();
      this.hooks.measured(measureText(this.selected()?.getGeometry()));
    });
    this.snap = new Snap({ source, pixelTolerance: 8 });
    this.tooltipElement = el('div', { class: 'measure-tooltip draw-tooltip' });
    this.tooltip = new Overlay({ element: this.tooltipElement, positioning: 'bottom-center', offset: [0, -12], stopEvent: false });
  }

  get currentTool(): Tool {
    return this.tool;
  }

  /** Turns the interactions on (panel open) or off. */
  setActive(active: boolean): void {
    this.active = active;
    this.install();
  }

  /** Whether the drawing may be changed (new or edit link) or only looked at. */
  setEditable(editable: boolean): void {
    // Re-installing would end a drawing in progress.
    if (editable === this.editable) return;
    this.editable = editable;
    if (!editable) this.tool = 'select';
    this.install();
  }

  setTool(tool: Tool): void {
    this.tool = this.editable ? tool : 'select';
    if (this.tool !== 'select') this.setSelected(null);
    this.install();
  }

  private remove(interaction: Interaction | null): void {
    if (interaction) this.map.removeInteraction(interaction);
  }

  private install(): void {
    this.abort();
    for (const i of [this.select, this.translate, this.modify, this.snap, this.draw]) this.remove(i);
    this.draw = null;
    this.map.removeOverlay(this.tooltip);
    if (!this.active) {
      this.setSelected(null);
      return;
    }
    if (this.tool === 'select') {
      this.map.addInteraction(this.select);
      if (this.editable) {
        // Added later, handled first: Modify takes a drag near a vertex or
        // edge, Translate a drag anywhere else on the selected feature.
        this.map.addInteraction(this.translate);
        this.map.addInteraction(this.modify);
        this.map.addInteraction(this.snap);
      }
      return;
    }
    this.setSelected(null);
    this.draw = this.makeDraw(this.tool);
    this.map.addInteraction(this.draw);
    this.map.addInteraction(this.snap);
    this.map.addOverlay(this.tooltip);
  }

  private makeDraw(tool: Tool): Draw {
    let draw: Draw;
    switch (tool) {
      case 'line':
        draw = new Draw({ type: 'LineString' });
        break;
      case 'polygon':
        draw = new Draw({ type: 'Polygon' });
        break;
      case 'circle':
        draw = new Draw({ type: 'Circle' });
        break;
      case 'rectangle':
        draw = new Draw({ type: 'Circle', geometryFunction: createBox() });
        break;
      default:
        draw = new Draw({ type: 'Point' });
    }
    draw.on('drawstart', (event) => {
      const geometry = event.feature.getGeometry();
      if (!geometry) return;
      this.sketchListener = geometry.on('change', () => {
        const text = measureText(geometry);
        this.tooltipElement.textContent = text ?? '';
        this.tooltipElement.hidden = !text;
        this.hooks.measured(text);
        const extent = geometry.getExtent();
        this.tooltip.setPosition(geometry instanceof LineString ? geometry.getLastCoordinate() : [(extent[0] + extent[2]) / 2, extent[3]]);
      });
    });
    draw.on('drawabort', () => this.endSketch());
    draw.on('drawend', (event) => {
      this.endSketch();
      const feature = event.feature as Feature;
      const geometry = feature.getGeometry();
      // Circles are saved as polygons (GeoJSON has no circles).
      if (geometry instanceof CircleGeom) feature.setGeometry(fromCircle(geometry, CIRCLE_SIDES));
      feature.setId(newFeatureId());
      this.hooks.prepare(feature, tool);
      // Draw adds to a source only after this event; adding it here means
      // the change is recorded with the feature in it.
      this.source.addFeature(feature);
      this.hooks.measured(measureText(feature.getGeometry()));
      this.hooks.committed();
      if (tool === 'text') {
        // After Draw finished handling this event: select the label so its
        // text can be edited.
        window.setTimeout(() => {
          if (!this.source.hasFeature(feature)) return;
          this.setTool('select');
          this.setSelected(feature);
          this.hooks.placedText(feature);
        }, 0);
      }
    });
    return draw;
  }

  private endSketch(): void {
    if (this.sketchListener) unByKey(this.sketchListener);
    this.sketchListener = null;
    this.tooltipElement.textContent = '';
    this.tooltipElement.hidden = true;
  }

  /** Ends a drawing in progress (Escape). Returns whether there was one. */
  abort(): boolean {
    if (!this.draw || !this.sketchListener) return false;
    this.draw.abortDrawing();
    this.endSketch();
    return true;
  }

  /** Finishes a line or polygon in progress (Enter). */
  finish(): void {
    if (this.draw && this.sketchListener) this.draw.finishDrawing();
  }

  /** Removes the last point of a line or polygon in progress. */
  removeLastPoint(): boolean {
    if (!this.draw || !this.sketchListener) return false;
    this.draw.removeLastPoint();
    return true;
  }

  selected(): Feature | null {
    const features = this.select.getFeatures();
    return features.getLength() ? (features.item(0) as Feature) : null;
  }

  /** Selects a feature (from the list), or none. */
  setSelected(feature: Feature | null): void {
    const features = this.select.getFeatures();
    const before = this.selected();
    if (before === feature) return;
    features.clear();
    if (feature && this.active) {
      if (this.tool !== 'select') {
        this.tool = 'select';
        this.install();
      }
      features.push(feature);
    }
    this.hooks.selected(this.selected());
  }
}
