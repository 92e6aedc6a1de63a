//! Antialiased lines thinner than two pixels, written straight into the
//! image's premultiplied pixels.
//!
//! Why not tiny-skia: a line no wider than a pixel is a hairline to it,
//! and it runs its raster pipeline once for every one- or two-pixel span;
//! a wider one is first turned into an outline polygon and filled with
//! supersampling. Municipal, district and state boundaries are all such
//! lines, and in a profile of the demo's GetMap mix they took a quarter of
//! the time.
//!
//! Each segment is walked along its major axis one pixel column at a time;
//! in each column the line covers an interval across it, and each pixel
//! gets the part of the interval it holds (the end columns in proportion
//! to how much of them the segment spans, so that two segments meeting
//! there add up to one line). A line up to a pixel wide is one pixel
//! across in the minor direction, drawn with that fraction of the colour's
//! alpha, as tiny-skia draws hairlines; a wider one is as wide as it is
//! across its direction.

use super::blend::Ink;
use super::draw::clip_segment;
use tiny_skia::{Color, Path, PathSegment, Pixmap};

/// Lines at least this wide are left to tiny-skia: their round joins and
/// caps show.
pub const MAX_WIDTH: f32 = 2.0;

/// Strokes every straight segment of `path` with a line `width` (below
/// [`MAX_WIDTH`]) pixels wide in `color`, with butt ends. Returns `false`,
/// drawing nothing, when the path has curves (point symbols) or the line
/// is too wide, which are left to tiny-skia.
pub fn stroke(pixmap: &mut Pixmap, path: &Path, color: Color, width: f32) -> bool {
    let curved = path
        .segments()
        .any(|s| matches!(s, PathSegment::QuadTo(..) | PathSegment::CubicTo(..)));
    if curved || !(width > 0.0 && width < MAX_WIDTH) {
        return false;
    }
    let mut pen = Pen::new(pixmap, color, width);
    let (mut start, mut last) = (None, None);
    for segment in path.segments() {
        match segment {
            PathSegment::MoveTo(p) => {
                start = Some((p.x, p.y));
                last = start;
            }
            PathSegment::LineTo(p) => {
                if let Some(from) = last {
                    pen.line(from, (p.x, p.y));
                }
                last = Some((p.x, p.y));
            }
            PathSegment::Close => {
                if let (Some(from), Some(to)) = (last, start) {
                    if from != to {
                        pen.line(from, to);
                    }
                }
                last = start;
            }
            PathSegment::QuadTo(..) | PathSegment::CubicTo(..) => {}
        }
    }
    true
}

/// A line's colour and width, and the image it is drawn into.
struct Pen<'a> {
    pixels: &'a mut [u8],
    width: i32,
    height: i32,
    ink: Ink,
    /// The line's width in pixels; up to one, its alpha is scaled instead.
    line_width: f32,
}

impl<'a> Pen<'a> {
    fn new(pixmap: &'a mut Pixmap, color: Color, line_width: f32) -> Self {
        let (width, height) = (pixmap.width() as i32, pixmap.height() as i32);
        let mut color = color;
        if line_width < 1.0 {
            color.apply_opacity(line_width);
        }
        Pen {
            pixels: pixmap.data_mut(),
            width,
            height,
            ink: Ink::new(color),
            line_width,
        }
    }

    /// Lays the colour over pixel (x, y) with `coverage` (0–1).
    #[inline]
    fn plot(&mut self, x: i32, y: i32, coverage: f32) {
        if x < 0 || y < 0 || x >= self.width || y >= self.height || coverage <= 0.0 {
            return;
        }
        let at = ((y * self.width + x) as usize) * 4;
        if let Some(pixel) = self.pixels.get_mut(at..at + 4) {
            self.ink
                .over(pixel, (coverage.min(1.0) * 255.0 + 0.5) as u32);
        }
    }

    /// One segment between two points in pixel coordinates, clipped to
    /// the image.
    fn line(&mut self, a: (f32, f32), b: (f32, f32)) {
        let Some(((mut x0, mut y0), (mut x1, mut y1))) = self.clip(a, b) else {
            return;
        };
        let steep = (y1 - y0).abs() > (x1 - x0).abs();
        if steep {
            std::mem::swap(&mut x0, &mut y0);
            std::mem::swap(&mut x1, &mut y1);
        }
        if x0 > x1 {
            std::mem::swap(&mut x0, &mut x1);
            std::mem::swap(&mut y0, &mut y1);
        }
        let length = x1 - x0;
        if length <= f32::EPSILON {
            return;
        }
        let gradient = (y1 - y0) / length;
        // Half the line's extent across a column.
        let half = if self.line_width <= 1.0 {
            0.5
        } else {
            self.line_width / 2.0 * (1.0 + gradient * gradient).sqrt()
        };
        for column in x0.floor() as i32..=x1.floor() as i32 {
            let (from, to) = ((column as f32).max(x0), (column as f32 + 1.0).min(x1));
            let spanned = to - from;
            if spanned <= 0.0 {
                continue;
            }
            let centre = y0 + gradient * ((from + to) / 2.0 - x0);
            let (low, high) = (centre - half, centre + half);
            for row in low.floor() as i32..=high.floor() as i32 {
                let held = (high.min(row as f32 + 1.0) - low.max(row as f32)) * spanned;
                if steep {
                    self.plot(row, column, held);
                } else {
                    self.plot(column, row, held);
                }
            }
        }
    }

    /// The part of a-b within two pixels of the image, so that a line
    /// running far outside costs nothing.
    fn clip(&self, a: (f32, f32), b: (f32, f32)) -> Option<((f32, f32), (f32, f32))> {
        let window = (
            -2.0,
            -2.0,
            f64::from(self.width) + 2.0,
            f64::from(self.height) + 2.0,
        );
        let wide = |(x, y): (f32, f32)| (f64::from(x), f64::from(y));
        let narrow = |(x, y): (f64, f64)| (x as f32, y as f32);
        clip_segment(wide(a), wide(b), window).map(|(a, b)| (narrow(a), narrow(b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiny_skia::{LineCap, Paint, PathBuilder, Stroke, Transform};

    fn path(points: &[(f32, f32)], closed: bool) -> Path {
        let mut b = PathBuilder::new();
        b.move_to(points[0].0, points[0].1);
        for p in &points[1..] {
            b.line_to(p.0, p.1);
        }
        if closed {
            b.close();
        }
        b.finish().unwrap()
    }

    /// The sum of alpha over the image, in pixels.
    fn ink(pixmap: &Pixmap) -> f32 {
        pixmap
            .pixels()
            .iter()
            .map(|p| f32::from(p.alpha()) / 255.0)
            .sum()
    }

    fn tiny_skia_line(pixmap: &mut Pixmap, path: &Path, color: Color, width: f32) {
        let mut paint = Paint::default();
        paint.set_color(color);
        paint.anti_alias = true;
        let stroke = Stroke {
            width,
            line_cap: LineCap::Butt,
            ..Stroke::default()
        };
        pixmap.stroke_path(path, &paint, &stroke, Transform::identity(), None);
    }

    #[test]
    fn a_horizontal_line_between_pixel_centres_fills_one_row() {
        let mut pixmap = Pixmap::new(10, 5).unwrap();
        let line = path(&[(2.0, 2.5), (8.0, 2.5)], false);
        assert!(stroke(&mut pixmap, &line, Color::BLACK, 1.0));
        for x in 0..10 {
            let alpha = pixmap.pixel(x, 2).unwrap().alpha();
            match x {
                2..=7 => assert_eq!(alpha, 255, "column {x}"),
                _ => assert_eq!(alpha, 0, "column {x}"),
            }
            assert_eq!(pixmap.pixel(x, 1).unwrap().alpha(), 0);
            assert_eq!(pixmap.pixel(x, 3).unwrap().alpha(), 0);
        }
    }

    #[test]
    fn a_line_between_two_rows_shades_both_by_its_distance() {
        let mut pixmap = Pixmap::new(10, 5).unwrap();
        let line = path(&[(1.0, 2.25), (9.0, 2.25)], false);
        stroke(&mut pixmap, &line, Color::BLACK, 1.0);
        let (upper, lower) = (
            pixmap.pixel(5, 1).unwrap().alpha(),
            pixmap.pixel(5, 2).unwrap().alpha(),
        );
        assert!((60..=68).contains(&upper), "{upper}");
        assert!((188..=196).contains(&lower), "{lower}");
    }

    #[test]
    fn the_ink_of_a_line_matches_tiny_skias_stroke() {
        // Polylines in every direction, closed rings, lines leaving the
        // image, and widths below a pixel: the same amount of colour and in
        // the same places as tiny-skia's antialiased strokes.
        let shapes: [(&[(f32, f32)], bool); 5] = [
            (
                &[(3.3, 4.1), (40.7, 17.9), (12.2, 55.5), (60.0, 60.0)],
                false,
            ),
            (
                &[(10.0, 10.0), (50.0, 12.0), (48.0, 50.0), (9.0, 45.0)],
                true,
            ),
            (&[(-30.0, 20.0), (90.0, 33.3)], false),
            (&[(31.0, 2.0), (33.0, 62.0)], false),
            (&[(5.5, 5.5), (5.9, 5.7), (6.4, 6.0), (7.1, 6.2)], false),
        ];
        for (points, closed) in shapes {
            for width in [1.0, 0.6, 1.4, 1.6] {
                let line = path(points, closed);
                let color = Color::from_rgba8(40, 60, 200, 255);
                let mut ours = Pixmap::new(64, 64).unwrap();
                assert!(stroke(&mut ours, &line, color, width));
                let mut theirs = Pixmap::new(64, 64).unwrap();
                tiny_skia_line(&mut theirs, &line, color, width);
                let (a, b) = (ink(&ours), ink(&theirs));
                assert!(
                    (a - b).abs() <= 0.08 * b + 0.5,
                    "{points:?} width {width}: ours {a}, tiny-skia {b}"
                );
                // Where one has ink the other has it too, within a pixel.
                for y in 0..64 {
                    for x in 0..64 {
                        if ours.pixel(x, y).unwrap().alpha() > 64 {
                            let near = (x.saturating_sub(1)..=(x + 1).min(63)).any(|nx| {
                                (y.saturating_sub(1)..=(y + 1).min(63))
                                    .any(|ny| theirs.pixel(nx, ny).unwrap().alpha() > 0)
                            });
                            assert!(near, "{points:?}: ink at ({x}, {y}) only in ours");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn curves_are_left_to_tiny_skia() {
        let mut pixmap = Pixmap::new(20, 20).unwrap();
        let circle = PathBuilder::from_circle(10.0, 10.0, 5.0).unwrap();
        assert!(!stroke(&mut pixmap, &circle, Color::BLACK, 1.0));
        assert_eq!(ink(&pixmap), 0.0);
    }

    #[test]
    fn colour_is_laid_over_what_is_there() {
        let mut pixmap = Pixmap::new(4, 3).unwrap();
        pixmap.fill(Color::from_rgba8(0, 0, 255, 255));
        let line = path(&[(0.0, 1.5), (4.0, 1.5)], false);
        stroke(&mut pixmap, &line, Color::from_rgba8(255, 0, 0, 255), 0.5);
        let p = pixmap.pixel(1, 1).unwrap();
        assert_eq!(p.alpha(), 255);
        assert!((125..=130).contains(&p.red()), "{p:?}");
        assert!((125..=130).contains(&p.blue()), "{p:?}");
        assert_eq!(pixmap.pixel(1, 0).unwrap().blue(), 255);
    }
}
