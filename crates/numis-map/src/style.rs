//! Style rules compiled from the configuration: which features a rule
//! matches (attribute filters, scale range, `else`) and how it draws them.

use serde_json::{Map, Value};
use tiny_skia::Color;

use crate::config::{LabelConfig, Placement, RuleConfig, Shape, Text};

/// A colour from `#rgb`, `#rrggbb` or `#rrggbbaa`.
pub fn parse_color(text: &str) -> Option<[u8; 4]> {
    let hex = text.trim().strip_prefix('#')?;
    let digit = |i: usize, len: usize| u8::from_str_radix(hex.get(i..i + len)?, 16).ok();
    match hex.len() {
        3 => Some([digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17, 255]),
        6 => Some([digit(0, 2)?, digit(2, 2)?, digit(4, 2)?, 255]),
        8 => Some([digit(0, 2)?, digit(2, 2)?, digit(4, 2)?, digit(6, 2)?]),
        _ => None,
    }
}

fn color(rgba: [u8; 4], opacity: f32) -> Color {
    let alpha = (f32::from(rgba[3]) / 255.0 * opacity.clamp(0.0, 1.0) * 255.0).round() as u8;
    Color::from_rgba8(rgba[0], rgba[1], rgba[2], alpha)
}

/// Which features a rule applies to.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Every feature.
    All,
    /// `field == value`.
    Equals(String, Value),
    /// `field` is one of the values.
    In(String, Vec<Value>),
    /// `min <= field < max` (numbers).
    Range(String, Option<f64>, Option<f64>),
}

/// Where filters and labels read a feature's values: a JSON object, or a
/// row of a dataset's attribute table.
pub trait PropertyLookup {
    /// The value of `name`, if the feature has it.
    fn property(&self, name: &str) -> Option<&Value>;
}

impl PropertyLookup for Map<String, Value> {
    fn property(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

impl PropertyLookup for crate::data::Properties<'_> {
    fn property(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

impl Filter {
    fn matches(&self, properties: &impl PropertyLookup) -> bool {
        match self {
            Self::All => true,
            Self::Equals(field, value) => {
                properties.property(field).is_some_and(|v| same(v, value))
            }
            Self::In(field, values) => properties
                .property(field)
                .is_some_and(|v| values.iter().any(|x| same(v, x))),
            Self::Range(field, min, max) => properties
                .property(field)
                .and_then(number)
                .is_some_and(|n| min.is_none_or(|min| n >= min) && max.is_none_or(|max| n < max)),
        }
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Data values compare as numbers when both are numbers, else as text.
fn same(a: &Value, b: &Value) -> bool {
    match (number(a), number(b)) {
        (Some(x), Some(y)) if !matches!((a, b), (Value::String(_), Value::String(_))) => {
            (x - y).abs() < 1e-9
        }
        _ => as_text(a) == as_text(b),
    }
}

/// A value as text, for comparisons and labels.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// How a line is drawn.
#[derive(Debug, Clone)]
pub struct Stroke {
    /// Colour with opacity.
    pub color: Color,
    /// Width in pixels.
    pub width: f32,
    /// Dash pattern in pixels (even number of entries).
    pub dash: Option<Vec<f32>>,
}

/// A point symbol.
#[derive(Debug, Clone)]
pub struct Symbol {
    /// Shape.
    pub shape: Shape,
    /// The picture of an `image` symbol, loaded with the catalog.
    pub image: Option<std::sync::Arc<tiny_skia::Pixmap>>,
    /// Size (diameter) in pixels.
    pub size: f32,
}

/// A label.
#[derive(Debug, Clone)]
pub struct Label {
    /// Property written.
    pub field: String,
    /// Size in pixels.
    pub size: f32,
    /// Text colour.
    pub color: Color,
    /// Halo colour.
    pub halo: Option<Color>,
    /// Placement.
    pub placement: Placement,
}

/// A compiled style rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Legend label.
    pub name: Text,
    /// Which features.
    pub filter: Filter,
    /// Only features no earlier rule matched.
    pub else_: bool,
    /// Scale range (denominators).
    pub min_scale: Option<f64>,
    /// See `min_scale`.
    pub max_scale: Option<f64>,
    /// Fill colour.
    pub fill: Option<Color>,
    /// Outline.
    pub stroke: Option<Stroke>,
    /// Point symbol (points are drawn as circles of 8 px when none is set).
    pub symbol: Option<Symbol>,
    /// Label.
    pub label: Option<Label>,
}

impl Rule {
    /// Compiles a configured rule; the error names the bad value.
    pub fn compile(config: &RuleConfig) -> Result<Self, String> {
        let colour = |name: &str, value: &Option<String>| -> Result<Option<[u8; 4]>, String> {
            value
                .as_deref()
                .map(|v| {
                    parse_color(v).ok_or_else(|| format!("{name} {v:?} is not a colour (#rrggbb)"))
                })
                .transpose()
        };
        let fill =
            colour("fill", &config.fill)?.map(|c| color(c, config.fill_opacity.unwrap_or(1.0)));
        let stroke = colour("stroke", &config.stroke)?.map(|c| Stroke {
            color: color(c, config.stroke_opacity.unwrap_or(1.0)),
            width: config.stroke_width.unwrap_or(1.0).max(0.0),
            dash: config
                .stroke_dash
                .clone()
                .filter(|d| d.len() >= 2 && d.iter().all(|x| *x > 0.0)),
        });
        if let Some(dash) = &config.stroke_dash
            && (dash.len() < 2 || dash.iter().any(|x| *x <= 0.0))
        {
            return Err(format!(
                "stroke_dash {dash:?} needs at least two positive lengths"
            ));
        }
        let filter = match &config.filter {
            None => Filter::All,
            Some(f) => {
                let field = f.field.clone().ok_or("filter needs a field")?;
                let json = |v: &toml::Value| serde_json::to_value(v).map_err(|e| e.to_string());
                if let Some(value) = &f.equals {
                    Filter::Equals(field, json(value)?)
                } else if let Some(values) = &f.in_ {
                    Filter::In(field, values.iter().map(json).collect::<Result<_, _>>()?)
                } else if f.min.is_some() || f.max.is_some() {
                    Filter::Range(field, f.min, f.max)
                } else {
                    return Err(format!("filter on {field:?} needs equals, in, min or max"));
                }
            }
        };
        let label = config.label.as_ref().map(compile_label).transpose()?;
        Ok(Self {
            name: config.name.clone(),
            filter,
            else_: config.else_,
            min_scale: config.min_scale,
            max_scale: config.max_scale,
            fill,
            stroke,
            symbol: config.symbol.map(|shape| Symbol {
                shape,
                image: None,
                size: config.symbol_size.unwrap_or(8.0),
            }),
            label,
        })
    }

    /// Loads the picture of an `image` symbol from `site_dir`.
    pub fn load_symbol_image(
        &mut self,
        config: &RuleConfig,
        site_dir: &std::path::Path,
    ) -> Result<(), String> {
        let Some(symbol) = self.symbol.as_mut().filter(|s| s.shape == Shape::Image) else {
            return Ok(());
        };
        let path = config
            .symbol_image
            .as_ref()
            .ok_or("symbol \"image\" needs symbol_image = \"file.png\"")?;
        let full = site_dir.join(path);
        let bytes =
            std::fs::read(&full).map_err(|e| format!("symbol_image {}: {e}", full.display()))?;
        let image = tiny_skia::Pixmap::decode_png(&bytes)
            .map_err(|e| format!("symbol_image {}: {e}", full.display()))?;
        symbol.image = Some(std::sync::Arc::new(image));
        Ok(())
    }

    /// Does the rule draw the feature itself (an area, a line or a point
    /// symbol), not only a label?
    pub fn draws(&self) -> bool {
        self.fill.is_some() || self.stroke.is_some() || self.symbol.is_some()
    }

    /// Is the rule active at this scale denominator?
    pub fn in_scale(&self, scale: f64) -> bool {
        self.min_scale.is_none_or(|min| scale >= min)
            && self.max_scale.is_none_or(|max| scale < max)
    }
}

fn compile_label(config: &LabelConfig) -> Result<Label, String> {
    let text = parse_color(&config.color)
        .ok_or_else(|| format!("label color {:?} is not a colour", config.color))?;
    let halo = config
        .halo
        .as_deref()
        .map(|h| parse_color(h).ok_or_else(|| format!("label halo {h:?} is not a colour")))
        .transpose()?;
    Ok(Label {
        field: config.field.clone(),
        size: config.size.clamp(4.0, 72.0),
        color: color(text, 1.0),
        halo: halo.map(|h| color(h, 1.0)),
        placement: config.placement,
    })
}

/// The rules of a layer, applied in order.
#[derive(Debug, Clone, Default)]
pub struct Style {
    /// Rules in order.
    pub rules: Vec<Rule>,
}

impl Style {
    /// The same style for an image whose pixels are `ratio` times smaller
    /// than OGC's standard 0.28 mm pixel (a print at 300 dpi: ratio 3.3):
    /// every size in pixels (strokes, dashes, symbols, labels) grows by
    /// `ratio`, so that the map looks on paper as it does on screen, and
    /// every scale bound shrinks by it, because the scale denominator of
    /// such an image, computed at the standard pixel, is `ratio` times too
    /// small.
    pub fn for_pixel_ratio(&self, ratio: f32) -> Style {
        let scaled = |bound: Option<f64>| bound.map(|b| b / f64::from(ratio));
        Style {
            rules: self
                .rules
                .iter()
                .map(|rule| Rule {
                    min_scale: scaled(rule.min_scale),
                    max_scale: scaled(rule.max_scale),
                    stroke: rule.stroke.as_ref().map(|stroke| Stroke {
                        width: stroke.width * ratio,
                        dash: stroke
                            .dash
                            .as_ref()
                            .map(|dash| dash.iter().map(|d| d * ratio).collect()),
                        ..stroke.clone()
                    }),
                    symbol: rule.symbol.as_ref().map(|symbol| Symbol {
                        size: symbol.size * ratio,
                        ..symbol.clone()
                    }),
                    label: rule.label.as_ref().map(|label| Label {
                        size: label.size * ratio,
                        ..label.clone()
                    }),
                    ..rule.clone()
                })
                .collect(),
        }
    }

    /// The position of the first rule that draws a feature with
    /// `properties` (see [`Rule::draws`]) at any scale, matched as
    /// [`Style::rules_for`] matches: for outputs with one style per feature
    /// (KML).
    pub fn first_drawing_rule(&self, properties: &impl PropertyLookup) -> Option<usize> {
        let filtered_match = self
            .rules
            .iter()
            .any(|r| !r.else_ && r.filter != Filter::All && r.filter.matches(properties));
        self.rules.iter().position(|r| {
            r.draws()
                && if r.else_ {
                    !filtered_match
                } else {
                    r.filter.matches(properties)
                }
        })
    }

    /// The rules that draw a feature at `scale`: every matching rule, and the
    /// `else` rules when no rule with a filter matched.
    pub fn rules_for<'a>(&'a self, properties: &impl PropertyLookup, scale: f64) -> Vec<&'a Rule> {
        self.select(|_, rule| rule.filter.matches(properties), scale)
    }

    /// Which rules' filters a feature matches, one bit per rule, whatever
    /// the scale: what a layer's overview keeps instead of the feature's
    /// values. `None` for a style of more than 64 rules.
    pub fn filter_mask(&self, properties: &impl PropertyLookup) -> Option<u64> {
        if self.rules.len() > 64 {
            return None;
        }
        Some(
            self.rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.filter.matches(properties))
                .fold(0, |mask, (i, _)| mask | 1 << i),
        )
    }

    /// [`Style::rules_for`] of a feature whose filters matched as `mask`
    /// (from [`Style::filter_mask`]) says.
    pub fn rules_for_mask(&self, mask: u64, scale: f64) -> Vec<&Rule> {
        self.select(|i, _| i < 64 && mask & (1 << i) != 0, scale)
    }

    fn select(&self, matches: impl Fn(usize, &Rule) -> bool, scale: f64) -> Vec<&Rule> {
        let active = || {
            self.rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.in_scale(scale))
        };
        // `else` means "no filtered rule matched": rules without a filter
        // (a label rule for every feature, say) do not count.
        let filtered_match =
            active().any(|(i, r)| !r.else_ && r.filter != Filter::All && matches(i, r));
        active()
            .filter(|(i, r)| {
                if r.else_ {
                    !filtered_match
                } else {
                    matches(*i, r)
                }
            })
            .map(|(_, r)| r)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(toml_text: &str) -> Rule {
        Rule::compile(&toml::from_str(toml_text).unwrap()).unwrap()
    }

    #[test]
    fn a_style_for_paper_grows_its_sizes_and_shrinks_its_scale_bounds() {
        let style = Style {
            rules: vec![rule(
                "stroke = \"#000000\"\nstroke_width = 2\nstroke_dash = [4, 2]\nsymbol = \"circle\"\nsymbol_size = 10\nmin_scale = 1000\nmax_scale = 50000\nlabel = { field = \"name\", size = 12 }",
            )],
        };
        let paper = style.for_pixel_ratio(2.5);
        let r = &paper.rules[0];
        let stroke = r.stroke.as_ref().unwrap();
        assert_eq!(stroke.width, 5.0);
        assert_eq!(stroke.dash.as_deref(), Some(&[10.0, 5.0][..]));
        assert_eq!(r.symbol.as_ref().unwrap().size, 25.0);
        assert_eq!(r.label.as_ref().unwrap().size, 30.0);
        assert_eq!((r.min_scale, r.max_scale), (Some(400.0), Some(20000.0)));
    }

    #[test]
    fn colours_parse_in_short_and_long_form() {
        assert_eq!(parse_color("#fff"), Some([255, 255, 255, 255]));
        assert_eq!(parse_color("#1a2b3c"), Some([0x1a, 0x2b, 0x3c, 255]));
        assert_eq!(parse_color("#1a2b3c80"), Some([0x1a, 0x2b, 0x3c, 0x80]));
        assert_eq!(parse_color("red"), None);
    }

    #[test]
    fn filters_and_else_pick_the_rules() {
        let style = Style {
            rules: vec![
                rule(
                    "filter = { field = \"station_type\", equals = \"traffic\" }\nfill = \"#ff0000\"",
                ),
                rule(
                    "filter = { field = \"altitude_m\", min = 100, max = 500 }\nfill = \"#00ff00\"",
                ),
                rule("else = true\nfill = \"#0000ff\""),
                rule("label = { field = \"name\" }"),
            ],
        };
        let props = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(
            style
                .rules_for(
                    &props(json!({"station_type": "traffic", "altitude_m": 50})),
                    1e4
                )
                .len(),
            2
        );
        assert_eq!(
            style
                .rules_for(
                    &props(json!({"station_type": "traffic", "altitude_m": 150})),
                    1e4
                )
                .len(),
            3
        );
        let other = style.rules_for(&props(json!({"station_type": "background"})), 1e4);
        assert_eq!(
            other.len(),
            2,
            "the else rule and the unfiltered label rule"
        );
        assert!(other[0].else_);
        // The overview's way, through the filter mask, picks the same rules.
        for values in [
            json!({"station_type": "traffic", "altitude_m": 50}),
            json!({"station_type": "traffic", "altitude_m": 150}),
            json!({"station_type": "background"}),
        ] {
            let p = props(values);
            let mask = style.filter_mask(&p).unwrap();
            let by_mask: Vec<*const Rule> = style
                .rules_for_mask(mask, 1e4)
                .into_iter()
                .map(std::ptr::from_ref)
                .collect();
            let direct: Vec<*const Rule> = style
                .rules_for(&p, 1e4)
                .into_iter()
                .map(std::ptr::from_ref)
                .collect();
            assert_eq!(by_mask, direct, "{p:?}");
        }
    }

    #[test]
    fn the_first_drawing_rule_skips_label_rules_and_honours_else() {
        let style = Style {
            rules: vec![
                rule("label = { field = \"name\" }"),
                rule("filter = { field = \"kind\", equals = \"a\" }\nfill = \"#ff0000\""),
                rule("else = true\nfill = \"#0000ff\""),
            ],
        };
        let props = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(
            style.first_drawing_rule(&props(json!({"kind": "a"}))),
            Some(1)
        );
        assert_eq!(
            style.first_drawing_rule(&props(json!({"kind": "b"}))),
            Some(2)
        );
        let labels_only = Style {
            rules: vec![rule("label = { field = \"name\" }")],
        };
        assert_eq!(labels_only.first_drawing_rule(&props(json!({}))), None);
    }

    #[test]
    fn numbers_and_strings_compare_sensibly() {
        assert!(same(&json!(3), &json!(3.0)));
        assert!(same(&json!("03101"), &json!("03101")));
        assert!(
            !same(&json!("03101"), &json!("3101")),
            "keys with leading zeros stay text"
        );
        assert!(same(&json!(42), &json!("42")));
    }

    #[test]
    fn bad_values_are_named() {
        let error = Rule::compile(&toml::from_str("fill = \"grün\"").unwrap()).unwrap_err();
        assert!(error.contains("grün"), "{error}");
        let error =
            Rule::compile(&toml::from_str("stroke = \"#000\"\nstroke_dash = [0, 2]").unwrap())
                .unwrap_err();
        assert!(error.contains("stroke_dash"), "{error}");
    }

    #[test]
    fn scale_ranges_switch_rules() {
        let r = rule("min_scale = 1000\nmax_scale = 50000\nfill = \"#000\"");
        assert!(r.in_scale(1000.0) && r.in_scale(49_999.0));
        assert!(!r.in_scale(999.0) && !r.in_scale(50_000.0));
    }
}
