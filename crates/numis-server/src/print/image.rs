//! An image of the view for the viewer's "Bild speichern": the map drawn
//! at screen or double resolution, with a band below it that carries the
//! source notes of every layer drawn (clause L4: static images need the
//! source too), "Daten geändert" when the user's content lies over the
//! data, and the portal's name and the date. The band is part of the
//! image: the notes cannot be cut from the map without cutting the image.

use std::time::Instant;

use numis_map::Crs;
use numis_map::attribution::presented_notes;
use numis_map::paper::PaperMap;
use numis_map::render::{ImageFormat, PIXEL_SIZE_M, encode, text_width, write_text};
use numis_map::view::Caller;
use serde::Deserialize;
use tiny_skia::{Color, Paint, Pixmap, PixmapPaint, Rect, Transform};

use super::content::{Content, EASTING, LayerRequest, NORTHING, OverlayRequest, parse_lang};
use super::render::{DrawnMap, draw_content};
use super::spec::{MAX_SCALE, MIN_SCALE};
use crate::map_service::MapService;

/// The widest and highest view exported, in CSS pixels.
pub const MAX_VIEW_PX: u32 = 2048;
/// Text of the band, in CSS pixels.
const TEXT_PX: f32 = 11.0;
/// Space around the band's text.
const PADDING_PX: f32 = 6.0;
/// Distance of two lines of text.
const LINE_PX: f32 = 15.0;
const TEXT: [u8; 3] = [0x1b, 0x1f, 0x24];
const RULE: [u8; 3] = [0x9a, 0xa3, 0xad];

/// The JSON a client sends to `POST /api/export`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// The view's centre in EPSG:25832.
    pub center: [f64; 2],
    /// Metres per CSS pixel of the view.
    pub resolution: f64,
    /// The view's width in CSS pixels.
    pub width: u32,
    /// Its height.
    pub height: u32,
    /// 1 (screen) or 2 (double resolution).
    #[serde(default)]
    pub ratio: Option<u32>,
    /// As in a print spec.
    pub layers: Vec<LayerRequest>,
    /// As in a print spec.
    #[serde(default)]
    pub overlays: Vec<OverlayRequest>,
    /// As in a print spec.
    #[serde(default)]
    pub marker: Option<[f64; 2]>,
    /// `de` (default) or `en`.
    #[serde(default)]
    pub lang: Option<String>,
}

/// A checked export.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportSpec {
    /// The map on "paper": the view's size at 0.28 mm per CSS pixel.
    pub map: PaperMap,
    /// 1 or 2.
    pub ratio: u32,
    /// What is drawn.
    pub content: Content,
    /// `de` or `en`.
    pub lang: &'static str,
}

impl ExportRequest {
    /// Checks the request, its overlays against the upload `limits`.
    pub fn check(self, limits: &numis_formats::Limits) -> Result<ExportSpec, String> {
        let [x, y] = self.center;
        if !x.is_finite() || !y.is_finite() || !EASTING.contains(&x) || !NORTHING.contains(&y) {
            return Err(format!(
                "centre {x},{y} is not a position in EPSG:25832 near Germany"
            ));
        }
        let scale = self.resolution / PIXEL_SIZE_M;
        if !scale.is_finite() || !(MIN_SCALE..=MAX_SCALE).contains(&scale) {
            return Err(format!(
                "resolution {} m per pixel is out of range; give {} to {}",
                self.resolution,
                MIN_SCALE * PIXEL_SIZE_M,
                MAX_SCALE * PIXEL_SIZE_M
            ));
        }
        for (name, px) in [("width", self.width), ("height", self.height)] {
            if !(1..=MAX_VIEW_PX).contains(&px) {
                return Err(format!(
                    "{name} {px} is out of range; give 1 to {MAX_VIEW_PX} pixels"
                ));
            }
        }
        let ratio = self.ratio.unwrap_or(1);
        if !(1..=2).contains(&ratio) {
            return Err(format!("ratio {ratio} is neither 1 nor 2"));
        }
        let lang = parse_lang(self.lang.as_deref())?;
        let content = Content::check(self.layers, self.overlays, self.marker, limits)?;
        let mm_per_px = PIXEL_SIZE_M * 1000.0;
        Ok(ExportSpec {
            map: PaperMap {
                crs: Crs::Utm32,
                center: (x, y),
                scale,
                width_mm: f64::from(self.width) * mm_per_px,
                height_mm: f64::from(self.height) * mm_per_px,
                // One image pixel per CSS pixel at ratio 1.
                dpi: 25.4 / mm_per_px * f64::from(ratio),
            },
            ratio,
            content,
            lang,
        })
    }
}

/// Makes the PNG of `spec` for `caller`, by `deadline`; `imprint` is the
/// portal's name and the date, written under the notes.
pub fn make_png(
    map: &MapService,
    caller: &Caller,
    spec: &ExportSpec,
    imprint: &str,
    deadline: Instant,
) -> Result<Vec<u8>, String> {
    let view = map.catalog.view(caller);
    let DrawnMap { pixmap, layers } = draw_content(&view, &spec.content, &spec.map, deadline)?;
    let notes = presented_notes(
        layers.iter().copied(),
        spec.lang,
        spec.content.user_content(),
    );
    let image = with_source_band(&pixmap, &notes, imprint, spec.ratio as f32, spec.lang)?;
    encode(&image, ImageFormat::Png, false)
}

/// `map` with a white band below it holding `notes` ("Quellen: …",
/// wrapped to the width) and `imprint`, at `ratio` times the CSS sizes.
pub fn with_source_band(
    map: &Pixmap,
    notes: &[String],
    imprint: &str,
    ratio: f32,
    lang: &str,
) -> Result<Pixmap, String> {
    let size = TEXT_PX * ratio;
    let padding = PADDING_PX * ratio;
    let line = LINE_PX * ratio;
    let label = if lang == "en" { "Sources" } else { "Quellen" };
    let text = format!("{label}: {}", notes.join("; "));
    let mut lines = wrap(&text, size, map.width() as f32 - 2.0 * padding);
    lines.push(imprint.to_owned());
    let band = (2.0 * padding + line * lines.len() as f32).ceil() as u32;
    let mut image =
        Pixmap::new(map.width(), map.height() + band).ok_or("the image is too large to draw")?;
    image.fill(Color::WHITE);
    image.draw_pixmap(
        0,
        0,
        map.as_ref(),
        &PixmapPaint::default(),
        Transform::identity(),
        None,
    );
    let mut rule = Paint::default();
    rule.set_color_rgba8(RULE[0], RULE[1], RULE[2], 255);
    if let Some(top) = Rect::from_xywh(0.0, map.height() as f32, map.width() as f32, ratio) {
        image.fill_rect(top, &rule, Transform::identity(), None);
    }
    let colour = Color::from_rgba8(TEXT[0], TEXT[1], TEXT[2], 255);
    for (i, text) in lines.iter().enumerate() {
        let middle = map.height() as f32 + padding + line * (i as f32 + 0.5);
        write_text(&mut image, text, size, padding, middle, colour);
    }
    Ok(image)
}

/// `text` broken into lines no wider than `width` at `size`, at spaces
/// (a word wider than the line stands on its own line).
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if text_width(&candidate, size) > width && !current.is_empty() {
            lines.push(std::mem::replace(&mut current, word.to_owned()));
        } else {
            current = candidate;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request() -> ExportRequest {
        serde_json::from_value(json!({
            "center": [550_000, 5_800_000], "resolution": 7.0, "width": 400, "height": 300,
            "ratio": 2, "layers": ["land"]
        }))
        .unwrap()
    }

    #[test]
    fn the_image_has_the_views_pixels_times_the_ratio() {
        let spec = request().check(&numis_formats::Limits::default()).unwrap();
        assert_eq!(spec.map.size_px(), (800, 600));
        assert!((spec.map.scale - 25_000.0).abs() < 1e-6);
        let bbox = spec.map.bbox();
        assert!((bbox.width() - 2_800.0).abs() < 1e-6, "400 px of 7 m");
    }

    #[test]
    fn each_bound_is_told() {
        let refused = |change: &dyn Fn(&mut ExportRequest)| {
            let mut r = request();
            change(&mut r);
            r.check(&numis_formats::Limits::default()).unwrap_err()
        };
        assert!(refused(&|r| r.width = 5000).contains("width"));
        assert!(refused(&|r| r.height = 0).contains("height"));
        assert!(refused(&|r| r.ratio = Some(3)).contains("ratio"));
        assert!(refused(&|r| r.resolution = 0.0001).contains("resolution"));
        assert!(refused(&|r| r.resolution = f64::INFINITY).contains("resolution"));
        assert!(refused(&|r| r.center = [0.0, 0.0]).contains("EPSG:25832"));
    }

    #[test]
    fn long_notes_wrap_and_the_band_grows_with_them() {
        let map = Pixmap::new(300, 100).unwrap();
        let short = with_source_band(&map, &["© A".into()], "numis", 1.0, "de").unwrap();
        let notes: Vec<String> = (0..12).map(|i| format!("© Anbieter Nummer {i}")).collect();
        let long = with_source_band(&map, &notes, "numis", 1.0, "de").unwrap();
        assert_eq!(short.width(), 300);
        assert!(long.height() > short.height() + 30, "{}", long.height());
        // Text was written into the band: some pixels are dark.
        let band = &short.data()[(100 * 300 * 4)..];
        assert!(band.chunks_exact(4).any(|p| p[0] < 100));
        for line in wrap(&notes.join("; "), 11.0, 288.0) {
            assert!(
                text_width(&line, 11.0) <= 288.0 || !line.contains(' '),
                "{line}"
            );
        }
    }
}
