//! Drawing on a PDF page in millimetres: text in the embedded DejaVu Sans,
//! rectangles, images and the QR code, each either tagged (a piece of
//! the sheet's structure, answered as krilla's [`Identifier`]) or marked
//! as an artifact (decoration a screen reader skips).

use krilla::color::rgb;
use krilla::geom::{Path, PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{ArtifactType, ContentTag, Identifier, SpanTag};
use krilla::text::{Font, TextDirection};

use crate::layout::Area;
use crate::sheet::{MapImage, SheetError};

/// Points per millimetre.
pub(crate) const PT_PER_MM: f64 = 72.0 / 25.4;

/// Millimetres as PDF points.
pub(crate) fn pt(mm: f64) -> f32 {
    (mm * PT_PER_MM) as f32
}

/// The fonts, and their metrics for wrapping.
pub(crate) struct Fonts {
    regular: Font,
    bold: Font,
    face: ttf_parser::Face<'static>,
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts, SheetError> {
        let font =
            |bytes: &'static [u8]| Font::new(bytes.to_vec().into(), 0).ok_or(SheetError::Font);
        Ok(Fonts {
            regular: font(dejavu::sans::regular())?,
            bold: font(dejavu::sans::bold())?,
            face: ttf_parser::Face::parse(dejavu::sans::regular(), 0)
                .map_err(|_| SheetError::Font)?,
        })
    }

    /// The width of `text` at `size` points, in points (regular face).
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let units = f32::from(self.face.units_per_em());
        let advance: f32 = text
            .chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .map_or(units / 2.0, f32::from)
            })
            .sum();
        advance / units * size
    }

    /// `text` broken into lines no wider than `width` points.
    pub(crate) fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, size) <= width || line.is_empty() {
                line = candidate;
            } else {
                lines.push(std::mem::take(&mut line));
                line = word.to_owned();
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// A URL broken into lines no wider than `width` points, anywhere.
    pub(crate) fn wrap_url(&self, url: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for c in url.chars() {
            line.push(c);
            if self.width(&line, size) > width {
                line.pop();
                lines.push(std::mem::take(&mut line));
                line.push(c);
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// Draws on the page in millimetres.
pub(crate) struct Pen<'s, 'p> {
    pub(crate) surface: &'s mut Surface<'p>,
    pub(crate) fonts: &'s Fonts,
    /// The layout's text scale.
    pub(crate) scale: f64,
}

impl Pen<'_, '_> {
    /// `points` at the layout's text scale.
    pub(crate) fn size(&self, points: f64) -> f32 {
        (points * self.scale) as f32
    }

    /// What `draw` draws, as one piece of marked content: its identifier
    /// goes into the tag tree exactly once (krilla refuses a document
    /// where one is missing or twice). Not nestable: `draw` uses the
    /// untagged primitives only.
    pub(crate) fn tagged(
        &mut self,
        tag: ContentTag<'_>,
        draw: impl FnOnce(&mut Self),
    ) -> Identifier {
        let id = self.surface.start_tagged(tag);
        draw(self);
        self.surface.end_tagged();
        id
    }

    /// Decoration (frames, grid lines, running headers): marked as an
    /// artifact, which assistive technology leaves out.
    pub(crate) fn artifact(&mut self, kind: ArtifactType, draw: impl FnOnce(&mut Self)) {
        // Artifacts have no identifier worth keeping (krilla answers a
        // dummy one).
        let _ = self.tagged(ContentTag::Artifact(kind), draw);
    }

    /// A picture or drawing for a Figure of the tag tree.
    pub(crate) fn figure(&mut self, draw: impl FnOnce(&mut Self)) -> Identifier {
        self.tagged(ContentTag::Other, draw)
    }

    /// One line of text, tagged as a span of real text.
    pub(crate) fn line(
        &mut self,
        x: f64,
        baseline: f64,
        size: f32,
        bold: bool,
        text: &str,
    ) -> Identifier {
        self.tagged(ContentTag::Span(SpanTag::empty()), |pen| {
            pen.text(x, baseline, size, bold, text);
        })
    }

    pub(crate) fn fill(&mut self, color: rgb::Color) {
        self.surface.set_fill(Some(Fill {
            paint: color.into(),
            opacity: NormalizedF32::ONE,
            rule: Default::default(),
        }));
    }

    /// Text starting at `x` on `baseline` (untagged).
    pub(crate) fn text(&mut self, x: f64, baseline: f64, size: f32, bold: bool, text: &str) {
        let font = if bold {
            self.fonts.bold.clone()
        } else {
            self.fonts.regular.clone()
        };
        self.fill(rgb::Color::black());
        self.surface.draw_text(
            Point::from_xy(pt(x), pt(baseline)),
            font,
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64) -> Option<Path> {
        let mut builder = PathBuilder::new();
        builder.push_rect(Rect::from_xywh(pt(x), pt(y), pt(w), pt(h))?);
        builder.finish()
    }

    pub(crate) fn fill_rect(&mut self, x: f64, y: f64, w: f64, h: f64, color: rgb::Color) {
        if let Some(path) = self.rect(x, y, w, h) {
            self.fill(color);
            self.surface.set_stroke(None);
            self.surface.draw_path(&path);
        }
    }

    pub(crate) fn stroke_rect(&mut self, x: f64, y: f64, w: f64, h: f64, width_mm: f64) {
        if let Some(path) = self.rect(x, y, w, h) {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke {
                width: pt(width_mm),
                ..Stroke::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
        }
    }

    /// Thin grey lines (the coordinate grid).
    pub(crate) fn stroke_thin(&mut self, lines: PathBuilder, width_mm: f64) {
        if let Some(path) = lines.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke {
                paint: rgb::Color::new(60, 60, 60).into(),
                width: pt(width_mm),
                opacity: NormalizedF32::new(0.7).unwrap_or(NormalizedF32::ONE),
                ..Stroke::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
        }
    }

    /// `image` stretched over `area`.
    pub(crate) fn image(&mut self, image: &MapImage, area: Area) {
        let picture = Image::from_rgba8(image.rgba.clone(), image.width, image.height);
        if let Some(size) = Size::from_wh(pt(area.w), pt(area.h)) {
            self.surface
                .push_transform(&Transform::from_translate(pt(area.x), pt(area.y)));
            self.surface.draw_image(picture, size);
            self.surface.pop();
        }
    }

    /// A north arrow with its tip at (`x`, `y`) and `letter` under it.
    pub(crate) fn north_arrow(&mut self, x: f64, y: f64, letter: &str) {
        let s = self.scale;
        let mut builder = PathBuilder::new();
        builder.move_to(pt(x), pt(y));
        builder.line_to(pt(x + 2.2 * s), pt(y + 7.0 * s));
        builder.line_to(pt(x), pt(y + 5.4 * s));
        builder.line_to(pt(x - 2.2 * s), pt(y + 7.0 * s));
        builder.close();
        if let Some(path) = builder.finish() {
            self.fill(rgb::Color::black());
            self.surface.draw_path(&path);
        }
        let size = self.size(8.0);
        let w = f64::from(self.fonts.width(letter, size)) / PT_PER_MM;
        self.text(x - w / 2.0, y + 10.5 * s, size, true, letter);
    }

    /// `code` as black squares in a square of `side` mm.
    pub(crate) fn qr(&mut self, code: &qrcode::QrCode, x: f64, y: f64, side: f64) {
        let modules = code.width();
        let colors = code.to_colors();
        // Four modules of quiet zone on each side.
        let cell = side / (modules + 8) as f64;
        let mut builder = PathBuilder::new();
        for (i, color) in colors.iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (col, row) = (i % modules, i / modules);
                let cx = x + cell * (col + 4) as f64;
                let cy = y + cell * (row + 4) as f64;
                if let Some(rect) = Rect::from_xywh(pt(cx), pt(cy), pt(cell), pt(cell)) {
                    builder.push_rect(rect);
                }
            }
        }
        if let Some(path) = builder.finish() {
            self.fill(rgb::Color::black());
            self.surface.set_stroke(None);
            self.surface.draw_path(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_notes_wrap_within_their_column() {
        let fonts = Fonts::load().unwrap();
        let text = "Quellen: © GeoBasis-DE / BKG 2016, dl-de/by-2-0; Niedersächsisches Ministerium für Umwelt, Energie und Klimaschutz, dl-de/by-2-0";
        let lines = fonts.wrap(text, 7.0, 200.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| fonts.width(l, 7.0) <= 200.0));
        assert_eq!(lines.join(" "), text);
    }
}
