//! The small read-only map of a drawing on its console page, drawn by the
//! server without script: an inline SVG whose coordinates are those of
//! the viewer's map CRS (EPSG:25832, northing negated because SVG's y axis
//! points down), with the portal's own base map as its background (an
//! `<image>` of a WMS GetMap for the same box) and every feature of the
//! drawing as one `<path>` on top, its name as `<text>`.
//!
//! The drawing's features are stored as GeoJSON in longitude/latitude
//! (EPSG:4326); they are projected with [`numis_map::Crs`]. Colours and
//! line widths come from `numis.css` (classes `moderation-…`): the page's
//! policy allows no inline style.

use numis_cms::escape_html;
use numis_map::Crs;
use serde_json::Value;

/// The CRS of the viewer's map, and so of the base map and the SVG.
pub const MAP_CRS: Crs = Crs::Utm32;
/// Width of the map image in pixels.
const WIDTH_PX: f64 = 640.0;
/// The height of the map image stays within these, in pixels.
const MIN_HEIGHT_PX: f64 = 280.0;
const MAX_HEIGHT_PX: f64 = 480.0;
/// Space around the drawing, as a share of its size on each side.
const PADDING: f64 = 0.15;
/// The smallest span shown, in metres (a single point gets a street map).
const MIN_SPAN_M: f64 = 400.0;
/// Radius of a point, in pixels.
const POINT_RADIUS_PX: f64 = 5.0;
/// Size of a label, in pixels.
const LABEL_SIZE_PX: f64 = 13.0;
/// Vertices closer than this to the previous one are left out (huge
/// tracks would make a huge page), in pixels.
const MIN_STEP_PX: f64 = 0.5;

/// What a feature is drawn as (its CSS class).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Point,
    Line,
    Polygon,
    Mixed,
}

impl Kind {
    fn class(self) -> &'static str {
        match self {
            Self::Point => "moderation-point",
            Self::Line => "moderation-line",
            Self::Polygon => "moderation-polygon",
            Self::Mixed => "moderation-mixed",
        }
    }

    fn of(kinds: impl IntoIterator<Item = Kind>) -> Option<Kind> {
        kinds
            .into_iter()
            .reduce(|a, b| if a == b { a } else { Kind::Mixed })
    }
}

/// One part of a geometry, projected: a point, a line, or a ring.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    Point(f64, f64),
    Line(Vec<(f64, f64)>),
    Ring(Vec<(f64, f64)>),
}

/// One feature of the drawing, projected.
#[derive(Debug, Clone, PartialEq)]
struct Shape {
    kind: Kind,
    parts: Vec<Part>,
    label: Option<String>,
}

/// A box in map coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    /// West.
    pub min_x: f64,
    /// South.
    pub min_y: f64,
    /// East.
    pub max_x: f64,
    /// North.
    pub max_y: f64,
}

impl Extent {
    fn width(&self) -> f64 {
        self.max_x - self.min_x
    }

    fn height(&self) -> f64 {
        self.max_y - self.min_y
    }
}

/// The map of a drawing, ready for the page.
#[derive(Debug, Clone, PartialEq)]
pub struct MiniMap {
    /// The SVG element.
    pub svg: String,
    /// How many features it draws (one `<path>` each).
    pub features: usize,
    /// The GetMap address of its background, if it has one.
    pub background: Option<String>,
}

/// The map of the drawing whose stored GeoJSON is `features`, over the
/// base map `base_layer` of our WMS (`None`: no background); `label` names
/// it for screen readers. `None` when the drawing has nothing to draw.
pub fn mini_map(features: &str, base_layer: Option<&str>, label: &str) -> Option<MiniMap> {
    let collection: Value = serde_json::from_str(features).ok()?;
    let shapes: Vec<Shape> = collection
        .get("features")
        .and_then(Value::as_array)?
        .iter()
        .filter_map(shape)
        .collect();
    let data = bounds(&shapes)?;
    let (extent, width, height) = framed(data);
    let background = base_layer.map(|layer| get_map_url(layer, extent, width, height));
    let svg = svg(&shapes, extent, background.as_deref(), label);
    Some(MiniMap {
        svg,
        features: shapes.len(),
        background,
    })
}

/// A GeoJSON feature, projected; `None` without a drawable geometry.
fn shape(feature: &Value) -> Option<Shape> {
    let mut parts = Vec::new();
    let mut kinds = Vec::new();
    geometry(feature.get("geometry")?, &mut parts, &mut kinds);
    if parts.is_empty() {
        return None;
    }
    let label = feature
        .get("properties")
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    Some(Shape {
        kind: Kind::of(kinds)?,
        parts,
        label,
    })
}

/// Collects the parts of a GeoJSON geometry (any type, collections too).
fn geometry(geometry: &Value, parts: &mut Vec<Part>, kinds: &mut Vec<Kind>) {
    let coordinates = geometry.get("coordinates");
    let before = parts.len();
    let kind = match geometry.get("type").and_then(Value::as_str) {
        Some("Point") => {
            parts.extend(
                coordinates
                    .and_then(position)
                    .map(|(x, y)| Part::Point(x, y)),
            );
            Kind::Point
        }
        Some("MultiPoint") => {
            parts.extend(
                list(coordinates)
                    .filter_map(position)
                    .map(|(x, y)| Part::Point(x, y)),
            );
            Kind::Point
        }
        Some("LineString") => {
            parts.extend(coordinates.and_then(|c| path(c, 2)).map(Part::Line));
            Kind::Line
        }
        Some("MultiLineString") => {
            parts.extend(list(coordinates).filter_map(|c| path(c, 2)).map(Part::Line));
            Kind::Line
        }
        Some("Polygon") => {
            parts.extend(list(coordinates).filter_map(|c| path(c, 3)).map(Part::Ring));
            Kind::Polygon
        }
        Some("MultiPolygon") => {
            parts.extend(
                list(coordinates)
                    .flat_map(|p| list(Some(p)))
                    .filter_map(|c| path(c, 3))
                    .map(Part::Ring),
            );
            Kind::Polygon
        }
        Some("GeometryCollection") => {
            for member in list(geometry.get("geometries")) {
                self::geometry(member, parts, kinds);
            }
            return;
        }
        _ => return,
    };
    if parts.len() > before {
        kinds.push(kind);
    }
}

fn list(value: Option<&Value>) -> impl Iterator<Item = &Value> {
    value.and_then(Value::as_array).into_iter().flatten()
}

/// A position `[lon, lat]`, projected; `None` if it cannot be.
fn position(value: &Value) -> Option<(f64, f64)> {
    let lon = value.get(0).and_then(Value::as_f64)?;
    let lat = value.get(1).and_then(Value::as_f64)?;
    let (x, y) = Crs::Crs84.transform(MAP_CRS, lon, lat).ok()?;
    (x.is_finite() && y.is_finite()).then_some((x, y))
}

/// A list of positions with at least `min` of them, projected.
fn path(value: &Value, min: usize) -> Option<Vec<(f64, f64)>> {
    let points: Vec<(f64, f64)> = list(Some(value)).filter_map(position).collect();
    (points.len() >= min).then_some(points)
}

/// The box around every part of every shape.
fn bounds(shapes: &[Shape]) -> Option<Extent> {
    let mut points = shapes
        .iter()
        .flat_map(|s| &s.parts)
        .flat_map(|part| match part {
            Part::Point(x, y) => vec![(*x, *y)],
            Part::Line(points) | Part::Ring(points) => points.clone(),
        });
    let (x, y) = points.next()?;
    let start = Extent {
        min_x: x,
        min_y: y,
        max_x: x,
        max_y: y,
    };
    Some(points.fold(start, |e, (x, y)| Extent {
        min_x: e.min_x.min(x),
        min_y: e.min_y.min(y),
        max_x: e.max_x.max(x),
        max_y: e.max_y.max(y),
    }))
}

/// The box the map shows around `data` (padded, at least
/// [`MIN_SPAN_M`] wide and high) with the image's size in pixels; the
/// box has exactly the image's proportions, so that the base map is not
/// distorted.
fn framed(data: Extent) -> (Extent, u32, u32) {
    let span_x = (data.width() * (1.0 + 2.0 * PADDING)).max(MIN_SPAN_M);
    let span_y = (data.height() * (1.0 + 2.0 * PADDING)).max(MIN_SPAN_M);
    let height_px = (WIDTH_PX * span_y / span_x)
        .clamp(MIN_HEIGHT_PX, MAX_HEIGHT_PX)
        .round();
    // Widen whichever side is short of the image's proportions.
    let ratio = WIDTH_PX / height_px;
    let (span_x, span_y) = if span_x / span_y < ratio {
        (span_y * ratio, span_y)
    } else {
        (span_x, span_x / ratio)
    };
    let centre_x = (data.min_x + data.max_x) / 2.0;
    let centre_y = (data.min_y + data.max_y) / 2.0;
    let extent = Extent {
        min_x: centre_x - span_x / 2.0,
        min_y: centre_y - span_y / 2.0,
        max_x: centre_x + span_x / 2.0,
        max_y: centre_y + span_y / 2.0,
    };
    // Both are whole numbers between the limits above.
    (extent, WIDTH_PX as u32, height_px as u32)
}

/// The GetMap request of our WMS for `layer` in `extent`, as the viewer
/// asks for its base map (WMS 1.3.0; EPSG:25832 has easting first).
pub fn get_map_url(layer: &str, extent: Extent, width: u32, height: u32) -> String {
    let layer = query_value(layer);
    format!(
        "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=&CRS={crs}\
         &BBOX={:.1},{:.1},{:.1},{:.1}&WIDTH={width}&HEIGHT={height}&FORMAT=image%2Fpng",
        extent.min_x,
        extent.min_y,
        extent.max_x,
        extent.max_y,
        crs = MAP_CRS.code(),
    )
}

/// `text` as a query value: everything but unreserved characters
/// percent-encoded (layer ids are plain, but they come from a file).
fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A coordinate pair of the SVG: easting, negated northing.
fn at(x: f64, y: f64) -> String {
    format!("{x:.1} {:.1}", -y)
}

/// The path data of a list of points, leaving out steps shorter than
/// `min_step`.
fn polyline(points: &[(f64, f64)], min_step: f64, close: bool) -> String {
    let mut d = String::new();
    let mut last: Option<(f64, f64)> = None;
    for (i, &(x, y)) in points.iter().enumerate() {
        let is_last = i + 1 == points.len();
        if let Some((lx, ly)) = last {
            if !is_last && (x - lx).abs() < min_step && (y - ly).abs() < min_step {
                continue;
            }
            d.push_str(" L");
        } else {
            d.push('M');
        }
        d.push_str(&at(x, y));
        last = Some((x, y));
    }
    if close {
        d.push_str(" Z");
    }
    d
}

/// The path data of a shape; points are circles of `radius`.
fn path_data(shape: &Shape, radius: f64, min_step: f64) -> String {
    let parts: Vec<String> = shape
        .parts
        .iter()
        .map(|part| match part {
            Part::Point(x, y) => format!(
                "M{} m{r:.1} 0 a{r:.1} {r:.1} 0 1 0 {d:.1} 0 a{r:.1} {r:.1} 0 1 0 {:.1} 0",
                at(*x, *y),
                2.0 * radius,
                r = radius,
                d = -2.0 * radius,
            ),
            Part::Line(points) => polyline(points, min_step, false),
            Part::Ring(points) => polyline(points, min_step, true),
        })
        .collect();
    parts.join(" ")
}

/// Where a shape's label goes: a point's own place, else the middle of
/// its first part's box.
fn label_anchor(shape: &Shape) -> Option<(f64, f64)> {
    match shape.parts.first()? {
        Part::Point(x, y) => Some((*x, *y)),
        Part::Line(points) | Part::Ring(points) => {
            let single = Shape {
                kind: shape.kind,
                parts: vec![Part::Line(points.clone())],
                label: None,
            };
            let e = bounds(std::slice::from_ref(&single))?;
            Some(((e.min_x + e.max_x) / 2.0, (e.min_y + e.max_y) / 2.0))
        }
    }
}

fn svg(shapes: &[Shape], extent: Extent, background: Option<&str>, label: &str) -> String {
    let pixel = extent.width() / WIDTH_PX;
    let box_ = format!(
        "{:.1} {:.1} {:.1} {:.1}",
        extent.min_x,
        -extent.max_y,
        extent.width(),
        extent.height()
    );
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"moderation-map-svg\" viewBox=\"{box_}\" \
         role=\"img\" aria-labelledby=\"moderation-map-title\">\
         <title id=\"moderation-map-title\">{}</title>",
        escape_html(label)
    );
    if let Some(href) = background {
        svg.push_str(&format!(
            "<image href=\"{}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" \
             preserveAspectRatio=\"none\"/>",
            escape_html(href),
            extent.min_x,
            -extent.max_y,
            extent.width(),
            extent.height()
        ));
    }
    svg.push_str("<g class=\"moderation-features\">");
    for shape in shapes {
        svg.push_str(&format!(
            "<path class=\"moderation-feature {}\" d=\"{}\"/>",
            shape.kind.class(),
            path_data(shape, POINT_RADIUS_PX * pixel, MIN_STEP_PX * pixel)
        ));
    }
    svg.push_str("</g>");
    let labels: Vec<String> = shapes
        .iter()
        .filter_map(|shape| {
            let text = shape.label.as_deref()?;
            let (x, y) = label_anchor(shape)?;
            let dy = if shape.kind == Kind::Point {
                -(POINT_RADIUS_PX + 4.0) * pixel
            } else {
                0.0
            };
            Some(format!(
                "<text class=\"moderation-label\" x=\"{x:.1}\" y=\"{:.1}\" font-size=\"{:.1}\" \
                 text-anchor=\"middle\">{}</text>",
                -y + dy,
                LABEL_SIZE_PX * pixel,
                escape_html(text)
            ))
        })
        .collect();
    if !labels.is_empty() {
        svg.push_str("<g class=\"moderation-labels\">");
        svg.push_str(&labels.concat());
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIXED: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"name":"Start <b>&</b>"},"geometry":{"type":"Point","coordinates":[9.73,52.37]}},
      {"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[9.735,52.366],[9.741,52.359]]}},
      {"type":"Feature","properties":{"name":"Feld"},"geometry":{"type":"Polygon","coordinates":[[[9.70,52.36],[9.72,52.36],[9.72,52.38],[9.70,52.36]]]}},
      {"type":"Feature","properties":{},"geometry":null}]}"#;

    #[test]
    fn every_drawable_feature_is_one_path_over_the_base_map() {
        let map = mini_map(MIXED, Some("grundkarte"), "Karte der Zeichnung").unwrap();
        assert_eq!(map.features, 3, "the feature without geometry is left out");
        assert_eq!(map.svg.matches("<path ").count(), 3);
        assert!(map.svg.contains("moderation-point"));
        assert!(map.svg.contains("moderation-line"));
        assert!(map.svg.contains("moderation-polygon"));
        assert!(map.svg.contains("role=\"img\""));
        assert!(
            map.svg
                .contains("<title id=\"moderation-map-title\">Karte der Zeichnung</title>")
        );
        assert!(
            map.svg.contains("Start &lt;b&gt;&amp;&lt;/b&gt;"),
            "labels are text"
        );
        assert!(!map.svg.contains("<b>"));
        let href = map.background.unwrap();
        assert!(
            href.starts_with("/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=grundkarte")
        );
        assert!(href.contains("&CRS=EPSG:25832&BBOX="));
        assert!(
            map.svg.contains(&href.replace('&', "&amp;")),
            "escaped in the attribute"
        );
    }

    #[test]
    fn the_box_holds_the_drawing_in_the_image_proportions() {
        let map = mini_map(MIXED, Some("grundkarte"), "x").unwrap();
        let href = map.background.unwrap();
        let query: std::collections::HashMap<&str, &str> = href
            .split_once('?')
            .unwrap()
            .1
            .split('&')
            .map(|pair| pair.split_once('=').unwrap())
            .collect();
        let b: Vec<f64> = query["BBOX"]
            .split(',')
            .map(|v| v.parse().unwrap())
            .collect();
        let width: f64 = query["WIDTH"].parse().unwrap();
        let height: f64 = query["HEIGHT"].parse().unwrap();
        let ratio = (b[2] - b[0]) / (b[3] - b[1]);
        assert!(
            (ratio - width / height).abs() < 0.01,
            "{ratio} vs {width}/{height}"
        );
        // Every vertex lies inside (Hannover, UTM 32N).
        for (lon, lat) in [(9.70, 52.36), (9.741, 52.359), (9.73, 52.38)] {
            let (x, y) = Crs::Crs84.transform(MAP_CRS, lon, lat).unwrap();
            assert!(x > b[0] && x < b[2] && y > b[1] && y < b[3]);
        }
    }

    #[test]
    fn a_single_point_gets_a_street_map_and_no_base_map_no_image() {
        let point = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{},"geometry":{"type":"MultiPoint","coordinates":[[9.73,52.37]]}}]}"#;
        let map = mini_map(point, None, "x").unwrap();
        assert_eq!(map.features, 1);
        assert!(map.background.is_none());
        assert!(!map.svg.contains("<image"));
        let view_box = map.svg.split("viewBox=\"").nth(1).unwrap();
        let width: f64 = view_box.split(' ').nth(2).unwrap().parse().unwrap();
        assert!((MIN_SPAN_M..MIN_SPAN_M * 3.0).contains(&width), "{width}");
    }

    #[test]
    fn layer_ids_are_encoded_in_the_query() {
        assert_eq!(query_value("grund karte&x"), "grund%20karte%26x");
        assert_eq!(query_value("grundkarte_2"), "grundkarte_2");
    }

    #[test]
    fn nothing_to_draw_is_no_map() {
        assert!(mini_map(r#"{"type":"FeatureCollection","features":[]}"#, None, "x").is_none());
        assert!(mini_map("not json", None, "x").is_none());
    }
}
