// Measuring distances and areas (geodesic, on the ellipsoid via ol/sphere).

import Draw from 'ol/interaction/Draw';
import Overlay from 'ol/Overlay';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import { LineString, Polygon } from 'ol/geom';
import type Geometry from 'ol/geom/Geometry';
import { getArea, getLength } from 'ol/sphere';
import { unByKey } from 'ol/Observable';
import type { EventsKey } from 'ol/events';
import { Fill, Stroke, Style, Circle as CircleStyle } from 'ol/style';

import { el, iconButton } from './dom';
import { ICONS } from './icons';
import { t } from './i18n';
import type { MapView } from './mapview';
import { CRS } from './projection';
import { formatArea, formatLength } from './tools';

type Kind = 'length' | 'area';

export function measureGeometry(geometry: Geometry): string | null {
  if (geometry instanceof LineString) return formatLength(getLength(geometry, { projection: CRS }));
  if (geometry instanceof Polygon) return formatArea(getArea(geometry, { projection: CRS }));
  return null;
}

export class Measure {
  readonly buttons: HTMLButtonElement[];
  private readonly source = new VectorSource();
  private draw: Draw | null = null;
  private kind: Kind | null = null;
  private readonly overlays: Overlay[] = [];
  private listener: EventsKey | null = null;

  constructor(
    private readonly mapView: MapView,
    private readonly announce: (message: string, sticky?: boolean) => void,
    private readonly onActive: (active: boolean) => void,
  ) {
    const style = new Style({
      fill: new Fill({ color: 'rgba(200, 16, 46, 0.12)' }),
      stroke: new Stroke({ color: '#c8102e', width: 2.5, lineDash: [8, 5] }),
      image: new CircleStyle({ radius: 4, fill: new Fill({ color: '#c8102e' }) }),
    });
    mapView.map.addLayer(new VectorLayer({ source: this.source, style, zIndex: 9500 }));
    const length = iconButton('measure-length', t('measure_length'), ICONS.ruler, { 'aria-pressed': 'false' });
    const area = iconButton('measure-area', t('measure_area'), ICONS.area, { 'aria-pressed': 'false' });
    length.addEventListener('click', () => this.toggle('length'));
    area.addEventListener('click', () => this.toggle('area'));
    this.buttons = [length, area];
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.draw) this.draw.abortDrawing();
    });
  }

  private toggle(kind: Kind): void {
    const same = this.kind === kind;
    this.stop();
    if (!same) this.start(kind);
  }

  private clear(): void {
    this.source.clear();
    for (const overlay of this.overlays) this.mapView.map.removeOverlay(overlay);
    this.overlays.length = 0;
  }

  private start(kind: Kind): void {
    this.kind = kind;
    this.buttons[kind === 'length' ? 0 : 1].setAttribute('aria-pressed', 'true');
    this.draw = new Draw({ source: this.source, type: kind === 'length' ? 'LineString' : 'Polygon' });
    this.mapView.map.addInteraction(this.draw);
    this.onActive(true);
    this.announce(kind === 'length' ? t('measure_hint_length') : t('measure_hint_area'), true);

    this.draw.on('drawstart', (event) => {
      this.clear();
      const label = el('div', { class: 'measure-tooltip' });
      const overlay = new Overlay({ element: label, positioning: 'bottom-center', offset: [0, -10], stopEvent: false });
      this.overlays.push(overlay);
      this.mapView.map.addOverlay(overlay);
      const geometry = event.feature.getGeometry();
      if (!geometry) return;
      this.listener = geometry.on('change', () => {
        const text = measureGeometry(geometry);
        if (!text) return;
        label.textContent = text;
        overlay.setPosition(
          geometry instanceof Polygon ? geometry.getInteriorPoint().getCoordinates().slice(0, 2) : (geometry as LineString).getLastCoordinate(),
        );
      });
    });
    this.draw.on('drawend', (event) => {
      if (this.listener) unByKey(this.listener);
      this.listener = null;
      const geometry = event.feature.getGeometry();
      const text = geometry ? measureGeometry(geometry) : null;
      if (text) {
        this.announce(this.kind === 'area' ? t('measure_result_area', { v: text }) : t('measure_result_length', { v: text }), true);
        const overlay = this.overlays[this.overlays.length - 1];
        overlay?.getElement()?.classList.add('final');
      }
    });
  }

  stop(): void {
    if (this.draw) this.mapView.map.removeInteraction(this.draw);
    if (this.listener) unByKey(this.listener);
    this.listener = null;
    this.draw = null;
    this.kind = null;
    this.clear();
    for (const button of this.buttons) button.setAttribute('aria-pressed', 'false');
    this.onActive(false);
    this.announce('');
  }
}
