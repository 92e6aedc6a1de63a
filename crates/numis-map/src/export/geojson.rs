//! GeoJSON (RFC 7946): longitude/latitude (CRS84), polygons wound by the
//! right-hand rule (exteriors counter-clockwise), coordinates to seven
//! decimals (about a centimetre, RFC 7946 section 11.2 advises no more).

use std::fmt::Write as _;

use geo::orient::{Direction, Orient};
use geo::{Coord, Geometry, LineString, Polygon};

use super::{ExportError, geometry_of};
use crate::crs::Crs;
use crate::view::VisibleLayer;

/// Writes `layer` as one FeatureCollection named after the layer's id
/// (the `name` member GDAL reads as the layer name).
pub fn write(layer: &VisibleLayer<'_>) -> Result<Vec<u8>, ExportError> {
    let mut out = String::with_capacity(1024 + layer.feature_count() * 256);
    out.push_str("{\"type\":\"FeatureCollection\",\"name\":");
    out.push_str(&json_string(layer.id()));
    out.push_str(",\"features\":[");
    for (n, feature) in layer.data_features().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str("\n{\"type\":\"Feature\",\"id\":");
        out.push_str(&json_string(&feature.id));
        out.push_str(",\"geometry\":");
        write_geometry(&mut out, &geometry_of(layer, Crs::Crs84, feature.index)?);
        out.push_str(",\"properties\":{");
        for (i, (name, value)) in feature.properties().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&json_string(name));
            out.push(':');
            out.push_str(&value.to_string());
        }
        out.push_str("}}");
    }
    out.push_str("\n]}\n");
    Ok(out.into_bytes())
}

fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

fn write_geometry(out: &mut String, geometry: &Geometry<f64>) {
    match geometry {
        Geometry::Point(p) => {
            out.push_str("{\"type\":\"Point\",\"coordinates\":");
            write_coord(out, p.0);
            out.push('}');
        }
        Geometry::Line(l) => {
            write_geometry(out, &Geometry::LineString(LineString(vec![l.start, l.end])));
        }
        Geometry::LineString(l) => {
            out.push_str("{\"type\":\"LineString\",\"coordinates\":");
            write_line(out, l);
            out.push('}');
        }
        Geometry::Polygon(p) => {
            out.push_str("{\"type\":\"Polygon\",\"coordinates\":");
            write_polygon(out, p);
            out.push('}');
        }
        Geometry::Rect(r) => write_geometry(out, &Geometry::Polygon(r.to_polygon())),
        Geometry::Triangle(t) => write_geometry(out, &Geometry::Polygon(t.to_polygon())),
        Geometry::MultiPoint(m) => {
            out.push_str("{\"type\":\"MultiPoint\",\"coordinates\":[");
            for (i, p) in m.0.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_coord(out, p.0);
            }
            out.push_str("]}");
        }
        Geometry::MultiLineString(m) => {
            out.push_str("{\"type\":\"MultiLineString\",\"coordinates\":[");
            for (i, l) in m.0.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_line(out, l);
            }
            out.push_str("]}");
        }
        Geometry::MultiPolygon(m) => {
            out.push_str("{\"type\":\"MultiPolygon\",\"coordinates\":[");
            for (i, p) in m.0.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_polygon(out, p);
            }
            out.push_str("]}");
        }
        Geometry::GeometryCollection(c) => {
            out.push_str("{\"type\":\"GeometryCollection\",\"geometries\":[");
            for (i, g) in c.0.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_geometry(out, g);
            }
            out.push_str("]}");
        }
    }
}

/// Seven decimals of a degree: about a centimetre.
fn round7(value: f64) -> f64 {
    (value * 1e7).round() / 1e7
}

fn write_coord(out: &mut String, c: Coord<f64>) {
    let _ = write!(out, "[{},{}]", round7(c.x), round7(c.y));
}

fn write_line(out: &mut String, line: &LineString<f64>) {
    out.push('[');
    for (i, c) in line.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_coord(out, *c);
    }
    out.push(']');
}

/// RFC 7946, 3.1.6: exterior rings counter-clockwise, holes clockwise.
fn write_polygon(out: &mut String, polygon: &Polygon<f64>) {
    let polygon = polygon.orient(Direction::Default);
    out.push('[');
    write_line(out, polygon.exterior());
    for hole in polygon.interiors() {
        out.push(',');
        write_line(out, hole);
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::with_catalog;

    #[test]
    fn the_collection_has_every_feature_without_personal_properties() {
        with_catalog(|layer| {
            let bytes = write(&layer).unwrap();
            let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(value["name"], "orte");
            let features = value["features"].as_array().unwrap();
            assert_eq!(features.len(), 1);
            assert_eq!(features[0]["properties"]["name"], "Hannover");
            assert!(features[0]["properties"].get("owner").is_none());
            assert_eq!(
                features[0]["geometry"]["coordinates"],
                serde_json::json!([9.73, 52.37])
            );
            assert!(!String::from_utf8(bytes).unwrap().contains("Erika"));
        });
    }

    #[test]
    fn polygons_follow_the_right_hand_rule() {
        use geo::polygon;
        let clockwise = polygon![(x: 0., y: 0.), (x: 0., y: 1.), (x: 1., y: 1.), (x: 1., y: 0.)];
        let mut out = String::new();
        write_polygon(&mut out, &clockwise);
        assert!(out.starts_with("[[[0,0],[1,0],[1,1]"), "{out}");
    }
}
