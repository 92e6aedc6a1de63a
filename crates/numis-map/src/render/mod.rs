//! Drawing features into an image: the map frame (extent, size, scale),
//! geometry with style rules, labels that never overlap, and encoding;
//! within a time budget when one is given.

mod draw;
mod encode;
mod labels;

use geo::Rect;
use tiny_skia::{Color, Pixmap, PixmapPaint, Transform};

pub use draw::swatch;
pub use encode::{ImageFormat, encode};
pub use labels::{Labeller, text_width, write_text};

use std::time::{Duration, Instant};

use crate::crs::Crs;
use crate::data::Dataset;
pub use crate::error::RenderError;
use crate::style::Style;

/// How many features are drawn between two looks at the clock.
const FEATURES_PER_DEADLINE_CHECK: usize = 256;

/// OGC's standardised rendering pixel: 0.28 mm (WMS 1.3.0, 7.2.4.6.9).
pub const PIXEL_SIZE_M: f64 = 0.000_28;
/// Metres per degree used for scale denominators of geographic CRSs, as
/// the WMS specification suggests (the equatorial length of a degree).
const METRES_PER_DEGREE: f64 = 6_378_137.0 * std::f64::consts::PI / 180.0;

/// What part of the world an image shows, and how big it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// CRS of `bbox`.
    pub crs: Crs,
    /// The extent, x/y order (easting or longitude first).
    pub bbox: Rect<f64>,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
}

impl Frame {
    /// CRS units per pixel: the larger of the two axes, so nothing is
    /// simplified below what either axis shows.
    pub fn resolution(&self) -> f64 {
        let rx = self.bbox.width() / f64::from(self.width.max(1));
        let ry = self.bbox.height() / f64::from(self.height.max(1));
        rx.max(ry)
    }

    /// The scale denominator at OGC's standard pixel size.
    pub fn scale_denominator(&self) -> f64 {
        let rx = self.bbox.width() / f64::from(self.width.max(1));
        let metres = if self.crs.is_geographic() {
            rx * METRES_PER_DEGREE
        } else {
            rx
        };
        metres / PIXEL_SIZE_M
    }

    /// Pixel position of a point in the frame's CRS.
    pub fn to_pixel(&self, x: f64, y: f64) -> (f32, f32) {
        let px = (x - self.bbox.min().x) / self.bbox.width() * f64::from(self.width);
        let py = (self.bbox.max().y - y) / self.bbox.height() * f64::from(self.height);
        (px as f32, py as f32)
    }

    /// The frame's CRS coordinates of a pixel's centre.
    pub fn to_map(&self, px: f64, py: f64) -> (f64, f64) {
        let x = self.bbox.min().x + (px + 0.5) / f64::from(self.width) * self.bbox.width();
        let y = self.bbox.max().y - (py + 0.5) / f64::from(self.height) * self.bbox.height();
        (x, y)
    }
}

/// One layer to draw: its data, its style and the scales it shows at.
pub struct DrawLayer<'a> {
    /// Features.
    pub data: &'a Dataset,
    /// Rules.
    pub style: &'a Style,
    /// Drawn from this scale denominator on.
    pub min_scale: Option<f64>,
    /// Drawn below this scale denominator.
    pub max_scale: Option<f64>,
    /// 1 draws the layer as it is; less lets what lies below show
    /// through (a print of layers the viewer shows translucent). Its
    /// labels stay opaque: they are placed with all others at the end.
    pub opacity: f32,
}

impl DrawLayer<'_> {
    /// Is the layer shown at this scale denominator?
    pub fn in_scale(&self, scale: f64) -> bool {
        self.min_scale.is_none_or(|min| scale >= min)
            && self.max_scale.is_none_or(|max| scale < max)
    }
}

/// A finished image and what could not be drawn into it.
#[derive(Debug)]
pub struct Rendered {
    /// The image.
    pub pixmap: Pixmap,
    /// Shapes left out because they had no area or lay beyond what the
    /// drawing library can compute (an extent of ±1e308, say): reported
    /// once per image by the caller instead of once per shape.
    pub skipped_shapes: usize,
}

/// Draws `layers` bottom to top and their labels above all of them.
/// `background` `None` leaves the image transparent.
pub fn render(
    frame: &Frame,
    layers: &[DrawLayer<'_>],
    background: Option<[u8; 3]>,
) -> Option<Pixmap> {
    render_within(frame, layers, background, None)
        .ok()
        .map(|rendered| rendered.pixmap)
}

/// [`render`], giving up with [`RenderError::DeadlineExceeded`] once
/// `deadline` has passed: the clock is read between layers, every
/// `FEATURES_PER_DEADLINE_CHECK` features and before the labels, so a
/// request too large for its time budget stops early instead of holding a
/// rendering thread.
pub fn render_within(
    frame: &Frame,
    layers: &[DrawLayer<'_>],
    background: Option<[u8; 3]>,
    deadline: Option<Instant>,
) -> Result<Rendered, RenderError> {
    render_timed(frame, layers, background, deadline, &mut Vec::new())
}

/// How long drawing one layer's features took (labels, placed for all
/// layers together at the end, are not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerTime {
    /// The layer's position in the `layers` given to [`render_timed`].
    pub index: usize,
    /// Time spent on its features.
    pub elapsed: Duration,
    /// `false` when drawing stopped inside this layer (the deadline).
    pub finished: bool,
}

/// [`render_within`], adding to `times` one entry per layer drawn (layers
/// outside their scale range are not drawn and get none) — also when
/// drawing stops early, so the layer that ran out of time is known.
pub fn render_timed(
    frame: &Frame,
    layers: &[DrawLayer<'_>],
    background: Option<[u8; 3]>,
    deadline: Option<Instant>,
    times: &mut Vec<LayerTime>,
) -> Result<Rendered, RenderError> {
    let past_deadline = || deadline.is_some_and(|d| Instant::now() > d);
    let mut pixmap = Pixmap::new(frame.width, frame.height).ok_or(RenderError::Allocation {
        width: frame.width,
        height: frame.height,
    })?;
    if let Some([r, g, b]) = background {
        pixmap.fill(Color::from_rgba8(r, g, b, 255));
    }
    let scale = frame.scale_denominator();
    let resolution = frame.resolution();
    // Features a little outside the frame still reach into it with their
    // outlines and symbols.
    let margin = resolution * 16.0;
    let area = Rect::new(
        geo::coord! { x: frame.bbox.min().x - margin, y: frame.bbox.min().y - margin },
        geo::coord! { x: frame.bbox.max().x + margin, y: frame.bbox.max().y + margin },
    );
    let mut skipped = draw::Skipped::default();
    // Labels are placed after all features, top layer first: thematic
    // layers drawn last win over the base map when labels compete.
    let mut candidates = Vec::new();
    for (layer_index, layer) in layers.iter().enumerate() {
        if !layer.in_scale(scale) || layer.opacity <= 0.0 {
            continue;
        }
        if past_deadline() {
            return Err(RenderError::DeadlineExceeded);
        }
        let started = Instant::now();
        let stopped = |times: &mut Vec<LayerTime>| {
            times.push(LayerTime {
                index: layer_index,
                elapsed: started.elapsed(),
                finished: false,
            });
            RenderError::DeadlineExceeded
        };
        let mut layer_candidates = Vec::new();
        // A translucent layer is drawn apart and laid over the others
        // once, so that its own overlapping shapes do not darken each
        // other.
        let mut apart = if layer.opacity < 1.0 {
            Some(
                Pixmap::new(frame.width, frame.height).ok_or(RenderError::Allocation {
                    width: frame.width,
                    height: frame.height,
                })?,
            )
        } else {
            None
        };
        let canvas = match apart.as_mut() {
            Some(apart) => apart,
            None => &mut pixmap,
        };
        let features = layer.data.query(frame.crs, area, resolution);
        for (drawn, (index, geometry)) in features.into_iter().enumerate() {
            if drawn % FEATURES_PER_DEADLINE_CHECK == FEATURES_PER_DEADLINE_CHECK - 1
                && past_deadline()
            {
                return Err(stopped(times));
            }
            let properties = &layer.data.features[index].properties;
            for rule in layer.style.rules_for(properties, scale) {
                draw::geometry(canvas, frame, geometry, rule, &mut skipped);
                if rule.label.is_some() {
                    layer_candidates.push((
                        geometry,
                        layer.data.anchor(frame.crs, index),
                        properties,
                        rule,
                    ));
                }
            }
        }
        if let Some(apart) = apart {
            let paint = PixmapPaint {
                opacity: layer.opacity,
                ..PixmapPaint::default()
            };
            pixmap.draw_pixmap(0, 0, apart.as_ref(), &paint, Transform::identity(), None);
        }
        candidates.push(layer_candidates);
        times.push(LayerTime {
            index: layer_index,
            elapsed: started.elapsed(),
            finished: true,
        });
    }
    if past_deadline() {
        return Err(RenderError::DeadlineExceeded);
    }
    let mut labeller = Labeller::new(frame.width, frame.height);
    for (geometry, anchor, properties, rule) in candidates.into_iter().rev().flatten() {
        if let Some(label) = &rule.label {
            labeller.candidate(frame, geometry, anchor, properties, label, rule);
        }
    }
    labeller.draw(&mut pixmap);
    Ok(Rendered {
        pixmap,
        skipped_shapes: skipped.count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::style::Rule;

    #[test]
    fn a_translucent_layer_lets_the_white_below_show_through_once() {
        // Two overlapping squares of one layer at half opacity: the overlap
        // is as light as the rest, because the layer is laid over the map
        // once, not shape by shape.
        let data = Dataset::from_geojson_str(
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[9.0,52.0],[9.6,52.0],[9.6,52.6],[9.0,52.6],[9.0,52.0]]]}},
              {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[9.4,52.4],[10.0,52.4],[10.0,53.0],[9.4,53.0],[9.4,52.4]]]}}]}"#,
        )
        .unwrap();
        let style = Style {
            rules: vec![Rule::compile(&toml::from_str("fill = \"#000000\"").unwrap()).unwrap()],
        };
        let frame = Frame {
            crs: Crs::Crs84,
            bbox: Rect::new(
                geo::coord! { x: 9.0, y: 52.0 },
                geo::coord! { x: 10.0, y: 53.0 },
            ),
            width: 10,
            height: 10,
        };
        let draw = |opacity| {
            let layer = DrawLayer {
                data: &data,
                style: &style,
                min_scale: None,
                max_scale: None,
                opacity,
            };
            render(&frame, &[layer], Some([255, 255, 255])).unwrap()
        };
        let grey = |pixmap: &Pixmap, x, y| pixmap.pixel(x, y).unwrap().red();
        let half = draw(0.5);
        // (1, 8): the first square only; (5, 5): both; (8, 1): the second.
        for (x, y) in [(1, 8), (5, 5), (8, 1)] {
            let value = grey(&half, x, y);
            assert!((120..=136).contains(&value), "({x}, {y}): {value}");
        }
        assert_eq!(grey(&draw(1.0), 5, 5), 0);
        assert_eq!(
            grey(&draw(0.0), 5, 5),
            255,
            "an invisible layer is not drawn"
        );
    }

    #[test]
    fn a_passed_deadline_stops_drawing_and_none_lets_it_finish() {
        let data = Dataset::from_geojson_str(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[9.7,52.4]}}]}"#,
        )
        .unwrap();
        let style = Style { rules: Vec::new() };
        let layer = DrawLayer {
            data: &data,
            style: &style,
            min_scale: None,
            max_scale: None,
            opacity: 1.0,
        };
        let frame = Frame {
            crs: Crs::Crs84,
            bbox: Rect::new(
                geo::coord! { x: 9.0, y: 52.0 },
                geo::coord! { x: 10.0, y: 53.0 },
            ),
            width: 16,
            height: 16,
        };
        let past = Instant::now() - std::time::Duration::from_secs(1);
        assert_eq!(
            render_within(&frame, &[layer], None, Some(past)).unwrap_err(),
            RenderError::DeadlineExceeded
        );
        let layer = DrawLayer {
            data: &data,
            style: &style,
            min_scale: None,
            max_scale: None,
            opacity: 1.0,
        };
        let future = Instant::now() + std::time::Duration::from_secs(60);
        let rendered = render_within(&frame, &[layer], None, Some(future)).unwrap();
        assert_eq!((rendered.pixmap.width(), rendered.skipped_shapes), (16, 0));
    }

    #[test]
    fn each_drawn_layer_is_timed_and_layers_out_of_scale_are_not() {
        let data = Dataset::from_geojson_str(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[9.1,52.1],[9.9,52.1],[9.9,52.9],[9.1,52.9],[9.1,52.1]]]}}]}"#,
        )
        .unwrap();
        let style = Style {
            rules: vec![
                crate::style::Rule::compile(
                    &toml::from_str::<crate::config::RuleConfig>("fill = \"#ff0000\"").unwrap(),
                )
                .unwrap(),
            ],
        };
        let layer = |max_scale| DrawLayer {
            data: &data,
            style: &style,
            min_scale: None,
            max_scale,
            opacity: 1.0,
        };
        let frame = Frame {
            crs: Crs::Crs84,
            bbox: Rect::new(
                geo::coord! { x: 9.0, y: 52.0 },
                geo::coord! { x: 10.0, y: 53.0 },
            ),
            width: 256,
            height: 256,
        };
        let layers = [layer(None), layer(Some(1.0)), layer(None)];
        let mut times = Vec::new();
        render_timed(&frame, &layers, None, None, &mut times).unwrap();
        assert_eq!(
            times
                .iter()
                .map(|t| (t.index, t.finished))
                .collect::<Vec<_>>(),
            [(0, true), (2, true)],
            "the layer shown only below 1:1 is not drawn"
        );
        assert!(times.iter().all(|t| t.elapsed > Duration::ZERO));

        let past = Instant::now() - Duration::from_secs(1);
        let mut times = Vec::new();
        let stopped = render_timed(&frame, &layers, None, Some(past), &mut times);
        assert_eq!(stopped.unwrap_err(), RenderError::DeadlineExceeded);
        assert!(times.is_empty(), "nothing was drawn: {times:?}");
    }

    #[test]
    fn scale_follows_the_ogc_pixel() {
        // 512 px over 3584 m → 7 m per pixel → 1:25,000.
        let frame = Frame {
            crs: Crs::Utm32,
            bbox: Rect::new(
                geo::coord! { x: 0.0, y: 0.0 },
                geo::coord! { x: 3584.0, y: 3584.0 },
            ),
            width: 512,
            height: 512,
        };
        assert!((frame.scale_denominator() - 25_000.0).abs() < 1e-6);
        assert_eq!(frame.to_pixel(0.0, 3584.0), (0.0, 0.0));
        assert_eq!(frame.to_pixel(3584.0, 0.0), (512.0, 512.0));
    }
}
