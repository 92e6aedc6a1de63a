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
/// With `scale`, only the rules drawn at that scale denominator. Drawn at
/// OGC's standard 0.28 mm pixel, as GetLegendGraphic answers it.
pub fn legend(layer: &DrawLayer<'_>, lang: &str, scale: Option<f64>) -> Option<Pixmap> {
    legend_at(layer, lang, scale, 1.0)
}

/// The names of the rules [`legend`] shows, row by row: what the legend
/// says, for a text alternative of its image.
pub fn legend_names(layer: &DrawLayer<'_>, lang: &str, scale: Option<f64>) -> Vec<String> {
    named_rules(layer, scale)
        .iter()
        .map(|r| r.name.get(lang).to_owned())
        .collect()
}

/// The rules with a name, and with `scale` only those drawn at it.
fn named_rules<'s>(layer: &DrawLayer<'s>, scale: Option<f64>) -> Vec<&'s Rule> {
    layer
        .style
        .rules
        .iter()
        .filter(|r| !r.name.is_empty())
        .filter(|r| scale.is_none_or(|s| r.in_scale(s)))
        .collect()
}

/// [`legend`] drawn `ratio` times larger, for paper: swatches, strokes,
/// symbols, text and spacing all grow by `ratio`, so the image has the
/// layout of the screen's legend at `ratio` times its pixels (a print at
/// 300 dpi has 3.3 pixels where the screen has one). Ratio 1 is the
/// screen's legend, pixel for pixel.
pub fn legend_at(
    layer: &DrawLayer<'_>,
    lang: &str,
    scale: Option<f64>,
    ratio: f32,
) -> Option<Pixmap> {
    // The scale picks the rules as the screen does; only then are their
    // widths and sizes scaled (scaling also moves the rules' own scale
    // bounds, which must not decide here).
    let named = named_rules(layer, scale);
    if named.is_empty() || !(ratio.is_finite() && ratio > 0.0) {
        return None;
    }
    let rules = crate::style::Style {
        rules: named.into_iter().cloned().collect(),
    }
    .for_pixel_ratio(ratio)
    .rules;
    let px = |n: u32| n as f32 * ratio;
    let text_size = TEXT_SIZE * ratio;
    let texts: Vec<&str> = rules.iter().map(|r| r.name.get(lang)).collect();
    let text_width = texts
        .iter()
        .map(|t| crate::render::text_width(t, text_size))
        .fold(0.0f32, f32::max);
    // The fixed parts are rounded by themselves and the text's width
    // rounded up, so that ratio 1 keeps the screen legend's exact size.
    let width = px(MARGIN * 3 + SWATCH).round() as u32 + text_width.ceil() as u32;
    let height = px(MARGIN * 2 + ROW * rules.len() as u32).round() as u32;
    let mut pixmap = Pixmap::new(width, height)?;
    for (row, (rule, text)) in rules.iter().zip(&texts).enumerate() {
        let top = px(MARGIN + ROW * row as u32);
        let swatch_top = top + px(ROW - SWATCH) / 2.0;
        crate::render::swatch(&mut pixmap, rule, px(MARGIN), swatch_top, px(SWATCH));
        let baseline_middle = top + px(ROW) / 2.0;
        crate::render::write_text(
            &mut pixmap,
            text,
            text_size,
            px(MARGIN * 2 + SWATCH),
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
        let layer = DrawLayer::new(&data, &style);
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
        let layer = |style| DrawLayer::new(&data, style);
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
    fn a_legend_for_paper_is_the_screen_legend_drawn_ratio_times_larger() {
        let rule = |t: &str| Rule::compile(&toml::from_str(t).unwrap()).unwrap();
        let style = Style {
            rules: vec![
                rule("name = \"Verkehr\"\nsymbol = \"square\"\nfill = \"#c0392b\""),
                rule("name = \"Fluss\"\nstroke = \"#1f5fa0\"\nstroke_width = 2"),
                rule("name = \"Nah\"\nmax_scale = 10000\nfill = \"#000\""),
            ],
        };
        let data =
            crate::data::Dataset::from_geojson_str(r#"{"type":"FeatureCollection","features":[]}"#)
                .unwrap();
        let layer = DrawLayer::new(&data, &style);
        let scale = Some(25_000.0);
        let screen = legend(&layer, "de", scale).unwrap();
        assert_eq!(
            screen.data(),
            legend_at(&layer, "de", scale, 1.0).unwrap().data(),
            "ratio 1 is GetLegendGraphic's image, pixel for pixel"
        );
        let paper = legend_at(&layer, "de", scale, 2.0).unwrap();
        assert_eq!(paper.height(), 2 * screen.height(), "the same two rows");
        assert!(
            paper.width().abs_diff(2 * screen.width()) <= 2,
            "{} vs {}",
            paper.width(),
            screen.width()
        );
        // The square's red fills the middle of the first, larger swatch.
        let red = paper
            .pixel(2 * (MARGIN + SWATCH / 2), 2 * (MARGIN + ROW / 2))
            .unwrap()
            .demultiply();
        assert!(
            red.red() > 150 && red.green() < 100 && red.alpha() > 200,
            "{red:?}"
        );
        // The river's line is twice as thick: count its blue pixels down
        // the middle of the second swatch.
        let blue_rows = |image: &Pixmap, ratio: u32| {
            let x = ratio * (MARGIN + SWATCH / 2);
            (ratio * (MARGIN + ROW)..ratio * (MARGIN + 2 * ROW))
                .filter(|&y| {
                    image.pixel(x, y).is_some_and(|p| {
                        let p = p.demultiply();
                        p.alpha() > 128 && p.blue() > 120 && p.red() < 100
                    })
                })
                .count()
        };
        assert_eq!(blue_rows(&screen, 1), 2);
        assert_eq!(blue_rows(&paper, 2), 4);
        // The rules' own scale bounds still decide at the print's scale.
        assert_eq!(legend_names(&layer, "de", scale), ["Verkehr", "Fluss"]);
        assert_eq!(legend_names(&layer, "de", Some(5_000.0)).len(), 3);
        assert!(legend_at(&layer, "de", scale, 0.0).is_none());
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
        let layer = DrawLayer::new(&data, &style);
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
        assert!(legend(&DrawLayer::new(&data, &empty), "de", None).is_none());
    }
}
