//! Rendered maps compared with reference PNGs in `tests/fixtures/reference/`.
//!
//! After an intended change in rendering, run the tests with `NUMIS_TEST_BLESS=1`
//! (`NUMIS_TEST_BLESS=1 cargo test -p numis --test it reference`): each reference
//! test then writes its current image as the new reference instead of
//! comparing. Look at every rewritten PNG before committing it.
//!
//! Two images match when few pixels differ by more than
//! [`CHANNEL_TOLERANCE`] in some channel (R, G, B or alpha): under
//! [`MAX_DIFFERING_SHARE`] of all pixels, and at most
//! [`MAX_DIFFERING_SHARE_OF_DRAWN`] of the drawn ones (those not of the
//! background colour in either image), so that a lost symbol on an almost
//! empty map counts too. Antialiasing and font rasterisation may move a few
//! edge pixels; a misplaced symbol or a lost label may not. A failing
//! comparison leaves the actual image and a difference mask (differing
//! pixels in red) in the Cargo target folder and names them in the message.

use std::path::PathBuf;

/// A channel may differ by this much without counting.
pub const CHANNEL_TOLERANCE: u8 = 24;
/// Share of all pixels allowed to differ by more than the tolerance.
pub const MAX_DIFFERING_SHARE: f64 = 0.01;
/// Share of the drawn pixels allowed to differ by more than the tolerance.
pub const MAX_DIFFERING_SHARE_OF_DRAWN: f64 = 0.05;

/// A decoded image: 8-bit RGBA, rows from the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 4` bytes.
    pub rgba: Vec<u8>,
}

impl Image {
    /// The pixel at column `x`, row `y` as `[r, g, b, a]`.
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        assert!(
            x < self.width && y < self.height,
            "pixel ({x}, {y}) outside {}×{}",
            self.width,
            self.height
        );
        let i = ((y * self.width + x) * 4) as usize;
        [
            self.rgba[i],
            self.rgba[i + 1],
            self.rgba[i + 2],
            self.rgba[i + 3],
        ]
    }

    /// Every pixel as `[r, g, b, a]`.
    pub fn pixels(&self) -> impl Iterator<Item = [u8; 4]> + '_ {
        self.rgba.chunks_exact(4).map(|p| [p[0], p[1], p[2], p[3]])
    }
}

/// The colour type byte of a PNG's header (2 RGB, 3 palette, 6 RGBA).
pub fn png_color_type(png: &[u8]) -> u8 {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    png[25]
}

/// Decodes any 8-bit PNG (grey, RGB, palette, with or without alpha) to RGBA.
pub fn decode_png(bytes: &[u8]) -> Image {
    let mut decoder = png::Decoder::new(bytes);
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buffer = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buffer).expect("PNG image data");
    let data = &buffer[..frame.buffer_size()];
    assert_eq!(frame.bit_depth, png::BitDepth::Eight, "8-bit PNG");
    let rgba = match frame.color_type {
        png::ColorType::Rgba => data.to_vec(),
        png::ColorType::Rgb => data
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::GrayscaleAlpha => data
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        png::ColorType::Grayscale => data.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        png::ColorType::Indexed => unreachable!("EXPAND resolves the palette"),
    };
    Image {
        width: frame.width,
        height: frame.height,
        rgba,
    }
}

/// Encodes `image` as compactly as the png crate can (references are
/// committed), without loss: a palette when it has at most 256 colours,
/// else RGB when fully opaque and RGBA otherwise.
pub fn encode_png(image: &Image) -> Vec<u8> {
    let mut palette: Vec<[u8; 4]> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for pixel in image.pixels() {
        if palette.len() > 256 {
            break;
        }
        index.entry(pixel).or_insert_with(|| {
            palette.push(pixel);
            palette.len() - 1
        });
    }
    let opaque = image.pixels().all(|p| p[3] == 255);
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, image.width, image.height);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let data: Vec<u8> = if palette.len() <= 256 {
            encoder.set_color(png::ColorType::Indexed);
            // Filters predict neighbouring values; palette indexes are not values.
            encoder.set_filter(png::FilterType::NoFilter);
            encoder.set_adaptive_filter(png::AdaptiveFilterType::NonAdaptive);
            encoder.set_palette(
                palette
                    .iter()
                    .flat_map(|c| [c[0], c[1], c[2]])
                    .collect::<Vec<u8>>(),
            );
            if !opaque {
                encoder.set_trns(palette.iter().map(|c| c[3]).collect::<Vec<u8>>());
            }
            image
                .pixels()
                .map(|p| u8::try_from(index[&p]).expect("at most 256 colours"))
                .collect()
        } else if opaque {
            encoder.set_color(png::ColorType::Rgb);
            image.pixels().flat_map(|p| [p[0], p[1], p[2]]).collect()
        } else {
            encoder.set_color(png::ColorType::Rgba);
            image.rgba.clone()
        };
        let mut writer = encoder.write_header().expect("PNG header");
        writer.write_image_data(&data).expect("PNG data");
    }
    out
}

/// How two images of the same size differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// Pixels with some channel differing by more than the tolerance.
    pub differing: usize,
    /// All pixels.
    pub total: usize,
    /// Pixels not of the background (the most frequent colour of the
    /// expected image) in either image.
    pub drawn: usize,
    /// The largest channel difference seen.
    pub max_channel: u8,
    /// Differing pixels red on a faded copy of `expected`.
    pub mask: Image,
}

impl Difference {
    /// `differing / total`.
    pub fn share(&self) -> f64 {
        self.differing as f64 / self.total as f64
    }

    /// `differing / drawn` (0 when nothing is drawn).
    pub fn share_of_drawn(&self) -> f64 {
        self.differing as f64 / self.drawn.max(1) as f64
    }

    /// Within [`MAX_DIFFERING_SHARE`] and [`MAX_DIFFERING_SHARE_OF_DRAWN`]?
    pub fn acceptable(&self) -> bool {
        self.share() < MAX_DIFFERING_SHARE && self.share_of_drawn() <= MAX_DIFFERING_SHARE_OF_DRAWN
    }
}

/// The most frequent colour.
fn background(image: &Image) -> [u8; 4] {
    let mut counts = std::collections::HashMap::new();
    for pixel in image.pixels() {
        *counts.entry(pixel).or_insert(0usize) += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(pixel, n)| (n, pixel))
        .map_or([0; 4], |(pixel, _)| pixel)
}

/// Compares two images of equal size pixel by pixel.
pub fn difference(actual: &Image, expected: &Image, tolerance: u8) -> Difference {
    assert_eq!(
        (actual.width, actual.height),
        (expected.width, expected.height),
        "image sizes differ"
    );
    let background = background(expected);
    let mut differing = 0;
    let mut drawn = 0;
    let mut max_channel = 0;
    let mut mask = Vec::with_capacity(expected.rgba.len());
    for (a, e) in actual.pixels().zip(expected.pixels()) {
        if a != background || e != background {
            drawn += 1;
        }
        let worst = (0..4).map(|c| a[c].abs_diff(e[c])).max().unwrap_or(0);
        max_channel = max_channel.max(worst);
        if worst > tolerance {
            differing += 1;
            mask.extend([255, 0, 0, 255]);
        } else {
            let grey = ((u16::from(e[0]) + u16::from(e[1]) + u16::from(e[2])) / 3) as u8;
            let faded = 255 - (255 - grey) / 4;
            mask.extend([faded, faded, faded, 255]);
        }
    }
    Difference {
        differing,
        total: (actual.width * actual.height) as usize,
        drawn,
        max_channel,
        mask: Image {
            width: expected.width,
            height: expected.height,
            rgba: mask,
        },
    }
}

/// The committed reference images.
pub fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference")
}

/// Is `NUMIS_TEST_BLESS=1` set?
pub fn blessing() -> bool {
    std::env::var("NUMIS_TEST_BLESS").is_ok_and(|v| v == "1")
}

/// Compares the PNG `actual` with the reference `name.png` (see the module
/// documentation for the tolerances); with `NUMIS_TEST_BLESS=1` writes it as the
/// new reference instead.
pub fn assert_matches_reference(name: &str, actual: &[u8]) {
    let actual = decode_png(actual);
    let path = reference_dir().join(format!("{name}.png"));
    if blessing() {
        std::fs::create_dir_all(reference_dir()).expect("reference folder");
        std::fs::write(&path, encode_png(&actual)).expect("write reference");
        eprintln!("NUMIS_TEST_BLESS: wrote {}", path.display());
        return;
    }
    let expected = match std::fs::read(&path) {
        Ok(bytes) => decode_png(&bytes),
        Err(e) => panic!(
            "reference {} unreadable ({e}); create it with NUMIS_TEST_BLESS=1 and look at it",
            path.display()
        ),
    };
    assert_eq!(
        (actual.width, actual.height),
        (expected.width, expected.height),
        "{name}: the image size differs from the reference"
    );
    let diff = difference(&actual, &expected, CHANNEL_TOLERANCE);
    if diff.acceptable() {
        return;
    }
    // Leave the evidence where a developer can look at it.
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reference-failures");
    std::fs::create_dir_all(&out).expect("failure folder");
    let actual_path = out.join(format!("{name}.actual.png"));
    let mask_path = out.join(format!("{name}.diff.png"));
    std::fs::write(&actual_path, encode_png(&actual)).expect("write actual");
    std::fs::write(&mask_path, encode_png(&diff.mask)).expect("write diff");
    panic!(
        "{name}: {} pixels differ by more than {CHANNEL_TOLERANCE} (largest difference {}): \
         {:.2} % of all {} (allowed: under {:.0} %), {:.1} % of the {} drawn (allowed: {:.0} %).\n  \
         actual: {}\n  differences: {}\n\
         If the change is intended, rerun with NUMIS_TEST_BLESS=1 and look at the new reference.",
        diff.differing,
        diff.max_channel,
        diff.share() * 100.0,
        diff.total,
        MAX_DIFFERING_SHARE * 100.0,
        diff.share_of_drawn() * 100.0,
        diff.drawn,
        MAX_DIFFERING_SHARE_OF_DRAWN * 100.0,
        actual_path.display(),
        mask_path.display(),
    );
}

#[test]
fn the_difference_counts_only_pixels_beyond_the_tolerance() {
    let plain = |rgba: [u8; 4]| Image {
        width: 10,
        height: 10,
        rgba: rgba.repeat(100),
    };
    let white = plain([255, 255, 255, 255]);
    let near = plain([240, 250, 255, 255]);
    assert_eq!(difference(&near, &white, CHANNEL_TOLERANCE).differing, 0);
    let mut spotted = white.clone();
    spotted.rgba[0..4].copy_from_slice(&[255, 0, 0, 255]);
    spotted.rgba[4..8].copy_from_slice(&[255, 255, 255, 0]);
    let diff = difference(&spotted, &white, CHANNEL_TOLERANCE);
    assert_eq!(
        (diff.differing, diff.total, diff.drawn, diff.max_channel),
        (2, 100, 2, 255)
    );
    assert!((diff.share() - 0.02).abs() < 1e-12);
    assert!(!diff.acceptable());
    // One lost dot of many on an almost empty image counts.
    let mut dotted = Image {
        width: 200,
        height: 200,
        rgba: [255, 255, 255, 255].repeat(40_000),
    };
    for i in (0..40_000).step_by(4000) {
        dotted.rgba[i * 4..i * 4 + 4].copy_from_slice(&[0, 0, 255, 255]);
    }
    let mut lost = dotted.clone();
    lost.rgba[0..4].copy_from_slice(&[255, 255, 255, 255]);
    let diff = difference(&lost, &dotted, CHANNEL_TOLERANCE);
    assert!(diff.share() < MAX_DIFFERING_SHARE, "a small share of all");
    assert!(!diff.acceptable(), "but one of ten dots");
    assert_eq!(diff.mask.pixel(0, 0), [255, 0, 0, 255]);
    // What is written is read back unchanged: with a palette, opaque or
    // not, and in true colour.
    assert_eq!(png_color_type(&encode_png(&spotted)), 3);
    assert_eq!(decode_png(&encode_png(&spotted)), spotted);
    assert_eq!(decode_png(&encode_png(&near)), near);
    let colourful = Image {
        width: 30,
        height: 30,
        rgba: (0..900u32)
            .flat_map(|i| [(i % 256) as u8, (i / 256) as u8, 7, 255])
            .collect(),
    };
    assert_eq!(png_color_type(&encode_png(&colourful)), 2);
    assert_eq!(decode_png(&encode_png(&colourful)), colourful);
}
