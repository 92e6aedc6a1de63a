//! The PDF of one printed map: the title (and comment), the map with a
//! frame, and the footer with the scale as text and as a bar, a north
//! arrow, the source notes, the date, the permalink as text and QR code,
//! the portal's name and the disclaimer. Fonts (DejaVu Sans) are embedded
//! and subset by krilla.

use krilla::color::rgb;
use krilla::configure::{Configuration, Validator};
use krilla::geom::{Path, PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use thiserror::Error;

use crate::layout::{Area, Layout};
use crate::paper::{Orientation, Paper};

/// Points per millimetre.
const PT_PER_MM: f64 = 72.0 / 25.4;

/// The map, already drawn for the paper.
#[derive(Debug, Clone)]
pub struct MapImage {
    /// RGBA pixels, row by row, not premultiplied.
    pub rgba: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Everything one printed sheet shows.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The paper.
    pub paper: Paper,
    /// Its orientation.
    pub orientation: Orientation,
    /// `de` or `en`: the sheet's own words and number formats.
    pub lang: String,
    /// The title.
    pub title: String,
    /// A comment under the title.
    pub comment: Option<String>,
    /// The scale denominator.
    pub scale: f64,
    /// The date, as the sheet shows it.
    pub date: String,
    /// When the sheet was made (the PDF's creation date).
    pub created: chrono::DateTime<chrono::Utc>,
    /// The map.
    pub map: MapImage,
    /// The source notes of everything on the map, as the one attribution
    /// function wrote them.
    pub sources: Vec<String>,
    /// Something of the user's is drawn over the data (a drawing, an
    /// imported file): the sheet says the data were changed.
    pub user_content: bool,
    /// The permalink of the printed view.
    pub permalink: String,
    /// The portal's name.
    pub portal: String,
    /// The disclaimer line (clause L6).
    pub disclaimer: String,
    /// The legend, top layer first; empty: the sheet has no legend.
    pub legend: Vec<LegendEntry>,
    /// The map's extent in UTM zone 32 (EPSG:25832), `[min easting, min
    /// northing, max easting, max northing]`, to draw a coordinate grid
    /// over it; `None`: no grid.
    pub grid: Option<[f64; 4]>,
}

/// One layer's part of the legend: its title and its legend image (drawn
/// at OGC's standard 0.28 mm pixel, as GetLegendGraphic draws it).
#[derive(Debug, Clone)]
pub struct LegendEntry {
    /// The layer's title.
    pub title: String,
    /// Its legend.
    pub image: MapImage,
}

/// Millimetres per legend pixel: OGC's standard pixel.
const LEGEND_MM_PER_PX: f64 = 0.28;

/// Why no PDF was written.
#[derive(Debug, Error)]
pub enum SheetError {
    /// The map image's size does not match its pixels.
    #[error("the map image has {got} bytes, not width × height × 4 = {expected}")]
    Image {
        /// Bytes given.
        got: usize,
        /// Bytes expected.
        expected: usize,
    },
    /// The compiled-in font could not be read (a broken build).
    #[error("the font could not be read")]
    Font,
    /// krilla refused the document.
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// The sheet's words in its language.
struct Words {
    scale: &'static str,
    sources: &'static str,
    modified: &'static str,
    printed: &'static str,
    north: &'static str,
    legend: &'static str,
    legend_continued: &'static str,
    thousands: char,
}

impl Words {
    fn of(lang: &str) -> Words {
        if lang == "en" {
            Words {
                scale: "Scale",
                sources: "Sources:",
                modified: "data modified",
                printed: "Printed on",
                north: "N",
                legend: "Legend",
                legend_continued: "legend (continued)",
                thousands: ',',
            }
        } else {
            Words {
                scale: "Maßstab",
                sources: "Quellen:",
                modified: "Daten geändert",
                printed: "Erstellt am",
                north: "N",
                legend: "Legende",
                legend_continued: "Legende (Fortsetzung)",
                thousands: '.',
            }
        }
    }
}

/// `1:25.000` (German) or `1:25,000` (English).
pub fn scale_text(scale: f64, thousands: char) -> String {
    let digits = format!("{}", scale.round().max(1.0) as u64);
    let mut out = String::from("1:");
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(thousands);
        }
        out.push(c);
    }
    out
}

/// The source notes as printed: each once, and the modification note
/// when the user's content lies over the data and no note says so yet.
pub fn printed_sources(sheet: &Sheet) -> Vec<String> {
    let words = Words::of(&sheet.lang);
    let mut notes: Vec<String> = Vec::new();
    for note in &sheet.sources {
        let note = note.trim();
        if !note.is_empty() && !notes.iter().any(|n| n == note) {
            notes.push(note.to_owned());
        }
    }
    if sheet.user_content && !notes.iter().any(|n| n.contains(words.modified)) {
        notes.push(words.modified.to_owned());
    }
    notes
}

/// Writes the sheet as a PDF.
pub fn write_pdf(sheet: &Sheet) -> Result<Vec<u8>, SheetError> {
    let expected = sheet.map.width as usize * sheet.map.height as usize * 4;
    if sheet.map.rgba.len() != expected {
        return Err(SheetError::Image {
            got: sheet.map.rgba.len(),
            expected,
        });
    }
    let fonts = Fonts::load()?;
    let layout = Layout::new(
        sheet.paper,
        sheet.orientation,
        sheet
            .comment
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty()),
        !sheet.legend.is_empty(),
    );
    // PDF/A-2b, the archival form German public bodies keep documents in:
    // krilla refuses to write anything that would break it.
    let settings = SerializeSettings {
        configuration: Configuration::new_with_validator(Validator::A2_B),
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    document.set_metadata(
        Metadata::new()
            .title(sheet.title.clone())
            .language(sheet.lang.clone())
            .creator(format!("numis – {}", sheet.portal))
            .creation_date(pdf_date(sheet.created)),
    );
    let settings = PageSettings::from_wh(pt(layout.page.w), pt(layout.page.h))
        .ok_or_else(|| SheetError::Pdf("the page has no size".into()))?;
    let mut page = document.start_page_with(settings.clone());
    let mut surface = page.surface();
    let mut pen = Pen {
        surface: &mut surface,
        fonts: &fonts,
        scale: layout.text_scale,
    };
    pen.header(sheet, layout.header);
    pen.map(&sheet.map, layout.map);
    if let Some(extent) = sheet.grid {
        pen.grid(extent, layout.map, Words::of(&sheet.lang).thousands);
    }
    pen.footer(sheet, layout.footer);
    let rest = match layout.legend {
        Some(area) => pen.legend(&sheet.legend, area, &Words::of(&sheet.lang)),
        None => &[],
    };
    surface.finish();
    page.finish();
    // What the column did not hold flows onto further pages.
    let mut rest = rest;
    while !rest.is_empty() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        let mut pen = Pen {
            surface: &mut surface,
            fonts: &fonts,
            scale: layout.text_scale,
        };
        let words = Words::of(&sheet.lang);
        pen.text(
            layout.header.x,
            layout.header.y + 6.5 * layout.text_scale,
            pen.size(13.0),
            true,
            &format!("{} – {}", sheet.title.trim(), words.legend_continued),
        );
        let area = Area {
            x: layout.header.x,
            y: layout.header.y + layout.header.h,
            w: layout.page.w - 2.0 * layout.header.x,
            h: layout.page.h - layout.header.y * 2.0 - layout.header.h,
        };
        let before = rest.len();
        rest = pen.legend_columns(rest, area);
        surface.finish();
        page.finish();
        if rest.len() == before {
            // An entry taller than a whole page: stop rather than loop.
            break;
        }
    }
    document
        .finish()
        .map_err(|e| SheetError::Pdf(format!("{e:?}")))
}

/// A grid step of 1, 2 or 5 times a power of ten metres, about `lines`
/// steps across `width` metres.
pub fn grid_step(width: f64, lines: f64) -> f64 {
    let rough = (width / lines).max(1.0);
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * power)
}

/// `550.000` or `550,000`: a coordinate in whole metres, grouped.
fn coordinate(value: f64, thousands: char) -> String {
    let digits = format!("{}", value.round() as i64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && c.is_ascii_digit() && (digits.len() - i) % 3 == 0 {
            out.push(thousands);
        }
        out.push(c);
    }
    out
}

/// A time as the PDF's metadata keeps it (UTC).
fn pdf_date(at: chrono::DateTime<chrono::Utc>) -> DateTime {
    use chrono::{Datelike, Timelike};
    let small = |n: u32| u8::try_from(n).unwrap_or(0);
    DateTime::new(u16::try_from(at.year()).unwrap_or(2000))
        .month(small(at.month()))
        .day(small(at.day()))
        .hour(small(at.hour()))
        .minute(small(at.minute()))
        .second(small(at.second()))
        .utc_offset_hour(0)
}

fn pt(mm: f64) -> f32 {
    (mm * PT_PER_MM) as f32
}

/// The fonts, and their metrics for wrapping.
struct Fonts {
    regular: Font,
    bold: Font,
    face: ttf_parser::Face<'static>,
}

impl Fonts {
    fn load() -> Result<Fonts, SheetError> {
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
    fn width(&self, text: &str, size: f32) -> f32 {
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
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
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
}

/// Draws on the page in millimetres.
struct Pen<'s, 'p> {
    surface: &'s mut Surface<'p>,
    fonts: &'s Fonts,
    /// The layout's text scale.
    scale: f64,
}

impl Pen<'_, '_> {
    fn size(&self, points: f64) -> f32 {
        (points * self.scale) as f32
    }

    fn fill(&mut self, color: rgb::Color) {
        self.surface.set_fill(Some(Fill {
            paint: color.into(),
            opacity: NormalizedF32::ONE,
            rule: Default::default(),
        }));
    }

    fn text(&mut self, x: f64, baseline: f64, size: f32, bold: bool, text: &str) {
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

    fn fill_rect(&mut self, x: f64, y: f64, w: f64, h: f64, color: rgb::Color) {
        if let Some(path) = self.rect(x, y, w, h) {
            self.fill(color);
            self.surface.set_stroke(None);
            self.surface.draw_path(&path);
        }
    }

    fn stroke_rect(&mut self, x: f64, y: f64, w: f64, h: f64, width_mm: f64) {
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

    /// The legend in the column `area`, under its heading; answers the
    /// entries that did not fit.
    fn legend<'e>(
        &mut self,
        entries: &'e [LegendEntry],
        area: Area,
        words: &Words,
    ) -> &'e [LegendEntry] {
        let size = self.size(10.0);
        self.text(area.x, area.y + 4.0 * self.scale, size, true, words.legend);
        let column = Area {
            y: area.y + 7.0 * self.scale,
            h: area.h - 7.0 * self.scale,
            ..area
        };
        self.legend_column(entries, column)
    }

    /// Entries in as many columns of the legend's width as `area` holds;
    /// answers those that did not fit.
    fn legend_columns<'e>(&mut self, entries: &'e [LegendEntry], area: Area) -> &'e [LegendEntry] {
        let width = crate::layout::LEGEND_MM * self.scale;
        let mut rest = entries;
        let mut x = area.x;
        while !rest.is_empty() && x + width <= area.x + area.w + 1e-9 {
            let before = rest.len();
            rest = self.legend_column(
                rest,
                Area {
                    x,
                    w: width,
                    ..area
                },
            );
            if rest.len() == before {
                break;
            }
            x += width + 4.0 * self.scale;
        }
        rest
    }

    /// Entries stacked in one column; answers those that did not fit.
    fn legend_column<'e>(&mut self, entries: &'e [LegendEntry], area: Area) -> &'e [LegendEntry] {
        let title_size = self.size(8.0);
        let mut y = area.y;
        for (i, entry) in entries.iter().enumerate() {
            let scale_to_fit =
                (area.w / (f64::from(entry.image.width) * LEGEND_MM_PER_PX)).min(1.0);
            let w = f64::from(entry.image.width) * LEGEND_MM_PER_PX * scale_to_fit;
            let h = f64::from(entry.image.height) * LEGEND_MM_PER_PX * scale_to_fit;
            let needed = 4.0 * self.scale + h + 2.0 * self.scale;
            if y + needed > area.y + area.h {
                return &entries[i..];
            }
            self.text(area.x, y + 3.0 * self.scale, title_size, true, &entry.title);
            self.map_image(
                &entry.image,
                Area {
                    x: area.x,
                    y: y + 4.0 * self.scale,
                    w,
                    h,
                },
            );
            y += needed;
        }
        &[]
    }

    fn map_image(&mut self, image: &MapImage, area: Area) {
        let picture = Image::from_rgba8(image.rgba.clone(), image.width, image.height);
        if let Some(size) = Size::from_wh(pt(area.w), pt(area.h)) {
            self.surface
                .push_transform(&Transform::from_translate(pt(area.x), pt(area.y)));
            self.surface.draw_image(picture, size);
            self.surface.pop();
        }
    }

    /// A UTM 32 grid over the map in `area`, which shows `extent`: thin
    /// lines at round coordinates, labelled inside the map's top and left
    /// edges.
    fn grid(&mut self, extent: [f64; 4], area: Area, thousands: char) {
        let [min_x, min_y, max_x, max_y] = extent;
        if !(max_x > min_x && max_y > min_y) {
            return;
        }
        let step = grid_step(max_x - min_x, 6.0);
        let to_x = |e: f64| area.x + (e - min_x) / (max_x - min_x) * area.w;
        let to_y = |n: f64| area.y + (max_y - n) / (max_y - min_y) * area.h;
        let mut lines = PathBuilder::new();
        let mut labels: Vec<(f64, f64, String)> = Vec::new();
        let size = self.size(6.0);
        let mut e = (min_x / step).ceil() * step;
        while e < max_x {
            let x = to_x(e);
            lines.move_to(pt(x), pt(area.y));
            lines.line_to(pt(x), pt(area.y + area.h));
            labels.push((x + 0.6, area.y + 2.6 * self.scale, coordinate(e, thousands)));
            e += step;
        }
        let mut n = (min_y / step).ceil() * step;
        while n < max_y {
            let y = to_y(n);
            lines.move_to(pt(area.x), pt(y));
            lines.line_to(pt(area.x + area.w), pt(y));
            labels.push((area.x + 0.6, y - 0.6, coordinate(n, thousands)));
            n += step;
        }
        if let Some(path) = lines.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke {
                paint: rgb::Color::new(60, 60, 60).into(),
                width: pt(0.15),
                opacity: NormalizedF32::new(0.7).unwrap_or(NormalizedF32::ONE),
                ..Stroke::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
        }
        for (x, baseline, text) in labels {
            let w = f64::from(self.fonts.width(&text, size)) / PT_PER_MM;
            let h = f64::from(size) / PT_PER_MM;
            self.fill_rect(x - 0.3, baseline - h * 0.8, w + 0.6, h, rgb::Color::white());
            self.text(x, baseline, size, false, &text);
        }
    }

    fn header(&mut self, sheet: &Sheet, area: Area) {
        let title_size = self.size(15.0);
        let first = area.y + 6.5 * self.scale;
        self.text(area.x, first, title_size, true, sheet.title.trim());
        if let Some(comment) = sheet.comment.as_deref().filter(|c| !c.trim().is_empty()) {
            let size = self.size(9.0);
            self.text(
                area.x,
                first + 5.5 * self.scale,
                size,
                false,
                comment.trim(),
            );
        }
    }

    fn map(&mut self, map: &MapImage, area: Area) {
        self.map_image(map, area);
        self.stroke_rect(area.x, area.y, area.w, area.h, 0.3);
    }

    fn footer(&mut self, sheet: &Sheet, area: Area) {
        let words = Words::of(&sheet.lang);
        let s = self.scale;
        let qr_side = area.h - 2.0 * s;
        let qr_x = area.x + area.w - qr_side;
        let right_w = 62.0 * s;
        let left_w = (qr_x - right_w - area.x - 4.0 * s).max(40.0 * s);

        // Scale as text, scale bar and north arrow.
        let line1 = area.y + 4.0 * s;
        let scale_label = format!(
            "{} {}",
            words.scale,
            scale_text(sheet.scale, words.thousands)
        );
        let bold = self.size(9.0);
        self.text(area.x, line1, bold, true, &scale_label);
        let bar_end = self.scale_bar(sheet.scale, area.x, line1 + 2.0 * s, left_w * 0.5);
        self.north_arrow(bar_end + 8.0 * s, line1 - 3.0 * s, words.north);

        // Source notes.
        let small = self.size(7.0);
        let line_h = 3.1 * s;
        let notes = printed_sources(sheet);
        let text = if sheet.paper.below_a5() {
            notes.join(", ")
        } else {
            format!("{} {}", words.sources, notes.join("; "))
        };
        let mut y = line1 + 12.5 * s;
        let bottom = area.y + area.h - 4.5 * s;
        for line in self.fonts.wrap(&text, small, pt(left_w)) {
            if y > bottom {
                break;
            }
            self.text(area.x, y, small, false, &line);
            y += line_h;
        }
        let tiny = self.size(6.0);
        self.text(
            area.x,
            area.y + area.h - 0.5 * s,
            tiny,
            false,
            &sheet.disclaimer,
        );

        // Portal, date and permalink beside the QR code.
        let rx = qr_x - right_w - 2.0 * s;
        self.text(rx, line1, bold, true, &sheet.portal);
        let date = format!("{} {}", words.printed, sheet.date);
        self.text(rx, line1 + 4.0 * s, small, false, &date);
        let mut y = line1 + 8.0 * s;
        for line in self.fonts.wrap_url(&sheet.permalink, tiny, pt(right_w)) {
            if y > bottom + 4.0 * s {
                break;
            }
            self.text(rx, y, tiny, false, &line);
            y += 2.6 * s;
        }
        self.qr(&sheet.permalink, qr_x, area.y + 1.0 * s, qr_side);
    }

    /// A bar of four alternating segments at most `max_w` long, for a
    /// round length on the ground; answers its right end.
    fn scale_bar(&mut self, scale: f64, x: f64, y: f64, max_w: f64) -> f64 {
        let ground_max = max_w / 1000.0 * scale;
        let mut nice = 1.0;
        while nice * 10.0 <= ground_max {
            nice *= 10.0;
        }
        for m in [5.0, 2.0] {
            if nice * m <= ground_max {
                nice *= m;
                break;
            }
        }
        let length = nice / scale * 1000.0;
        let h = 1.6 * self.scale;
        let segment = length / 4.0;
        for i in 0..4 {
            let color = if i % 2 == 0 {
                rgb::Color::black()
            } else {
                rgb::Color::white()
            };
            self.fill_rect(x + segment * f64::from(i), y, segment, h, color);
        }
        self.stroke_rect(x, y, length, h, 0.2);
        let label = if nice >= 1000.0 {
            format!("{} km", nice / 1000.0)
        } else {
            format!("{nice} m")
        };
        let size = self.size(6.5);
        self.text(x, y + h + 3.0 * self.scale, size, false, "0");
        let w = f64::from(self.fonts.width(&label, size)) / PT_PER_MM;
        self.text(
            x + length - w / 2.0,
            y + h + 3.0 * self.scale,
            size,
            false,
            &label,
        );
        x + length
    }

    fn north_arrow(&mut self, x: f64, y: f64, letter: &str) {
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

    /// The QR code of `text` as black squares in a square of `side` mm.
    fn qr(&mut self, text: &str, x: f64, y: f64, side: f64) {
        let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
            return;
        };
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

impl Fonts {
    /// A URL broken into lines no wider than `width` points, anywhere.
    fn wrap_url(&self, url: &str, size: f32, width: f32) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sheet() -> Sheet {
        let (width, height) = (40, 20);
        let mut rgba = Vec::new();
        for i in 0..width * height {
            let red = i % width < width / 2;
            rgba.extend_from_slice(if red {
                &[200, 30, 30, 255]
            } else {
                &[240, 240, 240, 255]
            });
        }
        Sheet {
            paper: Paper::A4,
            orientation: Orientation::Landscape,
            lang: "de".into(),
            title: "Naturschutzgebiete am Dümmer".into(),
            comment: Some("Anlage 2 zur Anhörung".into()),
            scale: 25_000.0,
            date: "6.12.2026".into(),
            created: chrono::DateTime::from_timestamp(1_796_000_000, 0).unwrap(),
            map: MapImage {
                rgba,
                width,
                height,
            },
            sources: vec![
                "© GeoBasis-DE / BKG 2016, dl-de/by-2-0".into(),
                "Niedersächsisches Ministerium für Umwelt, dl-de/by-2-0, Daten geändert".into(),
            ],
            user_content: false,
            permalink: "https://numis.example/karte?c=450000,5820000&z=8&l=schutzgebiete".into(),
            portal: "NUMIS".into(),
            disclaimer: "Keine Gewähr für Aktualität, Richtigkeit und Vollständigkeit.".into(),
            legend: Vec::new(),
            grid: None,
        }
    }

    #[test]
    fn scales_read_as_the_language_writes_them() {
        assert_eq!(scale_text(25_000.0, '.'), "1:25.000");
        assert_eq!(scale_text(1_250_000.0, ','), "1:1,250,000");
        assert_eq!(scale_text(500.0, '.'), "1:500");
    }

    #[test]
    fn user_content_adds_the_modification_note_once() {
        let mut s = sheet();
        s.sources = vec!["© A".into(), "© A".into()];
        assert_eq!(printed_sources(&s), ["© A"]);
        s.user_content = true;
        assert_eq!(printed_sources(&s), ["© A", "Daten geändert"]);
        s.sources = vec!["© B, Daten geändert".into()];
        assert_eq!(printed_sources(&s), ["© B, Daten geändert"]);
    }

    #[test]
    fn a_sheet_is_a_pdf_and_a_wrong_image_is_refused() {
        let pdf = write_pdf(&sheet()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        // Declared PDF/A-2b in its XMP metadata (krilla validated it).
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("pdfaid:part>2<") || text.contains("pdfaid:part=\"2\""),
            "PDF/A-2"
        );
        assert!(
            text.contains("pdfaid:conformance>B<") || text.contains("pdfaid:conformance=\"B\""),
            "level B"
        );
        let mut broken = sheet();
        broken.map.rgba.pop();
        assert!(matches!(write_pdf(&broken), Err(SheetError::Image { .. })));
    }

    /// A PDF tool of poppler-utils or qpdf: `None` (a visible skip) when
    /// it is missing outside CI; with `CI=true` a missing tool fails.
    fn tool(name: &str) -> Option<std::process::Command> {
        let found = std::process::Command::new(name).arg("-v").output().is_ok();
        if !found {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "{name} is missing (tests/clients/setup.sh installs it)"
            );
            eprintln!("SKIPPED: {name} is not installed");
            return None;
        }
        Some(std::process::Command::new(name))
    }

    /// Writes `pdf` under target/print-samples/ and answers its path.
    fn sample(name: &str, pdf: &[u8]) -> std::path::PathBuf {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/print-samples");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, pdf).unwrap();
        path
    }

    fn run(mut command: std::process::Command) -> String {
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    #[test]
    fn the_text_of_the_pdf_has_title_scale_date_and_every_source_note() {
        let mut s = sheet();
        s.user_content = true;
        s.sources
            .push("© OpenStreetMap-Mitwirkende, ODbL 1.0".into());
        let path = sample("a4-landscape-de.pdf", &write_pdf(&s).unwrap());
        let Some(mut pdftotext) = tool("pdftotext") else {
            return;
        };
        pdftotext.arg(&path).arg("-");
        // Lines may break anywhere in a note: compare without whitespace.
        let text: String = run(pdftotext).split_whitespace().collect();
        let squeeze = |t: &str| t.split_whitespace().collect::<String>();
        for expected in [
            "Naturschutzgebiete am Dümmer",
            "Anlage 2 zur Anhörung",
            "Maßstab 1:25.000",
            "Erstellt am 6.12.2026",
            "© GeoBasis-DE / BKG 2016, dl-de/by-2-0",
            "Niedersächsisches Ministerium für Umwelt, dl-de/by-2-0, Daten geändert",
            "© OpenStreetMap-Mitwirkende, ODbL 1.0",
            "Keine Gewähr",
            "NUMIS",
        ] {
            assert!(text.contains(&squeeze(expected)), "{expected:?} in {text}");
        }
        assert_eq!(
            text.matches(&squeeze("Daten geändert")).count(),
            1,
            "the note of the modified layer says it; the drawing adds nothing more"
        );
    }

    #[test]
    fn every_paper_and_orientation_has_its_page_size_and_passes_qpdf() {
        for (paper, orientation, points) in [
            (Paper::A4, Orientation::Portrait, "595.276 x 841.89"),
            (Paper::A4, Orientation::Landscape, "841.89 x 595.276"),
            (Paper::A3, Orientation::Portrait, "841.89 x 1190.55"),
            (Paper::A3, Orientation::Landscape, "1190.55 x 841.89"),
        ] {
            let mut s = sheet();
            s.paper = paper;
            s.orientation = orientation;
            let name = format!("{paper}-{orientation:?}.pdf").to_lowercase();
            let path = sample(&name, &write_pdf(&s).unwrap());
            let Some(mut pdfinfo) = tool("pdfinfo") else {
                return;
            };
            pdfinfo.arg(&path);
            let info = run(pdfinfo);
            let field = |key: &str| {
                info.lines()
                    .find_map(|l| l.strip_prefix(key))
                    .map(|v| v.trim_start_matches(':').trim().to_owned())
                    .unwrap_or_default()
            };
            assert!(
                field("Page size").starts_with(&format!("{points} pts")),
                "{name}: {info}"
            );
            assert_eq!(field("Pages"), "1", "{info}");
            assert_eq!(field("Title"), "Naturschutzgebiete am Dümmer", "{info}");
            let Some(mut qpdf) = tool("qpdf") else {
                return;
            };
            qpdf.arg("--check").arg(&path);
            run(qpdf);
        }
    }

    fn legend_entry(title: &str, height: u32) -> LegendEntry {
        let width = 150;
        LegendEntry {
            title: title.into(),
            image: MapImage {
                rgba: [30, 90, 160, 255].repeat((width * height) as usize),
                width,
                height,
            },
        }
    }

    #[test]
    fn a_legend_longer_than_its_column_flows_to_a_second_page() {
        let mut short = sheet();
        short.legend = vec![legend_entry("Gemeinden", 60)];
        let mut long = sheet();
        long.legend = (1..=9)
            .map(|i| legend_entry(&format!("Ebene {i}"), 200))
            .collect();
        let short_path = sample("legend-short.pdf", &write_pdf(&short).unwrap());
        let long_path = sample("legend-long.pdf", &write_pdf(&long).unwrap());
        let Some(mut info) = tool("pdfinfo") else {
            return;
        };
        info.arg(&short_path);
        assert!(
            run(info)
                .lines()
                .any(|l| l.starts_with("Pages:") && l.ends_with(" 1"))
        );
        let Some(mut info) = tool("pdfinfo") else {
            return;
        };
        info.arg(&long_path);
        let pages = run(info);
        assert!(
            pages
                .lines()
                .any(|l| l.starts_with("Pages:") && l.ends_with(" 2")),
            "{pages}"
        );
        let Some(mut text) = tool("pdftotext") else {
            return;
        };
        text.arg(&long_path).arg("-");
        let text = run(text);
        assert!(text.contains("Legende (Fortsetzung)"));
        for i in 1..=9 {
            assert_eq!(
                text.matches(&format!("Ebene {i}\n")).count(),
                1,
                "Ebene {i} once: {text}"
            );
        }
    }

    #[test]
    fn grid_steps_are_round_and_coordinates_grouped() {
        assert_eq!(grid_step(6_925.0, 6.0), 2_000.0);
        assert_eq!(grid_step(277_000.0, 6.0), 50_000.0);
        assert_eq!(grid_step(700.0, 6.0), 200.0);
        assert_eq!(coordinate(550_000.0, '.'), "550.000");
        assert_eq!(coordinate(5_794_000.0, ','), "5,794,000");
    }

    #[test]
    fn the_grid_labels_its_lines_with_utm_coordinates() {
        let mut s = sheet();
        s.grid = Some([540_500.0, 5_790_200.0, 547_425.0, 5_793_950.0]);
        let path = sample("a4-grid.pdf", &write_pdf(&s).unwrap());
        let Some(mut pdftotext) = tool("pdftotext") else {
            return;
        };
        pdftotext.arg(&path).arg("-");
        let text = run(pdftotext);
        for label in ["542.000", "544.000", "546.000", "5.792.000"] {
            assert!(text.contains(label), "{label} in {text}");
        }
        assert!(!text.contains("540.000"), "no line outside the map");
    }

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
