//! Geometry to pixels with tiny-skia: antialiased fills, strokes with
//! dashes, and point symbols.
//!
//! A polygon that shrinks below a pixel at a small scale (a building at
//! 1:1,000,000) is drawn as what it covers, at least one pixel (the
//! layer's `min_pixel_size`), as MapServer does: the map shows the
//! settlement pattern instead of going white, and tiny-skia, which would
//! refuse a fill without area with one log warning each, never sees it.
//! Strokes of a path with no length, which have nothing to show, are left
//! out and counted.
//!
//! Geometries come from a dataset's arena ([`shape`]), mapped to pixels by
//! a [`Projector`], or as marks of a layer's overview ([`marks`]).

use super::project::Projector;
use super::thin_lines;
use crate::data::overview::Mark;
use crate::data::shapes::{PartKind, Shape as StoredShape};
use crate::style::Style;
use tiny_skia::{
    FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Stroke as SkStroke, StrokeDash,
    Transform,
};

use crate::config::Shape;
use crate::style::{Rule, Stroke};

/// Points drawn without a configured symbol.
const DEFAULT_SYMBOL_SIZE: f32 = 8.0;
/// tiny-skia's `SCALAR_NEARLY_ZERO`: a path this narrow or low is empty to it.
const NEARLY_ZERO: f32 = 1.0 / 4096.0;
/// tiny-skia refuses paths reaching beyond a quarter of `f32::MAX`.
const TOO_BIG: f32 = f32::MAX * 0.25;

/// Shapes left out because tiny-skia could not draw them.
#[derive(Debug, Default)]
pub struct Skipped(usize);

impl Skipped {
    /// How many.
    pub fn count(&self) -> usize {
        self.0
    }
}

/// Draws a stored feature at level of detail `level` with one rule;
/// shapes narrower or lower than `mark` pixels as a mark that wide.
#[allow(clippy::too_many_arguments)]
pub fn shape(
    pixmap: &mut Pixmap,
    projector: &Projector,
    clip: Window,
    shape: &StoredShape<'_>,
    level: usize,
    rule: &Rule,
    mark: f32,
    skipped: &mut Skipped,
) {
    if !rule.draws() {
        return;
    }
    let mut canvas = Canvas {
        pixmap,
        skipped,
        mark,
    };
    let mut areas = PathBuilder::new();
    let mut lines = PathBuilder::new();
    for part in shape.parts() {
        for ring in part.rings(level) {
            let vertices = ring.vertices().map(|[x, y]| (f64::from(x), f64::from(y)));
            match part.kind {
                PartKind::Point => {
                    for (x, y) in vertices.take(1) {
                        if let Some((px, py)) = projector.pixel([x as i32, y as i32]) {
                            canvas.point_at(px, py, rule);
                        }
                    }
                }
                PartKind::Line => add_line(&mut lines, projector, vertices, clip),
                PartKind::Polygon => add_closed(
                    &mut areas,
                    projector,
                    near_window(ring.vertices(), clip),
                    clip,
                ),
            }
        }
    }
    if rule.fill.is_some() || rule.stroke.is_some() {
        if let Some(path) = areas.finish() {
            canvas.fill_and_stroke(&path, rule, FillRule::EvenOdd);
        }
    }
    if let (Some(stroke), Some(path)) = (&rule.stroke, lines.finish()) {
        canvas.stroke(&path, stroke);
    }
}

/// Draws the marks of a layer's overview: each a square of `mark` pixels
/// in the colour of every rule its features match at `scale`, the fill's
/// or else the outline's, opaque like the marks of single features.
pub fn marks(
    pixmap: &mut Pixmap,
    projector: &Projector,
    marks: &[Mark],
    style: &Style,
    scale: f64,
    mark: f32,
) {
    // Colours by mask, premultiplied as the image holds them: a map of a
    // million buildings at 1:2,000,000 draws a hundred thousand marks, too
    // many to go through a path each.
    let mut colours: Vec<(u64, Vec<tiny_skia::PremultipliedColorU8>)> = Vec::new();
    let half = mark / 2.0;
    let size = mark.round().max(1.0) as i64;
    let (width, height) = (i64::from(pixmap.width()), i64::from(pixmap.height()));
    for m in marks {
        let Some((x, y)) = projector.pixel_of(m.x, m.y) else {
            continue;
        };
        let position = match colours.iter().position(|(mask, _)| *mask == m.mask) {
            Some(p) => p,
            None => {
                let of_rules = style
                    .rules_for_mask(m.mask, scale)
                    .into_iter()
                    .filter_map(|r| r.fill.or(r.stroke.as_ref().map(|s| s.color)))
                    .map(|c| c.premultiply().to_color_u8())
                    .collect();
                colours.push((m.mask, of_rules));
                colours.len() - 1
            }
        };
        let (left, top) = ((x - half).round() as i64, (y - half).round() as i64);
        let pixels = pixmap.pixels_mut();
        for py in top.max(0)..(top + size).min(height) {
            for px in left.max(0)..(left + size).min(width) {
                let pixel = &mut pixels[(py * width + px) as usize];
                for colour in &colours[position].1 {
                    *pixel = source_over(*colour, *pixel);
                }
            }
        }
    }
}

/// `top` laid over `below` (premultiplied, Porter–Duff source-over).
fn source_over(
    top: tiny_skia::PremultipliedColorU8,
    below: tiny_skia::PremultipliedColorU8,
) -> tiny_skia::PremultipliedColorU8 {
    if top.alpha() == 255 {
        return top;
    }
    let keep = 255 - u16::from(top.alpha());
    let mix = |t: u8, b: u8| (u16::from(t) + (u16::from(b) * keep + 127) / 255) as u8;
    tiny_skia::PremultipliedColorU8::from_rgba(
        mix(top.red(), below.red()),
        mix(top.green(), below.green()),
        mix(top.blue(), below.blue()),
        mix(top.alpha(), below.alpha()),
    )
    .unwrap_or(top)
}

/// The image and the count of what could not be drawn into it.
struct Canvas<'a> {
    pixmap: &'a mut Pixmap,
    skipped: &'a mut Skipped,
    /// Shapes narrower or lower than this (pixels) are drawn this wide.
    mark: f32,
}

impl Canvas<'_> {
    fn point_at(&mut self, px: f32, py: f32, rule: &Rule) {
        if let Some(image) = rule
            .symbol
            .as_ref()
            .and_then(|s| s.image.as_ref().map(|i| (i, s.size)))
        {
            draw_image(self.pixmap, image.0, px, py, image.1);
            return;
        }
        let (shape, size) = rule
            .symbol
            .as_ref()
            .map_or((Shape::Circle, DEFAULT_SYMBOL_SIZE), |s| (s.shape, s.size));
        if rule.fill.is_none() && rule.stroke.is_none() {
            return;
        }
        if let Some(path) = symbol_path(shape, px, py, size) {
            self.fill_and_stroke(&path, rule, FillRule::Winding);
        }
    }

    fn fill_and_stroke(&mut self, path: &tiny_skia::Path, rule: &Rule, fill_rule: FillRule) {
        if !within_reach(path) {
            self.skipped.0 += usize::from(rule.fill.is_some());
            if let Some(stroke) = &rule.stroke {
                self.stroke(path, stroke);
            }
            return;
        }
        if let Some(speck) = speck(path, self.mark) {
            // Below a pixel: what it covers, in the colour it would show.
            if let Some(color) = rule.fill.or(rule.stroke.as_ref().map(|s| s.color)) {
                self.pixmap
                    .fill_rect(speck, &paint(color), Transform::identity(), None);
            }
            return;
        }
        if let Some(fill) = rule.fill {
            self.pixmap
                .fill_path(path, &paint(fill), fill_rule, Transform::identity(), None);
        }
        if let Some(stroke) = &rule.stroke {
            self.stroke(path, stroke);
        }
    }

    fn stroke(&mut self, path: &tiny_skia::Path, stroke: &Stroke) {
        let Some(sk) = sk_stroke(stroke) else { return };
        if sk.width < thin_lines::MAX_WIDTH && within_reach(path) {
            let dashed;
            let path = match &sk.dash {
                Some(dash) => match path.dash(dash, 1.0) {
                    Some(d) => {
                        dashed = d;
                        &dashed
                    }
                    None => return,
                },
                None => path,
            };
            if thin_lines::stroke(self.pixmap, path, stroke.color, sk.width) {
                return;
            }
        }
        if strokable(path, &sk) {
            self.pixmap
                .stroke_path(path, &paint(stroke.color), &sk, Transform::identity(), None);
        } else {
            self.skipped.0 += 1;
        }
    }
}

/// The area a shape narrower or lower than `mark` pixels covers, widened
/// to `mark` pixels around its centre in the direction it is too small;
/// `None` for a shape at least that wide and high, drawn as it is, and
/// for every shape when `mark` is 0 (the layer wants no marks).
fn speck(path: &tiny_skia::Path, mark: f32) -> Option<tiny_skia::Rect> {
    let b = path.bounds();
    if mark <= 0.0 || (b.width() >= mark && b.height() >= mark) {
        return None;
    }
    let widen = |low: f32, size: f32| {
        if size >= mark {
            (low, size)
        } else {
            ((low + size / 2.0 - mark / 2.0).round(), mark)
        }
    };
    let (x, width) = widen(b.left(), b.width());
    let (y, height) = widen(b.top(), b.height());
    tiny_skia::Rect::from_xywh(x, y, width, height)
}

/// Would tiny-skia stroke this path? Not when it has no extent at all and
/// the stroke adds nothing around its ends (butt caps, or dashes, which a
/// path without length cannot carry), nor beyond its arithmetic's reach.
fn strokable(path: &tiny_skia::Path, stroke: &SkStroke) -> bool {
    let b = path.bounds();
    let has_length = b.width() > NEARLY_ZERO || b.height() > NEARLY_ZERO;
    let dot = stroke.line_cap != LineCap::Butt && stroke.dash.is_none();
    (has_length || dot) && within_reach(path)
}

fn within_reach(path: &tiny_skia::Path) -> bool {
    let b = path.bounds();
    b.left() >= -TOO_BIG && b.top() >= -TOO_BIG && b.right() <= TOO_BIG && b.bottom() <= TOO_BIG
}

fn paint(color: tiny_skia::Color) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color(color);
    paint.anti_alias = true;
    paint
}

/// Adds a vertex unless it is within a quarter pixel of the last one.
fn push_pixel(points: &mut Vec<(f32, f32)>, x: f32, y: f32) {
    if points
        .last()
        .is_some_and(|&(lx, ly)| (lx - x).abs() < 0.25 && (ly - y).abs() < 0.25)
    {
        return;
    }
    points.push((x, y));
}

/// A rectangle of the storage CRS, in quanta: (min x, min y, max x,
/// max y). Geometry is clipped to it before it is projected, so that the
/// parts of big polygons far outside the image (a neighbouring state at a
/// large scale) cost no transformation, fill or stroke.
pub type Window = (f64, f64, f64, f64);

/// A closed ring's vertices (quanta) with each run of consecutive vertices
/// beyond one and the same edge of `window` shortened to its first and
/// last: the chord between them lies beyond that edge too, so what is
/// inside the window stays the same. A neighbouring state's outline at a
/// large scale comes down from tens of thousands of vertices to a few,
/// before anything is clipped or projected.
fn near_window(vertices: impl Iterator<Item = [i32; 2]>, window: Window) -> Vec<(f64, f64)> {
    let (left, bottom, right, top) = window;
    let beyond = |(x, y): (f64, f64)| {
        u8::from(x < left)
            | u8::from(x > right) << 1
            | u8::from(y < bottom) << 2
            | u8::from(y > top) << 3
    };
    let mut kept = Vec::new();
    // The edges every vertex of the current run is beyond, and its last
    // vertex when that is not yet kept.
    let mut run: Option<(u8, Option<(f64, f64)>)> = None;
    for [x, y] in vertices {
        let vertex = (f64::from(x), f64::from(y));
        let edges = beyond(vertex);
        match &mut run {
            Some((common, last)) if *common & edges != 0 => {
                *common &= edges;
                *last = Some(vertex);
            }
            _ => {
                if let Some((_, Some(last))) = run {
                    kept.push(last);
                }
                kept.push(vertex);
                run = (edges != 0).then_some((edges, None));
            }
        }
    }
    if let Some((_, Some(last))) = run {
        kept.push(last);
    }
    kept
}

/// Sutherland–Hodgman: the part of a closed ring inside `window`.
fn clip_ring(points: Vec<(f64, f64)>, (left, bottom, right, top): Window) -> Vec<(f64, f64)> {
    let inside_all = points
        .iter()
        .all(|&(x, y)| x >= left && x <= right && y >= bottom && y <= top);
    if inside_all {
        return points;
    }
    type Edge = (
        fn((f64, f64), f64) -> bool,
        fn((f64, f64), (f64, f64), f64) -> (f64, f64),
        f64,
    );
    let cut_x =
        |a: (f64, f64), b: (f64, f64), x: f64| (x, a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0));
    let cut_y =
        |a: (f64, f64), b: (f64, f64), y: f64| (a.0 + (b.0 - a.0) * (y - a.1) / (b.1 - a.1), y);
    let edges: [Edge; 4] = [
        (|p, v| p.0 >= v, cut_x, left),
        (|p, v| p.0 <= v, cut_x, right),
        (|p, v| p.1 >= v, cut_y, bottom),
        (|p, v| p.1 <= v, cut_y, top),
    ];
    let mut output = points;
    for (inside, cut, value) in edges {
        let input = std::mem::take(&mut output);
        let Some(&last) = input.last() else { break };
        let mut previous = last;
        for &current in &input {
            match (inside(current, value), inside(previous, value)) {
                (true, true) => output.push(current),
                (true, false) => {
                    output.push(cut(previous, current, value));
                    output.push(current);
                }
                (false, true) => output.push(cut(previous, current, value)),
                (false, false) => {}
            }
            previous = current;
        }
    }
    output
}

/// Liang–Barsky: the part of segment `a`–`b` inside `window`, if any.
/// Only the window's extremes count, so it serves pixels (y down) too.
pub(super) fn clip_segment(
    a: (f64, f64),
    b: (f64, f64),
    (left, bottom, right, top): Window,
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    for (p, q) in [
        (-dx, a.0 - left),
        (dx, right - a.0),
        (-dy, a.1 - bottom),
        (dy, top - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    (t0 <= t1).then_some((
        (a.0 + t0 * dx, a.1 + t0 * dy),
        (a.0 + t1 * dx, a.1 + t1 * dy),
    ))
}

fn pixel(projector: &Projector, (x, y): (f64, f64)) -> Option<(f32, f32)> {
    projector.pixel([x.round() as i32, y.round() as i32])
}

/// A closed ring (quanta), clipped to `window`, in pixels.
fn add_closed(
    builder: &mut PathBuilder,
    projector: &Projector,
    ring: Vec<(f64, f64)>,
    window: Window,
) {
    let mut points = Vec::new();
    for vertex in clip_ring(ring, window) {
        if let Some((x, y)) = pixel(projector, vertex) {
            push_pixel(&mut points, x, y);
        }
    }
    let mut iter = points.into_iter();
    if let Some((x, y)) = iter.next() {
        builder.move_to(x, y);
        iter.for_each(|(x, y)| builder.line_to(x, y));
        builder.close();
    }
}

/// An open line (quanta): its parts inside `window`, in pixels, as
/// separate runs.
fn add_line(
    builder: &mut PathBuilder,
    projector: &Projector,
    vertices: impl Iterator<Item = (f64, f64)>,
    window: Window,
) {
    let mut previous: Option<(f64, f64)> = None;
    // The end of the run being drawn, where the next segment must start
    // to continue it.
    let mut run_end: Option<(f64, f64)> = None;
    let mut last_pixel: Option<(f32, f32)> = None;
    for vertex in vertices {
        let Some(start) = previous.replace(vertex) else {
            continue;
        };
        let Some((a, b)) = clip_segment(start, vertex, window) else {
            run_end = None;
            continue;
        };
        let (Some(pa), Some(pb)) = (pixel(projector, a), pixel(projector, b)) else {
            run_end = None;
            continue;
        };
        if run_end != Some(a) {
            builder.move_to(pa.0, pa.1);
            last_pixel = Some(pa);
        }
        // Vertices within a quarter pixel add work, not detail.
        let close =
            last_pixel.is_some_and(|(lx, ly)| (lx - pb.0).abs() < 0.25 && (ly - pb.1).abs() < 0.25);
        if !close {
            builder.line_to(pb.0, pb.1);
            last_pixel = Some(pb);
        }
        run_end = Some(b);
    }
}

/// tiny-skia's stroke for `stroke`; `None` when nothing is to be drawn.
fn sk_stroke(stroke: &Stroke) -> Option<SkStroke> {
    if stroke.width <= 0.0 {
        return None;
    }
    // Round joins and caps turn every vertex into curves; below two pixels
    // their shape cannot be seen, so thin lines use the cheaper forms (and
    // are drawn by `thin_lines`).
    let thin = stroke.width < thin_lines::MAX_WIDTH;
    Some(SkStroke {
        width: stroke.width,
        line_cap: if thin { LineCap::Butt } else { LineCap::Round },
        line_join: if thin {
            LineJoin::Bevel
        } else {
            LineJoin::Round
        },
        dash: stroke.dash.clone().and_then(|d| StrokeDash::new(d, 0.0)),
        ..SkStroke::default()
    })
}

/// Draws `image` centred on `(x, y)`, scaled to `size` pixels wide.
fn draw_image(pixmap: &mut Pixmap, image: &Pixmap, x: f32, y: f32, size: f32) {
    let scale = size / image.width().max(1) as f32;
    let (w, h) = (image.width() as f32 * scale, image.height() as f32 * scale);
    let transform = Transform::from_scale(scale, scale).post_translate(x - w / 2.0, y - h / 2.0);
    let paint = tiny_skia::PixmapPaint {
        quality: tiny_skia::FilterQuality::Bilinear,
        ..Default::default()
    };
    pixmap.draw_pixmap(0, 0, image.as_ref(), &paint, transform, None);
}

/// The outline of a point symbol of diameter `size` centred on `(x, y)`.
pub fn symbol_path(shape: Shape, x: f32, y: f32, size: f32) -> Option<tiny_skia::Path> {
    let r = size / 2.0;
    match shape {
        // Images are drawn as pictures; their outline is the circle.
        Shape::Circle | Shape::Image => PathBuilder::from_circle(x, y, r),
        Shape::Square => {
            tiny_skia::Rect::from_xywh(x - r, y - r, size, size).map(PathBuilder::from_rect)
        }
        Shape::Triangle => {
            let mut b = PathBuilder::new();
            // Equilateral, centred on its centroid.
            let h = size * 0.866;
            b.move_to(x, y - h * 2.0 / 3.0);
            b.line_to(x + r, y + h / 3.0);
            b.line_to(x - r, y + h / 3.0);
            b.close();
            b.finish()
        }
        Shape::Star => {
            let mut b = PathBuilder::new();
            for i in 0..10 {
                let radius = if i % 2 == 0 { r } else { r * 0.45 };
                let angle = std::f32::consts::PI * (i as f32) / 5.0 - std::f32::consts::FRAC_PI_2;
                let (px, py) = (x + radius * angle.cos(), y + radius * angle.sin());
                if i == 0 {
                    b.move_to(px, py)
                } else {
                    b.line_to(px, py)
                }
            }
            b.close();
            b.finish()
        }
    }
}

/// A legend swatch for `rule` in the square at `(x, y)` of side `size`:
/// its symbol, a filled square, or a line.
pub fn swatch(pixmap: &mut Pixmap, rule: &Rule, x: f32, y: f32, size: f32) {
    let (cx, cy) = (x + size / 2.0, y + size / 2.0);
    let mut skipped = Skipped::default();
    let mut canvas = Canvas {
        pixmap,
        skipped: &mut skipped,
        mark: 1.0,
    };
    if let Some(image) = rule.symbol.as_ref().and_then(|s| s.image.as_ref()) {
        draw_image(canvas.pixmap, image, cx, cy, size);
    } else if let Some(symbol) = &rule.symbol {
        if let Some(path) = symbol_path(symbol.shape, cx, cy, symbol.size.min(size)) {
            canvas.fill_and_stroke(&path, rule, FillRule::Winding);
        }
    } else if rule.fill.is_some() {
        let Some(rect) = tiny_skia::Rect::from_xywh(x + 1.0, y + 1.0, size - 2.0, size - 2.0)
        else {
            return;
        };
        canvas.fill_and_stroke(&PathBuilder::from_rect(rect), rule, FillRule::Winding);
    } else if let Some(stroke) = &rule.stroke {
        let mut builder = PathBuilder::new();
        builder.move_to(x + 1.0, cy);
        builder.line_to(x + size - 1.0, cy);
        if let Some(path) = builder.finish() {
            canvas.stroke(&path, stroke);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shape_below_a_pixel_is_drawn_as_the_pixel_it_covers() {
        let rule = Rule::compile(
            &toml::from_str("fill = \"#ff0000\"\nstroke = \"#000000\"\nstroke_width = 1").unwrap(),
        )
        .unwrap();
        // 10 × 10 pixels of 100 m over Hannover; a polygon collapsed to a
        // point at the middle of pixel (5, 4), and a real square.
        let (x0, y0) = (550_000.0, 5_800_000.0);
        let frame = super::super::Frame {
            crs: crate::Crs::Utm32,
            bbox: geo::Rect::new(
                geo::coord! { x: x0, y: y0 },
                geo::coord! { x: x0 + 1000.0, y: y0 + 1000.0 },
            ),
            width: 10,
            height: 10,
        };
        let mut builder = crate::data::DatasetBuilder::new(crate::data::Storage::UTM);
        let dot = geo::Polygon::new(
            geo::LineString::from(vec![
                (x0 + 550.0, y0 + 550.0),
                (x0 + 550.01, y0 + 550.0),
                (x0 + 550.0, y0 + 550.01),
            ]),
            Vec::new(),
        );
        let square = geo::Rect::new(
            geo::coord! { x: x0 + 200.0, y: y0 + 200.0 },
            geo::coord! { x: x0 + 800.0, y: y0 + 800.0 },
        );
        builder.push("dot", Vec::new(), &dot.into()).unwrap();
        builder.push("square", Vec::new(), &square.into()).unwrap();
        let data = builder.finish();
        let projector = Projector::new(data.storage(), &frame, frame.bbox);
        let mut pixmap = Pixmap::new(10, 10).unwrap();
        let mut skipped = Skipped::default();
        let mut draw = |pixmap: &mut Pixmap, index| {
            let shape = data.shape(index).unwrap();
            let window = (
                x0 * 100.0,
                y0 * 100.0,
                (x0 + 1000.0) * 100.0,
                (y0 + 1000.0) * 100.0,
            );
            super::shape(
                pixmap,
                &projector,
                window,
                &shape,
                0,
                &rule,
                1.0,
                &mut skipped,
            );
        };
        draw(&mut pixmap, 0);
        let drawn: Vec<(u32, u32)> = (0..100)
            .filter(|i| pixmap.pixels()[*i as usize].alpha() > 0)
            .map(|i| (i % 10, i / 10))
            .collect();
        assert_eq!(drawn, [(5, 4)], "one pixel, where it is");
        let pixel = pixmap.pixel(5, 4).unwrap();
        assert_eq!(
            (pixel.red(), pixel.green(), pixel.blue(), pixel.alpha()),
            (255, 0, 0, 255)
        );
        pixmap.fill(tiny_skia::Color::TRANSPARENT);
        draw(&mut pixmap, 1);
        assert!(pixmap.pixel(5, 5).unwrap().alpha() > 0);
        assert_eq!(
            skipped.count(),
            0,
            "nothing reached tiny-skia to be refused"
        );
    }

    #[test]
    fn marks_blend_as_tiny_skia_would() {
        let below = tiny_skia::Color::from_rgba8(0, 0, 255, 255)
            .premultiply()
            .to_color_u8();
        let half_red = tiny_skia::Color::from_rgba8(255, 0, 0, 128)
            .premultiply()
            .to_color_u8();
        let mixed = source_over(half_red, below);
        assert_eq!(
            (mixed.red(), mixed.green(), mixed.blue(), mixed.alpha()),
            (128, 0, 127, 255)
        );
        let opaque = tiny_skia::Color::WHITE.premultiply().to_color_u8();
        assert_eq!(source_over(opaque, below), opaque);
    }

    #[test]
    fn runs_beyond_one_edge_shrink_to_their_ends_and_the_clip_stays_the_same() {
        let window = (0.0, 0.0, 100.0, 100.0);
        // A ring that dips into the window from the left, with a long
        // wiggle far to the left and one below.
        let mut ring: Vec<[i32; 2]> = vec![[50, 50], [50, 60]];
        ring.extend((0..50).map(|i| [-10 - i, 60 + (i % 3)]));
        ring.extend([[-80, -5], [-40, -30], [20, -30], [30, -10]]);
        let kept = near_window(ring.iter().copied(), window);
        assert_eq!(
            kept,
            [
                (50.0, 50.0),
                (50.0, 60.0),
                (-10.0, 60.0),
                (-40.0, -30.0),
                (20.0, -30.0),
                (30.0, -10.0)
            ]
        );
        let all: Vec<(f64, f64)> = ring.iter().map(|&[x, y]| (x.into(), y.into())).collect();
        let area = |points: &[(f64, f64)]| {
            let clipped = clip_ring(points.to_vec(), window);
            let n = clipped.len();
            (0..n)
                .map(|i| {
                    let (a, b) = (clipped[i], clipped[(i + 1) % n]);
                    a.0 * b.1 - b.0 * a.1
                })
                .sum::<f64>()
                .abs()
                / 2.0
        };
        assert!((area(&all) - area(&kept)).abs() < 1e-9);
        assert!(area(&all) > 100.0);
    }

    #[test]
    fn rings_are_clipped_to_the_window() {
        let square = vec![
            (-100.0, -100.0),
            (100.0, -100.0),
            (100.0, 100.0),
            (-100.0, 100.0),
        ];
        assert_eq!(
            clip_segment((-10.0, 5.0), (60.0, 5.0), (0.0, 0.0, 50.0, 50.0)),
            Some(((0.0, 5.0), (50.0, 5.0)))
        );
        assert_eq!(
            clip_segment((-10.0, 60.0), (60.0, 60.0), (0.0, 0.0, 50.0, 50.0)),
            None
        );
        let clipped = clip_ring(square, (0.0, 0.0, 50.0, 50.0));
        assert_eq!(clipped.len(), 4);
        assert!(
            clipped
                .iter()
                .all(|&(x, y)| (0.0..=50.0).contains(&x) && (0.0..=50.0).contains(&y)),
            "{clipped:?}"
        );
        let inside = vec![(1.0, 1.0), (2.0, 1.0), (2.0, 2.0)];
        assert_eq!(clip_ring(inside.clone(), (0.0, 0.0, 50.0, 50.0)), inside);
        assert!(
            clip_ring(
                vec![(-9.0, -9.0), (-8.0, -9.0), (-8.0, -8.0)],
                (0.0, 0.0, 50.0, 50.0)
            )
            .is_empty()
        );
    }
}
