//! Streaming KML reader: Placemarks with their geometries, names,
//! descriptions and styles; Folder/Document nesting is flattened.

use geo::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon,
};

use super::style::{StyleParts, StyleRef, StyleSheet};
use crate::coords::checked;
use crate::error::Result;
use crate::limits::{Budget, Limits};
use crate::model::{Drawing, Feature};
use crate::text::{plain_name, sanitize_description};
use crate::xml::{XmlEvent, XmlReader};

/// Reads a KML document. See the module docs for what is skipped or refused.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Drawing> {
    read_with_notes(bytes, limits).map(|(drawing, _)| drawing)
}

/// A placemark before its style reference is resolved (styles may be
/// defined after the placemarks that use them).
struct RawPlacemark {
    geometry: Geometry<f64>,
    name: Option<String>,
    description: Option<String>,
    style_url: Option<String>,
    inline_style: Option<StyleParts>,
}

/// Reads a KML document and returns notes on what was skipped.
pub(crate) fn read_with_notes(bytes: &[u8], limits: &Limits) -> Result<(Drawing, Vec<String>)> {
    limits.check_bytes(bytes.len())?;
    let mut xml = XmlReader::new(bytes)?;
    let mut budget = Budget::new(limits);
    let mut sheet = StyleSheet::default();
    let mut placemarks = Vec::new();
    let mut notes = Vec::new();
    let mut seen_root = false;
    let mut cascading_id: Option<String> = None;
    loop {
        let element = match xml.next()? {
            XmlEvent::Start(element) => element,
            XmlEvent::Eof => break,
            XmlEvent::End | XmlEvent::Text(_) => continue,
        };
        if !seen_root {
            if element.name != "kml" {
                return Err(xml.error(format!(
                    "not a KML document: the root element is <{}>",
                    element.name
                )));
            }
            seen_root = true;
            continue;
        }
        match element.name.as_str() {
            "Placemark" => {
                if let Some(placemark) = read_placemark(&mut xml, &mut budget)? {
                    budget.add_feature()?;
                    placemarks.push(placemark);
                }
            }
            "CascadingStyle" => cascading_id = element.attribute("id").map(str::to_owned),
            "Style" => {
                let id = element
                    .attribute("id")
                    .map(str::to_owned)
                    .or_else(|| cascading_id.take());
                let parts = StyleParts::from_leaves(&xml.leaves()?);
                if let Some(id) = id {
                    sheet.styles.insert(id, parts);
                }
            }
            "StyleMap" => {
                let id = element.attribute("id").map(str::to_owned);
                let normal = read_style_map(&mut xml)?;
                if let (Some(id), Some(normal)) = (id, normal) {
                    sheet.maps.insert(id, normal);
                }
            }
            "NetworkLink" => {
                return Err(crate::error::FormatError::Unsupported {
                    line: xml.line(),
                    what: "NetworkLink".to_owned(),
                });
            }
            "GroundOverlay" | "ScreenOverlay" | "PhotoOverlay" => {
                notes.push(format!(
                    "{}{} skipped (overlays are not imported)",
                    xml.location(),
                    element.name
                ));
                xml.skip()?;
            }
            // Descend into containers; skip everything else whole.
            "Document" | "Folder" | "Create" | "Update" => {}
            _ => xml.skip()?,
        }
    }
    if !seen_root {
        return Err(crate::error::FormatError::Empty);
    }
    let features = placemarks
        .into_iter()
        .map(|p| {
            let shared = p
                .style_url
                .as_deref()
                .map(|url| sheet.resolve(url))
                .unwrap_or_default();
            let parts = match &p.inline_style {
                Some(inline) => shared.overridden_by(inline),
                None => shared,
            };
            Feature {
                geometry: p.geometry,
                name: p.name,
                description: p.description,
                style: parts.to_style(),
            }
        })
        .collect();
    Ok((Drawing { features }, notes))
}

/// After `<Placemark>`: its content, or `None` if it has no geometry.
fn read_placemark(xml: &mut XmlReader, budget: &mut Budget) -> Result<Option<RawPlacemark>> {
    let mut geometry = None;
    let mut name = None;
    let mut description = None;
    let mut style_url = None;
    let mut inline_style = None;
    loop {
        let element = match xml.next()? {
            XmlEvent::Start(element) => element,
            XmlEvent::End => break,
            XmlEvent::Text(_) => continue,
            XmlEvent::Eof => return Err(xml.error("unexpected end of file in <Placemark>")),
        };
        match element.name.as_str() {
            "name" => name = plain_name(&xml.text()?),
            "description" => description = sanitize_description(&xml.text()?),
            "styleUrl" => style_url = Some(xml.text()?),
            "Style" => inline_style = Some(StyleParts::from_leaves(&xml.leaves()?)),
            "StyleMap" => {
                if let Some(StyleRef::Inline(parts)) = read_style_map(xml)? {
                    inline_style = Some(parts);
                }
            }
            other if is_geometry(other) => {
                let read = read_geometry(xml, other, budget)?;
                if geometry.is_none() {
                    geometry = read;
                }
            }
            _ => xml.skip()?,
        }
    }
    Ok(geometry.map(|geometry| RawPlacemark {
        geometry,
        name,
        description,
        style_url,
        inline_style,
    }))
}

/// After `<StyleMap>`: its `normal` pair.
fn read_style_map(xml: &mut XmlReader) -> Result<Option<StyleRef>> {
    let mut normal = None;
    loop {
        match xml.next()? {
            XmlEvent::Start(element) if element.name == "Pair" => {
                let leaves = xml.leaves()?;
                let is_normal = leaves
                    .iter()
                    .any(|(k, v)| k == "key" && v.trim() == "normal");
                if !is_normal {
                    continue;
                }
                if let Some((_, url)) = leaves.iter().find(|(k, _)| k == "styleUrl") {
                    normal = Some(StyleRef::Url(url.clone()));
                } else {
                    let inner: Vec<(String, String)> = leaves
                        .iter()
                        .filter_map(|(k, v)| {
                            k.strip_prefix("Style/").map(|k| (k.to_owned(), v.clone()))
                        })
                        .collect();
                    normal = Some(StyleRef::Inline(StyleParts::from_leaves(&inner)));
                }
            }
            XmlEvent::Start(_) => xml.skip()?,
            XmlEvent::End => return Ok(normal),
            XmlEvent::Text(_) => {}
            XmlEvent::Eof => return Err(xml.error("unexpected end of file in <StyleMap>")),
        }
    }
}

fn is_geometry(name: &str) -> bool {
    matches!(
        name,
        "Point" | "LineString" | "LinearRing" | "Polygon" | "MultiGeometry" | "Track" | "MultiTrack"
            // Not KML, but written by some tools; GDAL reads them too.
            | "MultiPoint" | "MultiLineString" | "MultiPolygon"
    )
}

/// After a geometry start tag: the geometry, or `None` if it is empty.
/// Recursion is bounded by the XML reader's nesting limit.
fn read_geometry(
    xml: &mut XmlReader,
    kind: &str,
    budget: &mut Budget,
) -> Result<Option<Geometry<f64>>> {
    match kind {
        "Point" => {
            let coords = read_coordinates_child(xml, budget)?;
            Ok(coords.first().map(|c| Geometry::Point(Point(*c))))
        }
        "LineString" | "LinearRing" => {
            let coords = read_coordinates_child(xml, budget)?;
            Ok((!coords.is_empty()).then_some(Geometry::LineString(LineString(coords))))
        }
        "Polygon" => read_polygon(xml, budget),
        "Track" => {
            let coords = read_track(xml, budget)?;
            Ok((!coords.is_empty()).then_some(Geometry::LineString(LineString(coords))))
        }
        _ => {
            // MultiGeometry and friends: children are geometries.
            let mut parts = Vec::new();
            loop {
                match xml.next()? {
                    XmlEvent::Start(element) if is_geometry(&element.name) => {
                        if let Some(g) = read_geometry(xml, &element.name, budget)? {
                            parts.push(g);
                        }
                    }
                    XmlEvent::Start(_) => xml.skip()?,
                    XmlEvent::End => break,
                    XmlEvent::Text(_) => {}
                    XmlEvent::Eof => {
                        return Err(xml.error(format!("unexpected end of file in <{kind}>")));
                    }
                }
            }
            Ok(collect_parts(parts))
        }
    }
}

/// Homogeneous parts become a Multi* geometry, mixed ones a collection.
fn collect_parts(parts: Vec<Geometry<f64>>) -> Option<Geometry<f64>> {
    if parts.is_empty() {
        return None;
    }
    if parts.iter().all(|g| matches!(g, Geometry::Point(_))) {
        let points = parts
            .into_iter()
            .filter_map(|g| Point::try_from(g).ok())
            .collect();
        return Some(Geometry::MultiPoint(MultiPoint(points)));
    }
    if parts.iter().all(|g| matches!(g, Geometry::LineString(_))) {
        let lines = parts
            .into_iter()
            .filter_map(|g| LineString::try_from(g).ok())
            .collect();
        return Some(Geometry::MultiLineString(MultiLineString(lines)));
    }
    if parts.iter().all(|g| matches!(g, Geometry::Polygon(_))) {
        let polygons = parts
            .into_iter()
            .filter_map(|g| Polygon::try_from(g).ok())
            .collect();
        return Some(Geometry::MultiPolygon(MultiPolygon(polygons)));
    }
    Some(Geometry::GeometryCollection(GeometryCollection(parts)))
}

/// Reads the `<coordinates>` found anywhere below the current element.
fn read_coordinates_child(xml: &mut XmlReader, budget: &mut Budget) -> Result<Vec<Coord<f64>>> {
    let mut coords = Vec::new();
    let mut depth = 1usize;
    while depth > 0 {
        match xml.next()? {
            XmlEvent::Start(element) if element.name == "coordinates" => {
                let text = xml.text()?;
                coords.extend(parse_coordinates(xml, &text, budget)?);
            }
            XmlEvent::Start(_) => depth += 1,
            XmlEvent::End => depth -= 1,
            XmlEvent::Text(_) => {}
            XmlEvent::Eof => return Err(xml.error("unexpected end of file in geometry")),
        }
    }
    Ok(coords)
}

/// After `<Polygon>`: outer ring and holes.
fn read_polygon(xml: &mut XmlReader, budget: &mut Budget) -> Result<Option<Geometry<f64>>> {
    let mut outer: Option<LineString<f64>> = None;
    let mut holes = Vec::new();
    let mut in_inner = false;
    let mut depth = 1usize;
    while depth > 0 {
        match xml.next()? {
            XmlEvent::Start(element) => match element.name.as_str() {
                "coordinates" => {
                    let text = xml.text()?;
                    let ring = LineString(parse_coordinates(xml, &text, budget)?);
                    if ring.0.is_empty() {
                        continue;
                    }
                    if in_inner {
                        holes.push(ring);
                    } else if outer.is_none() {
                        outer = Some(ring);
                    }
                }
                name => {
                    if name == "innerBoundaryIs" {
                        in_inner = true;
                    } else if name == "outerBoundaryIs" {
                        in_inner = false;
                    }
                    depth += 1;
                }
            },
            XmlEvent::End => depth -= 1,
            XmlEvent::Text(_) => {}
            XmlEvent::Eof => return Err(xml.error("unexpected end of file in <Polygon>")),
        }
    }
    Ok(outer.map(|outer| Geometry::Polygon(Polygon::new(outer, holes))))
}

/// After `<gx:Track>`: its `<gx:coord>` positions (`lon lat [alt]`).
fn read_track(xml: &mut XmlReader, budget: &mut Budget) -> Result<Vec<Coord<f64>>> {
    let mut coords = Vec::new();
    loop {
        match xml.next()? {
            XmlEvent::Start(element) if element.name == "coord" => {
                let text = xml.text()?;
                let mut numbers = text.split_whitespace();
                let (Some(lon), Some(lat)) = (numbers.next(), numbers.next()) else {
                    return Err(xml.error(format!("invalid gx:coord '{}'", text.trim())));
                };
                coords.push(parse_position(xml, lon, lat, budget)?);
            }
            XmlEvent::Start(_) => xml.skip()?,
            XmlEvent::End => return Ok(coords),
            XmlEvent::Text(_) => {}
            XmlEvent::Eof => return Err(xml.error("unexpected end of file in <gx:Track>")),
        }
    }
}

/// Parses KML's `lon,lat[,alt]` tuples separated by whitespace; spaces
/// next to commas (written by some tools) are tolerated.
fn parse_coordinates(xml: &XmlReader, text: &str, budget: &mut Budget) -> Result<Vec<Coord<f64>>> {
    let mut normalised = String::with_capacity(text.len());
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if c == ',' {
            while normalised.ends_with(char::is_whitespace) {
                normalised.pop();
            }
            normalised.push(',');
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
        } else {
            normalised.push(c);
        }
    }
    let mut coords = Vec::new();
    for tuple in normalised.split_whitespace() {
        let mut parts = tuple.split(',');
        let (Some(lon), Some(lat)) = (parts.next(), parts.next()) else {
            return Err(xml.error(format!("invalid coordinate '{tuple}'")));
        };
        coords.push(parse_position(xml, lon, lat, budget)?);
    }
    Ok(coords)
}

fn parse_position(
    xml: &XmlReader,
    lon: &str,
    lat: &str,
    budget: &mut Budget,
) -> Result<Coord<f64>> {
    let (Ok(x), Ok(y)) = (lon.trim().parse::<f64>(), lat.trim().parse::<f64>()) else {
        return Err(xml.error(format!("invalid coordinate '{lon},{lat}'")));
    };
    checked(x, y, budget, || xml.location())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Rgba;

    fn kml(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2"><Document>{body}</Document></kml>"#
        )
    }

    fn read_str(body: &str) -> Result<Drawing> {
        read(kml(body).as_bytes(), &Limits::default())
    }

    #[test]
    fn polygons_keep_their_holes_and_drop_altitudes() {
        let d = read_str(
            "<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>0,0,5 4,0,5 4,4,5 0,0,5</coordinates></LinearRing></outerBoundaryIs>
             <innerBoundaryIs><LinearRing><coordinates>1,1 2,1 2,2 1,1</coordinates></LinearRing><LinearRing><coordinates>3,1 3.5,1 3.5,2 3,1</coordinates></LinearRing></innerBoundaryIs></Polygon></Placemark>",
        )
        .unwrap();
        let Geometry::Polygon(p) = &d.features[0].geometry else {
            panic!()
        };
        assert_eq!(p.interiors().len(), 2);
        assert_eq!(p.exterior().0[1], Coord { x: 4.0, y: 0.0 });
    }

    #[test]
    fn shared_styles_stylemaps_and_inline_styles_resolve() {
        let d = read_str(
            r##"<Style id="red"><LineStyle><color>ff0000ff</color><width>3</width></LineStyle></Style>
            <StyleMap id="map"><Pair><key>highlight</key><styleUrl>#none</styleUrl></Pair><Pair><key>normal</key><styleUrl>#red</styleUrl></Pair></StyleMap>
            <Placemark><styleUrl>#map</styleUrl><Style><LineStyle><width>5</width></LineStyle></Style>
            <LineString><coordinates>0,0 1,1</coordinates></LineString></Placemark>"##,
        )
        .unwrap();
        let style = &d.features[0].style;
        assert_eq!(
            style.stroke_color,
            Some(Rgba {
                r: 255,
                g: 0,
                b: 0,
                a: 255
            })
        );
        assert_eq!(style.stroke_width, Some(5.0));
    }

    #[test]
    fn multigeometry_and_tracks_are_read() {
        let d = read_str(
            "<Placemark><MultiGeometry><Point><coordinates>1,2</coordinates></Point><LineString><coordinates>0,0 1,1</coordinates></LineString></MultiGeometry></Placemark>
             <Placemark><gx:MultiTrack><gx:Track><when>x</when><gx:coord>1 2 3</gx:coord><gx:coord>2 3 4</gx:coord></gx:Track><gx:Track><gx:coord>5 6 7</gx:coord></gx:Track></gx:MultiTrack></Placemark>
             <Placemark><name>no geometry</name></Placemark>",
        )
        .unwrap();
        assert_eq!(d.features.len(), 2);
        assert!(matches!(
            d.features[0].geometry,
            Geometry::GeometryCollection(_)
        ));
        let Geometry::MultiLineString(m) = &d.features[1].geometry else {
            panic!()
        };
        assert_eq!(m.0[0].0[1], Coord { x: 2.0, y: 3.0 });
    }

    #[test]
    fn network_links_are_refused_with_their_line() {
        let err = read_str("\n<NetworkLink><Link><href>http://x</href></Link></NetworkLink>")
            .unwrap_err();
        assert_eq!(err.to_string(), "line 3: NetworkLink is not supported");
    }

    #[test]
    fn overlays_are_skipped_with_a_note() {
        let (d, notes) = read_with_notes(
            kml("<GroundOverlay><Icon><href>x.jpg</href></Icon></GroundOverlay>").as_bytes(),
            &Limits::default(),
        )
        .unwrap();
        assert!(d.features.is_empty());
        assert!(notes[0].contains("GroundOverlay skipped"));
    }

    #[test]
    fn bad_coordinates_are_refused_with_their_line() {
        for (coords, expected) in [
            ("200,10", "out of range"),
            ("10,95", "out of range"),
            ("nan,1", "out of range"),
            ("1", "invalid coordinate"),
        ] {
            let err = read_str(&format!(
                "<Placemark><Point>\n<coordinates>{coords}</coordinates></Point></Placemark>"
            ))
            .unwrap_err()
            .to_string();
            assert!(
                err.starts_with("line 3: ") && err.contains(expected),
                "{err}"
            );
        }
    }

    #[test]
    fn non_kml_roots_and_empty_documents_are_told_apart() {
        assert!(
            read(b"<gpx/>", &Limits::default())
                .unwrap_err()
                .to_string()
                .contains("root element is <gpx>")
        );
        assert!(read_str("").unwrap().features.is_empty());
    }
}
