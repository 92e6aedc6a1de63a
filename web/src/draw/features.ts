// Drawing features and their simplestyle properties: reading the server's
// GeoJSON (lon/lat) into map features (EPSG:25832), writing them back,
// and the checks that keep only well-formed properties. Everything read is
// data: names and descriptions are only ever shown as text (or rebuilt by
// description.ts), icons are symbol names drawn by the viewer.

import Feature from 'ol/Feature';
import GeoJSON from 'ol/format/GeoJSON';
import type Geometry from 'ol/geom/Geometry';
import { LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon } from 'ol/geom';
import { createEmpty, extend, isEmpty, type Extent } from 'ol/extent';

import { CRS } from '../projection';

/** Marker symbols of the point tool, drawn by style.ts. */
export const SYMBOLS = ['pin', 'circle', 'square', 'star'] as const;
export type MarkerSymbol = (typeof SYMBOLS)[number];
/** The `icon` of a text label (a Point whose `name` is the text). */
export const TEXT_ICON = 'text';

export const DEFAULT_COLOR = '#c8102e';
export const DEFAULT_WIDTH = 3;
export const DEFAULT_FILL_OPACITY = 0.25;
export const LABEL_SCALES = [1, 1.5, 2] as const;

/** Properties a drawing feature may carry (simplestyle, as the server keeps them). */
export interface DrawProps {
  name?: string;
  description?: string;
  stroke?: string;
  'stroke-opacity'?: number;
  'stroke-width'?: number;
  fill?: string;
  'fill-opacity'?: number;
  icon?: string;
  'label-scale'?: number;
}

export type PropKey = keyof DrawProps;
const PROP_KEYS: readonly PropKey[] = [
  'name', 'description', 'stroke', 'stroke-opacity', 'stroke-width', 'fill', 'fill-opacity', 'icon', 'label-scale',
];

/** More features than this are refused on import (the server's own limit is 10,000). */
export const MAX_FEATURES = 10000;
const MAX_NAME = 500;
const MAX_DESCRIPTION = 20000;
const COLOR = /^#[0-9a-fA-F]{6}$/;
const ICON = /^[A-Za-z0-9_.\/-]{1,200}$/;

function clampNumber(value: unknown, min: number, max: number): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : undefined;
}

/** Only the known properties, each of the right type and range. */
export function cleanProps(raw: Record<string, unknown>): DrawProps {
  const props: DrawProps = {};
  if (typeof raw.name === 'string' && raw.name.trim()) props.name = raw.name.slice(0, MAX_NAME);
  if (typeof raw.description === 'string' && raw.description.trim()) props.description = raw.description.slice(0, MAX_DESCRIPTION);
  if (typeof raw.stroke === 'string' && COLOR.test(raw.stroke)) props.stroke = raw.stroke.toLowerCase();
  if (typeof raw.fill === 'string' && COLOR.test(raw.fill)) props.fill = raw.fill.toLowerCase();
  const strokeOpacity = clampNumber(raw['stroke-opacity'], 0, 1);
  if (strokeOpacity !== undefined) props['stroke-opacity'] = strokeOpacity;
  const fillOpacity = clampNumber(raw['fill-opacity'], 0, 1);
  if (fillOpacity !== undefined) props['fill-opacity'] = fillOpacity;
  const width = clampNumber(raw['stroke-width'], 0, 50);
  if (width !== undefined) props['stroke-width'] = width;
  const scale = clampNumber(raw['label-scale'], 0.25, 5);
  if (scale !== undefined) props['label-scale'] = scale;
  if (typeof raw.icon === 'string' && ICON.test(raw.icon)) props.icon = raw.icon;
  return props;
}

export function propsOf(feature: Feature): DrawProps {
  const props: DrawProps = {};
  const all = feature.getProperties();
  for (const key of PROP_KEYS) {
    if (all[key] !== undefined && all[key] !== null) (props as Record<string, unknown>)[key] = all[key];
  }
  return props;
}

/** Replaces a feature's drawing properties (others are never set). */
export function setProps(feature: Feature, props: DrawProps): void {
  const values: Record<string, unknown> = {};
  for (const key of PROP_KEYS) values[key] = props[key];
  feature.setProperties(values);
}

export type Kind = 'point' | 'text' | 'line' | 'polygon' | 'other';

export function kindOf(feature: Feature): Kind {
  const geometry = feature.getGeometry();
  if (geometry instanceof Point || geometry instanceof MultiPoint) {
    return feature.get('icon') === TEXT_ICON ? 'text' : 'point';
  }
  if (geometry instanceof LineString || geometry instanceof MultiLineString) return 'line';
  if (geometry instanceof Polygon || geometry instanceof MultiPolygon) return 'polygon';
  return 'other';
}

const format = new GeoJSON();

let nextId = 1;
/** A fresh id for a feature of this page (ids order the feature list). */
export function newFeatureId(): number {
  return nextId++;
}

/** GeoJSON (lon/lat) as map features with fresh ids and clean properties. */
export function readCollection(json: unknown): Feature[] {
  let features: Feature[];
  try {
    features = format.readFeatures(json, { dataProjection: 'EPSG:4326', featureProjection: CRS }) as Feature[];
  } catch {
    return [];
  }
  const out: Feature[] = [];
  for (const feature of features.slice(0, MAX_FEATURES)) {
    const geometry = feature.getGeometry();
    if (!geometry) continue;
    const clean = new Feature<Geometry>(geometry);
    setProps(clean, cleanProps(feature.getProperties()));
    clean.setId(newFeatureId());
    out.push(clean);
  }
  return out;
}

/**
 * Features as a GeoJSON FeatureCollection object (lon/lat to 7 decimals,
 * about a centimetre), with their simplestyle properties only.
 */
export function collectionObject(features: Feature[]): object {
  const plain = sorted(features).map((f) => {
    const copy = new Feature<Geometry>(f.getGeometry()?.clone());
    const props = propsOf(f);
    copy.setProperties(props as Record<string, unknown>);
    return copy;
  });
  return format.writeFeaturesObject(plain, {
    dataProjection: 'EPSG:4326',
    featureProjection: CRS,
    decimals: 7,
  });
}

/** Features as a GeoJSON FeatureCollection (lon/lat), as the API takes it. */
export function writeCollection(features: Feature[]): string {
  return JSON.stringify(collectionObject(features));
}

/** Features in the order they were made (their ids). */
export function sorted(features: Feature[]): Feature[] {
  return [...features].sort((a, b) => Number(a.getId() ?? 0) - Number(b.getId() ?? 0));
}

/** The extent of all features, or null when there is nothing. */
export function extentOf(features: Feature[]): Extent | null {
  const extent = createEmpty();
  for (const f of features) {
    const g = f.getGeometry();
    if (g) extend(extent, g.getExtent());
  }
  return isEmpty(extent) ? null : extent;
}

/** A deep copy of features (with their ids), for undo and redo. */
export type Snapshot = readonly Feature[];

export function snapshot(features: Feature[]): Snapshot {
  return sorted(features).map(cloneFeature);
}

export function cloneFeature(feature: Feature): Feature {
  const copy = new Feature<Geometry>(feature.getGeometry()?.clone());
  setProps(copy, propsOf(feature));
  copy.setId(feature.getId());
  return copy;
}
