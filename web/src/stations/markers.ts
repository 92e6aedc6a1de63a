// The stations of the panel marked on the map: a ring around each in its
// line's colour and dash pattern, so the chart's lines and the places they
// were measured at are read together.

import Feature from 'ol/Feature';
import Point from 'ol/geom/Point';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import { Circle as CircleStyle, Stroke, Style } from 'ol/style';

import type { MapView } from '../mapview';

/** The lines' colours and dashes, as `.chart-series-N` in style.css draws them. */
const LINES: { colour: string; dash: number[] | undefined }[] = [
  { colour: '#1f5f99', dash: undefined },
  { colour: '#b35806', dash: [7, 3] },
  { colour: '#2d7d46', dash: [2, 2.5] },
  { colour: '#7b3294', dash: [9, 3, 2, 3] },
];

function ringStyle(index: number): Style[] {
  const line = LINES[index % LINES.length];
  // A white halo first, so the ring stands out on any map.
  return [
    new Style({ image: new CircleStyle({ radius: 12, stroke: new Stroke({ color: 'rgba(255,255,255,0.95)', width: 6 }) }) }),
    new Style({ image: new CircleStyle({ radius: 12, stroke: new Stroke({ color: line.colour, width: 3, lineDash: line.dash }) }) }),
  ];
}

export class StationMarkers {
  private readonly source = new VectorSource();

  constructor(mapView: MapView) {
    mapView.map.addLayer(new VectorLayer({
      source: this.source,
      // Below feature info's click ring, above every map layer.
      zIndex: 9998,
      style: (feature) => ringStyle(Number(feature.get('line'))),
    }));
  }

  /** Marks these positions, each with its line's look (the index in the selection). */
  show(stations: { at: [number, number] | null; line: number }[]): void {
    this.source.clear();
    for (const station of stations) {
      if (station.at) this.source.addFeature(new Feature({ geometry: new Point(station.at), line: station.line }));
    }
  }
}
