//! KML 2.2 writer: one shared `<Style>` per distinct style, Placemarks
//! with escaped names, CDATA descriptions and their geometries.
//!
//! Two entry points share the styles and geometries: [`write`] for a
//! drawing, [`write_document`] for a [`Document`] with a name, a
//! description, named styles and Placemarks carrying `ExtendedData` (a
//! published layer's data).

use std::fmt::Write as _;

use geo::{Coord, Geometry, LineString, Polygon};
use quick_xml::escape::escape;

use crate::model::{Drawing, Rgba, Style};

/// A KML document of named styles and Placemarks with data, such as one
/// published layer. Written as one `Document`, without `NetworkLink`.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// The document's name (plain text).
    pub name: String,
    /// Its description as HTML, shown in the balloon of the document.
    pub description_html: Option<String>,
    /// Styles the Placemarks refer to by id.
    pub styles: Vec<SharedStyle>,
    /// The Placemarks.
    pub placemarks: Vec<Placemark>,
}

/// A `<Style>` with an id.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedStyle {
    /// The id (`styleUrl` is `#id`).
    pub id: String,
    /// Lines and areas.
    pub style: Style,
    /// The colour of point markers (`IconStyle`, tinting the viewer's
    /// default marker), if any.
    pub marker_color: Option<Rgba>,
}

/// One feature of a [`Document`].
#[derive(Debug, Clone)]
pub struct Placemark {
    /// Its name (plain text).
    pub name: Option<String>,
    /// The id of its [`SharedStyle`].
    pub style_id: Option<String>,
    /// Its attributes as `ExtendedData` (name, value as text).
    pub data: Vec<(String, String)>,
    /// Its geometry in longitude/latitude.
    pub geometry: Geometry<f64>,
}

/// Writes `document` as a KML 2.2 file.
pub fn write_document(document: &Document) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n",
    );
    let _ = writeln!(out, "<name>{}</name>", escape(document.name.as_str()));
    if let Some(description) = &document.description_html {
        write_cdata_description(&mut out, description);
    }
    for style in &document.styles {
        write_style(&mut out, &style.id, &style.style, style.marker_color);
    }
    for placemark in &document.placemarks {
        out.push_str("<Placemark>\n");
        if let Some(name) = &placemark.name {
            let _ = writeln!(out, "<name>{}</name>", escape(name.as_str()));
        }
        if let Some(id) = &placemark.style_id {
            let _ = writeln!(out, "<styleUrl>#{}</styleUrl>", escape(id.as_str()));
        }
        if !placemark.data.is_empty() {
            out.push_str("<ExtendedData>\n");
            for (name, value) in &placemark.data {
                let _ = writeln!(
                    out,
                    "<Data name=\"{}\"><value>{}</value></Data>",
                    escape(name.as_str()),
                    escape(value.as_str())
                );
            }
            out.push_str("</ExtendedData>\n");
        }
        write_geometry(&mut out, &placemark.geometry);
        out.push_str("</Placemark>\n");
    }
    out.push_str("</Document>\n</kml>\n");
    out
}

fn write_cdata_description(out: &mut String, description: &str) {
    // "]]>" cannot appear inside CDATA: split it across two sections.
    let safe = description.replace("]]>", "]]]]><![CDATA[>");
    let _ = writeln!(out, "<description><![CDATA[{safe}]]></description>");
}

/// Writes `drawing` as a KML 2.2 document.
pub fn write(drawing: &Drawing) -> String {
    let mut styles: Vec<&Style> = Vec::new();
    for feature in &drawing.features {
        if !feature.style.is_default() && !styles.contains(&&feature.style) {
            styles.push(&feature.style);
        }
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n",
    );
    for (index, style) in styles.iter().enumerate() {
        write_style(&mut out, &format!("style{index}"), style, None);
    }
    for feature in &drawing.features {
        out.push_str("<Placemark>\n");
        if let Some(name) = &feature.name {
            let _ = writeln!(out, "<name>{}</name>", escape(name.as_str()));
        }
        if let Some(description) = &feature.description {
            write_cdata_description(&mut out, description);
        }
        if let Some(index) = styles.iter().position(|s| **s == feature.style) {
            let _ = writeln!(out, "<styleUrl>#style{index}</styleUrl>");
        }
        write_geometry(&mut out, &feature.geometry);
        out.push_str("</Placemark>\n");
    }
    out.push_str("</Document>\n</kml>\n");
    out
}

/// The viewer's icon name of a text label: a point shown only by its name.
const TEXT_LABEL_ICON: &str = "text";

fn write_style(out: &mut String, id: &str, style: &Style, marker_color: Option<Rgba>) {
    let _ = writeln!(out, "<Style id=\"{}\">", escape(id));
    let text_label = style.icon.as_deref() == Some(TEXT_LABEL_ICON);
    if style.icon.is_some() || marker_color.is_some() {
        // The colour tints the marker in Google Earth; a text label hides
        // its marker (scale 0) so that only the name shows, in its colour.
        // Without an icon Google Earth tints its default marker.
        out.push_str("<IconStyle>");
        if let Some(color) = marker_color.or(style.stroke_color) {
            let _ = write!(out, "<color>{}</color>", color.to_kml());
        }
        if text_label {
            out.push_str("<scale>0</scale>");
        }
        if let Some(icon) = &style.icon {
            let _ = write!(out, "<Icon><href>{}</href></Icon>", escape(icon.as_str()));
        }
        out.push_str("</IconStyle>\n");
    }
    let label_color = style.stroke_color.filter(|_| text_label);
    if label_color.is_some() || style.label_scale.is_some() {
        out.push_str("<LabelStyle>");
        if let Some(color) = label_color {
            let _ = write!(out, "<color>{}</color>", color.to_kml());
        }
        if let Some(scale) = style.label_scale {
            let _ = write!(out, "<scale>{scale}</scale>");
        }
        out.push_str("</LabelStyle>\n");
    }
    if style.stroke_color.is_some() || style.stroke_width.is_some() {
        out.push_str("<LineStyle>");
        if let Some(color) = style.stroke_color {
            let _ = write!(out, "<color>{}</color>", color.to_kml());
        }
        if let Some(width) = style.stroke_width {
            let _ = write!(out, "<width>{width}</width>");
        }
        out.push_str("</LineStyle>\n");
    }
    match style.fill_color {
        Some(color) => {
            let _ = writeln!(
                out,
                "<PolyStyle><color>{}</color></PolyStyle>",
                color.to_kml()
            );
        }
        None => out.push_str("<PolyStyle><fill>0</fill></PolyStyle>\n"),
    }
    out.push_str("</Style>\n");
}

fn write_geometry(out: &mut String, geometry: &Geometry<f64>) {
    match geometry {
        Geometry::Point(p) => write_point(out, p.0),
        Geometry::Line(l) => write_line(out, &LineString(vec![l.start, l.end])),
        Geometry::LineString(l) => write_line(out, l),
        Geometry::Polygon(p) => write_polygon(out, p),
        Geometry::Rect(r) => write_polygon(out, &r.to_polygon()),
        Geometry::Triangle(t) => write_polygon(out, &t.to_polygon()),
        Geometry::MultiPoint(m) => {
            out.push_str("<MultiGeometry>\n");
            m.0.iter().for_each(|p| write_point(out, p.0));
            out.push_str("</MultiGeometry>\n");
        }
        Geometry::MultiLineString(m) => {
            out.push_str("<MultiGeometry>\n");
            m.0.iter().for_each(|l| write_line(out, l));
            out.push_str("</MultiGeometry>\n");
        }
        Geometry::MultiPolygon(m) => {
            out.push_str("<MultiGeometry>\n");
            m.0.iter().for_each(|p| write_polygon(out, p));
            out.push_str("</MultiGeometry>\n");
        }
        Geometry::GeometryCollection(c) => {
            out.push_str("<MultiGeometry>\n");
            c.0.iter().for_each(|g| write_geometry(out, g));
            out.push_str("</MultiGeometry>\n");
        }
    }
}

fn write_point(out: &mut String, c: Coord<f64>) {
    let _ = writeln!(
        out,
        "<Point><coordinates>{},{}</coordinates></Point>",
        c.x, c.y
    );
}

fn write_line(out: &mut String, line: &LineString<f64>) {
    out.push_str("<LineString><coordinates>");
    write_coords(out, line);
    out.push_str("</coordinates></LineString>\n");
}

fn write_polygon(out: &mut String, polygon: &Polygon<f64>) {
    out.push_str("<Polygon><outerBoundaryIs><LinearRing><coordinates>");
    write_coords(out, polygon.exterior());
    out.push_str("</coordinates></LinearRing></outerBoundaryIs>");
    for hole in polygon.interiors() {
        out.push_str("<innerBoundaryIs><LinearRing><coordinates>");
        write_coords(out, hole);
        out.push_str("</coordinates></LinearRing></innerBoundaryIs>");
    }
    out.push_str("</Polygon>\n");
}

fn write_coords(out: &mut String, line: &LineString<f64>) {
    for (i, c) in line.0.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{},{}", c.x, c.y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::model::{Feature, Rgba};
    use geo::{line_string, point, polygon};

    #[test]
    fn kml_round_trip_keeps_geometry_name_description_and_style() {
        let style = Style {
            stroke_color: Some(Rgba {
                r: 255,
                g: 0,
                b: 0,
                a: 200,
            }),
            stroke_width: Some(3.0),
            fill_color: Some(Rgba {
                r: 0,
                g: 0,
                b: 255,
                a: 100,
            }),
            icon: Some("https://example.org/i.png".to_owned()),
            label_scale: Some(1.5),
        };
        let polygon = polygon!(
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 0.)],
            interiors: [[(x: 1., y: 1.), (x: 2., y: 1.), (x: 2., y: 2.), (x: 1., y: 1.)]],
        );
        let drawing = Drawing {
            features: vec![
                Feature {
                    name: Some("A & B".into()),
                    description: Some("<p>a &amp; <b>b</b></p>".into()),
                    style: style.clone(),
                    ..Feature::new(polygon)
                },
                Feature {
                    style: style.clone(),
                    ..Feature::new(point!(x: 7.000001, y: 46.5))
                },
                Feature::new(line_string![(x: 0.000005, y: -0.000005), (x: 1., y: 1.)]),
            ],
        };
        let text = write(&drawing);
        assert_eq!(text.matches("<Style ").count(), 1);
        let back = super::super::read(text.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(back, drawing);
    }

    #[test]
    fn a_document_has_its_name_styles_and_extended_data_and_reads_back() {
        let blue = Rgba {
            r: 0,
            g: 0,
            b: 255,
            a: 255,
        };
        let document = Document {
            name: "Seen & Flüsse".into(),
            description_html: Some("<p>Quelle: x ]]> y</p>".into()),
            styles: vec![SharedStyle {
                id: "rule0".into(),
                style: Style {
                    fill_color: Some(blue),
                    ..Style::default()
                },
                marker_color: Some(blue),
            }],
            placemarks: vec![Placemark {
                name: Some("Maschsee".into()),
                style_id: Some("rule0".into()),
                data: vec![("name".into(), "Maschsee <klein>".into())],
                geometry: point!(x: 9.74, y: 52.36).into(),
            }],
        };
        let text = write_document(&document);
        assert!(text.contains("<name>Seen &amp; Flüsse</name>"), "{text}");
        assert!(
            text.contains("<IconStyle><color>ffff0000</color></IconStyle>"),
            "{text}"
        );
        assert!(
            text.contains("<Data name=\"name\"><value>Maschsee &lt;klein&gt;</value></Data>"),
            "{text}"
        );
        assert!(text.contains("<styleUrl>#rule0</styleUrl>"));
        let back = super::super::read(text.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(back.features.len(), 1);
        assert_eq!(back.features[0].name.as_deref(), Some("Maschsee"));
        assert_eq!(back.features[0].style.fill_color, Some(blue));
    }

    #[test]
    fn markers_take_their_colour_and_text_labels_hide_their_marker() {
        let red = Rgba {
            r: 255,
            g: 0,
            b: 0,
            a: 255,
        };
        let styled = |icon: &str| Style {
            stroke_color: Some(red),
            icon: Some(icon.to_owned()),
            label_scale: Some(1.2),
            ..Style::default()
        };
        let drawing = Drawing {
            features: vec![
                Feature {
                    style: styled("star"),
                    ..Feature::new(point!(x: 9.7, y: 52.3))
                },
                Feature {
                    name: Some("Hier".into()),
                    style: styled(TEXT_LABEL_ICON),
                    ..Feature::new(point!(x: 9.8, y: 52.4))
                },
            ],
        };
        let text = write(&drawing);
        assert!(
            text.contains(
                "<IconStyle><color>ff0000ff</color><Icon><href>star</href></Icon></IconStyle>"
            ),
            "{text}"
        );
        assert!(
            text.contains("<IconStyle><color>ff0000ff</color><scale>0</scale><Icon><href>text</href></Icon></IconStyle>"),
            "{text}"
        );
        assert!(
            text.contains("<LabelStyle><color>ff0000ff</color><scale>1.2</scale></LabelStyle>"),
            "{text}"
        );
        // Read back, both are what they were.
        let back = super::super::read(text.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(back, drawing);
    }
}
