// The viewer's own state besides the map view: which layers are on, their
// opacity, the base map, the marker and the drawing shown. UI modules change it through the
// setters and listen for changes.

import type { Catalogue } from './catalogue';
import type { Coord, LayerEntry } from './permalink';

export type Change = 'layers' | 'opacity' | 'base' | 'marker' | 'drawing';
type Listener = (change: Change, id?: string) => void;

export class Store {
  private readonly visible = new Set<string>();
  private readonly opacity = new Map<string, number>();
  private baseId: string;
  private markerAt: Coord | null = null;
  private drawingId: string | null = null;
  private readonly listeners: Listener[] = [];

  constructor(
    readonly catalogue: Catalogue,
    layers: LayerEntry[],
    base: string,
    marker: Coord | null,
  ) {
    for (const { id, opacity } of layers) {
      if (!catalogue.has(id)) continue;
      this.visible.add(id);
      this.opacity.set(id, opacity);
    }
    this.baseId = base;
    this.markerAt = marker;
  }

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  private emit(change: Change, id?: string): void {
    for (const listener of this.listeners) listener(change, id);
  }

  isVisible(id: string): boolean {
    return this.visible.has(id);
  }

  /** Visible layer ids in catalogue order (top first). */
  visibleIds(): string[] {
    return this.catalogue.order.filter((id) => this.visible.has(id));
  }

  entries(): LayerEntry[] {
    return this.visibleIds().map((id) => ({ id, opacity: this.opacityOf(id) }));
  }

  opacityOf(id: string): number {
    return this.opacity.get(id) ?? 100;
  }

  get base(): string {
    return this.baseId;
  }

  get marker(): Coord | null {
    return this.markerAt;
  }

  setVisible(id: string, on: boolean): void {
    if (!this.catalogue.has(id) || this.visible.has(id) === on) return;
    if (on) this.visible.add(id);
    else this.visible.delete(id);
    this.emit('layers', id);
  }

  setOpacity(id: string, value: number): void {
    const clamped = Math.min(100, Math.max(0, Math.round(value)));
    if (!this.catalogue.has(id) || !Number.isFinite(clamped) || this.opacityOf(id) === clamped) return;
    this.opacity.set(id, clamped);
    this.emit('opacity', id);
  }

  setBase(id: string): void {
    const valid = id === 'none' || this.catalogue.basemap(id) !== undefined;
    if (!valid || id === this.baseId) return;
    this.baseId = id;
    this.emit('base');
  }

  /** The public id of the saved drawing shown (part of every link), or null. */
  get drawing(): string | null {
    return this.drawingId;
  }

  setDrawing(id: string | null): void {
    if (id === this.drawingId) return;
    this.drawingId = id;
    this.emit('drawing');
  }

  setMarker(at: Coord | null): void {
    this.markerAt = at;
    this.emit('marker');
  }
}
