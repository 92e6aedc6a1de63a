//! The PDF of one printed map: the title (and comment), the map with a
//! frame, and the footer with the scale as text and as a bar, a north
//! arrow, the source notes, the date, the permalink as text and QR code,
//! the portal's name and the disclaimer. Fonts (DejaVu Sans) are embedded
//! and subset by krilla.
//!
//! The PDF is PDF/A-2a: archival (PDF/A-2b) and tagged, so a screen
//! reader reads it in order with a text for every picture
//! ([`crate::structure`]); krilla refuses to write anything that would
//! break either.

use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::configure::{Configuration, Validator};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::tagging::ArtifactType;
use krilla::{Document, SerializeSettings};
use thiserror::Error;

use crate::layout::{Area, Layout};
use crate::paper::{Orientation, Paper};
use crate::pen::{Fonts, PT_PER_MM, Pen, pt};
use crate::structure::{
    Alts, LegendPart, Parts, describe_grid, describe_legend, describe_map, tag_tree,
};
pub use crate::words::scale_text;
use crate::words::{Words, grouped, length_text};

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
    /// `de` or `en`: the sheet's own words and number formats, and the
    /// PDF's language.
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
    /// The map's text alternative for a screen reader (see
    /// [`describe_map`]); empty: the sheet describes it from its scale,
    /// the grid's centre and the legend's layers.
    pub map_alt: String,
    /// The source notes of everything on the map, as the one attribution
    /// function wrote them.
    pub sources: Vec<String>,
    /// Something of the user's is drawn over the data (a drawing, an
    /// imported file): the sheet says the data were changed.
    pub user_content: bool,
    /// The permalink of the printed view; a link when it is a web
    /// address.
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

/// One layer's part of the legend: its title and its legend image.
#[derive(Debug, Clone)]
pub struct LegendEntry {
    /// The layer's title.
    pub title: String,
    /// Its legend, drawn `pixel_ratio` times larger than GetLegendGraphic
    /// draws it (`numis_map::legend::legend_at`).
    pub image: MapImage,
    /// Image pixels per OGC standard pixel (0.28 mm): the image is placed
    /// `width / pixel_ratio × 0.28` mm wide, the size of the screen's
    /// legend, and is that much finer. 1 for a screen legend.
    pub pixel_ratio: f64,
    /// What the legend's rows say (its rules' names), for the image's
    /// text alternative; may be empty.
    pub names: Vec<String>,
}

impl LegendEntry {
    /// The image's width and height on paper in millimetres: its
    /// physical size (0.28 mm per pixel at ratio 1), shrunk only to be at
    /// most `max_w` wide.
    fn placed_size(&self, max_w: f64) -> (f64, f64) {
        let ratio = if self.pixel_ratio.is_finite() && self.pixel_ratio > 0.0 {
            self.pixel_ratio
        } else {
            1.0
        };
        let mm_per_px = LEGEND_MM_PER_PX / ratio;
        let w = f64::from(self.image.width) * mm_per_px;
        let h = f64::from(self.image.height) * mm_per_px;
        let shrink = if w > max_w { max_w / w } else { 1.0 };
        (w * shrink, h * shrink)
    }
}

/// Millimetres per legend pixel at ratio 1: OGC's standard pixel.
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

/// Writes the sheet as a tagged PDF/A-2a.
///
/// PDF/A-2a is PDF/A-2b (the archival form German public bodies keep
/// documents in) plus a tag tree, a document language and Unicode for
/// every glyph. krilla writes one conformance claim per file, so the PDF
/// cannot also claim PDF/UA-1; the tree is built to its rules as well
/// (see the tests), only the claim and the viewer's window title
/// (DisplayDocTitle, which krilla writes in PDF/UA mode only) are
/// missing.
pub fn write_pdf(sheet: &Sheet) -> Result<Vec<u8>, SheetError> {
    write_pdf_as(sheet, Validator::A2_A)
}

/// Writes the sheet checked by `validator`.
pub(crate) fn write_pdf_as(sheet: &Sheet, validator: Validator) -> Result<Vec<u8>, SheetError> {
    let expected = sheet.map.width as usize * sheet.map.height as usize * 4;
    if sheet.map.rgba.len() != expected {
        return Err(SheetError::Image {
            got: sheet.map.rgba.len(),
            expected,
        });
    }
    let fonts = Fonts::load()?;
    let words = Words::of(&sheet.lang);
    let layout = Layout::new(
        sheet.paper,
        sheet.orientation,
        sheet
            .comment
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty()),
        !sheet.legend.is_empty(),
    );
    let settings = SerializeSettings {
        configuration: Configuration::new_with_validator(validator),
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    document.set_metadata(
        Metadata::new()
            .title(sheet.title.trim().to_owned())
            .language(sheet.lang.clone())
            .creator(format!("numis – {}", sheet.portal))
            .creation_date(pdf_date(sheet.created)),
    );
    // An outline (bookmarks): the title, and where the legend continues.
    let mut outline = Outline::new();
    outline.push_child(OutlineNode::new(
        sheet.title.trim().to_owned(),
        XyzDestination::new(0, Point::from_xy(0.0, 0.0)),
    ));
    let settings = PageSettings::from_wh(pt(layout.page.w), pt(layout.page.h))
        .ok_or_else(|| SheetError::Pdf("the page has no size".into()))?;
    let mut parts = Parts::default();
    let mut page = document.start_page_with(settings.clone());
    let mut surface = page.surface();
    let mut pen = Pen {
        surface: &mut surface,
        fonts: &fonts,
        scale: layout.text_scale,
    };
    pen.header(sheet, layout.header, &mut parts);
    pen.map(&sheet.map, layout.map, &mut parts);
    if let Some(extent) = sheet.grid {
        pen.artifact(ArtifactType::Other, |pen| {
            pen.grid(extent, layout.map, words.thousands);
        });
    }
    let footer = pen.footer(sheet, layout.footer, &words, &mut parts);
    let rest = match layout.legend {
        Some(area) => pen.legend(&sheet.legend, area, &sheet.lang, &mut parts),
        None => &[],
    };
    surface.finish();
    if let Some(rect) = footer.link {
        let link = LinkAnnotation::new(
            rect,
            Target::Action(LinkAction::new(sheet.permalink.trim().to_owned()).into()),
        );
        let alt = format!("{}: {}", words.permalink, sheet.permalink.trim());
        parts.link = Some(page.add_tagged_annotation(Annotation::new_link(link, Some(alt))));
    }
    page.finish();
    // What the column did not hold flows onto further pages.
    let mut rest = rest;
    let mut page_index = 1;
    while !rest.is_empty() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        let mut pen = Pen {
            surface: &mut surface,
            fonts: &fonts,
            scale: layout.text_scale,
        };
        let heading = format!("{} – {}", sheet.title.trim(), words.legend_continued);
        // A running header: the list goes on from the first page, so
        // the header is not part of what is read.
        pen.artifact(ArtifactType::Header, |pen| {
            let size = pen.size(13.0);
            pen.text(
                layout.header.x,
                layout.header.y + 6.5 * layout.text_scale,
                size,
                true,
                &heading,
            );
        });
        if page_index == 1 {
            outline.push_child(OutlineNode::new(
                heading.clone(),
                XyzDestination::new(page_index, Point::from_xy(0.0, 0.0)),
            ));
        }
        let area = Area {
            x: layout.header.x,
            y: layout.header.y + layout.header.h,
            w: layout.page.w - 2.0 * layout.header.x,
            h: layout.page.h - layout.header.y * 2.0 - layout.header.h,
        };
        let before = rest.len();
        rest = pen.legend_columns(rest, area, &sheet.lang, &mut parts);
        surface.finish();
        page.finish();
        page_index += 1;
        if rest.len() == before {
            // An entry taller than a whole page: stop rather than loop.
            break;
        }
    }
    document.set_outline(outline);
    let alts = Alts {
        title: sheet.title.trim().to_owned(),
        map: map_alt(sheet),
        scale_bar: format!(
            "{}: 0 {} {}",
            words.scale_bar,
            words.to,
            length_text(footer.bar_metres)
        ),
        north_arrow: words.north_arrow.to_owned(),
        qr: words.qr_code.to_owned(),
        legend: words.legend.to_owned(),
    };
    document.set_tag_tree(tag_tree(parts, &alts, &sheet.lang));
    document
        .finish()
        .map_err(|e| SheetError::Pdf(format!("{e:?}")))
}

/// The map's text alternative: the sheet's own, or one made from the
/// scale, the grid's centre and the legend's layers; with the grid's
/// step when a grid is drawn.
fn map_alt(sheet: &Sheet) -> String {
    let given = sheet.map_alt.trim();
    let mut alt = if given.is_empty() {
        let center = sheet
            .grid
            .map(|[x0, y0, x1, y1]| ((x0 + x1) / 2.0, (y0 + y1) / 2.0));
        let layers: Vec<&str> = sheet.legend.iter().map(|e| e.title.as_str()).collect();
        describe_map(&sheet.lang, sheet.scale, center, &layers)
    } else {
        given.to_owned()
    };
    if let Some([x0, _, x1, _]) = sheet.grid.filter(|[x0, _, x1, _]| x1 > x0) {
        alt.push(' ');
        alt.push_str(&describe_grid(&sheet.lang, grid_step(x1 - x0, GRID_LINES)));
    }
    alt
}

/// About this many grid lines across the map.
const GRID_LINES: f64 = 6.0;

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

/// A web address, which the permalink's text links to.
fn is_web_address(text: &str) -> bool {
    text.starts_with("https://") || text.starts_with("http://")
}

/// What the footer tells the rest of the sheet.
struct Footer {
    /// The length the scale bar stands for, in metres.
    bar_metres: f64,
    /// Where the permalink's text is, to lay a link over it.
    link: Option<Rect>,
}

/// The parts of the sheet, each drawn tagged (or as an artifact) and
/// recorded in [`Parts`] for the tag tree.
impl Pen<'_, '_> {
    /// The legend in the column `area`, under its heading; answers the
    /// entries that did not fit.
    fn legend<'e>(
        &mut self,
        entries: &'e [LegendEntry],
        area: Area,
        lang: &str,
        parts: &mut Parts,
    ) -> &'e [LegendEntry] {
        let size = self.size(10.0);
        let heading = Words::of(lang).legend;
        let id = self.line(area.x, area.y + 4.0 * self.scale, size, true, heading);
        parts.legend_heading.push(id);
        let column = Area {
            y: area.y + 7.0 * self.scale,
            h: area.h - 7.0 * self.scale,
            ..area
        };
        self.legend_column(entries, column, lang, parts)
    }

    /// Entries in as many columns of the legend's width as `area` holds;
    /// answers those that did not fit.
    fn legend_columns<'e>(
        &mut self,
        entries: &'e [LegendEntry],
        area: Area,
        lang: &str,
        parts: &mut Parts,
    ) -> &'e [LegendEntry] {
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
                lang,
                parts,
            );
            if rest.len() == before {
                break;
            }
            x += width + 4.0 * self.scale;
        }
        rest
    }

    /// Entries stacked in one column, each image at its physical size
    /// (shrunk only to fit the column); answers those that did not fit.
    fn legend_column<'e>(
        &mut self,
        entries: &'e [LegendEntry],
        area: Area,
        lang: &str,
        parts: &mut Parts,
    ) -> &'e [LegendEntry] {
        let title_size = self.size(8.0);
        let mut y = area.y;
        for (i, entry) in entries.iter().enumerate() {
            let (w, h) = entry.placed_size(area.w);
            let needed = 4.0 * self.scale + h + 2.0 * self.scale;
            if y + needed > area.y + area.h {
                return &entries[i..];
            }
            let title = self.line(area.x, y + 3.0 * self.scale, title_size, true, &entry.title);
            let image_area = Area {
                x: area.x,
                y: y + 4.0 * self.scale,
                w,
                h,
            };
            let image = self.figure(|pen| pen.image(&entry.image, image_area));
            parts.legend.push(LegendPart {
                title,
                image,
                alt: describe_legend(lang, &entry.title, &entry.names),
            });
            y += needed;
        }
        &[]
    }

    /// A UTM 32 grid over the map in `area`, which shows `extent`: thin
    /// lines at round coordinates, labelled inside the map's top and left
    /// edges.
    fn grid(&mut self, extent: [f64; 4], area: Area, thousands: char) {
        let [min_x, min_y, max_x, max_y] = extent;
        if !(max_x > min_x && max_y > min_y) {
            return;
        }
        let step = grid_step(max_x - min_x, GRID_LINES);
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
            labels.push((x + 0.6, area.y + 2.6 * self.scale, grouped(e, thousands)));
            e += step;
        }
        let mut n = (min_y / step).ceil() * step;
        while n < max_y {
            let y = to_y(n);
            lines.move_to(pt(area.x), pt(y));
            lines.line_to(pt(area.x + area.w), pt(y));
            labels.push((area.x + 0.6, y - 0.6, grouped(n, thousands)));
            n += step;
        }
        self.stroke_thin(lines, 0.15);
        for (x, baseline, text) in labels {
            let w = f64::from(self.fonts.width(&text, size)) / PT_PER_MM;
            let h = f64::from(size) / PT_PER_MM;
            self.fill_rect(x - 0.3, baseline - h * 0.8, w + 0.6, h, rgb::Color::white());
            self.text(x, baseline, size, false, &text);
        }
    }

    fn header(&mut self, sheet: &Sheet, area: Area, parts: &mut Parts) {
        let title_size = self.size(15.0);
        let first = area.y + 6.5 * self.scale;
        let title = self.line(area.x, first, title_size, true, sheet.title.trim());
        parts.title.push(title);
        if let Some(comment) = sheet.comment.as_deref().filter(|c| !c.trim().is_empty()) {
            let size = self.size(9.0);
            let id = self.line(
                area.x,
                first + 5.5 * self.scale,
                size,
                false,
                comment.trim(),
            );
            parts.comment.push(id);
        }
    }

    fn map(&mut self, map: &MapImage, area: Area, parts: &mut Parts) {
        let id = self.figure(|pen| pen.image(map, area));
        parts.map.push(id);
        self.artifact(ArtifactType::Other, |pen| {
            pen.stroke_rect(area.x, area.y, area.w, area.h, 0.3);
        });
    }

    fn footer(&mut self, sheet: &Sheet, area: Area, words: &Words, parts: &mut Parts) -> Footer {
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
        let id = self.line(area.x, line1, bold, true, &scale_label);
        parts.scale.push(id);
        let (mut bar_end, mut bar_metres) = (area.x, 0.0);
        let id = self.figure(|pen| {
            (bar_end, bar_metres) =
                pen.scale_bar(sheet.scale, area.x, line1 + 2.0 * s, left_w * 0.5);
        });
        parts.scale_bar.push(id);
        let id =
            self.figure(|pen| pen.north_arrow(bar_end + 8.0 * s, line1 - 3.0 * s, words.north));
        parts.north_arrow.push(id);

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
        let lines = self.fonts.wrap(&text, small, pt(left_w));
        let count = lines.len();
        for (i, line) in lines.into_iter().enumerate() {
            if y > bottom {
                break;
            }
            // A line that breaks between words ends in a space, so the
            // words stay apart when the text is read or copied.
            let line = if i + 1 < count { line + " " } else { line };
            let id = self.line(area.x, y, small, false, &line);
            parts.sources.push(id);
            y += line_h;
        }

        // Portal, date and permalink beside the QR code.
        let tiny = self.size(6.0);
        let rx = qr_x - right_w - 2.0 * s;
        let id = self.line(rx, line1, bold, true, &sheet.portal);
        parts.portal.push(id);
        let date = format!("{} {}", words.printed, sheet.date);
        let id = self.line(rx, line1 + 4.0 * s, small, false, &date);
        parts.date.push(id);
        let first = line1 + 8.0 * s;
        let mut y = first;
        let mut widest: f32 = 0.0;
        for line in self.fonts.wrap_url(&sheet.permalink, tiny, pt(right_w)) {
            if y > bottom + 4.0 * s {
                break;
            }
            widest = widest.max(self.fonts.width(&line, tiny));
            let id = self.line(rx, y, tiny, false, &line);
            parts.permalink.push(id);
            y += 2.6 * s;
        }
        let tiny_mm = f64::from(tiny) / PT_PER_MM;
        let link = (is_web_address(sheet.permalink.trim()) && !parts.permalink.is_empty())
            .then(|| {
                let top = first - tiny_mm;
                let last_baseline = y - 2.6 * s;
                Rect::from_xywh(
                    pt(rx),
                    pt(top),
                    widest,
                    pt(last_baseline + 0.3 * tiny_mm - top),
                )
            })
            .flatten();
        if let Ok(code) = qrcode::QrCode::new(sheet.permalink.as_bytes()) {
            let id = self.figure(|pen| pen.qr(&code, qr_x, area.y + 1.0 * s, qr_side));
            parts.qr.push(id);
        }
        let id = self.line(
            area.x,
            area.y + area.h - 0.5 * s,
            tiny,
            false,
            &sheet.disclaimer,
        );
        parts.disclaimer.push(id);
        Footer { bar_metres, link }
    }

    /// A bar of four alternating segments at most `max_w` long, for a
    /// round length on the ground; answers its right end and the length
    /// on the ground in metres.
    fn scale_bar(&mut self, scale: f64, x: f64, y: f64, max_w: f64) -> (f64, f64) {
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
        let label = length_text(nice);
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
        (x + length, nice)
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
            map_alt: String::new(),
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
        // Declared PDF/A-2a in its XMP metadata (krilla validated it).
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("pdfaid:part>2<") || text.contains("pdfaid:part=\"2\""),
            "PDF/A-2"
        );
        assert!(
            text.contains("pdfaid:conformance>A<") || text.contains("pdfaid:conformance=\"A\""),
            "level A: tagged"
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
        // Tagging leaves the text where it was: title, then the sources,
        // then the disclaimer.
        let at = |t: &str| text.find(&squeeze(t)).unwrap();
        assert!(at("Naturschutzgebiete") < at("Quellen:"));
        assert!(at("Quellen:") < at("Keine Gewähr"));
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
            pixel_ratio: 1.0,
            names: vec!["Gemeindegrenze".into()],
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
    fn grid_steps_are_round() {
        assert_eq!(grid_step(6_925.0, 6.0), 2_000.0);
        assert_eq!(grid_step(277_000.0, 6.0), 50_000.0);
        assert_eq!(grid_step(700.0, 6.0), 200.0);
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
    fn a_finer_legend_image_is_placed_at_the_same_size_on_paper() {
        let screen = legend_entry("Gemeinden", 60);
        let (w, h) = screen.placed_size(100.0);
        assert!((w - 150.0 * 0.28).abs() < 1e-9 && (h - 60.0 * 0.28).abs() < 1e-9);
        let fine = LegendEntry {
            image: MapImage {
                rgba: vec![0; 300 * 120 * 4],
                width: 300,
                height: 120,
            },
            pixel_ratio: 2.0,
            ..screen.clone()
        };
        assert_eq!(fine.placed_size(100.0), (w, h));
        // Too wide for its column: shrunk to fit, in proportion.
        let (w, h) = fine.placed_size(21.0);
        assert!(
            (w - 21.0).abs() < 1e-9 && (h - 8.4).abs() < 1e-9,
            "{w} × {h}"
        );
        let broken = LegendEntry {
            pixel_ratio: f64::NAN,
            ..screen
        };
        let (w, h) = broken.placed_size(100.0);
        assert!(
            (w - 42.0).abs() < 1e-9 && (h - 16.8).abs() < 1e-9,
            "as at ratio 1"
        );
    }

    /// The objects of a PDF as `qpdf --json` (version 2) shows them;
    /// `None` (a visible skip) without qpdf outside CI.
    struct Objects(serde_json::Map<String, serde_json::Value>);

    impl Objects {
        fn read(path: &std::path::Path) -> Option<Objects> {
            let mut qpdf = tool("qpdf")?;
            qpdf.arg("--json=2").arg("--json-key=qpdf").arg(path);
            let json: serde_json::Value = serde_json::from_str(&run(qpdf)).unwrap();
            let objects = json["qpdf"][1].as_object().unwrap().clone();
            Some(Objects(objects))
        }

        /// The value a reference (`"12 0 R"`) points to, the dictionary
        /// of a stream; anything else as it is.
        fn get<'a>(&'a self, value: &'a serde_json::Value) -> &'a serde_json::Value {
            let Some(reference) = value.as_str().filter(|v| v.ends_with(" R")) else {
                return value;
            };
            let object = &self.0[&format!("obj:{reference}")];
            if object.get("stream").is_some() {
                &object["stream"]["dict"]
            } else {
                &object["value"]
            }
        }

        fn catalog(&self) -> &serde_json::Value {
            self.get(&self.0["trailer"]["value"]["/Root"])
        }

        /// A structure element's children (`/K`): one or an array.
        fn kids<'a>(&'a self, element: &'a serde_json::Value) -> Vec<&'a serde_json::Value> {
            match self.get(&element["/K"]) {
                serde_json::Value::Array(items) => items.iter().map(|k| self.get(k)).collect(),
                serde_json::Value::Null => Vec::new(),
                one => vec![one],
            }
        }

        /// The Document element's children, each as its role (`/H1`).
        fn document(&self) -> Vec<&serde_json::Value> {
            let root = self.get(&self.catalog()["/StructTreeRoot"]);
            let document = self.kids(root);
            assert_eq!(document.len(), 1, "one Document element");
            assert_eq!(document[0]["/S"], "/Document");
            self.kids(document[0])
        }
    }

    fn role(element: &serde_json::Value) -> &str {
        element["/S"].as_str().unwrap_or("")
    }

    /// A text string as qpdf writes it (`u:…`).
    fn text_of(value: &serde_json::Value) -> &str {
        value
            .as_str()
            .and_then(|t| t.strip_prefix("u:"))
            .unwrap_or("")
    }

    fn tagged_sheet() -> Sheet {
        let mut s = sheet();
        s.legend = vec![legend_entry("Gemeinden", 60), legend_entry("Flüsse", 40)];
        s.grid = Some([440_000.0, 5_815_000.0, 460_000.0, 5_825_000.0]);
        s
    }

    #[test]
    fn the_pdf_is_tagged_in_reading_order_with_language_and_alternative_texts() {
        let path = sample("a4-tagged.pdf", &write_pdf(&tagged_sheet()).unwrap());
        let Some(pdf) = Objects::read(&path) else {
            return;
        };
        let catalog = pdf.catalog();
        assert_eq!(pdf.get(&catalog["/MarkInfo"])["/Marked"], true);
        assert_eq!(text_of(&catalog["/Lang"]), "de");
        assert!(catalog.get("/Outlines").is_some(), "bookmarks: {catalog}");
        let blocks = pdf.document();
        let roles: Vec<&str> = blocks.iter().map(|b| role(b)).collect();
        assert_eq!(
            roles,
            [
                "/H1", "/P", "/Figure", "/P", "/Figure", "/Figure", "/P", "/H2", "/L", "/P", "/P",
                "/P", "/Figure", "/P"
            ]
        );
        assert_eq!(text_of(&blocks[0]["/T"]), "Naturschutzgebiete am Dümmer");
        // The map's text: scale, centre (of the grid's extent), layers, grid.
        assert_eq!(
            text_of(&blocks[2]["/Alt"]),
            "Karte im Maßstab 1:25.000, Mittelpunkt Ost 450.000, Nord 5.820.000 (UTM 32), \
             Ebenen: Gemeinden, Flüsse. Mit UTM-32-Gitter alle 5.000 m."
        );
        assert!(text_of(&blocks[4]["/Alt"]).starts_with("Maßstabsleiste: 0 bis "));
        assert_eq!(text_of(&blocks[5]["/Alt"]), "Nordpfeil: Norden ist oben");
        assert_eq!(text_of(&blocks[7]["/T"]), "Legende");
        assert_eq!(text_of(&blocks[12]["/Alt"]), "QR-Code des Permalinks");
        // The legend: one item per layer, its title and its image.
        let items = pdf.kids(blocks[8]);
        assert_eq!(items.len(), 2);
        let body = pdf.kids(items[1]);
        assert_eq!(role(body[0]), "/LBody");
        let parts: Vec<&serde_json::Value> = pdf.kids(body[0]);
        assert_eq!(
            parts.iter().map(|p| role(p)).collect::<Vec<_>>(),
            ["/P", "/Figure"]
        );
        assert_eq!(
            text_of(&parts[1]["/Alt"]),
            "Legende zu Flüsse: Gemeindegrenze"
        );
        // The permalink: a Link holding its text and its annotation,
        // which has a text of its own and opens the address.
        let link = pdf.kids(blocks[11]);
        assert_eq!(role(link[0]), "/Link");
        let annotation = pdf
            .kids(link[0])
            .into_iter()
            .find(|k| k["/Type"] == "/OBJR")
            .map(|r| pdf.get(&r["/Obj"]))
            .expect("the link annotation in the tree");
        assert_eq!(annotation["/Subtype"], "/Link");
        assert_eq!(
            text_of(&annotation["/Contents"]),
            format!("Permalink dieser Karte: {}", sheet().permalink)
        );
        assert_eq!(
            pdf.get(&annotation["/A"])["/URI"],
            format!("u:{}", sheet().permalink)
        );
    }

    #[test]
    fn an_english_sheet_is_english_and_a_relative_permalink_no_link() {
        let mut s = tagged_sheet();
        s.lang = "en".into();
        s.map_alt = "A map of the Dümmer's nature reserves.".into();
        s.permalink = "/en/karte?c=450000,5820000".into();
        let path = sample("a4-tagged-en.pdf", &write_pdf(&s).unwrap());
        let Some(pdf) = Objects::read(&path) else {
            return;
        };
        assert_eq!(text_of(&pdf.catalog()["/Lang"]), "en");
        let blocks = pdf.document();
        assert_eq!(
            text_of(&blocks[2]["/Alt"]),
            "A map of the Dümmer's nature reserves. With a UTM 32 grid every 5,000 m."
        );
        assert_eq!(text_of(&blocks[12]["/Alt"]), "QR code of the permalink");
        assert!(
            pdf.kids(blocks[11]).iter().all(|k| k.get("/S").is_none()),
            "the permalink's paragraph holds only its text"
        );
    }

    #[test]
    fn the_same_structure_passes_krillas_pdf_ua_1_checks() {
        // krilla checks for PDF/UA-1 what a program can: a title, alt
        // texts on every figure and annotation, headings with titles, an
        // outline, tagging, Unicode for every glyph.
        let pdf = write_pdf_as(&tagged_sheet(), Validator::UA1).unwrap();
        assert!(String::from_utf8_lossy(&pdf).contains("pdfuaid:part"));
        let mut long = tagged_sheet();
        long.legend = (1..=9)
            .map(|i| legend_entry(&format!("Ebene {i}"), 200))
            .collect();
        write_pdf_as(&long, Validator::UA1).unwrap();
    }

    #[test]
    fn a_legend_continued_on_a_second_page_stays_one_list() {
        let mut long = sheet();
        long.legend = (1..=9)
            .map(|i| legend_entry(&format!("Ebene {i}"), 200))
            .collect();
        let path = sample("legend-long-tagged.pdf", &write_pdf(&long).unwrap());
        let Some(pdf) = Objects::read(&path) else {
            return;
        };
        let blocks = pdf.document();
        let lists: Vec<_> = blocks.iter().filter(|b| role(b) == "/L").collect();
        assert_eq!(lists.len(), 1);
        assert_eq!(pdf.kids(lists[0]).len(), 9, "every layer, on both pages");
        // The second page's header repeats the title as decoration, not
        // as a second heading.
        assert_eq!(blocks.iter().filter(|b| role(b) == "/H1").count(), 1);
        assert_eq!(blocks.iter().filter(|b| role(b) == "/H2").count(), 1);
    }

    #[test]
    fn a_legend_too_tall_for_any_page_leaves_a_valid_pdf() {
        let mut s = sheet();
        s.legend = vec![legend_entry("Riesig", 5_000)];
        let path = sample("legend-too-tall.pdf", &write_pdf(&s).unwrap());
        write_pdf_as(&s, Validator::UA1).unwrap();
        let Some(pdf) = Objects::read(&path) else {
            return;
        };
        let roles: Vec<&str> = pdf.document().iter().map(|b| role(b)).collect();
        assert!(
            roles.contains(&"/H2") && !roles.contains(&"/L"),
            "{roles:?}"
        );
    }
}
