// Map tools: zoom buttons, home, full screen, locate me, the scale selector,
// the scale bar and the mouse position (UTM32 and latitude/longitude).

import ScaleLine from 'ol/control/ScaleLine';
import MousePosition from 'ol/control/MousePosition';
import Feature from 'ol/Feature';
import Point from 'ol/geom/Point';
import CircleGeom from 'ol/geom/Circle';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import { Circle as CircleStyle, Fill, Stroke, Style } from 'ol/style';
import type { Coordinate } from 'ol/coordinate';

import { el, iconButton } from './dom';
import { ICONS } from './icons';
import { formatNumber, formatScale, t } from './i18n';
import type { MapView } from './mapview';
import { nearestScale } from './permalink';
import { toLonLat, fromLonLat } from './projection';

export function zoomButtons(mapView: MapView): HTMLButtonElement[] {
  const zoomIn = iconButton('zoom-in', t('zoom_in'), ICONS.plus);
  const zoomOut = iconButton('zoom-out', t('zoom_out'), ICONS.minus);
  zoomIn.addEventListener('click', () => mapView.zoomBy(1));
  zoomOut.addEventListener('click', () => mapView.zoomBy(-1));
  const update = (): void => {
    const zoom = mapView.view.getZoom() ?? 0;
    zoomIn.disabled = zoom >= mapView.view.getMaxZoom();
    zoomOut.disabled = zoom <= mapView.view.getMinZoom();
  };
  mapView.view.on('change:resolution', update);
  update();
  return [zoomIn, zoomOut];
}

export function homeButton(mapView: MapView): HTMLButtonElement {
  const button = iconButton('home', t('home'), ICONS.home);
  button.addEventListener('click', () => mapView.home());
  return button;
}

export function fullscreenButton(target: HTMLElement): HTMLButtonElement | null {
  if (!document.fullscreenEnabled) return null;
  const button = iconButton('fullscreen', t('fullscreen'), ICONS.fullscreen, { 'aria-pressed': 'false' });
  button.addEventListener('click', () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void target.requestFullscreen().catch(() => undefined);
  });
  document.addEventListener('fullscreenchange', () => {
    const on = document.fullscreenElement === target;
    button.setAttribute('aria-pressed', String(on));
    const label = on ? t('fullscreen_exit') : t('fullscreen');
    button.setAttribute('aria-label', label);
    button.title = label;
  });
  return button;
}

export function locateButton(mapView: MapView, announce: (message: string) => void): HTMLButtonElement {
  const button = iconButton('locate', t('locate'), ICONS.locate);
  const source = new VectorSource();
  mapView.map.addLayer(new VectorLayer({
    source,
    zIndex: 9000,
    style: new Style({
      fill: new Fill({ color: 'rgba(11, 79, 138, 0.12)' }),
      stroke: new Stroke({ color: '#0b4f8a', width: 1.5 }),
      image: new CircleStyle({ radius: 7, fill: new Fill({ color: '#0b4f8a' }), stroke: new Stroke({ color: '#fff', width: 2 }) }),
    }),
  }));
  button.addEventListener('click', () => {
    if (!('geolocation' in navigator)) {
      announce(t('locate_unsupported'));
      return;
    }
    button.setAttribute('aria-busy', 'true');
    navigator.geolocation.getCurrentPosition(
      (position) => {
        button.removeAttribute('aria-busy');
        const at = fromLonLat([position.coords.longitude, position.coords.latitude]);
        const accuracy = Math.max(0, position.coords.accuracy || 0);
        source.clear();
        source.addFeature(new Feature(new CircleGeom(at, accuracy)));
        source.addFeature(new Feature(new Point(at)));
        mapView.centerOn(at, accuracy > 2000 ? 100000 : 25000);
        announce(t('locate_found', { m: formatLength(accuracy) }));
      },
      (error) => {
        button.removeAttribute('aria-busy');
        announce(error.code === error.PERMISSION_DENIED ? t('locate_denied') : t('locate_failed'));
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
  return button;
}

export function scaleSelect(mapView: MapView): HTMLElement {
  const select = el('select', { id: 'scale', 'aria-label': t('scale') });
  for (const scale of mapView.scales) select.appendChild(el('option', { value: scale }, formatScale(scale)));
  // During wheel and pinch animations the resolution passes between the
  // offered scales; the selector shows the nearest.
  const update = (): void => {
    select.value = String(nearestScale(mapView.scale(), mapView.scales) ?? mapView.scales[mapView.scales.length - 1]);
  };
  select.addEventListener('change', () => mapView.setScale(Number(select.value)));
  mapView.view.on('change:resolution', update);
  mapView.map.on('moveend', update);
  update();
  return el('div', { class: 'scale-select' }, select);
}

export function scaleLine(mapView: MapView): HTMLElement {
  const target = el('div', { id: 'scale-line', class: 'scale-line', role: 'img', 'aria-label': t('scale_line') });
  mapView.map.addControl(new ScaleLine({ target, units: 'metric', minWidth: 80 }));
  return target;
}

export function formatLonLat(lonLat: [number, number]): string {
  const [lon, lat] = lonLat;
  const ns = lat >= 0 ? 'N' : 'S';
  const ew = lon >= 0 ? 'E' : 'W';
  return `${formatNumber(Math.abs(lat), 5, 5)}° ${ns}, ${formatNumber(Math.abs(lon), 5, 5)}° ${ew}`;
}

export function formatUtm(coord: Coordinate): string {
  return `E ${Math.round(coord[0])} N ${Math.round(coord[1])}`;
}

/**
 * The coordinates under the pointer. They only mirror the mouse, so they are
 * hidden from assistive technology (no label, no live region): keyboard and
 * screen reader users get positions from search, feature info and measuring.
 */
export function mousePosition(mapView: MapView): HTMLElement {
  const target = el('div', { id: 'mouse-position', class: 'mouse-position', 'aria-hidden': 'true', title: t('mouse_position') });
  mapView.map.addControl(new MousePosition({
    target,
    className: 'mouse-position-text',
    placeholder: '\u00a0',
    coordinateFormat: (coord?: Coordinate) =>
      coord ? `UTM32 ${formatUtm(coord)} · ${formatLonLat(toLonLat([coord[0], coord[1]]))}` : '',
  }));
  return target;
}

/** Lengths in m below 1 km, else km. */
export function formatLength(metres: number): string {
  if (metres < 1000) return `${formatNumber(metres, metres < 10 ? 1 : 0)} m`;
  return `${formatNumber(metres / 1000, metres < 100000 ? 2 : 1)} km`;
}

/** Areas in m² below 1 ha, ha below 1 km², else km². */
export function formatArea(squareMetres: number): string {
  if (squareMetres < 10000) return `${formatNumber(squareMetres, 0)} m²`;
  if (squareMetres < 1000000) return `${formatNumber(squareMetres / 10000, 2)} ha`;
  return `${formatNumber(squareMetres / 1000000, 2)} km²`;
}
