// EPSG:25832 (ETRS89 / UTM zone 32N) registered with proj4 for OpenLayers.

import proj4 from 'proj4';
import { register } from 'ol/proj/proj4';
import { get as getProjection, transform } from 'ol/proj';
import type Projection from 'ol/proj/Projection';

export const CRS = 'EPSG:25832';
/** Metres per pixel at scale 1:1 (the OGC standard pixel of 0.28 mm). */
export const PIXEL_SIZE = 0.00028;
export const TILE_ORIGIN: [number, number] = [-46133.17, 6301219.54];
export const TILE_SIZE = 512;

let registered: Projection | null = null;

export function utm32(): Projection {
  if (registered) return registered;
  proj4.defs(CRS, '+proj=utm +zone=32 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs');
  register(proj4);
  const projection = getProjection(CRS);
  if (!projection) throw new Error(`${CRS} could not be registered`);
  // The zone's validity area with a margin, so tile ranges stay finite.
  projection.setExtent([-1500000, 3500000, 2500000, 9500000]);
  registered = projection;
  return projection;
}

export function toLonLat(coord: [number, number]): [number, number] {
  const [lon, lat] = transform(coord, CRS, 'EPSG:4326');
  return [lon, lat];
}

export function fromLonLat(lonLat: [number, number]): [number, number] {
  const [x, y] = transform(lonLat, 'EPSG:4326', CRS);
  return [x, y];
}

export function scaleToResolution(scale: number): number {
  return scale * PIXEL_SIZE;
}

export function resolutionToScale(resolution: number): number {
  return Math.round(resolution / PIXEL_SIZE);
}
