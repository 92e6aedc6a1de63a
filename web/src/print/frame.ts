// The print frame on the map: the rectangle of ground the sheet will show,
// with everything outside it dimmed. It is moved by dragging it (mouse,
// pen or one finger: a drag inside the frame moves the frame, outside it
// pans the map) or by the panel's buttons and arrow keys.

import Feature from 'ol/Feature';
import type OlMap from 'ol/Map';
import type MapBrowserEvent from 'ol/MapBrowserEvent';
import Polygon from 'ol/geom/Polygon';
import PointerInteraction from 'ol/interaction/Pointer';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import { Fill, Stroke, Style } from 'ol/style';
import { containsCoordinate, type Extent } from 'ol/extent';

import type { Coord } from '../permalink';

/** Above the user's drawings and measurements, below the search marker. */
const FRAME_Z = 9700;
/** How far the dimmed area reaches around the frame: beyond any view. */
const DIM_REACH = 3_000_000;

/** A colour of the site theme (a CSS custom property), for the canvas. */
function themeColour(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return /^#[0-9a-fA-F]{3,8}$|^rgba?\([\d\s.,%]+\)$/.test(value) ? value : fallback;
}

export type MoveListener = (final: boolean) => void;

export class PrintFrame {
  private readonly source = new VectorSource();
  private readonly layer: VectorLayer<VectorSource>;
  private readonly drag: PointerInteraction;
  private readonly rect = new Feature<Polygon>();
  private readonly dim = new Feature<Polygon>();
  private centre: Coord = [0, 0];
  private size: [number, number] = [1, 1];
  private shown = false;
  private dragFrom: Coord | null = null;
  private readonly listeners: MoveListener[] = [];

  constructor(private readonly map: OlMap) {
    const brand = themeColour('--brand', '#1e6b45');
    this.dim.setStyle(new Style({ fill: new Fill({ color: 'rgba(16, 24, 20, 0.38)' }) }));
    // A light halo under the brand-coloured line: the edge stands out on
    // dark and light maps alike.
    this.rect.setStyle([
      new Style({ stroke: new Stroke({ color: 'rgba(255, 255, 255, 0.95)', width: 6 }) }),
      new Style({ stroke: new Stroke({ color: brand, width: 2.5 }) }),
    ]);
    this.source.addFeatures([this.dim, this.rect]);
    this.layer = new VectorLayer({
      source: this.source,
      zIndex: FRAME_Z,
      visible: false,
      updateWhileAnimating: true,
      updateWhileInteracting: true,
      properties: { name: 'print-frame' },
    });
    map.addLayer(this.layer);
    this.drag = new PointerInteraction({
      handleDownEvent: (event) => this.down(event),
      handleDragEvent: (event) => this.dragged(event),
      handleUpEvent: () => this.up(),
      handleMoveEvent: (event) => this.hover(event),
    });
    this.drag.setActive(false);
    map.addInteraction(this.drag);
  }

  get visible(): boolean {
    return this.shown;
  }

  get center(): Coord {
    return [this.centre[0], this.centre[1]];
  }

  /** Width and height on the ground, in metres. */
  get groundSize(): [number, number] {
    return [this.size[0], this.size[1]];
  }

  extent(): Extent {
    const [w, h] = this.size;
    const [x, y] = this.centre;
    return [x - w / 2, y - h / 2, x + w / 2, y + h / 2];
  }

  onMove(listener: MoveListener): void {
    this.listeners.push(listener);
  }

  show(on: boolean): void {
    this.shown = on;
    this.layer.setVisible(on);
    this.drag.setActive(on);
    if (!on) this.setCursor(null);
  }

  setSize(size: [number, number]): void {
    this.size = [size[0], size[1]];
    this.redraw();
  }

  setCenter(center: Coord, final = true): void {
    this.centre = [center[0], center[1]];
    this.redraw();
    for (const listener of this.listeners) listener(final);
  }

  moveBy(dx: number, dy: number, final = true): void {
    this.setCenter([this.centre[0] + dx, this.centre[1] + dy], final);
  }

  private redraw(): void {
    const [x0, y0, x1, y1] = this.extent();
    const ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
    const [cx, cy] = this.centre;
    const r = DIM_REACH;
    const outer = [[cx - r, cy - r], [cx + r, cy - r], [cx + r, cy + r], [cx - r, cy + r], [cx - r, cy - r]];
    this.rect.setGeometry(new Polygon([ring]));
    // The renderer orients the rings itself: the frame is a hole.
    this.dim.setGeometry(new Polygon([outer, ring]));
  }

  private inside(event: MapBrowserEvent): boolean {
    return containsCoordinate(this.extent(), event.coordinate);
  }

  private down(event: MapBrowserEvent): boolean {
    // Only a primary button or a single touch moves the frame; a second
    // finger is the map's (pinch zoom).
    const button = event.originalEvent instanceof MouseEvent ? event.originalEvent.button : 0;
    if (!this.shown || button > 0 || !this.inside(event)) return false;
    this.dragFrom = [event.coordinate[0], event.coordinate[1]];
    this.setCursor('dragging');
    return true;
  }

  private dragged(event: MapBrowserEvent): void {
    if (!this.dragFrom) return;
    const [x, y] = event.coordinate;
    this.moveBy(x - this.dragFrom[0], y - this.dragFrom[1], false);
    this.dragFrom = [x, y];
  }

  private up(): boolean {
    if (this.dragFrom) {
      this.dragFrom = null;
      this.setCursor(null);
      for (const listener of this.listeners) listener(true);
    }
    return false;
  }

  private hover(event: MapBrowserEvent): void {
    if (!this.dragFrom) this.setCursor(this.shown && this.inside(event) ? 'hover' : null);
  }

  /** The pointer over the frame says it can be moved (classes: the CSP allows no inline style). */
  private setCursor(state: 'hover' | 'dragging' | null): void {
    const target = this.map.getTargetElement();
    target?.classList.toggle('print-frame-hover', state === 'hover');
    target?.classList.toggle('print-frame-dragging', state === 'dragging');
  }
}
