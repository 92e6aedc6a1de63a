// Keeps the address bar in step with the map (history.replaceState) and
// builds the URLs derived from the current state: permalink, the other
// language's viewer, the full viewer (from the embed) and the embed.

import type { ExternalServiceEntry } from './external/params';
import type { ExternalState } from './external/state';
import type { Lang } from './i18n';
import type { MapView } from './mapview';
import { serializeState, type Coord } from './permalink';
import type { Shell } from './shell';
import type { StationSelection } from './stations/selection';
import type { Store } from './store';

export interface EmbedOptions {
  tree: boolean;
  wheelCtrl: boolean;
}

/** The station panel as the URL sees it. */
export interface StationState {
  current(): StationSelection | null;
  onChange(listener: () => void): void;
}

export class UrlSync {
  private readonly listeners: (() => void)[] = [];
  private stations: StationState | null = null;

  constructor(
    private readonly shell: Shell,
    private readonly store: Store,
    private readonly mapView: MapView,
    private readonly lang: Lang,
    private readonly embed: EmbedOptions,
    private readonly external: ExternalState,
  ) {
    mapView.map.on('moveend', () => {
      mapView.snapCenter();
      this.update();
    });
    store.subscribe(() => this.update());
    external.subscribe(() => this.update());
  }

  /** The visible external layers, grouped by service in the order added. */
  private externalEntries(): ExternalServiceEntry[] {
    const services: ExternalServiceEntry[] = [];
    for (const layer of this.external.visibleLayers()) {
      let service = services.find((s) => s.url === layer.service.url);
      if (!service) {
        service = { url: layer.service.url, layers: [] };
        services.push(service);
      }
      service.layers.push({ name: layer.layer.name, opacity: layer.opacity });
    }
    return services;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** The station panel's selection joins the state (it opens from links and embeds). */
  followStations(stations: StationState): void {
    this.stations = stations;
    stations.onChange(() => this.update());
  }

  query(lang: Lang = this.lang, embed: EmbedOptions | null = null, view: { center: Coord; scale: number } | null = null): string {
    return serializeState({
      lang,
      center: view?.center ?? this.mapView.center(),
      scale: view?.scale ?? this.mapView.scale(),
      layers: this.store.entries(),
      base: this.store.base,
      marker: this.store.marker,
      drawing: this.store.drawing,
      external: this.externalEntries(),
      files: this.external.files,
      station: this.stations?.current() ?? null,
      tree: embed?.tree,
      wheelCtrl: embed?.wheelCtrl,
    });
  }

  /** This page's own query: the embed keeps its tree and wheel options. */
  ownQuery(): string {
    return this.query(this.lang, this.shell.mode === 'embed' ? this.embed : null);
  }

  /**
   * Writes the state into the address bar. The fragment stays as it is: it
   * may hold a drawing's edit key, which only this tab's address bar keeps;
   * no derived URL below ever carries it.
   */
  update(): void {
    const url = `${window.location.pathname}?${this.ownQuery()}${window.location.hash}`;
    try {
      if (url !== `${window.location.pathname}${window.location.search}${window.location.hash}`) {
        window.history.replaceState(window.history.state, '', url);
      }
    } catch {
      // Browsers throttle replaceState; the next change writes the URL again.
    }
    for (const listener of this.listeners) listener();
  }

  /** The absolute URL of this view (for sharing). */
  permalink(): string {
    const path = this.shell.mode === 'karte' ? window.location.pathname : this.karteUrl(this.lang);
    return `${window.location.origin}${path}?${this.query()}`;
  }

  private karteUrl(lang: Lang): string {
    if (this.shell.mode === 'karte') return this.shell.alternate[lang] ?? this.shell.karteUrl;
    return this.shell.karteUrl;
  }

  /** The full viewer in `lang` with the current state (relative to the origin). */
  viewerUrl(lang: Lang): string {
    const path = this.karteUrl(lang);
    return `${path}${path.includes('?') ? '&' : '?'}${this.query(lang)}`;
  }

  /**
   * The viewer's path and query for this state at another centre and
   * scale: a print's permalink, which the server prints beside its QR code.
   */
  viewPathAt(center: Coord, scale: number): string {
    const path = this.karteUrl(this.lang);
    return `${path}${path.includes('?') ? '&' : '?'}${this.query(this.lang, null, { center, scale })}`;
  }

  /** The absolute embed URL for the current state. */
  embedUrl(options: EmbedOptions): string {
    const path = this.shell.embedUrl;
    return `${window.location.origin}${path}${path.includes('?') ? '&' : '?'}${this.query(this.lang, options)}`;
  }
}
