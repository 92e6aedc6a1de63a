// How drawing features look: simplestyle properties turned into
// OpenLayers styles (canvas only; nothing is ever loaded from an `icon`
// URL). Marker symbols and text labels are drawn here; an unknown icon
// draws as the default marker.

import type { FeatureLike } from 'ol/Feature';
import type Feature from 'ol/Feature';
import { MultiPoint, Point } from 'ol/geom';
import type Geometry from 'ol/geom/Geometry';
import { Circle as CircleStyle, Fill, RegularShape, Stroke, Style, Text } from 'ol/style';
import type ImageStyle from 'ol/style/Image';

import { DEFAULT_COLOR, DEFAULT_FILL_OPACITY, DEFAULT_WIDTH, TEXT_ICON } from './features';

const HIGHLIGHT = '#f5a300';
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';

function rgba(hex: unknown, opacity: unknown, fallbackOpacity = 1): string {
  const colour = typeof hex === 'string' && /^#[0-9a-f]{6}$/i.test(hex) ? hex : DEFAULT_COLOR;
  const alpha = typeof opacity === 'number' && Number.isFinite(opacity) ? Math.min(1, Math.max(0, opacity)) : fallbackOpacity;
  const n = Number.parseInt(colour.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

function num(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** The marker symbol of a point, in its colour. */
export function markerImage(icon: unknown, colour: string, selected: boolean): ImageStyle {
  const fill = new Fill({ color: colour });
  const stroke = new Stroke({ color: selected ? HIGHLIGHT : '#ffffff', width: selected ? 3 : 2 });
  switch (icon) {
    case 'square':
      return new RegularShape({ points: 4, radius: 9, angle: Math.PI / 4, fill, stroke });
    case 'star':
      return new RegularShape({ points: 5, radius: 11, radius2: 4.5, fill, stroke });
    case 'pin':
      return new CircleStyle({ radius: 8, fill, stroke, displacement: [0, 16] });
    default:
      // 'circle' and every icon the viewer does not know (imports).
      return new CircleStyle({ radius: 7, fill, stroke });
  }
}

const cache = new Map<string, Style[]>();

function pointStyles(props: Record<string, unknown>, selected: boolean): Style[] {
  const colour = rgba(props.stroke, props['stroke-opacity']);
  const name = typeof props.name === 'string' ? props.name : '';
  const scale = Math.min(5, Math.max(0.25, num(props['label-scale'], 1)));
  if (props.icon === TEXT_ICON) {
    const styles = [new Style({
      text: new Text({
        text: name || ' ',
        font: `600 ${Math.round(15 * scale)}px ${FONT}`,
        fill: new Fill({ color: colour }),
        stroke: new Stroke({ color: selected ? HIGHLIGHT : 'rgba(255, 255, 255, 0.95)', width: selected ? 5 : 3.5 }),
        overflow: true,
      }),
    })];
    if (!name) styles.push(new Style({ image: markerImage('circle', colour, selected) }));
    return styles;
  }
  const styles: Style[] = [];
  if (props.icon === 'pin') {
    // A pin: a point on the ground below a round head.
    styles.push(new Style({
      image: new RegularShape({
        points: 3, radius: 7, angle: Math.PI, displacement: [0, 6],
        fill: new Fill({ color: colour }), stroke: new Stroke({ color: '#ffffff', width: 1.5 }),
      }),
    }));
  }
  styles.push(new Style({ image: markerImage(props.icon, colour, selected) }));
  if (name) {
    styles.push(new Style({
      text: new Text({
        text: name,
        font: `${Math.round(12 * scale)}px ${FONT}`,
        offsetY: props.icon === 'pin' ? 10 : 18,
        fill: new Fill({ color: '#1b1f24' }),
        stroke: new Stroke({ color: 'rgba(255, 255, 255, 0.95)', width: 3 }),
        overflow: true,
      }),
    }));
  }
  return styles;
}

/** The vertices of a line or polygon, shown on the selected feature. */
function vertices(feature: FeatureLike): Geometry | undefined {
  const geometry = (feature as Feature).getGeometry?.();
  if (!geometry) return undefined;
  const type = geometry.getType();
  if (type === 'LineString' || type === 'MultiPoint') {
    return new MultiPoint((geometry as unknown as { getCoordinates(): number[][] }).getCoordinates());
  }
  if (type === 'Polygon' || type === 'MultiLineString') {
    return new MultiPoint((geometry as unknown as { getCoordinates(): number[][][] }).getCoordinates().flat());
  }
  if (type === 'MultiPolygon') {
    return new MultiPoint((geometry as unknown as { getCoordinates(): number[][][][] }).getCoordinates().flat(2));
  }
  return undefined;
}

function shapeStyles(props: Record<string, unknown>, selected: boolean): Style[] {
  const strokeColour = rgba(props.stroke, props['stroke-opacity']);
  const width = Math.min(50, Math.max(0, num(props['stroke-width'], DEFAULT_WIDTH)));
  const fillColour = rgba(typeof props.fill === 'string' ? props.fill : props.stroke, props['fill-opacity'], DEFAULT_FILL_OPACITY);
  const styles: Style[] = [];
  if (selected) {
    styles.push(new Style({ stroke: new Stroke({ color: HIGHLIGHT, width: width + 6 }) }));
  }
  styles.push(new Style({
    stroke: width > 0 ? new Stroke({ color: strokeColour, width }) : undefined,
    fill: new Fill({ color: fillColour }),
    // Points inside a geometry collection.
    image: markerImage(props.icon, strokeColour, selected),
  }));
  if (selected) {
    styles.push(new Style({
      geometry: vertices,
      image: new CircleStyle({ radius: 4, fill: new Fill({ color: '#ffffff' }), stroke: new Stroke({ color: HIGHLIGHT, width: 2 }) }),
    }));
  }
  return styles;
}

function styleFor(feature: FeatureLike, selected: boolean): Style[] {
  const props = feature.getProperties();
  const geometry = feature.getGeometry();
  const isPoint = geometry instanceof Point || geometry instanceof MultiPoint;
  const key = JSON.stringify([
    isPoint, selected, props.stroke, props['stroke-opacity'], props['stroke-width'], props.fill, props['fill-opacity'],
    props.icon, props['label-scale'], isPoint ? props.name : null,
  ]);
  let styles = cache.get(key);
  if (!styles) {
    styles = isPoint ? pointStyles(props, selected) : shapeStyles(props, selected);
    if (cache.size > 2000) cache.clear();
    cache.set(key, styles);
  }
  return styles;
}

/** The style function of drawing layers. */
export function featureStyle(feature: FeatureLike): Style[] {
  return styleFor(feature, false);
}

/** The same, highlighted (the selected feature). */
export function selectedStyle(feature: FeatureLike): Style[] {
  return styleFor(feature, true);
}
