//! A layer as KML 2.2 that Google Earth opens directly: one `Document`
//! (no `NetworkLink`) named after the layer, its source note and licence
//! in the description, a `Style` per drawing rule of the layer (colours as
//! KML's `aabbggrr`, widths in pixels, point markers in the symbol's
//! colour), and per feature a Placemark with the style of the first rule
//! that draws it, its label (or `name`) as name and its public properties
//! as `ExtendedData`. Written by numis-formats' KML writer, which drawings
//! use too.

use numis_formats::Rgba;
use numis_formats::kml::{Document, Placemark, SharedStyle, write_document};
use numis_formats::model::Style;

use super::licence::licence_title;
use super::{ExportError, Provenance, geometry_of, value_text};
use crate::config::RuleConfig;
use crate::crs::Crs;
use crate::style::parse_color;
use crate::view::VisibleLayer;

/// Writes `layer` as KML with texts in `provenance.lang`.
pub fn write(layer: &VisibleLayer<'_>, provenance: Provenance<'_>) -> Result<Vec<u8>, ExportError> {
    let lang = provenance.lang;
    let label_field = layer
        .rules()
        .iter()
        .find_map(|r| r.label.as_ref())
        .map_or("name", |l| l.field.as_str());
    let styles: Vec<SharedStyle> = layer
        .rules()
        .iter()
        .enumerate()
        .filter_map(|(i, rule)| shared_style(i, rule))
        .collect();
    let mut placemarks = Vec::with_capacity(layer.feature_count());
    for feature in layer.data_features() {
        let geometry = geometry_of(layer, Crs::Crs84, feature.index)?;
        let name = feature
            .property(label_field)
            .or_else(|| feature.property("name"))
            .map(value_text)
            .filter(|n| !n.is_empty());
        let style_id = layer
            .style_rule(feature.index)
            .map(style_id)
            .filter(|id| styles.iter().any(|s| s.id == *id));
        placemarks.push(Placemark {
            name,
            style_id,
            data: feature
                .properties()
                .map(|(k, v)| (k.to_owned(), value_text(v)))
                .collect(),
            geometry: geometry.clone(),
        });
    }
    let document = Document {
        name: layer.title().get(lang).to_owned(),
        description_html: Some(description(layer, provenance)),
        styles,
        placemarks,
    };
    Ok(write_document(&document).into_bytes())
}

fn style_id(rule: usize) -> String {
    format!("rule{rule}")
}

/// The document's description: abstract, source note, licence (linked),
/// data date and the portal, as HTML.
fn description(layer: &VisibleLayer<'_>, provenance: Provenance<'_>) -> String {
    let lang = provenance.lang;
    let english = lang == "en";
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut html = String::new();
    let summary = layer.abstract_().get(lang);
    if !summary.is_empty() {
        html.push_str(&format!("<p>{}</p>", escape(summary)));
    }
    let source = layer.source_note(lang);
    if !source.is_empty() {
        let label = if english { "Source" } else { "Quelle" };
        html.push_str(&format!("<p>{label}: {}</p>", escape(&source)));
    }
    let licence = layer.licence();
    let title = licence_title(&licence.id, lang);
    let label = if english { "Licence" } else { "Lizenz" };
    if licence.url.starts_with("https://") || licence.url.starts_with("http://") {
        html.push_str(&format!(
            "<p>{label}: <a href=\"{}\">{}</a></p>",
            escape(&licence.url),
            escape(&title)
        ));
    } else {
        html.push_str(&format!("<p>{label}: {}</p>", escape(&title)));
    }
    if !layer.data_date().is_empty() {
        let label = if english { "Data as of" } else { "Stand" };
        html.push_str(&format!("<p>{label}: {}</p>", escape(layer.data_date())));
    }
    let from = if english { "From" } else { "Aus" };
    html.push_str(&format!("<p>{from}: {}</p>", escape(provenance.portal)));
    html
}

fn rgba(color: Option<&str>, opacity: Option<f32>) -> Option<Rgba> {
    let [r, g, b, a] = parse_color(color?)?;
    let alpha = f32::from(a) / 255.0 * opacity.unwrap_or(1.0).clamp(0.0, 1.0);
    Some(Rgba {
        r,
        g,
        b,
        a: (alpha * 255.0).round() as u8,
    })
}

/// The KML style of a rule that draws something; `None` for label rules.
fn shared_style(index: usize, rule: &RuleConfig) -> Option<SharedStyle> {
    let fill = rgba(rule.fill.as_deref(), rule.fill_opacity);
    let stroke = rgba(rule.stroke.as_deref(), rule.stroke_opacity);
    if fill.is_none() && stroke.is_none() && rule.symbol.is_none() {
        return None;
    }
    Some(SharedStyle {
        id: style_id(index),
        style: Style {
            stroke_color: stroke,
            // f32 → f64 would write 1.4 as 1.399999976…: two decimals.
            stroke_width: stroke
                .map(|_| (f64::from(rule.stroke_width.unwrap_or(1.0)) * 100.0).round() / 100.0),
            fill_color: fill,
            icon: None,
            label_scale: None,
        },
        // The map draws point symbols filled, outlined in the stroke.
        marker_color: fill.or(stroke),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::with_catalog;

    #[test]
    fn placemarks_carry_their_rules_style_name_and_public_data() {
        with_catalog(|layer| {
            let provenance = Provenance {
                lang: "en",
                portal: "Test portal",
            };
            let text = String::from_utf8(write(&layer, provenance).unwrap()).unwrap();
            assert!(text.contains("<name>Places</name>"), "{text}");
            assert!(text.contains("<Style id=\"rule0\">"), "{text}");
            assert!(
                text.contains("<IconStyle><color>ff0000ff</color></IconStyle>"),
                "{text}"
            );
            assert!(text.contains("<styleUrl>#rule0</styleUrl>"), "{text}");
            assert!(text.contains("<name>Hannover</name>"), "{text}");
            assert!(
                text.contains("<Data name=\"name\"><value>Hannover</value></Data>"),
                "{text}"
            );
            assert!(text.contains("CC BY 4.0"), "{text}");
            assert!(!text.contains("Erika") && !text.contains("NetworkLink"));
        });
    }

    #[test]
    fn colours_become_aabbggrr_with_their_opacity() {
        assert_eq!(
            rgba(Some("#5a9e4b"), Some(0.35))
                .map(Rgba::to_kml)
                .as_deref(),
            Some("594b9e5a")
        );
    }
}
