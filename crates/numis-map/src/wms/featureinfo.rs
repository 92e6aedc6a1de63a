//! GetFeatureInfo answers in the four INFO_FORMATs: HTML, GeoJSON,
//! MapServer-style plain text and MapServer-style GML (`msGMLOutput`).
//!
//! Values come from data files and are untrusted: every format escapes them
//! for its syntax, and the HTML has no script, no style and no external
//! resource, so nothing in a value can run or load anything.

use std::io;

use quick_xml::Writer;
use quick_xml::escape::escape;
use quick_xml::events::BytesText;
use serde_json::{Map, Value, json};

use super::exception::{XLINK, XSI, number, write_document, xml_text};
use super::request::InfoFormat;

/// The features found in one queried layer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InfoLayer {
    /// WMS name.
    pub name: String,
    /// Title, in the answer's language.
    pub title: String,
    /// Features at the queried point, at most FEATURE_COUNT.
    pub features: Vec<InfoFeature>,
}

/// One feature found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InfoFeature {
    /// Feature id.
    pub id: String,
    /// Queryable fields in configured order: (label, field name, value).
    /// Personal fields must not be here (clause L3).
    pub fields: Vec<(String, String, Value)>,
    /// GeoJSON geometry in the request CRS, if the engine provides it.
    pub geometry: Option<Value>,
}

/// Writes a GetFeatureInfo answer; returns (Content-Type, body).
///
/// ```
/// use numis_map::wms::{feature_info, InfoFeature, InfoFormat, InfoLayer};
///
/// let layers = [InfoLayer {
///     name: "gemeinden".into(),
///     title: "Gemeinden".into(),
///     features: vec![InfoFeature {
///         id: "3241001".into(),
///         fields: vec![("Name".into(), "gen".into(), "Hannover".into())],
///         geometry: None,
///     }],
/// }];
/// let (content_type, body) = feature_info(&layers, InfoFormat::Text, "de");
/// assert_eq!(content_type, "text/plain; charset=utf-8");
/// assert!(body.contains("Layer 'gemeinden'\n  Feature 3241001:\n    Name = 'Hannover'\n"));
/// ```
pub fn feature_info(layers: &[InfoLayer], format: InfoFormat, lang: &str) -> (String, String) {
    let (content_type, body) = match format {
        InfoFormat::Html => ("text/html; charset=utf-8", html(layers, lang)),
        InfoFormat::Json => ("application/json", geojson(layers)),
        InfoFormat::Text => ("text/plain; charset=utf-8", plain_text(layers, lang)),
        InfoFormat::Xml => ("text/xml; charset=utf-8", gml(layers)),
    };
    (content_type.to_string(), body)
}

/// "No features found" in `lang`.
fn nothing_found(lang: &str) -> &'static str {
    if lang == "en" {
        "No features found"
    } else {
        "Keine Objekte gefunden"
    }
}

/// A value as text: strings as they are, `null` empty, numbers and
/// booleans as JSON writes them, arrays and objects as compact JSON.
fn value_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A small self-contained HTML document: one table per layer with
/// label/value rows, one `tbody` per feature.
fn html(layers: &[InfoLayer], lang: &str) -> String {
    let lang = if lang == "en" { "en" } else { "de" };
    let (title, feature) = if lang == "en" {
        ("Feature information", "Feature")
    } else {
        ("Objektinformationen", "Objekt")
    };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n</head>\n<body>\n"
    );
    let found: Vec<&InfoLayer> = layers.iter().filter(|l| !l.features.is_empty()).collect();
    if found.is_empty() {
        out.push_str(&format!("<p>{}</p>\n", nothing_found(lang)));
    }
    for layer in found {
        let caption = if layer.title.trim().is_empty() {
            &layer.name
        } else {
            &layer.title
        };
        out.push_str(&format!(
            "<table>\n<caption>{}</caption>\n",
            html_text(caption)
        ));
        let several = layer.features.len() > 1;
        for (n, f) in layer.features.iter().enumerate() {
            out.push_str("<tbody>\n");
            if several {
                out.push_str(&format!(
                    "<tr><th colspan=\"2\" scope=\"rowgroup\">{feature} {}</th></tr>\n",
                    n + 1
                ));
            }
            for (label, field, value) in &f.fields {
                let label = if label.trim().is_empty() {
                    field
                } else {
                    label
                };
                out.push_str(&format!(
                    "<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n",
                    html_text(label),
                    html_value(value, lang)
                ));
            }
            out.push_str("</tbody>\n");
        }
        out.push_str("</table>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// Text escaped for HTML content and attribute values (`&`, `<`, `>`, `"`, `'`).
fn html_text(text: &str) -> String {
    escape(xml_text(text)).into_owned()
}

/// A value as HTML: booleans in words, web addresses as links (only
/// `http:` and `https:`, so no `javascript:` link can be made), the rest as
/// escaped text.
fn html_value(value: &Value, lang: &str) -> String {
    match value {
        Value::Bool(b) => match (lang, b) {
            ("en", true) => "yes".into(),
            ("en", false) => "no".into(),
            (_, true) => "ja".into(),
            (_, false) => "nein".into(),
        },
        Value::String(s) if is_web_address(s) => {
            let s = html_text(s.trim());
            format!("<a href=\"{s}\" rel=\"noopener noreferrer nofollow\">{s}</a>")
        }
        other => html_text(&value_text(other)),
    }
}

fn is_web_address(text: &str) -> bool {
    let text = text.trim();
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && !text.contains(char::is_whitespace)
}

/// A GeoJSON FeatureCollection; each feature carries its layer's name as
/// the foreign member `layer`, its fields as properties keyed by field name.
/// `<`, `>` and `&` are written as `\u003c`, `\u003e`, `\u0026` (the same
/// JSON), so no content sniffer can take the answer for HTML.
fn geojson(layers: &[InfoLayer]) -> String {
    let features: Vec<Value> = layers
        .iter()
        .flat_map(|layer| {
            layer.features.iter().map(|f| {
                let properties: Map<String, Value> = f
                    .fields
                    .iter()
                    .map(|(_, field, value)| (field.clone(), value.clone()))
                    .collect();
                let mut feature = json!({
                    "type": "Feature",
                    "layer": layer.name,
                    "properties": properties,
                    "geometry": f.geometry.clone().unwrap_or(Value::Null),
                });
                if !f.id.is_empty() {
                    feature["id"] = Value::String(f.id.clone());
                }
                feature
            })
        })
        .collect();
    let collection = json!({ "type": "FeatureCollection", "features": features });
    // `<`, `>` and `&` occur only inside JSON strings, where the escapes mean the same.
    collection
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// MapServer's plain-text layout; line breaks and tabs in values become
/// spaces so each value stays on its line.
fn plain_text(layers: &[InfoLayer], lang: &str) -> String {
    let one_line = |text: &str| -> String {
        text.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    };
    let mut out = String::from("GetFeatureInfo results:\n\n");
    let found: Vec<&InfoLayer> = layers.iter().filter(|l| !l.features.is_empty()).collect();
    if found.is_empty() {
        out.push_str(&format!("  {}\n", nothing_found(lang)));
    }
    for layer in found {
        out.push_str(&format!("Layer '{}'\n", one_line(&layer.name)));
        for f in &layer.features {
            out.push_str(&format!("  Feature {}:\n", one_line(&f.id)));
            for (label, field, value) in &f.fields {
                let label = if label.trim().is_empty() {
                    field
                } else {
                    label
                };
                out.push_str(&format!(
                    "    {} = '{}'\n",
                    one_line(label),
                    one_line(&value_text(value))
                ));
            }
        }
        out.push('\n');
    }
    out
}

/// MapServer's `msGMLOutput`: `<name>_layer` with `gml:name`, then
/// `<name>_feature` elements holding `gml:boundedBy` (from the geometry, if
/// any) and one element per field, named after the field.
fn gml(layers: &[InfoLayer]) -> String {
    write_document(None, |w| {
        w.create_element("msGMLOutput")
            .with_attributes([
                ("xmlns:gml", "http://www.opengis.net/gml"),
                ("xmlns:xlink", XLINK),
                ("xmlns:xsi", XSI),
            ])
            .write_inner_content(|w| {
                layers
                    .iter()
                    .filter(|l| !l.features.is_empty())
                    .try_for_each(|l| gml_layer(w, l))
            })?;
        Ok(())
    })
}

fn gml_layer(w: &mut Writer<Vec<u8>>, layer: &InfoLayer) -> io::Result<()> {
    let name = xml_name(&layer.name);
    w.create_element(format!("{name}_layer"))
        .write_inner_content(|w| {
            let title = if layer.title.trim().is_empty() {
                &layer.name
            } else {
                &layer.title
            };
            w.create_element("gml:name")
                .write_text_content(BytesText::new(&xml_text(title)))?;
            for f in &layer.features {
                let mut element = w.create_element(format!("{name}_feature"));
                if !f.id.is_empty() {
                    element = element.with_attribute(("fid", xml_text(&f.id).as_ref()));
                }
                element.write_inner_content(|w| {
                    if let Some([min_x, min_y, max_x, max_y]) = f.geometry.as_ref().and_then(extent)
                    {
                        let coordinates = format!(
                            "{},{} {},{}",
                            number(min_x),
                            number(min_y),
                            number(max_x),
                            number(max_y)
                        );
                        w.create_element("gml:boundedBy").write_inner_content(|w| {
                            w.create_element("gml:Box").write_inner_content(|w| {
                                w.create_element("gml:coordinates")
                                    .write_text_content(BytesText::new(&coordinates))?;
                                Ok(())
                            })?;
                            Ok(())
                        })?;
                    }
                    for (_, field, value) in &f.fields {
                        w.create_element(xml_name(field))
                            .write_text_content(BytesText::new(&xml_text(&value_text(value))))?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(())
}

/// The bounding box of a GeoJSON geometry's positions, if it has any.
fn extent(geometry: &Value) -> Option<[f64; 4]> {
    fn visit(value: &Value, acc: &mut Option<[f64; 4]>) {
        match value {
            Value::Array(items) => match (
                items.first().and_then(Value::as_f64),
                items.get(1).and_then(Value::as_f64),
            ) {
                (Some(x), Some(y)) => {
                    let [a, b, c, d] = acc.get_or_insert([x, y, x, y]);
                    (*a, *b, *c, *d) = (a.min(x), b.min(y), c.max(x), d.max(y));
                }
                _ => items.iter().for_each(|item| visit(item, acc)),
            },
            Value::Object(object) => {
                for key in ["coordinates", "geometries"] {
                    if let Some(inner) = object.get(key) {
                        visit(inner, acc);
                    }
                }
            }
            _ => {}
        }
    }
    let mut acc = None;
    visit(geometry, &mut acc);
    acc
}

/// `name` made a valid XML element name without namespace prefix (XML 1.0
/// fifth edition, productions 4 and 4a, minus `:`): other characters become
/// `_`, and a name that cannot start as it does gets a leading `_`.
fn xml_name(name: &str) -> String {
    fn start(c: char) -> bool {
        matches!(c,
            'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
            | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}'
            | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
            | '\u{10000}'..='\u{EFFFF}')
    }
    fn part(c: char) -> bool {
        start(c)
            || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
    }
    let mut out: String = name
        .trim()
        .chars()
        .map(|c| if part(c) { c } else { '_' })
        .collect();
    if !out.chars().next().is_some_and(start) {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::exception::testing::{corpus_dir, parse};
    use super::*;

    const SCRIPT: &str = "<script>alert('x')</script>";

    fn layers() -> Vec<InfoLayer> {
        vec![
            InfoLayer {
                name: "luft".into(),
                title: "Luftmessstationen".into(),
                features: vec![
                    InfoFeature {
                        id: "DENI011".into(),
                        fields: vec![
                            (
                                "Name".into(),
                                "name".into(),
                                Value::String(format!("Hannover {SCRIPT} & Co")),
                            ),
                            (
                                "Stationstyp".into(),
                                "station_type".into(),
                                json!("traffic"),
                            ),
                            ("NO₂ (µg/m³)".into(), "no2".into(), json!(31.5)),
                            ("Aktiv".into(), "active".into(), json!(true)),
                            (
                                "Webseite".into(),
                                "url".into(),
                                json!("https://example.org/station?id=1&x=2"),
                            ),
                            ("Skript".into(), "js".into(), json!("javascript:alert(1)")),
                            ("Leer".into(), "empty".into(), Value::Null),
                        ],
                        geometry: Some(
                            json!({ "type": "Point", "coordinates": [550280.7, 5802949.2] }),
                        ),
                    },
                    InfoFeature {
                        id: "DENI054".into(),
                        fields: vec![("Name".into(), "name".into(), json!("Hildesheim\nNord"))],
                        geometry: None,
                    },
                ],
            },
            InfoLayer {
                name: "gemeinden".into(),
                title: "Gemeinden".into(),
                features: vec![],
            },
        ]
    }

    #[test]
    fn html_is_a_complete_document_with_a_table_per_layer() {
        let (content_type, body) = feature_info(&layers(), InfoFormat::Html, "de");
        assert_eq!(content_type, "text/html; charset=utf-8");
        assert!(
            body.starts_with("<!DOCTYPE html>\n<html lang=\"de\">"),
            "{body}"
        );
        assert!(body.ends_with("</html>\n"));
        assert_eq!(
            body.matches("<table>").count(),
            1,
            "layers without features are left out"
        );
        assert!(body.contains("<caption>Luftmessstationen</caption>"));
        assert_eq!(body.matches("<tbody>").count(), 2);
        assert!(body.contains("<th colspan=\"2\" scope=\"rowgroup\">Objekt 2</th>"));
        assert!(
            body.contains("<tr><th scope=\"row\">NO₂ (µg/m³)</th><td>31.5</td></tr>"),
            "{body}"
        );
        assert!(body.contains("<td>ja</td>"));
        assert!(body.contains(
            "<a href=\"https://example.org/station?id=1&amp;x=2\" rel=\"noopener noreferrer nofollow\">"
        ));
    }

    #[test]
    fn html_never_carries_markup_or_script_from_values() {
        let (_, body) = feature_info(&layers(), InfoFormat::Html, "en");
        assert!(!body.contains("<script"), "{body}");
        assert!(
            body.contains("Hannover &lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; Co"),
            "{body}"
        );
        assert!(
            !body.contains("href=\"javascript:"),
            "only http(s) become links"
        );
        assert!(body.contains("<td>javascript:alert(1)</td>"));
        for forbidden in [
            "<style", "<link", "<img", "<iframe", "src=", "onerror=", "onload=", "onclick=",
        ] {
            assert!(
                !body.to_ascii_lowercase().contains(forbidden),
                "{forbidden} in {body}"
            );
        }
        assert!(body.contains("<td>yes</td>"));
        let titled = [InfoLayer {
            name: "x".into(),
            title: format!("{SCRIPT}\"'"),
            features: vec![InfoFeature::default()],
        }];
        let (_, body) = feature_info(&titled, InfoFormat::Html, "de");
        assert!(!body.contains("<script"), "{body}");
    }

    #[test]
    fn html_says_when_nothing_was_found() {
        let (_, body) = feature_info(&[], InfoFormat::Html, "de");
        assert!(body.contains("<p>Keine Objekte gefunden</p>"));
        let empty = [InfoLayer {
            name: "a".into(),
            title: "A".into(),
            features: vec![],
        }];
        let (_, body) = feature_info(&empty, InfoFormat::Html, "en");
        assert!(body.contains("<html lang=\"en\">") && body.contains("<p>No features found</p>"));
        assert!(!body.contains("<table"));
    }

    #[test]
    fn json_is_a_geojson_feature_collection() {
        let (content_type, body) = feature_info(&layers(), InfoFormat::Json, "de");
        assert_eq!(content_type, "application/json");
        assert!(
            !body.contains('<') && !body.contains('>') && !body.contains('&'),
            "{body}"
        );
        let collection: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(collection["type"], "FeatureCollection");
        let features = collection["features"].as_array().unwrap();
        assert_eq!(features.len(), 2);
        let first = &features[0];
        assert_eq!(first["type"], "Feature");
        assert_eq!(first["id"], "DENI011");
        assert_eq!(first["layer"], "luft");
        assert_eq!(
            first["properties"]["name"],
            format!("Hannover {SCRIPT} & Co")
        );
        assert_eq!(first["properties"]["no2"], 31.5);
        assert_eq!(first["properties"]["active"], true);
        assert_eq!(first["properties"]["empty"], Value::Null);
        assert_eq!(first["geometry"]["type"], "Point");
        assert_eq!(features[1]["geometry"], Value::Null);
        let (_, body) = feature_info(&[], InfoFormat::Json, "de");
        assert_eq!(body, r#"{"features":[],"type":"FeatureCollection"}"#);
    }

    #[test]
    fn plain_text_follows_mapserver() {
        let (content_type, body) = feature_info(&layers(), InfoFormat::Text, "de");
        assert_eq!(content_type, "text/plain; charset=utf-8");
        let expected = format!(
            "GetFeatureInfo results:\n\n\
             Layer 'luft'\n  Feature DENI011:\n    Name = 'Hannover {SCRIPT} & Co'\n    Stationstyp = 'traffic'\n    \
             NO₂ (µg/m³) = '31.5'\n    Aktiv = 'true'\n    Webseite = 'https://example.org/station?id=1&x=2'\n    \
             Skript = 'javascript:alert(1)'\n    Leer = ''\n  Feature DENI054:\n    Name = 'Hildesheim Nord'\n\n"
        );
        assert_eq!(body, expected);
        let (_, body) = feature_info(&[], InfoFormat::Text, "en");
        assert_eq!(body, "GetFeatureInfo results:\n\n  No features found\n");
    }

    #[test]
    fn plain_text_has_the_layout_of_the_corpus() {
        let Some(dir) = corpus_dir() else { return };
        let theirs =
            std::fs::read_to_string(dir.join("gfi_mapserver_inspire_all_plain.txt")).unwrap();
        let (_, ours) = feature_info(&layers(), InfoFormat::Text, "de");
        // Same first line, and every line is a layer, a feature or an indented `label = 'value'`.
        assert_eq!(ours.lines().next(), theirs.lines().next());
        let shape = |line: &str| {
            if line.is_empty() || line.starts_with("GetFeatureInfo") {
                "other"
            } else if line.starts_with("Layer '") && line.ends_with('\'') {
                "layer"
            } else if line.starts_with("  Feature ") && line.trim_end().ends_with(':') {
                "feature"
            } else if line.starts_with("    ") && line.contains(" = '") && line.ends_with('\'') {
                "value"
            } else {
                panic!("unexpected line {line:?}")
            }
        };
        let theirs: std::collections::BTreeSet<&str> = theirs.lines().map(shape).collect();
        let ours: std::collections::BTreeSet<&str> = ours.lines().map(shape).collect();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn xml_is_mapserver_gml_output() {
        let (content_type, body) = feature_info(&layers(), InfoFormat::Xml, "de");
        assert_eq!(content_type, "text/xml; charset=utf-8");
        assert!(!body.contains("<script"), "{body}");
        let output = parse(&body);
        assert_eq!(output.name, "msGMLOutput");
        assert_eq!(output.attr("xmlns:gml"), Some("http://www.opengis.net/gml"));
        assert_eq!(
            output.children.len(),
            1,
            "layers without features are left out"
        );
        let layer = output.child("luft_layer");
        assert_eq!(layer.text_at("gml:name"), "Luftmessstationen");
        let features: Vec<_> = layer.children_named("luft_feature").collect();
        assert_eq!(features.len(), 2);
        assert_eq!(features[0].attr("fid"), Some("DENI011"));
        assert_eq!(
            features[0].text_at("gml:boundedBy/gml:Box/gml:coordinates"),
            "550280.7,5802949.2 550280.7,5802949.2"
        );
        assert_eq!(
            features[0].text_at("name"),
            format!("Hannover {SCRIPT} & Co")
        );
        assert_eq!(features[0].text_at("no2"), "31.5");
        assert_eq!(features[0].text_at("empty"), "");
        assert!(features[1].children_named("gml:boundedBy").next().is_none());
    }

    #[test]
    fn xml_has_the_structure_of_the_corpus() {
        let Some(dir) = corpus_dir() else { return };
        for file in [
            "gfi_mapserver_gml_130.xml",
            "gfi_ifremer_multilayer.xml",
            "gfi_mapserver_escaping.xml",
        ] {
            let theirs = parse(&String::from_utf8_lossy(
                &std::fs::read(dir.join(file)).unwrap(),
            ));
            assert_eq!(theirs.name, "msGMLOutput", "{file}");
            let layer = &theirs.children[0];
            let name = layer.name.strip_suffix("_layer").unwrap();
            assert_eq!(layer.children[0].name, "gml:name", "{file}");
            let feature = layer
                .children
                .iter()
                .find(|c| c.name != "gml:name")
                .unwrap();
            assert_eq!(feature.name, format!("{name}_feature"), "{file}");
            if let Some(bounded) = feature.children.iter().find(|c| c.name == "gml:boundedBy") {
                assert_eq!(
                    bounded.at("gml:Box/gml:coordinates").name,
                    "gml:coordinates"
                );
            }
        }
        let (_, ours) = feature_info(&layers(), InfoFormat::Xml, "de");
        let ours = parse(&ours);
        let theirs =
            parse(&std::fs::read_to_string(dir.join("gfi_mapserver_gml_130.xml")).unwrap());
        for namespace in ["xmlns:gml", "xmlns:xlink", "xmlns:xsi"] {
            assert_eq!(ours.attr(namespace), theirs.attr(namespace), "{namespace}");
        }
        assert_eq!(
            ours.children[0].children[0].name,
            theirs.children[0].children[0].name
        );
    }

    #[test]
    fn field_and_layer_names_become_valid_element_names() {
        assert_eq!(xml_name("name"), "name");
        assert_eq!(xml_name("Straße (km)"), "Straße__km_");
        assert_eq!(xml_name("2020"), "_2020");
        assert_eq!(xml_name("a:b<c>"), "a_b_c_");
        assert_eq!(xml_name("-x"), "_-x");
        assert_eq!(xml_name(""), "_");
        assert_eq!(
            xml_name("TN.CommonTransportElements"),
            "TN.CommonTransportElements"
        );
        let odd = [InfoLayer {
            name: "1 Ebene".into(),
            title: String::new(),
            features: vec![InfoFeature {
                fields: vec![("L".into(), "<x>".into(), json!(1))],
                ..InfoFeature::default()
            }],
        }];
        let output = parse(&feature_info(&odd, InfoFormat::Xml, "de").1);
        let layer = output.child("_1_Ebene_layer");
        assert_eq!(layer.text_at("gml:name"), "1 Ebene");
        assert_eq!(layer.child("_1_Ebene_feature").text_at("_x_"), "1");
    }

    #[test]
    fn the_extent_covers_every_position_of_a_geometry() {
        let polygon =
            json!({ "type": "Polygon", "coordinates": [[[0, 0], [4, 1], [2, 5], [0, 0]]] });
        assert_eq!(extent(&polygon), Some([0.0, 0.0, 4.0, 5.0]));
        let collection = json!({ "type": "GeometryCollection", "geometries": [
            { "type": "Point", "coordinates": [-1, 2] },
            { "type": "LineString", "coordinates": [[3, -4], [5, 6]] }
        ]});
        assert_eq!(extent(&collection), Some([-1.0, -4.0, 5.0, 6.0]));
        assert_eq!(extent(&json!({ "type": "Point", "coordinates": [] })), None);
    }
}
