//! Legend images (GetLegendGraphic): one row per named style rule, with a
//! swatch drawn by the same code that draws the map and the rule's name;
//! for a group, its members' legends stacked under their titles.

use tiny_skia::Pixmap;

use crate::render::DrawLayer;
use crate::style::Rule;

/// Swatch size and row height in pixels.
const SWATCH: u32 = 20;
const ROW: u32 = 26;
const MARGIN: u32 = 6;
const TEXT_SIZE: f32 = 12.0;
/// Height of a member's title row in a group legend.
const TITLE_ROW: u32 = 20;

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

/// The legend of a group: each member's title and below it the member's
/// legend, in member order, as MapServer and QGIS Server draw group
/// legends. Members without a legend are left out; `None` when none has
/// one. `members` are (title, layer) pairs, first drawn first.
pub fn group_legend(
    members: &[(&str, DrawLayer<'_>)],
    lang: &str,
    scale: Option<f64>,
) -> Option<Pixmap> {
    let parts: Vec<(&str, Pixmap)> = members
        .iter()
        .filter_map(|(title, layer)| legend(layer, lang, scale).map(|image| (*title, image)))
        .collect();
    if parts.is_empty() {
        return None;
    }
    let width = parts
        .iter()
        .map(|(title, image)| {
            let title_width =
                MARGIN * 2 + crate::render::text_width(title, TEXT_SIZE).ceil() as u32;
            title_width.max(image.width())
        })
        .max()?;
    let height = parts
        .iter()
        .map(|(_, image)| TITLE_ROW + image.height())
        .sum();
    let mut pixmap = Pixmap::new(width, height)?;
    let mut top = 0;
    for (title, image) in &parts {
        crate::render::write_text(
            &mut pixmap,
            title,
            TEXT_SIZE,
            MARGIN as f32,
            (top + TITLE_ROW / 2 + MARGIN / 2) as f32,
            tiny_skia::Color::from_rgba8(0, 0, 0, 255),
        );
        top += TITLE_ROW;
        pixmap.draw_pixmap(
            0,
            top as i32,
            image.as_ref(),
            &tiny_skia::PixmapPaint::default(),
            tiny_skia::Transform::identity(),
            None,
        );
        top += image.height();
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
            opacity: 1.0,
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
    fn a_group_legend_stacks_its_members_with_a_title_each() {
        let rule = |t: &str| Rule::compile(&toml::from_str(t).unwrap()).unwrap();
        let named = Style {
            rules: vec![rule(
                "name = \"Fluss\"\nstroke = \"#4a8fc1\"\nstroke_width = 2",
            )],
        };
        let unnamed = Style {
            rules: vec![rule("fill = \"#000\"")],
        };
        let data =
            crate::data::Dataset::from_geojson_str(r#"{"type":"FeatureCollection","features":[]}"#)
                .unwrap();
        let layer = |style| DrawLayer {
            data: &data,
            style,
            min_scale: None,
            max_scale: None,
            opacity: 1.0,
        };
        let one = legend(&layer(&named), "de", None).unwrap();
        let group = group_legend(
            &[
                ("Flüsse", layer(&named)),
                ("Ohne Legende", layer(&unnamed)),
                ("Auch Flüsse", layer(&named)),
            ],
            "de",
            None,
        )
        .unwrap();
        assert_eq!(group.height(), 2 * (TITLE_ROW + one.height()));
        assert!(group.width() >= one.width());
        // The first title row has text in it.
        let title_ink = (0..TITLE_ROW)
            .flat_map(|y| (0..group.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| group.pixel(x, y).is_some_and(|p| p.alpha() > 0))
            .count();
        assert!(title_ink > 10, "{title_ink}");
        assert!(group_legend(&[("Ohne", layer(&unnamed))], "de", None).is_none());
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
            opacity: 1.0,
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
                    max_scale: None,
                    opacity: 1.0,
                },
                "de",
                None
            )
            .is_none()
        );
    }
}
