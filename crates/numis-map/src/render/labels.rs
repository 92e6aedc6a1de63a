//! Labels: anchored at points, inside polygons or along lines, kept only
//! where they overlap no label placed before them, and drawn with a halo
//! above all features. The font (DejaVu Sans) is compiled into the binary.

use std::sync::LazyLock;

use super::blend::Ink;
use ab_glyph::{Font, FontRef, OutlineCurve, PxScale, ScaleFont};
use tiny_skia::{Color, FillRule, Mask, Paint, PathBuilder, Pixmap, Transform};

use crate::style::{Label, PropertyLookup, Rule, as_text};

static FONT: LazyLock<Option<FontRef<'static>>> =
    LazyLock::new(|| FontRef::try_from_slice(dejavu::sans::regular()).ok());

/// Space kept free around every label, in pixels.
const PADDING: f32 = 2.0;
/// How far the halo reaches beyond the glyphs, in pixels.
const HALO_RADIUS: f32 = 1.5;
/// A text placed within this distance (pixels) is not repeated: parts of
/// one feature, or neighbouring features with one name, get one label.
const REPEAT_DISTANCE: f32 = 200.0;
/// Labels longer than this are cut (data can hold anything).
const MAX_LABEL_CHARS: usize = 80;

/// A placed label, ready to draw.
struct Placed {
    path: tiny_skia::Path,
    color: Color,
    halo: Option<Color>,
}

/// Collects label candidates and keeps the ones that fit.
pub struct Labeller {
    width: f32,
    height: f32,
    taken: Vec<tiny_skia::Rect>,
    texts: Vec<(String, f32, f32)>,
    placed: Vec<Placed>,
}

impl Labeller {
    /// A labeller for an image of this size.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width: width as f32,
            height: height as f32,
            taken: Vec::new(),
            texts: Vec::new(),
            placed: Vec::new(),
        }
    }

    /// Offers a label for a feature at `at`; it is placed if it fits.
    pub fn candidate(
        &mut self,
        at: LabelAt,
        properties: &impl PropertyLookup,
        label: &Label,
        rule: &Rule,
    ) {
        let Some(text) = properties.property(&label.field).map(as_text) else {
            return;
        };
        let text: String = text.trim().chars().take(MAX_LABEL_CHARS).collect();
        if text.is_empty() {
            return;
        }
        let (x, y, angle, align) = placement(at, rule);
        let repeated = self
            .texts
            .iter()
            .any(|(t, tx, ty)| *t == text && (tx - x).hypot(ty - y) < REPEAT_DISTANCE);
        if repeated {
            return;
        }
        let Some(font) = FONT.as_ref() else { return };
        // Measure first and build glyph outlines only for labels that fit:
        // most candidates on a busy map are rejected.
        let (width, ascent, descent) = measure(font, &text, label.size);
        let dx = match align {
            Align::Left => 0.0,
            Align::Centre => -width / 2.0,
        };
        // Baseline so that the text's middle sits on the anchor.
        let dy = (ascent + descent) / 2.0;
        let transform = Transform::from_translate(dx, dy)
            .post_concat(Transform::from_rotate(angle.to_degrees()))
            .post_concat(Transform::from_translate(x, y));
        let mut corners = [
            tiny_skia::Point::from_xy(0.0, -ascent),
            tiny_skia::Point::from_xy(width, -ascent),
            tiny_skia::Point::from_xy(width, -descent),
            tiny_skia::Point::from_xy(0.0, -descent),
        ];
        transform.map_points(&mut corners);
        let Some(bounds) = tiny_skia::Rect::from_points(&corners) else {
            return;
        };
        let Some(area) = tiny_skia::Rect::from_ltrb(
            bounds.left() - PADDING,
            bounds.top() - PADDING,
            bounds.right() + PADDING,
            bounds.bottom() + PADDING,
        ) else {
            return;
        };
        let inside = area.left() >= 0.0
            && area.top() >= 0.0
            && area.right() <= self.width
            && area.bottom() <= self.height;
        if !inside || self.taken.iter().any(|t| t.intersect(&area).is_some()) {
            return;
        }
        let Some((path, _, _, _)) = text_path(font, &text, label.size) else {
            return;
        };
        let Some(path) = path.transform(transform) else {
            return;
        };
        self.taken.push(area);
        self.texts.push((text, x, y));
        self.placed.push(Placed {
            path,
            color: label.color,
            halo: label.halo,
        });
    }

    /// Draws every placed label.
    pub fn draw(self, pixmap: &mut Pixmap) {
        for label in &self.placed {
            draw_label(pixmap, label);
        }
    }

    /// Number of labels placed so far.
    pub fn len(&self) -> usize {
        self.placed.len()
    }

    /// Has no label been placed?
    pub fn is_empty(&self) -> bool {
        self.placed.is_empty()
    }
}

/// Draws one label: its glyphs are rasterised once into a small coverage
/// mask around the text, the halo is that mask dilated, and both are
/// blended onto the image. Stroking the glyph outlines for the halo would
/// cost several times more, and labels are a large share of a map's work.
fn draw_label(pixmap: &mut Pixmap, label: &Placed) {
    let margin = HALO_RADIUS.ceil() + 1.0;
    let bounds = label.path.bounds();
    let left = (bounds.left() - margin).floor().max(0.0);
    let top = (bounds.top() - margin).floor().max(0.0);
    let right = (bounds.right() + margin).ceil().min(pixmap.width() as f32);
    let bottom = (bounds.bottom() + margin)
        .ceil()
        .min(pixmap.height() as f32);
    if right <= left || bottom <= top {
        return;
    }
    let (x0, y0) = (left as u32, top as u32);
    let (width, height) = ((right - left) as u32, (bottom - top) as u32);
    let Some(mut glyphs) = Mask::new(width, height) else {
        return;
    };
    glyphs.fill_path(
        &label.path,
        FillRule::Winding,
        true,
        Transform::from_translate(-left, -top),
    );
    let glyphs = glyphs.data();
    if let Some(halo) = label.halo {
        let halo_mask = dilate(glyphs, width as usize, height as usize);
        blend(pixmap, x0, y0, width, &halo_mask, halo);
    }
    blend(pixmap, x0, y0, width, glyphs, label.color);
}

/// Grey-scale dilation with a soft disk of `HALO_RADIUS`: every pixel takes
/// the strongest neighbour coverage, weighted by how much of that pixel the
/// disk covers, so the halo's edge stays antialiased.
fn dilate(coverage: &[u8], width: usize, height: usize) -> Vec<u8> {
    const REACH: i32 = 2;
    let mut kernel: Vec<(i32, i32, u16)> = Vec::new();
    for dy in -REACH..=REACH {
        for dx in -REACH..=REACH {
            let distance = ((dx * dx + dy * dy) as f32).sqrt();
            let weight = (HALO_RADIUS + 0.5 - distance).clamp(0.0, 1.0);
            if weight > 0.0 {
                kernel.push((dx, dy, (weight * 256.0) as u16));
            }
        }
    }
    let mut out = vec![0u8; coverage.len()];
    for y in 0..height as i32 {
        for x in 0..width as i32 {
            let mut strongest = 0u16;
            for &(dx, dy, weight) in &kernel {
                let (nx, ny) = (x + dx, y + dy);
                if nx < 0 || ny < 0 || nx >= width as i32 || ny >= height as i32 {
                    continue;
                }
                let c = u16::from(coverage[ny as usize * width + nx as usize]);
                strongest = strongest.max((c * weight) >> 8);
            }
            out[y as usize * width + x as usize] = strongest.min(255) as u8;
        }
    }
    out
}

/// Source-over blends `color`, scaled by `coverage` (a `width`-wide mask
/// placed at `x0`,`y0`), onto the premultiplied pixels of `pixmap`.
fn blend(pixmap: &mut Pixmap, x0: u32, y0: u32, width: u32, coverage: &[u8], color: Color) {
    let stride = pixmap.width() as usize;
    let ink = Ink::new(color);
    let data = pixmap.data_mut();
    for (row, line) in coverage.chunks_exact(width as usize).enumerate() {
        let start = ((y0 as usize + row) * stride + x0 as usize) * 4;
        let Some(pixels) = data.get_mut(start..start + line.len() * 4) else {
            return;
        };
        for (pixel, &c) in pixels.chunks_exact_mut(4).zip(line) {
            if c != 0 {
                ink.over(pixel, u32::from(c));
            }
        }
    }
}

enum Align {
    Left,
    Centre,
}

/// Where a label goes: pixel position, angle (radians) and alignment.
/// Points are labelled beside their symbol; polygons and lines at the
/// anchor the dataset computed at load.
/// Where a label goes, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LabelAt {
    /// Beside a point's symbol.
    Point(f32, f32),
    /// Centred on a polygon's anchor.
    Area(f32, f32),
    /// Along a line at its middle, in direction `(dx, dy)` (pixels).
    Line(f32, f32, f32, f32),
}

fn placement(at: LabelAt, rule: &Rule) -> (f32, f32, f32, Align) {
    match at {
        LabelAt::Point(x, y) => {
            let offset = rule.symbol.as_ref().map_or(4.0, |s| s.size / 2.0) + 3.0;
            (x + offset, y, 0.0, Align::Left)
        }
        LabelAt::Area(x, y) => (x, y, 0.0, Align::Centre),
        LabelAt::Line(x, y, dx, dy) => {
            let mut angle = dy.atan2(dx);
            // Keep text upright.
            if angle > std::f32::consts::FRAC_PI_2 {
                angle -= std::f32::consts::PI;
            } else if angle < -std::f32::consts::FRAC_PI_2 {
                angle += std::f32::consts::PI;
            }
            (x, y, angle, Align::Centre)
        }
    }
}

/// Advance width, ascent and descent of `text` at `size`, without
/// building outlines.
fn measure(font: &FontRef<'static>, text: &str, size: f32) -> (f32, f32, f32) {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut width = 0.0;
    let mut previous = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(prev) = previous {
            width += scaled.kern(prev, id);
        }
        width += scaled.h_advance(id);
        previous = Some(id);
    }
    (width, scaled.ascent(), scaled.descent())
}

/// Width of `text` in pixels at `size`.
pub fn text_width(text: &str, size: f32) -> f32 {
    FONT.as_ref()
        .and_then(|f| text_path(f, text, size))
        .map_or(0.0, |(_, w, _, _)| w)
}

/// Writes `text` starting at `x`, vertically centred on `middle_y`.
pub fn write_text(pixmap: &mut Pixmap, text: &str, size: f32, x: f32, middle_y: f32, color: Color) {
    let Some((path, _, ascent, descent)) = FONT.as_ref().and_then(|f| text_path(f, text, size))
    else {
        return;
    };
    let Some(path) = path.transform(Transform::from_translate(
        x,
        middle_y + (ascent + descent) / 2.0,
    )) else {
        return;
    };
    let mut paint = Paint::default();
    paint.set_color(color);
    paint.anti_alias = true;
    pixmap.fill_path(
        &path,
        &paint,
        FillRule::Winding,
        Transform::identity(),
        None,
    );
}

/// The outline of `text` with its baseline at y = 0, starting at x = 0;
/// returns (path, advance width, ascent, descent) in pixels.
fn text_path(
    font: &FontRef<'static>,
    text: &str,
    size: f32,
) -> Option<(tiny_skia::Path, f32, f32, f32)> {
    let scaled = font.as_scaled(PxScale::from(size));
    let factor = scaled.scale_factor();
    let mut builder = PathBuilder::new();
    let mut x = 0.0f32;
    let mut previous = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(prev) = previous {
            x += scaled.kern(prev, id);
        }
        if let Some(outline) = font.outline(id) {
            let map = |p: ab_glyph::Point| (x + p.x * factor.horizontal, -p.y * factor.vertical);
            let mut current: Option<(f32, f32)> = None;
            for curve in &outline.curves {
                let (start, end) = match curve {
                    OutlineCurve::Line(a, b) => (map(*a), map(*b)),
                    OutlineCurve::Quad(a, _, c) => (map(*a), map(*c)),
                    OutlineCurve::Cubic(a, _, _, d) => (map(*a), map(*d)),
                };
                if current != Some(start) {
                    if current.is_some() {
                        builder.close();
                    }
                    builder.move_to(start.0, start.1);
                }
                match curve {
                    OutlineCurve::Line(_, _) => builder.line_to(end.0, end.1),
                    OutlineCurve::Quad(_, b, _) => {
                        let b = map(*b);
                        builder.quad_to(b.0, b.1, end.0, end.1);
                    }
                    OutlineCurve::Cubic(_, b, c, _) => {
                        let (b, c) = (map(*b), map(*c));
                        builder.cubic_to(b.0, b.1, c.0, c.1, end.0, end.1);
                    }
                }
                current = Some(end);
            }
            if current.is_some() {
                builder.close();
            }
        }
        x += scaled.h_advance(id);
        previous = Some(id);
    }
    let path = builder.finish()?;
    Some((path, x, scaled.ascent(), scaled.descent()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::style::Style;

    fn label_rule() -> Rule {
        let config: crate::config::RuleConfig =
            toml::from_str("fill = \"#000\"\nlabel = { field = \"name\", size = 12 }").unwrap();
        Style {
            rules: vec![Rule::compile(&config).unwrap()],
        }
        .rules
        .remove(0)
    }

    #[test]
    fn overlapping_labels_are_dropped() {
        let rule = label_rule();
        let label = rule.label.clone().unwrap();
        let mut labeller = Labeller::new(200, 200);
        let props = |name: &str| {
            serde_json::json!({ "name": name })
                .as_object()
                .unwrap()
                .clone()
        };
        labeller.candidate(
            LabelAt::Point(40.0, 100.0),
            &props("Hannover"),
            &label,
            &rule,
        );
        labeller.candidate(
            LabelAt::Point(42.0, 99.0),
            &props("Langenhagen"),
            &label,
            &rule,
        );
        labeller.candidate(
            LabelAt::Point(40.0, 180.0),
            &props("Hildesheim"),
            &label,
            &rule,
        );
        assert_eq!(labeller.len(), 2, "the second label overlaps the first");
    }

    #[test]
    fn labels_that_would_leave_the_image_are_dropped() {
        let rule = label_rule();
        let label = rule.label.clone().unwrap();
        let mut labeller = Labeller::new(200, 200);
        let edge = LabelAt::Point(198.0, 100.0);
        let props = serde_json::json!({ "name": "Braunschweig" })
            .as_object()
            .unwrap()
            .clone();
        labeller.candidate(edge, &props, &label, &rule);
        assert!(labeller.is_empty());
    }

    #[test]
    fn the_halo_rings_the_glyphs_and_blending_keeps_colours_exact() {
        let mut pixmap = Pixmap::new(120, 40).unwrap();
        pixmap.fill(Color::BLACK);
        let font = FONT.as_ref().unwrap();
        let (path, ..) = text_path(font, "Elbe", 20.0).unwrap();
        let path = path
            .transform(Transform::from_translate(10.0, 28.0))
            .unwrap();
        let placed = Placed {
            path,
            color: Color::from_rgba8(255, 0, 0, 255),
            halo: Some(Color::WHITE),
        };
        draw_label(&mut pixmap, &placed);
        let pixels = pixmap.pixels();
        let count = |f: &dyn Fn(&tiny_skia::PremultipliedColorU8) -> bool| {
            pixels.iter().filter(|p| f(p)).count()
        };
        let text = count(&|p| p.red() == 255 && p.green() == 0 && p.blue() == 0);
        let halo = count(&|p| p.red() == 255 && p.green() == 255 && p.blue() == 255);
        assert!(
            text > 40,
            "glyph interiors are the exact text colour: {text}"
        );
        assert!(halo > text / 2, "a solid halo surrounds them: {halo}");
        // Far from the text the background is untouched.
        assert_eq!(pixels[0], Color::BLACK.premultiply().to_color_u8());
        assert_eq!(pixels[119], Color::BLACK.premultiply().to_color_u8());
    }

    #[test]
    fn dilation_spreads_coverage_by_the_halo_radius() {
        // One fully covered pixel in the middle of a 7×7 mask.
        let mut mask = vec![0u8; 49];
        mask[24] = 255;
        let halo = dilate(&mask, 7, 7);
        assert_eq!(halo[24], 255);
        assert_eq!(halo[23], 255, "a direct neighbour is inside the radius");
        assert!(
            halo[16] > 100 && halo[16] < 255,
            "a diagonal one is partly covered"
        );
        assert_eq!(halo[22], 0, "two pixels away is beyond the halo");
    }
}
