//! GeoJSON (RFC 7946): reading Features, FeatureCollections and bare
//! geometries; writing a FeatureCollection with `name`, `description` and
//! simplestyle-spec properties (`stroke`, `stroke-opacity`, `stroke-width`,
//! `fill`, `fill-opacity`) plus `icon` and `label-scale`.
//!
//! Features with a null or empty geometry are skipped. Invalid JSON is
//! refused with its line and column; extra position values (altitude) are
//! dropped.

use geo::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon,
};
use geojson::{GeoJson, GeometryValue, Position};
use serde_json::{Map, Value, json};

use crate::coords::checked;
use crate::error::{FormatError, Result};
use crate::limits::{Budget, Limits};
use crate::model::{Drawing, Feature, Rgba, Style};
use crate::text::{plain_name, safe_icon_href, sanitize_description};

/// Reads a GeoJSON document.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Drawing> {
    limits.check_bytes(bytes.len())?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let document: GeoJson = serde_json::from_slice(bytes).map_err(|err| {
        let message = err.to_string();
        // serde_json appends " at line L column C"; we say it up front.
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned();
        match err.classify() {
            serde_json::error::Category::Data => FormatError::GeoJson(format!(
                "{message} (line {}, column {})",
                err.line(),
                err.column()
            )),
            _ => FormatError::Json {
                line: err.line(),
                column: err.column(),
                message,
            },
        }
    })?;
    let mut budget = Budget::new(limits);
    let mut features = Vec::new();
    let mut add = |geometry: Option<geojson::Geometry>,
                   properties: Option<Map<String, Value>>,
                   budget: &mut Budget|
     -> Result<()> {
        let Some(geometry) = geometry
            .map(|g| convert(&g.value, budget, 0))
            .transpose()?
            .flatten()
        else {
            return Ok(());
        };
        budget.add_feature()?;
        let properties = properties.unwrap_or_default();
        features.push(Feature {
            geometry,
            name: properties
                .get("name")
                .and_then(text_of)
                .and_then(|t| plain_name(&t)),
            description: properties
                .get("description")
                .and_then(text_of)
                .and_then(|t| sanitize_description(&t)),
            style: style_of(&properties),
        });
        Ok(())
    };
    match document {
        GeoJson::Geometry(g) => add(Some(g), None, &mut budget)?,
        GeoJson::Feature(f) => add(f.geometry, f.properties, &mut budget)?,
        GeoJson::FeatureCollection(c) => {
            for f in c.features {
                add(f.geometry, f.properties, &mut budget)?;
            }
        }
    }
    Ok(Drawing { features })
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn style_of(p: &Map<String, Value>) -> Style {
    let number = |key: &str| p.get(key).and_then(Value::as_f64).filter(|v| v.is_finite());
    let color = |key: &str, opacity: &str| {
        p.get(key)
            .and_then(Value::as_str)
            .and_then(|c| Rgba::from_css(c, number(opacity)))
    };
    Style {
        stroke_color: color("stroke", "stroke-opacity"),
        stroke_width: number("stroke-width").filter(|w| *w >= 0.0),
        fill_color: color("fill", "fill-opacity"),
        icon: p
            .get("icon")
            .and_then(Value::as_str)
            .and_then(safe_icon_href),
        label_scale: number("label-scale").filter(|s| *s >= 0.0),
    }
}

/// Nesting beyond this is refused (serde_json stops at 128 levels anyway).
const MAX_COLLECTION_DEPTH: usize = 16;

fn position(p: &Position, budget: &mut Budget) -> Result<Coord<f64>> {
    let values = p.as_slice();
    if values.len() < 2 {
        return Err(FormatError::GeoJson(format!(
            "a position needs two numbers, found {}",
            values.len()
        )));
    }
    checked(values[0], values[1], budget, String::new)
}

fn line(positions: &[Position], budget: &mut Budget) -> Result<LineString<f64>> {
    positions
        .iter()
        .map(|p| position(p, budget))
        .collect::<Result<Vec<_>>>()
        .map(LineString)
}

/// `None` for a polygon without rings; empty holes are dropped.
fn polygon(rings: &[Vec<Position>], budget: &mut Budget) -> Result<Option<Polygon<f64>>> {
    let mut rings = rings
        .iter()
        .map(|r| line(r, budget))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter(|r| !r.0.is_empty());
    Ok(rings
        .next()
        .map(|outer| Polygon::new(outer, rings.collect())))
}

/// The geometry, or `None` if it has no positions.
fn convert(
    value: &GeometryValue,
    budget: &mut Budget,
    depth: usize,
) -> Result<Option<Geometry<f64>>> {
    let geometry: Geometry<f64> = match value {
        GeometryValue::Point { coordinates } if coordinates.is_empty() => return Ok(None),
        GeometryValue::Point { coordinates } => Point(position(coordinates, budget)?).into(),
        GeometryValue::MultiPoint { coordinates } => MultiPoint(
            coordinates
                .iter()
                .map(|p| position(p, budget).map(Point))
                .collect::<Result<Vec<_>>>()?,
        )
        .into(),
        GeometryValue::LineString { coordinates } => line(coordinates, budget)?.into(),
        GeometryValue::MultiLineString { coordinates } => {
            let lines = coordinates
                .iter()
                .map(|l| line(l, budget))
                .collect::<Result<Vec<_>>>()?;
            MultiLineString(lines.into_iter().filter(|l| !l.0.is_empty()).collect()).into()
        }
        GeometryValue::Polygon { coordinates } => match polygon(coordinates, budget)? {
            Some(p) => p.into(),
            None => return Ok(None),
        },
        GeometryValue::MultiPolygon { coordinates } => {
            let polygons = coordinates
                .iter()
                .map(|p| polygon(p, budget))
                .collect::<Result<Vec<_>>>()?;
            MultiPolygon(polygons.into_iter().flatten().collect()).into()
        }
        GeometryValue::GeometryCollection { geometries } => {
            if depth >= MAX_COLLECTION_DEPTH {
                return Err(FormatError::GeoJson(
                    "geometry collections nested too deeply".to_owned(),
                ));
            }
            let parts = geometries
                .iter()
                .map(|g| convert(&g.value, budget, depth + 1))
                .collect::<Result<Vec<_>>>()?;
            Geometry::GeometryCollection(GeometryCollection(parts.into_iter().flatten().collect()))
        }
    };
    Ok((!is_empty(&geometry)).then_some(geometry))
}

fn is_empty(geometry: &Geometry<f64>) -> bool {
    match geometry {
        Geometry::LineString(l) => l.0.is_empty(),
        Geometry::MultiPoint(m) => m.0.is_empty(),
        Geometry::MultiLineString(m) => m.0.is_empty(),
        Geometry::MultiPolygon(m) => m.0.is_empty(),
        Geometry::GeometryCollection(c) => c.0.is_empty(),
        _ => false,
    }
}

/// Writes `drawing` as a GeoJSON FeatureCollection.
pub fn write(drawing: &Drawing) -> String {
    let features: Vec<Value> = drawing
        .features
        .iter()
        .map(|f| json!({ "type": "Feature", "properties": properties(f), "geometry": geometry_json(&f.geometry) }))
        .collect();
    json!({ "type": "FeatureCollection", "features": features }).to_string()
}

fn properties(feature: &Feature) -> Value {
    let mut p = Map::new();
    if let Some(name) = &feature.name {
        p.insert("name".into(), name.clone().into());
    }
    if let Some(description) = &feature.description {
        p.insert("description".into(), description.clone().into());
    }
    let style = &feature.style;
    if let Some(c) = style.stroke_color {
        p.insert("stroke".into(), c.to_css().into());
        p.insert("stroke-opacity".into(), c.opacity().into());
    }
    if let Some(w) = style.stroke_width {
        p.insert("stroke-width".into(), w.into());
    }
    if let Some(c) = style.fill_color {
        p.insert("fill".into(), c.to_css().into());
        p.insert("fill-opacity".into(), c.opacity().into());
    }
    if let Some(icon) = &style.icon {
        p.insert("icon".into(), icon.clone().into());
    }
    if let Some(s) = style.label_scale {
        p.insert("label-scale".into(), s.into());
    }
    Value::Object(p)
}

fn coords_json(line: &LineString<f64>) -> Value {
    line.0.iter().map(|c| json!([c.x, c.y])).collect()
}

fn polygon_json(p: &Polygon<f64>) -> Value {
    std::iter::once(p.exterior())
        .chain(p.interiors())
        .map(coords_json)
        .collect()
}

fn geometry_json(geometry: &Geometry<f64>) -> Value {
    match geometry {
        Geometry::Point(p) => json!({ "type": "Point", "coordinates": [p.x(), p.y()] }),
        Geometry::Line(l) => {
            json!({ "type": "LineString", "coordinates": [[l.start.x, l.start.y], [l.end.x, l.end.y]] })
        }
        Geometry::LineString(l) => json!({ "type": "LineString", "coordinates": coords_json(l) }),
        Geometry::Polygon(p) => json!({ "type": "Polygon", "coordinates": polygon_json(p) }),
        Geometry::Rect(r) => {
            json!({ "type": "Polygon", "coordinates": polygon_json(&r.to_polygon()) })
        }
        Geometry::Triangle(t) => {
            json!({ "type": "Polygon", "coordinates": polygon_json(&t.to_polygon()) })
        }
        Geometry::MultiPoint(m) => {
            json!({ "type": "MultiPoint", "coordinates": m.0.iter().map(|p| json!([p.x(), p.y()])).collect::<Vec<_>>() })
        }
        Geometry::MultiLineString(m) => {
            json!({ "type": "MultiLineString", "coordinates": m.0.iter().map(coords_json).collect::<Vec<_>>() })
        }
        Geometry::MultiPolygon(m) => {
            json!({ "type": "MultiPolygon", "coordinates": m.0.iter().map(polygon_json).collect::<Vec<_>>() })
        }
        Geometry::GeometryCollection(c) => {
            json!({ "type": "GeometryCollection", "geometries": c.0.iter().map(geometry_json).collect::<Vec<_>>() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, point, polygon};

    #[test]
    fn invalid_json_is_refused_with_its_position() {
        let err = read(
            b"{\"type\": \"Point\"\n \"coordinates\": [1, 2]}",
            &Limits::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid JSON at line 2, column 2: expected"),
            "{err}"
        );
        let err = read(
            br#"{"type": "feature", "geometry": null}"#,
            &Limits::default(),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("invalid GeoJSON"), "{err}");
    }

    #[test]
    fn out_of_range_and_empty_geometries() {
        let err = read(
            br#"{"type": "Point", "coordinates": [200, 10]}"#,
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "coordinate (200, 10) is out of range (longitude -180..180, latitude -90..90)"
        );
        let d = read(br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":null,"geometry":{"type":"LineString","coordinates":[]}},{"type":"Feature","properties":{},"geometry":null}]}"#, &Limits::default()).unwrap();
        assert!(d.features.is_empty());
        let err = read(
            br#"{"type": "Point", "coordinates": []}"#,
            &Limits::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("position must contain two or more"),
            "{err}"
        );
    }

    #[test]
    fn geojson_round_trip_keeps_geometry_name_and_style() {
        let style = Style {
            stroke_color: Some(Rgba {
                r: 255,
                g: 0,
                b: 0,
                a: 51,
            }),
            stroke_width: Some(2.5),
            fill_color: Some(Rgba {
                r: 0,
                g: 16,
                b: 255,
                a: 255,
            }),
            icon: Some("icons/a.png".into()),
            label_scale: Some(1.25),
        };
        let drawing = Drawing {
            features: vec![
                Feature {
                    name: Some("A".into()),
                    description: Some("<p>d</p>".into()),
                    style,
                    ..Feature::new(polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)])
                },
                Feature::new(point!(x: -179.5, y: 89.9)),
                Feature::new(Geometry::GeometryCollection(GeometryCollection(vec![
                    line_string![(x: 0.000005, y: 0.), (x: 1., y: 1.)].into(),
                ]))),
            ],
        };
        assert_eq!(
            read(write(&drawing).as_bytes(), &Limits::default()).unwrap(),
            drawing
        );
    }
}
