//! Legend images (GetLegendGraphic): one row per named style rule, with a
//! swatch drawn by the same code that draws the map and the rule's name.

use tiny_skia::Pixmap;

use crate::render::DrawLayer;
use crate::style::Rule;

/// Swatch size and row height in pixels.
const SWATCH: u32 = 20;
const ROW: u32 = 26;
const MARGIN: u32 = 6;
const TEXT_SIZE: f32 = 12.0;

/// Draws the legend of `layer` in `lang`; `None` when no rule has a name.
/// With `scale`, only the rules drawn at that scale denominator.
pub fn legend(layer: &DrawLayer<'_>, lang: &str, scale: Option<f64>) -> Option<Pixmap> {
    let rules: Vec<&Rule> = layer
        .style
        .rules
        .iter()
        .filter(|r| !r.name.is_empty())
        .filter(|r| scale.is_none_or(|s| r.in_scale(s)))
        .collect();
    if rules.is_empty() {
        return None;
    }
    let texts: Vec<&str> = rules.iter().map(|r| r.name.get(lang)).collect();
    let text_width = texts
        .iter()
        .map(|t| crate::render::text_width(t, TEXT_SIZE))
        .fold(0.0f32, f32::max);
    let width = MARGIN * 3 + SWATCH + text_width.ceil() as u32;
    let height = MARGIN * 2 + ROW * rules.len() as u32;
    let mut pixmap = Pixmap::new(width, height)?;
    for (row, (rule, text)) in rules.iter().zip(&texts).enumerate() {
        let top = (MARGIN + ROW * row as u32) as f32;
        let swatch_top = top + (ROW - SWATCH) as f32 / 2.0;
        crate::render::swatch(&mut pixmap, rule, MARGIN as f32, swatch_top, SWATCH as f32);
        let baseline_middle = top + ROW as f32 / 2.0;
        crate::render::write_text(
            &mut pixmap,
            text,
            TEXT_SIZE,
            (MARGIN * 2 + SWATCH) as f32,
            baseline_middle,
            tiny_skia::Color::from_rgba8(34, 34, 34, 255),
        );
    }
    Some(pixmap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::style::Style;

    #[test]
    fn a_scale_leaves_out_the_rules_not_drawn_at_it() {
        let rule = |t: &str| Rule::compile(&toml::from_str(t).unwrap()).unwrap();
        let style = Style {
            rules: vec![
                rule("name = \"Immer\"\nfill = \"#000\""),
                rule("name = \"Nah\"\nmax_scale = 100000\nfill = \"#f00\""),
            ],
        };
        let data =
            crate::data::Dataset::from_geojson_str(r#"{"type":"FeatureCollection","features":[]}"#)
                .unwrap();
        let layer = DrawLayer {
            data: &data,
            style: &style,
            min_scale: None,
            max_scale: None,
        };
        assert_eq!(
            legend(&layer, "de", None).unwrap().height(),
            MARGIN * 2 + ROW * 2
        );
        assert_eq!(
            legend(&layer, "de", Some(5_000_000.0)).unwrap().height(),
            MARGIN * 2 + ROW
        );
    }

    #[test]
    fn one_row_per_named_rule() {
        let rule = |t: &str| Rule::compile(&toml::from_str(t).unwrap()).unwrap();
        let style = Style {
            rules: vec![
                rule(
                    "name = { de = \"Verkehr\", en = \"Traffic\" }\nsymbol = \"triangle\"\nfill = \"#c0392b\"",
                ),
                rule("name = \"Fluss\"\nstroke = \"#4a8fc1\"\nstroke_width = 2"),
                rule("label = { field = \"name\" }"),
            ],
        };
        let data =
            crate::data::Dataset::from_geojson_str(r#"{"type":"FeatureCollection","features":[]}"#)
                .unwrap();
        let layer = DrawLayer {
            data: &data,
            style: &style,
            min_scale: None,
            max_scale: None,
        };
        let image = legend(&layer, "en", None).unwrap();
        assert_eq!(image.height(), MARGIN * 2 + ROW * 2);
        assert!(image.width() > SWATCH + 30, "room for the text");
        // The triangle's red shows in the first row's swatch.
        let centre = image
            .pixel(MARGIN + SWATCH / 2, MARGIN + ROW / 2)
            .unwrap()
            .demultiply();
        assert!(
            centre.red() > 150 && centre.green() < 100 && centre.alpha() > 200,
            "{centre:?}"
        );
        let empty = Style {
            rules: vec![rule("fill = \"#000\"")],
        };
        assert!(
            legend(
                &DrawLayer {
                    data: &data,
                    style: &empty,
                    min_scale: None,
                    max_scale: None
                },
                "de",
                None
            )
            .is_none()
        );
    }
}
