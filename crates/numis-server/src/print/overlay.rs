//! The user's overlays and the search marker as layers of the map
//! renderer, styled as the viewer draws them (web/src/draw/style.ts and
//! the marker of web/src/mapview.ts): lines and outlines in the feature's
//! colour, areas filled with it at a quarter opacity unless a fill is
//! given, points as their marker symbol with a white rim and their name
//! beside them, text labels as text.
//!
//! Each overlay becomes one dataset and one style. A feature's look is
//! one of few: features are tagged with the number of their look
//! (`_look`) and the style has one rule per look, so the renderer draws,
//! labels and clips them like any layer.

use geo::Geometry;
use numis_formats::{Drawing, Rgba};
use numis_map::Crs;
use numis_map::config::{Placement, Shape, Text};
use numis_map::data::{Dataset, FeatureData};
use numis_map::render::DrawLayer;
use numis_map::style::{Filter, Label, Rule, Stroke, Style, Symbol};
use serde_json::{Map, Value, json};
use tiny_skia::Color;

use super::content::Content;

/// The viewer's drawing colour where a feature has none.
const DEFAULT_COLOR: Rgba = Rgba {
    r: 0xc8,
    g: 0x10,
    b: 0x2e,
    a: 255,
};
const DEFAULT_WIDTH: f64 = 3.0;
const DEFAULT_FILL_OPACITY: f64 = 0.25;
const LABEL_TEXT: [u8; 4] = [0x1b, 0x1f, 0x24, 255];
/// The property that holds a feature's look.
const LOOK: &str = "_look";
/// The `icon` of a text label: a point whose name is the text.
const TEXT_ICON: &str = "text";

/// The overlays of a print, ready to draw.
pub struct OverlayLayers {
    layers: Vec<(Dataset, Style)>,
}

impl OverlayLayers {
    /// The overlays of `content` and its marker, bottom first.
    pub fn of(content: &Content) -> Result<Self, String> {
        let mut layers = Vec::new();
        for overlay in &content.overlays {
            if !overlay.drawing.features.is_empty() {
                layers.push(drawing_layer(&overlay.drawing)?);
            }
        }
        if let Some((x, y)) = content.marker {
            layers.push(marker_layer(x, y)?);
        }
        Ok(Self { layers })
    }

    /// The layers for the renderer, styled for the screen.
    pub fn draw_layers(&self) -> impl Iterator<Item = DrawLayer<'_>> {
        self.layers
            .iter()
            .map(|(data, style)| DrawLayer::new(data, style))
    }
}

/// How a feature looks: what decides its rule.
#[derive(Debug, Clone, PartialEq)]
struct Look {
    point: bool,
    text: bool,
    stroke: Rgba,
    width: f64,
    fill: Rgba,
    icon: Option<String>,
    label_scale: f64,
}

fn drawing_layer(drawing: &Drawing) -> Result<(Dataset, Style), String> {
    let mut looks: Vec<Look> = Vec::new();
    let mut features = Vec::with_capacity(drawing.features.len());
    let mut geometries = Vec::with_capacity(drawing.features.len());
    for (position, feature) in drawing.features.iter().enumerate() {
        let style = &feature.style;
        let stroke = style.stroke_color.unwrap_or(DEFAULT_COLOR);
        let icon = style.icon.clone();
        let look = Look {
            point: matches!(
                feature.geometry,
                Geometry::Point(_) | Geometry::MultiPoint(_)
            ),
            text: icon.as_deref() == Some(TEXT_ICON) && feature.name.is_some(),
            stroke,
            width: style.stroke_width.unwrap_or(DEFAULT_WIDTH).clamp(0.0, 50.0),
            fill: style.fill_color.unwrap_or(Rgba {
                a: (DEFAULT_FILL_OPACITY * 255.0).round() as u8,
                ..stroke
            }),
            icon,
            label_scale: style.label_scale.unwrap_or(1.0).clamp(0.25, 5.0),
        };
        let index = looks.iter().position(|l| *l == look).unwrap_or_else(|| {
            looks.push(look);
            looks.len() - 1
        });
        let mut properties = Map::new();
        properties.insert(LOOK.into(), json!(index));
        if let Some(name) = &feature.name {
            properties.insert("name".into(), Value::String(name.clone()));
        }
        features.push(FeatureData {
            id: position.to_string(),
            properties,
        });
        geometries.push(feature.geometry.clone());
    }
    let rules = looks
        .iter()
        .enumerate()
        .map(|(i, look)| rule(i, look))
        .collect();
    let data = Dataset::from_lonlat(features, geometries).map_err(|e| e.to_string())?;
    Ok((data, Style { rules }))
}

fn rule(index: usize, look: &Look) -> Rule {
    let filter = Filter::Equals(LOOK.into(), json!(index));
    let colour = color(look.stroke);
    let white_rim = || Stroke {
        color: Color::WHITE,
        width: 2.0,
        dash: None,
    };
    let name_label = |size: f32, text_colour: Color, placement| Label {
        field: "name".into(),
        size: size * look.label_scale as f32,
        color: text_colour,
        halo: Some(Color::WHITE),
        placement,
    };
    let base = Rule {
        name: Text::None,
        filter,
        else_: false,
        min_scale: None,
        max_scale: None,
        fill: None,
        stroke: None,
        symbol: None,
        label: None,
    };
    if look.text {
        // The text is the feature: no symbol.
        return Rule {
            label: Some(name_label(15.0, colour, Placement::Interior)),
            ..base
        };
    }
    if look.point {
        let (shape, size) = match look.icon.as_deref() {
            Some("square") => (Shape::Square, 13.0),
            Some("star") => (Shape::Star, 22.0),
            Some("pin") => (Shape::Circle, 16.0),
            _ => (Shape::Circle, 14.0),
        };
        return Rule {
            fill: Some(colour),
            stroke: Some(white_rim()),
            symbol: Some(Symbol {
                shape,
                image: None,
                size,
            }),
            label: Some(name_label(12.0, color_of(LABEL_TEXT), Placement::Point)),
            ..base
        };
    }
    Rule {
        fill: Some(color(look.fill)),
        stroke: (look.width > 0.0).then_some(Stroke {
            color: colour,
            width: look.width as f32,
            dash: None,
        }),
        ..base
    }
}

/// The search marker: the viewer's red point with a white rim.
fn marker_layer(x: f64, y: f64) -> Result<(Dataset, Style), String> {
    let (lon, lat) = Crs::Utm32
        .transform(Crs::Crs84, x, y)
        .map_err(|e| e.to_string())?;
    let data = Dataset::from_lonlat(
        vec![FeatureData {
            id: "marker".into(),
            properties: Map::new(),
        }],
        vec![Geometry::Point((lon, lat).into())],
    )
    .map_err(|e| e.to_string())?;
    let rule = Rule {
        name: Text::None,
        filter: Filter::All,
        else_: false,
        min_scale: None,
        max_scale: None,
        fill: Some(color(DEFAULT_COLOR)),
        stroke: Some(Stroke {
            color: Color::WHITE,
            width: 2.5,
            dash: None,
        }),
        symbol: Some(Symbol {
            shape: Shape::Triangle,
            image: None,
            size: 20.0,
        }),
        label: None,
    };
    Ok((data, Style { rules: vec![rule] }))
}

fn color(c: Rgba) -> Color {
    Color::from_rgba8(c.r, c.g, c.b, c.a)
}

fn color_of([r, g, b, a]: [u8; 4]) -> Color {
    Color::from_rgba8(r, g, b, a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::content::{LayerRequest, OverlayRequest};
    use numis_formats::Limits;
    use std::collections::HashMap;

    /// How many features of each look: for tests.
    fn looks_of(data: &Dataset) -> HashMap<u64, usize> {
        let mut counts = HashMap::new();
        for index in 0..data.len() {
            let properties = data.properties(index);
            if let Some(look) = properties.and_then(|p| p.get(LOOK)).and_then(Value::as_u64) {
                *counts.entry(look).or_default() += 1;
            }
        }
        counts
    }

    fn content(geojson: Value, marker: Option<[f64; 2]>) -> Content {
        Content::check(
            vec![LayerRequest::Id("land".into())],
            vec![OverlayRequest {
                kind: "drawing".into(),
                geojson,
            }],
            marker,
            &Limits::default(),
        )
        .unwrap()
    }

    #[test]
    fn features_of_one_look_share_a_rule_and_each_look_has_its_own() {
        let geojson = json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"stroke": "#0000ff"},
             "geometry": {"type": "LineString", "coordinates": [[9.7, 52.4], [9.8, 52.5]]}},
            {"type": "Feature", "properties": {"stroke": "#0000ff"},
             "geometry": {"type": "LineString", "coordinates": [[9.6, 52.4], [9.8, 52.3]]}},
            {"type": "Feature", "properties": {"name": "Hier", "icon": "text"},
             "geometry": {"type": "Point", "coordinates": [9.7, 52.4]}},
            {"type": "Feature", "properties": {"fill": "#00ff00", "fill-opacity": 0.5},
             "geometry": {"type": "Polygon", "coordinates": [[[9.7, 52.4], [9.8, 52.4], [9.8, 52.5], [9.7, 52.4]]]}}
        ]});
        let overlays =
            OverlayLayers::of(&content(geojson, Some([550_000.0, 5_800_000.0]))).unwrap();
        assert_eq!(overlays.layers.len(), 2, "the drawing and the marker");
        let (data, style) = &overlays.layers[0];
        assert_eq!(style.rules.len(), 3);
        let counts = looks_of(data);
        assert_eq!(counts.get(&0), Some(&2), "both blue lines");
        let line = &style.rules[0];
        assert_eq!(
            line.stroke.as_ref().map(|s| s.color),
            Some(Color::from_rgba8(0, 0, 255, 255))
        );
        let text = &style.rules[1];
        assert!(text.symbol.is_none() && text.label.is_some());
        let area = &style.rules[2];
        assert_eq!(area.fill, Some(Color::from_rgba8(0, 255, 0, 128)));
    }

    #[test]
    fn an_area_without_a_fill_is_filled_with_its_colour_at_a_quarter() {
        let geojson = json!({"type": "Feature", "properties": {"stroke": "#102030"},
            "geometry": {"type": "Polygon", "coordinates": [[[9.7, 52.4], [9.8, 52.4], [9.8, 52.5], [9.7, 52.4]]]}});
        let overlays = OverlayLayers::of(&content(geojson, None)).unwrap();
        assert_eq!(
            overlays.layers[0].1.rules[0].fill,
            Some(Color::from_rgba8(0x10, 0x20, 0x30, 64))
        );
    }
}
