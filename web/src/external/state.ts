// Third parties' data the viewer shows besides the portal's own layers:
// the layers of other WMS added by the user (in the order added, the last
// on top) and the addresses of files loaded by URL as temporary layers.
// Both are part of the permalink and the embed (permalink.ts, urlsync.ts);
// UI modules change them through the setters and listen for changes.

import type { WmsLayerInfo, WmsService } from './api';

/** At most this many external layers at once (the permalink's bound too). */
export const MAX_EXTERNAL_LAYERS = 20;
/** At most this many services named in a permalink. */
export const MAX_EXTERNAL_SERVICES = 5;
/** At most this many files by URL at once. */
export const MAX_FILE_URLS = 10;

export interface ExternalLayer {
  /** Unique in the viewer, stable while it is shown (ids of controls). */
  id: number;
  service: WmsService;
  layer: WmsLayerInfo;
  opacity: number;
  visible: boolean;
}

export type ExternalChange = 'added' | 'removed' | 'visibility' | 'opacity' | 'files';
type Listener = (change: ExternalChange, layer?: ExternalLayer) => void;

export class ExternalState {
  private readonly list: ExternalLayer[] = [];
  private readonly fileUrls: string[] = [];
  private readonly listeners: Listener[] = [];
  private nextId = 1;

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  private emit(change: ExternalChange, layer?: ExternalLayer): void {
    for (const listener of this.listeners) listener(change, layer);
  }

  /** The external layers in the order added (the last is drawn on top). */
  get layers(): readonly ExternalLayer[] {
    return this.list;
  }

  visibleLayers(): ExternalLayer[] {
    return this.list.filter((l) => l.visible);
  }

  find(serviceUrl: string, name: string): ExternalLayer | undefined {
    return this.list.find((l) => l.service.url === serviceUrl && l.layer.name === name);
  }

  /** Adds a layer (shown); one already there is shown again instead. Null when full. */
  add(service: WmsService, layer: WmsLayerInfo, opacity = 100): ExternalLayer | null {
    const existing = this.find(service.url, layer.name);
    if (existing) {
      this.setVisible(existing, true);
      return existing;
    }
    if (this.list.length >= MAX_EXTERNAL_LAYERS) return null;
    const added: ExternalLayer = { id: this.nextId++, service, layer, opacity: clampOpacity(opacity), visible: true };
    this.list.push(added);
    this.emit('added', added);
    return added;
  }

  remove(layer: ExternalLayer): void {
    const index = this.list.indexOf(layer);
    if (index < 0) return;
    this.list.splice(index, 1);
    this.emit('removed', layer);
  }

  setVisible(layer: ExternalLayer, visible: boolean): void {
    if (layer.visible === visible || !this.list.includes(layer)) return;
    layer.visible = visible;
    this.emit('visibility', layer);
  }

  setOpacity(layer: ExternalLayer, value: number): void {
    const opacity = clampOpacity(value);
    if (layer.opacity === opacity || !this.list.includes(layer)) return;
    layer.opacity = opacity;
    this.emit('opacity', layer);
  }

  /** Addresses of the files shown as temporary layers. */
  get files(): readonly string[] {
    return this.fileUrls;
  }

  addFile(url: string): boolean {
    if (this.fileUrls.includes(url)) return true;
    if (this.fileUrls.length >= MAX_FILE_URLS) return false;
    this.fileUrls.push(url);
    this.emit('files');
    return true;
  }

  removeFile(url: string): void {
    const index = this.fileUrls.indexOf(url);
    if (index < 0) return;
    this.fileUrls.splice(index, 1);
    this.emit('files');
  }
}

function clampOpacity(value: number): number {
  return Number.isFinite(value) ? Math.min(100, Math.max(0, Math.round(value))) : 100;
}
