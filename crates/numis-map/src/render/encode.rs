//! Image formats and their encoding: PNG (24-bit, 32-bit with
//! transparency, 8-bit palette) and JPEG.

use tiny_skia::Pixmap;

/// JPEG quality: maps have sharp edges, so keep it high.
const JPEG_QUALITY: u8 = 85;
/// NeuQuant sampling factor: 1 is best, 30 fastest; 10 is the usual balance.
const QUANT_SAMPLE: i32 = 10;

/// An image format: what GetMap and GetLegendGraphic offer (FORMAT) and
/// what [`encode`] writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// `image/png`: truecolour (RGB when opaque, RGBA when transparent).
    #[default]
    Png,
    /// `image/png; mode=8bit`: PNG with an 8-bit palette (smaller, for tiles).
    Png8,
    /// `image/jpeg` (never transparent).
    Jpeg,
}

impl ImageFormat {
    /// The MIME types to advertise, in the order of preference.
    pub const MIME_TYPES: [&'static str; 3] = ["image/png", "image/png; mode=8bit", "image/jpeg"];

    /// Reads a FORMAT value, case-insensitively and ignoring spaces (and
    /// `+`, an undecoded space): `image/png`, `image/png; mode=8bit`,
    /// `image/png8`, `image/jpeg`; also MapServer's `image/png; mode=24bit`
    /// and `mode=32bit`, and the common misspelling `image/jpg`.
    pub fn parse(format: &str) -> Option<Self> {
        let format: String = format
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '+')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match format.as_str() {
            "image/png" | "image/png;mode=24bit" | "image/png;mode=32bit" => Some(Self::Png),
            "image/png;mode=8bit" | "image/png8" => Some(Self::Png8),
            "image/jpeg" | "image/jpg" => Some(Self::Jpeg),
            _ => None,
        }
    }

    /// The `Content-Type` of an image in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png | Self::Png8 => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }
}

/// Encodes `pixmap`; `transparent` keeps the alpha channel (PNG only).
pub fn encode(pixmap: &Pixmap, format: ImageFormat, transparent: bool) -> Result<Vec<u8>, String> {
    let (width, height) = (pixmap.width(), pixmap.height());
    // An opaque image (drawn on a background) is the same premultiplied or
    // not: copy its colour channels straight, in one pass.
    if !transparent && format != ImageFormat::Png8 {
        let rgb = drop_alpha(pixmap.data());
        return match format {
            ImageFormat::Jpeg => jpeg(width, height, &rgb),
            _ => png(width, height, png::ColorType::Rgb, &rgb, None),
        };
    }
    // tiny-skia stores premultiplied colour; image formats want straight.
    let mut rgba: Vec<u8> = Vec::with_capacity(pixmap.data().len());
    for p in pixmap.pixels() {
        let c = p.demultiply();
        rgba.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    match format {
        ImageFormat::Png if transparent => png(width, height, png::ColorType::Rgba, &rgba, None),
        ImageFormat::Png => png(width, height, png::ColorType::Rgb, &drop_alpha(&rgba), None),
        ImageFormat::Png8 => {
            let quant = color_quant::NeuQuant::new(QUANT_SAMPLE, 256, &rgba);
            let indices: Vec<u8> = rgba
                .chunks_exact(4)
                .map(|p| quant.index_of(p) as u8)
                .collect();
            let palette_rgba = quant.color_map_rgba();
            let palette: Vec<u8> = palette_rgba
                .chunks_exact(4)
                .flat_map(|c| [c[0], c[1], c[2]])
                .collect();
            let alpha: Vec<u8> = palette_rgba
                .chunks_exact(4)
                .map(|c| if transparent { c[3] } else { 255 })
                .collect();
            png(
                width,
                height,
                png::ColorType::Indexed,
                &indices,
                Some((palette, alpha)),
            )
        }
        ImageFormat::Jpeg => jpeg(width, height, &drop_alpha(&rgba)),
    }
}

fn jpeg(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let encoder = jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY);
    let w = u16::try_from(width).map_err(|e| e.to_string())?;
    let h = u16::try_from(height).map_err(|e| e.to_string())?;
    encoder
        .encode(rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// RGBA to RGB, into a buffer of the right size, pixel by pixel as fixed
/// 3- and 4-byte chunks that the compiler turns into plain moves: growing
/// a vector three bytes at a time took a sixth of a 512 × 512 GetMap.
fn drop_alpha(rgba: &[u8]) -> Vec<u8> {
    let mut rgb = vec![0; rgba.len() / 4 * 3];
    for (to, from) in rgb.chunks_exact_mut(3).zip(rgba.chunks_exact(4)) {
        to.copy_from_slice(&from[..3]);
    }
    rgb
}

fn png(
    width: u32,
    height: u32,
    color: png::ColorType,
    data: &[u8],
    palette: Option<(Vec<u8>, Vec<u8>)>,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        // Fast deflate and the Sub filter: maps compress well either way,
        // and encoding time is a large share of a GetMap.
        encoder.set_compression(png::Compression::Fast);
        encoder.set_filter(png::FilterType::Sub);
        if let Some((palette, alpha)) = palette {
            encoder.set_palette(palette);
            encoder.set_trns(alpha);
        }
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(data).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_encoding_produces_its_signature() {
        let mut pixmap = Pixmap::new(16, 8).unwrap();
        pixmap.fill(tiny_skia::Color::from_rgba8(10, 120, 200, 255));
        let png = encode(&pixmap, ImageFormat::Png, false).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(
            png[25], 2,
            "colour type 2: truecolour without alpha (24-bit)"
        );
        let rgba = encode(&pixmap, ImageFormat::Png, true).unwrap();
        assert_eq!(rgba[25], 6, "colour type 6: truecolour with alpha");
        let png8 = encode(&pixmap, ImageFormat::Png8, false).unwrap();
        assert_eq!(png8[25], 3, "colour type 3: palette");
        let jpeg = encode(&pixmap, ImageFormat::Jpeg, false).unwrap();
        assert_eq!(&jpeg[..2], b"\xff\xd8");
    }
}
