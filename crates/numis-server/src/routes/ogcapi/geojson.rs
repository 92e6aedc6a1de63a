//! Geometries as GeoJSON members (RFC 7946, 3.1), in the axis order and
//! with the rounding of the output CRS ([`OgcCrs`]).

use geo::{Coord, Geometry, LineString, Polygon};
use serde_json::{Value, json};

use super::crs::OgcCrs;

/// `geometry` in `crs` (the engine's coordinates, x first) as a GeoJSON
/// geometry object.
pub fn geometry(geometry: &Geometry<f64>, crs: OgcCrs) -> Value {
    let writer = Writer::new(crs);
    writer.geometry(geometry)
}

struct Writer {
    crs: OgcCrs,
    scale: f64,
}

impl Writer {
    fn new(crs: OgcCrs) -> Self {
        Self {
            crs,
            scale: 10f64.powi(crs.decimals()),
        }
    }

    fn geometry(&self, geometry: &Geometry<f64>) -> Value {
        match geometry {
            Geometry::Point(p) => json!({ "type": "Point", "coordinates": self.position(p.0) }),
            Geometry::MultiPoint(points) => json!({
                "type": "MultiPoint",
                "coordinates": points.iter().map(|p| self.position(p.0)).collect::<Vec<_>>(),
            }),
            Geometry::Line(line) => json!({
                "type": "LineString",
                "coordinates": [self.position(line.start), self.position(line.end)],
            }),
            Geometry::LineString(line) => {
                json!({ "type": "LineString", "coordinates": self.line(line) })
            }
            Geometry::MultiLineString(lines) => json!({
                "type": "MultiLineString",
                "coordinates": lines.iter().map(|l| self.line(l)).collect::<Vec<_>>(),
            }),
            Geometry::Polygon(polygon) => {
                json!({ "type": "Polygon", "coordinates": self.polygon(polygon) })
            }
            Geometry::MultiPolygon(polygons) => json!({
                "type": "MultiPolygon",
                "coordinates": polygons.iter().map(|p| self.polygon(p)).collect::<Vec<_>>(),
            }),
            Geometry::Rect(rect) => {
                json!({ "type": "Polygon", "coordinates": self.polygon(&rect.to_polygon()) })
            }
            Geometry::Triangle(triangle) => {
                json!({ "type": "Polygon", "coordinates": self.polygon(&triangle.to_polygon()) })
            }
            Geometry::GeometryCollection(collection) => json!({
                "type": "GeometryCollection",
                "geometries": collection.iter().map(|g| self.geometry(g)).collect::<Vec<_>>(),
            }),
        }
    }

    fn position(&self, c: Coord<f64>) -> Value {
        let (a, b) = self.crs.ordered(c.x, c.y);
        json!([self.round(a), self.round(b)])
    }

    fn round(&self, v: f64) -> f64 {
        (v * self.scale).round() / self.scale
    }

    fn line(&self, line: &LineString<f64>) -> Vec<Value> {
        line.0.iter().map(|c| self.position(*c)).collect()
    }

    fn polygon(&self, polygon: &Polygon<f64>) -> Vec<Vec<Value>> {
        std::iter::once(polygon.exterior())
            .chain(polygon.interiors())
            .map(|ring| self.line(ring))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degrees_keep_seven_decimals_metres_two_and_epsg_4326_is_latitude_first() {
        let point = Geometry::Point(geo::point! { x: 9.738_612_345_6, y: 52.374_512_345_6 });
        assert_eq!(
            geometry(&point, OgcCrs::Crs84),
            json!({ "type": "Point", "coordinates": [9.7386123, 52.3745123] })
        );
        assert_eq!(
            geometry(&point, OgcCrs::Wgs84),
            json!({ "type": "Point", "coordinates": [52.3745123, 9.7386123] })
        );
        let utm = Geometry::Point(geo::point! { x: 550_280.727_49, y: 5_802_949.186_1 });
        assert_eq!(
            geometry(&utm, OgcCrs::Utm32),
            json!({ "type": "Point", "coordinates": [550_280.73, 5_802_949.19] })
        );
    }

    #[test]
    fn polygons_keep_their_holes() {
        let polygon = Geometry::Polygon(Polygon::new(
            LineString::from(vec![(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 0.0)]),
            vec![LineString::from(vec![
                (1.0, 1.0),
                (2.0, 1.0),
                (2.0, 2.0),
                (1.0, 1.0),
            ])],
        ));
        let value = geometry(&polygon, OgcCrs::Utm32);
        assert_eq!(value["type"], "Polygon");
        assert_eq!(value["coordinates"].as_array().map(Vec::len), Some(2));
    }
}
