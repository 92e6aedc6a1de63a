//! GPX 1.0 / 1.1: waypoints become points, routes lines, tracks lines
//! (one segment) or multi-lines (several). Empty routes, tracks and
//! segments are skipped. Extensions are ignored, so GPX carries no style.
//!
//! Writing: points → `wpt`, lines → `trk`/`trkseg`, polygons → a `trk` of
//! their outer rings (GPX has no areas; holes are dropped).

use std::fmt::Write as _;

use geo::{Coord, Geometry, LineString, MultiLineString, Point};
use quick_xml::escape::escape;

use crate::coords::checked;
use crate::error::Result;
use crate::limits::{Budget, Limits};
use crate::model::{Drawing, Feature};
use crate::text::{plain_name, sanitize_description};
use crate::xml::{Element, XmlEvent, XmlReader};

/// Reads a GPX 1.0 or 1.1 document.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Drawing> {
    limits.check_bytes(bytes.len())?;
    let mut xml = XmlReader::new(bytes)?;
    let mut budget = Budget::new(limits);
    let mut features = Vec::new();
    let mut seen_root = false;
    loop {
        let element = match xml.next()? {
            XmlEvent::Start(element) => element,
            XmlEvent::Eof => break,
            XmlEvent::End | XmlEvent::Text(_) => continue,
        };
        if !seen_root {
            if element.name != "gpx" {
                return Err(xml.error(format!(
                    "not a GPX document: the root element is <{}>",
                    element.name
                )));
            }
            seen_root = true;
            continue;
        }
        let feature = match element.name.as_str() {
            "wpt" => Some(read_waypoint(&mut xml, &element, &mut budget)?),
            "rte" | "trk" => read_path(&mut xml, &mut budget)?,
            _ => {
                xml.skip()?;
                None
            }
        };
        if let Some(feature) = feature {
            budget.add_feature()?;
            features.push(feature);
        }
    }
    if !seen_root {
        return Err(crate::error::FormatError::Empty);
    }
    Ok(Drawing { features })
}

fn position(xml: &XmlReader, element: &Element, budget: &mut Budget) -> Result<Coord<f64>> {
    let number = |key: &str| -> Result<f64> {
        let text = element
            .attribute(key)
            .ok_or_else(|| xml.error(format!("<{}> without {key} attribute", element.name)))?;
        text.trim()
            .parse::<f64>()
            .map_err(|_| xml.error(format!("invalid {key} '{text}'")))
    };
    checked(number("lon")?, number("lat")?, budget, || xml.location())
}

/// Name and description children shared by wpt, rte and trk.
fn read_label(xml: &mut XmlReader, element: &Element, feature: &mut Feature) -> Result<bool> {
    match element.name.as_str() {
        "name" => feature.name = plain_name(&xml.text()?),
        "desc" => feature.description = sanitize_description(&xml.text()?),
        _ => return Ok(false),
    }
    Ok(true)
}

fn read_waypoint(xml: &mut XmlReader, element: &Element, budget: &mut Budget) -> Result<Feature> {
    let mut feature = Feature::new(Point(position(xml, element, budget)?));
    loop {
        match xml.next()? {
            XmlEvent::Start(child) => {
                if !read_label(xml, &child, &mut feature)? {
                    xml.skip()?;
                }
            }
            XmlEvent::End => return Ok(feature),
            XmlEvent::Text(_) => {}
            XmlEvent::Eof => return Err(xml.error("unexpected end of file in <wpt>")),
        }
    }
}

/// After `<rte>` or `<trk>`: `None` if it has no points.
fn read_path(xml: &mut XmlReader, budget: &mut Budget) -> Result<Option<Feature>> {
    let mut feature = Feature::new(Point::new(0.0, 0.0));
    let mut lines: Vec<LineString<f64>> = Vec::new();
    let mut route = Vec::new();
    loop {
        match xml.next()? {
            XmlEvent::Start(child) => match child.name.as_str() {
                "rtept" => {
                    route.push(position(xml, &child, budget)?);
                    xml.skip()?;
                }
                "trkseg" => {
                    let segment = read_segment(xml, budget)?;
                    if !segment.is_empty() {
                        lines.push(LineString(segment));
                    }
                }
                _ => {
                    if !read_label(xml, &child, &mut feature)? {
                        xml.skip()?;
                    }
                }
            },
            XmlEvent::End => break,
            XmlEvent::Text(_) => {}
            XmlEvent::Eof => return Err(xml.error("unexpected end of file in a route or track")),
        }
    }
    if !route.is_empty() {
        lines.push(LineString(route));
    }
    feature.geometry = match lines.len() {
        0 => return Ok(None),
        1 => Geometry::LineString(lines.remove(0)),
        _ => Geometry::MultiLineString(MultiLineString(lines)),
    };
    Ok(Some(feature))
}

fn read_segment(xml: &mut XmlReader, budget: &mut Budget) -> Result<Vec<Coord<f64>>> {
    let mut coords = Vec::new();
    loop {
        match xml.next()? {
            XmlEvent::Start(child) => {
                if child.name == "trkpt" {
                    coords.push(position(xml, &child, budget)?);
                }
                xml.skip()?;
            }
            XmlEvent::End => return Ok(coords),
            XmlEvent::Text(_) => {}
            XmlEvent::Eof => return Err(xml.error("unexpected end of file in <trkseg>")),
        }
    }
}

/// Writes `drawing` as GPX 1.1 (see the module docs for polygons).
pub fn write(drawing: &Drawing) -> String {
    let mut waypoints = String::new();
    let mut tracks = String::new();
    for feature in &drawing.features {
        let mut points = Vec::new();
        let mut lines = Vec::new();
        flatten(&feature.geometry, &mut points, &mut lines);
        for point in points {
            let _ = write!(waypoints, "<wpt lat=\"{}\" lon=\"{}\">", point.y, point.x);
            write_label(&mut waypoints, feature);
            waypoints.push_str("</wpt>\n");
        }
        if !lines.is_empty() {
            tracks.push_str("<trk>");
            write_label(&mut tracks, feature);
            for line in lines {
                tracks.push_str("<trkseg>");
                for c in &line.0 {
                    let _ = write!(tracks, "<trkpt lat=\"{}\" lon=\"{}\"/>", c.y, c.x);
                }
                tracks.push_str("</trkseg>");
            }
            tracks.push_str("</trk>\n");
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"numis\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n{waypoints}{tracks}</gpx>\n"
    )
}

fn write_label(out: &mut String, feature: &Feature) {
    if let Some(name) = &feature.name {
        let _ = write!(out, "<name>{}</name>", escape(name.as_str()));
    }
    if let Some(description) = &feature.description {
        let _ = write!(out, "<desc>{}</desc>", escape(description.as_str()));
    }
}

/// Points and lines of any geometry; polygons contribute their outer ring.
fn flatten(
    geometry: &Geometry<f64>,
    points: &mut Vec<Coord<f64>>,
    lines: &mut Vec<LineString<f64>>,
) {
    match geometry {
        Geometry::Point(p) => points.push(p.0),
        Geometry::MultiPoint(m) => points.extend(m.0.iter().map(|p| p.0)),
        Geometry::Line(l) => lines.push(LineString(vec![l.start, l.end])),
        Geometry::LineString(l) => lines.push(l.clone()),
        Geometry::MultiLineString(m) => lines.extend(m.0.iter().cloned()),
        Geometry::Polygon(p) => lines.push(p.exterior().clone()),
        Geometry::MultiPolygon(m) => lines.extend(m.0.iter().map(|p| p.exterior().clone())),
        Geometry::Rect(r) => lines.push(r.to_polygon().exterior().clone()),
        Geometry::Triangle(t) => lines.push(t.to_polygon().exterior().clone()),
        Geometry::GeometryCollection(c) => c.0.iter().for_each(|g| flatten(g, points, lines)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, point, polygon};

    #[test]
    fn gpx_1_0_and_1_1_with_bom_are_read() {
        let gpx = "\u{feff}<?xml version=\"1.0\"?><gpx version=\"1.0\" xmlns=\"http://www.topografix.com/GPX/1/0\">
            <wpt lat=\"46.5\" lon=\"7.5\"><name> Gipfel\n kreuz </name><desc>&lt;b&gt;hi&lt;/b&gt;</desc></wpt>
            <rte><rtept lat=\"1\" lon=\"2\"/><rtept lat=\"3\" lon=\"4\"/></rte><rte></rte>
            <trk><trkseg><trkpt lat=\"1\" lon=\"1\"><ele>5</ele></trkpt><trkpt lat=\"2\" lon=\"2\"/></trkseg><trkseg/><trkseg><trkpt lat=\"5\" lon=\"5\"/></trkseg></trk>
            <trk><trkseg></trkseg></trk></gpx>";
        let d = read(gpx.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(d.features.len(), 3);
        assert_eq!(d.features[0].name.as_deref(), Some("Gipfel kreuz"));
        assert_eq!(d.features[0].description.as_deref(), Some("<b>hi</b>"));
        assert_eq!(
            d.features[1].geometry,
            Geometry::LineString(line_string![(x: 2., y: 1.), (x: 4., y: 3.)])
        );
        assert!(matches!(&d.features[2].geometry, Geometry::MultiLineString(m) if m.0.len() == 2));
    }

    #[test]
    fn bad_positions_are_refused_with_their_line() {
        let err = read(
            b"<gpx>\n<wpt lat=\"95\" lon=\"1\"/></gpx>",
            &Limits::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("line 2: coordinate (1, 95) is out of range"),
            "{err}"
        );
        let err = read(
            b"<gpx>\n\n<wpt lat=\"x\" lon=\"1\"/></gpx>",
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "line 3: invalid lat 'x'");
    }

    #[test]
    fn gpx_round_trip_keeps_points_lines_and_names_and_turns_polygons_into_tracks() {
        let line = line_string![(x: 0.000005, y: 1.), (x: 2., y: 3.)];
        let drawing = Drawing {
            features: vec![
                Feature {
                    name: Some("P & Q".into()),
                    description: Some("<p>x</p>".into()),
                    ..Feature::new(point!(x: 7.5, y: 46.5))
                },
                Feature {
                    name: Some("L".into()),
                    ..Feature::new(line.clone())
                },
            ],
        };
        let back = read(write(&drawing).as_bytes(), &Limits::default()).unwrap();
        assert_eq!(back, drawing);
        let poly = polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)];
        let back = read(
            write(&Drawing {
                features: vec![Feature::new(poly.clone())],
            })
            .as_bytes(),
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(
            back.features[0].geometry,
            Geometry::LineString(poly.exterior().clone())
        );
    }
}
