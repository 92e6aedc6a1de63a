//! Drawing features into an image: the map frame (extent, size, scale),
//! geometry with style rules, labels that never overlap, and encoding;
//! within a time budget when one is given.

mod blend;
mod draw;
mod encode;
mod labels;
pub mod project;
mod thin_lines;

use geo::Rect;
use tiny_skia::{Color, Pixmap, PixmapPaint, Transform};

pub use draw::swatch;
pub use encode::{ImageFormat, encode};
pub use labels::{LabelAt, Labeller, text_width, write_text};

use std::time::{Duration, Instant};

use crate::crs::Crs;
use crate::data::overview::{Mark, Overview};
use crate::data::shapes::Shape;
use crate::data::{Dataset, Storage, level_for};
pub use crate::error::RenderError;
use crate::style::Style;
use project::Projector;

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
    /// What small scales draw of features below a pixel, if the layer has
    /// one (see [`Overview`]).
    pub overview: Option<&'a Overview>,
    /// Shapes narrower or lower than this many pixels are drawn as marks
    /// this wide; 0 draws them as they are (and the smallest not at all).
    pub min_pixel_size: f32,
    /// Marks a source aggregated for this map (a PostGIS layer's shapes
    /// below `min_pixel_size`), drawn like the overview's.
    pub marks: &'a [Mark],
}

impl<'a> DrawLayer<'a> {
    /// `data` drawn with `style` at every scale, opaque, without an
    /// overview, with marks of one pixel.
    pub fn new(data: &'a Dataset, style: &'a Style) -> Self {
        Self {
            data,
            style,
            min_scale: None,
            max_scale: None,
            opacity: 1.0,
            overview: None,
            min_pixel_size: 1.0,
            marks: &[],
        }
    }

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
    let area = frame.with_margin();
    let mut skipped = draw::Skipped::default();
    // Layers kept in the same CRS share the map's area in it and the
    // projector to pixels, made once per image.
    let mut views: Vec<(Storage, Option<StorageView>)> = Vec::new();
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
        let data = layer.data;
        let Some(view) = view_of(&mut views, data.storage(), frame, area) else {
            times.push(LayerTime {
                index: layer_index,
                elapsed: started.elapsed(),
                finished: true,
            });
            continue;
        };
        let (storage, storage_area, projector) = (view.storage, view.area, &view.projector);
        let storage_resolution = view.resolution;
        let level = level_for(storage, storage_resolution);
        let mark = layer.min_pixel_size.max(0.0);
        // Features below a pixel come from the overview, when there is one
        // and marks are wanted; only the larger ones are looked up.
        let grid = layer.overview.filter(|_| mark > 0.0).and_then(|o| {
            o.grid_for(storage_resolution * storage.metres_per_unit())
                .map(|g| (o, g))
        });
        if let Some((overview, grid)) = grid {
            let marks = overview.marks(grid, storage_area, storage.quanta_per_unit);
            draw::marks(canvas, projector, &marks, layer.style, scale, mark.max(1.0));
        }
        if !layer.marks.is_empty() {
            draw::marks(
                canvas,
                projector,
                layer.marks,
                layer.style,
                scale,
                mark.max(1.0),
            );
        }
        let features = data.select(storage_area, grid.map_or(0, |(_, g)| g + 1));
        for (drawn, index) in features.into_iter().enumerate() {
            if drawn % FEATURES_PER_DEADLINE_CHECK == FEATURES_PER_DEADLINE_CHECK - 1
                && past_deadline()
            {
                return Err(stopped(times));
            }
            let (Some(properties), Some(shape)) = (data.properties(index), data.shape(index))
            else {
                continue;
            };
            let mut place = None;
            for rule in layer.style.rules_for(&properties, scale) {
                draw::shape(
                    canvas,
                    projector,
                    view.clip,
                    &shape,
                    level,
                    rule,
                    mark,
                    &mut skipped,
                );
                if rule.label.is_some() {
                    let at = *place.get_or_insert_with(|| label_at(data, index, &shape, view));
                    if let Some(at) = at {
                        layer_candidates.push((properties, at, rule));
                    }
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
    for (properties, at, rule) in candidates.into_iter().rev().flatten() {
        if let Some(label) = &rule.label {
            labeller.candidate(at, &properties, label, rule);
        }
    }
    labeller.draw(&mut pixmap);
    Ok(Rendered {
        pixmap,
        skipped_shapes: skipped.count(),
    })
}

/// The map's area in one storage CRS and the way from there to pixels.
struct StorageView {
    storage: Storage,
    /// The map's area with 16 pixels of margin a side: what is looked up.
    area: Rect<f64>,
    /// The same with 64 pixels, wider than any stroke, in quanta: what is
    /// drawn of geometries is clipped to it, so clipped edges never show.
    clip: draw::Window,
    projector: Projector,
    /// Storage units per pixel (the area has 16 pixels of margin a side),
    /// on the axis where they are shortest: for data in degrees the
    /// latitude's, whose degrees are as long as the tolerances and size
    /// classes count them.
    resolution: f64,
}

/// The view of `storage` for `frame`, made on first use; `None` where the
/// map's `area` cannot be transformed into that CRS.
fn view_of<'v>(
    views: &'v mut Vec<(Storage, Option<StorageView>)>,
    storage: Storage,
    frame: &Frame,
    area: Rect<f64>,
) -> Option<&'v StorageView> {
    let position = match views.iter().position(|(s, _)| *s == storage) {
        Some(position) => position,
        None => {
            let view = lookup_area(frame, storage, area).map(|(area, per_x, per_y)| {
                let (dx, dy) = (per_x * 48.0, per_y * 48.0);
                let clip = Rect::new(
                    geo::coord! { x: area.min().x - dx, y: area.min().y - dy },
                    geo::coord! { x: area.max().x + dx, y: area.max().y + dy },
                );
                let q = storage.quanta_per_unit;
                StorageView {
                    storage,
                    area,
                    clip: (
                        clip.min().x * q,
                        clip.min().y * q,
                        clip.max().x * q,
                        clip.max().y * q,
                    ),
                    // The projector's grid covers all that is drawn.
                    projector: Projector::new(storage, frame, clip),
                    resolution: per_x.min(per_y),
                }
            });
            views.push((storage, view));
            views.len() - 1
        }
    };
    views[position].1.as_ref()
}

/// `area` (the frame's with 16 pixels of margin a side) in `storage`, and
/// storage units per pixel along x and y.
fn lookup_area(frame: &Frame, storage: Storage, area: Rect<f64>) -> Option<(Rect<f64>, f64, f64)> {
    storage.area(frame.crs, area).map(|area| {
        let per_x = area.width() / (f64::from(frame.width) + 32.0);
        let per_y = area.height() / (f64::from(frame.height) + 32.0);
        (area, per_x, per_y)
    })
}

impl Frame {
    /// What drawing this frame looks up in `storage`: the map's area with
    /// 16 pixels of margin a side, and storage units per pixel on the axis
    /// where they are shortest — as [`render`] computes them, for sources
    /// asked per map (PostGIS). `None` where the area cannot be
    /// transformed into that CRS.
    pub fn lookup_in(&self, storage: Storage) -> Option<(Rect<f64>, f64)> {
        lookup_area(self, storage, self.with_margin())
            .map(|(area, per_x, per_y)| (area, per_x.min(per_y)))
    }

    /// The frame's box with 16 pixels of margin a side: features a little
    /// outside still reach into the map with their outlines and symbols.
    fn with_margin(&self) -> Rect<f64> {
        let margin = self.resolution() * 16.0;
        Rect::new(
            geo::coord! { x: self.bbox.min().x - margin, y: self.bbox.min().y - margin },
            geo::coord! { x: self.bbox.max().x + margin, y: self.bbox.max().y + margin },
        )
    }
}

/// Where feature `index`'s label goes: beside it when it is a point, else
/// at its anchor, along the line for lines.
fn label_at(
    data: &Dataset,
    index: usize,
    shape: &Shape<'_>,
    view: &StorageView,
) -> Option<LabelAt> {
    if let Some(q) = shape.single_point() {
        let (x, y) = view.projector.pixel(q)?;
        return Some(LabelAt::Point(x, y));
    }
    let (at, direction) = data.stored_anchor(index)?;
    let (x, y) = view.projector.pixel(at)?;
    let Some([dx, dy]) = direction.filter(|[dx, dy]| dx.hypot(*dy) > 0.0) else {
        return Some(LabelAt::Area(x, y));
    };
    // A pixel further along the line, so the direction survives rounding.
    let step = view.resolution / dx.hypot(dy);
    let (ux, uy) = view.storage.unquantise(at);
    let (ax, ay) = view.projector.pixel_of(ux + dx * step, uy + dy * step)?;
    Some(LabelAt::Line(x, y, ax - x, ay - y))
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
                opacity,
                ..DrawLayer::new(&data, &style)
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
        let layer = DrawLayer::new(&data, &style);
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
        let layer = DrawLayer::new(&data, &style);
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
            max_scale,
            ..DrawLayer::new(&data, &style)
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

    fn kinds_style() -> Style {
        let rule = |kind: &str, fill: &str| {
            crate::style::Rule::compile(
                &toml::from_str::<crate::config::RuleConfig>(&format!(
                    "filter = {{ field = \"kind\", equals = \"{kind}\" }}\nfill = \"{fill}\"\nstroke = \"#808080\"\nstroke_width = 0.5"
                ))
                .unwrap(),
            )
            .unwrap()
        };
        Style {
            rules: vec![
                rule("residential", "#e8b4a0"),
                rule("commercial", "#c89bd0"),
                rule("industrial", "#9fb4cc"),
                rule("agricultural", "#d9cf8c"),
                rule("public", "#f0a050"),
            ],
        }
    }

    fn drawn(pixmap: &Pixmap) -> std::collections::HashSet<(u32, u32)> {
        (0..pixmap.height())
            .flat_map(|y| (0..pixmap.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| {
                pixmap
                    .pixel(x, y)
                    .is_some_and(|p| p.red() < 250 || p.blue() < 250)
            })
            .collect()
    }

    #[test]
    fn a_small_scale_map_shows_every_building_with_or_without_the_overview() {
        // 20,000 buildings in 20 × 1.6 km at 1:1,000,000 (280 m pixels):
        // each a fraction of a pixel.
        let data = crate::data::tests::buildings(20_000);
        let style = kinds_style();
        let overview = Overview::build(&data, |p| style.filter_mask(&p)).unwrap();
        let half = 256.0 * 280.0;
        let frame = Frame {
            crs: Crs::Utm32,
            bbox: Rect::new(
                geo::coord! { x: 550_000.0 - half, y: 5_790_800.0 - half },
                geo::coord! { x: 550_000.0 + half, y: 5_790_800.0 + half },
            ),
            width: 512,
            height: 512,
        };
        let draw = |overview| {
            let layer = DrawLayer {
                overview,
                ..DrawLayer::new(&data, &style)
            };
            render_within(&frame, &[layer], Some([255, 255, 255]), None).unwrap()
        };
        let aggregated = draw(Some(&overview));
        let single = draw(None);
        assert_eq!(aggregated.skipped_shapes, 0);
        assert_eq!(
            single.skipped_shapes, 0,
            "no shape reaches tiny-skia to be refused"
        );
        let (a, s) = (drawn(&aggregated.pixmap), drawn(&single.pixmap));
        // The area holds 20 km / 280 m × 1.6 km / 280 m ≈ 72 × 6 pixels.
        assert!((350..=700).contains(&s.len()), "{} pixels", s.len());
        let shared = a.intersection(&s).count();
        assert!(
            shared * 10 >= s.len() * 9 && a.len() * 10 <= s.len() * 11,
            "the overview draws where the buildings are: {} and {} pixels, {shared} shared",
            a.len(),
            s.len()
        );
        // In the buildings' colours, not black or grey.
        let colour = aggregated.pixmap.pixel(256, 256).unwrap();
        assert!(colour.red() > 150 && colour.green() > 150, "{colour:?}");

        // In another CRS the same, within a pixel.
        let mercator = Frame {
            crs: Crs::WebMercator,
            bbox: {
                let corner = |x, y| Crs::Utm32.transform(Crs::WebMercator, x, y).unwrap();
                let (x0, y0) = corner(550_000.0 - half, 5_790_800.0 - half);
                let (x1, y1) = corner(550_000.0 + half, 5_790_800.0 + half);
                Rect::new(geo::coord! { x: x0, y: y0 }, geo::coord! { x: x1, y: y1 })
            },
            ..frame
        };
        let layer = DrawLayer {
            overview: Some(&overview),
            ..DrawLayer::new(&data, &style)
        };
        let web = render_within(&mercator, &[layer], Some([255, 255, 255]), None).unwrap();
        let w = drawn(&web.pixmap);
        assert!(
            w.len() * 10 >= s.len() * 8 && w.len() * 10 <= s.len() * 12,
            "{} vs {}",
            w.len(),
            s.len()
        );
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
