//! Laying a colour over premultiplied RGBA pixels with a coverage, for the
//! drawing that writes straight into the image (labels, thin lines)
//! instead of going through tiny-skia's pipeline.

use tiny_skia::Color;

/// A colour ready to be laid over pixels: premultiplied, 0–255 per channel.
#[derive(Debug, Clone, Copy)]
pub struct Ink([u32; 4]);

impl Ink {
    pub fn new(color: Color) -> Self {
        let c = color.premultiply().to_color_u8();
        Ink([c.red(), c.green(), c.blue(), c.alpha()].map(u32::from))
    }

    /// Source-over of this colour, scaled by `coverage` (0–255), onto one
    /// pixel (4 bytes, premultiplied RGBA).
    #[inline]
    pub fn over(self, pixel: &mut [u8], coverage: u32) {
        let source = self.0.map(|s| div255(s * coverage));
        let keep = 255 - source[3];
        for (d, s) in pixel.iter_mut().zip(source) {
            *d = (s + div255(u32::from(*d) * keep)) as u8;
        }
    }
}

/// `x / 255`, rounded, for `x` up to 255².
#[inline]
pub fn div255(x: u32) -> u32 {
    (x + 128 + ((x + 128) >> 8)) >> 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_covered_red_over_blue_mixes_them() {
        let mut pixel = [0, 0, 255, 255];
        Ink::new(Color::from_rgba8(255, 0, 0, 255)).over(&mut pixel, 128);
        assert_eq!(pixel, [128, 0, 127, 255]);
        let mut full = [0, 0, 255, 255];
        Ink::new(Color::WHITE).over(&mut full, 255);
        assert_eq!(full, [255, 255, 255, 255]);
        assert_eq!(div255(255 * 255), 255);
        assert_eq!(div255(0), 0);
    }
}
