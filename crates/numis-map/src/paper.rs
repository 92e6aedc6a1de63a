//! Maps for paper: the layers of a view drawn for a print at a given
//! scale and resolution, with the same styles as the WMS but sized for
//! paper (a 2-pixel line on screen is 0.56 mm on paper, at any dpi).
//!
//! The WMS draws at OGC's standard pixel of 0.28 mm. A print at 300 dpi
//! has pixels of 0.085 mm, 3.3 times smaller; drawn with the screen
//! styles its lines and labels would shrink to a third. So the styles are
//! scaled by that ratio ([`Style::for_pixel_ratio`]) and the scale ranges
//! of layers and rules with them, and the map shows what the WMS shows at
//! the same scale.

use std::time::Instant;

use geo::{Rect, coord};
use tiny_skia::Pixmap;

use crate::crs::Crs;
use crate::render::{DrawLayer, Frame, PIXEL_SIZE_M, RenderError, render_within};
use crate::style::Style;

const MM_PER_INCH: f64 = 25.4;

/// A map on paper: where, at which scale, how big and how fine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaperMap {
    /// The CRS of `center` and of the map (a projected one: paper
    /// scales need metres).
    pub crs: Crs,
    /// The map's centre, in `crs`.
    pub center: (f64, f64),
    /// The scale denominator (25,000 for 1:25,000).
    pub scale: f64,
    /// The map's width on paper, in millimetres.
    pub width_mm: f64,
    /// The map's height on paper, in millimetres.
    pub height_mm: f64,
    /// Dots per inch of the image.
    pub dpi: f64,
}

impl PaperMap {
    /// The image's size in pixels.
    pub fn size_px(&self) -> (u32, u32) {
        let px = |mm: f64| (mm / MM_PER_INCH * self.dpi).round().max(1.0) as u32;
        (px(self.width_mm), px(self.height_mm))
    }

    /// How many times smaller a pixel of this image is than OGC's
    /// standard 0.28 mm pixel.
    pub fn pixel_ratio(&self) -> f32 {
        (PIXEL_SIZE_M * 1000.0 * self.dpi / MM_PER_INCH) as f32
    }

    /// The extent on the ground: the paper size times the scale.
    pub fn bbox(&self) -> Rect<f64> {
        let half_w = self.width_mm / 1000.0 * self.scale / 2.0;
        let half_h = self.height_mm / 1000.0 * self.scale / 2.0;
        let (x, y) = self.center;
        Rect::new(
            coord! { x: x - half_w, y: y - half_h },
            coord! { x: x + half_w, y: y + half_h },
        )
    }

    /// The frame the renderer draws into.
    pub fn frame(&self) -> Frame {
        let (width, height) = self.size_px();
        Frame {
            crs: self.crs,
            bbox: self.bbox(),
            width,
            height,
        }
    }
}

/// Draws `layers` (bottom first, styled for the screen as the WMS draws
/// them) for `paper` on white, giving up once `deadline` has passed.
pub fn render_paper(
    layers: &[DrawLayer<'_>],
    paper: &PaperMap,
    deadline: Option<Instant>,
) -> Result<Pixmap, RenderError> {
    let ratio = paper.pixel_ratio();
    let styles: Vec<Style> = layers
        .iter()
        .map(|l| l.style.for_pixel_ratio(ratio))
        .collect();
    let scaled = |bound: Option<f64>| bound.map(|b| b / f64::from(ratio));
    let draw: Vec<DrawLayer<'_>> = layers
        .iter()
        .zip(&styles)
        .map(|(layer, style)| DrawLayer {
            data: layer.data,
            style,
            min_scale: scaled(layer.min_scale),
            max_scale: scaled(layer.max_scale),
            opacity: layer.opacity,
            // The overview's filter masks hold for the paper style too:
            // it changes sizes and scale bounds, not filters.
            overview: layer.overview,
            min_pixel_size: layer.min_pixel_size * ratio,
            marks: layer.marks,
        })
        .collect();
    render_within(&paper.frame(), &draw, Some([255, 255, 255]), deadline)
        .map(|rendered| rendered.pixmap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a4_map(dpi: f64) -> PaperMap {
        PaperMap {
            crs: Crs::Utm32,
            center: (550_000.0, 5_800_000.0),
            scale: 25_000.0,
            width_mm: 277.0,
            height_mm: 150.0,
            dpi,
        }
    }

    #[test]
    fn the_ground_extent_is_the_paper_times_the_scale() {
        let bbox = a4_map(300.0).bbox();
        assert!((bbox.width() - 6_925.0).abs() < 1e-6, "277 mm × 25,000");
        assert!((bbox.height() - 3_750.0).abs() < 1e-6);
        assert_eq!(bbox.center().x, 550_000.0);
    }

    #[test]
    fn pixels_follow_the_dpi_and_the_scale_stays_the_papers() {
        let map = a4_map(300.0);
        assert_eq!(map.size_px(), (3272, 1772));
        let ratio = f64::from(map.pixel_ratio());
        assert!((ratio - 3.307).abs() < 0.001, "{ratio}");
        // The renderer's scale at the standard pixel, times the ratio, is
        // the paper's scale: what the scale ranges are compared with.
        let scale = map.frame().scale_denominator() * ratio;
        assert!((scale - 25_000.0).abs() < 25.0, "{scale}");
        assert_eq!(a4_map(150.0).size_px(), (1636, 886));
    }
}
