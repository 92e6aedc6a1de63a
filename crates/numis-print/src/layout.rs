//! Where everything goes on the sheet, in millimetres from the top left
//! corner: the title above the map, the map, and the footer below it
//! (scale, scale bar, north arrow, source notes, permalink and its QR
//! code, date, the portal's name and the disclaimer).

use crate::paper::{Orientation, Paper};

/// A rectangle on the sheet, in millimetres from the top left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

/// The sheet's parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// The whole sheet.
    pub page: Area,
    /// The title (and the comment under it).
    pub header: Area,
    /// The map.
    pub map: Area,
    /// Scale, source notes, permalink, date, name, disclaimer.
    pub footer: Area,
    /// The legend's column beside the map, when the sheet has a legend.
    pub legend: Option<Area>,
    /// How much larger than on A4 the texts and marks are drawn (1 up to
    /// A3, more on the large sheets seen from further away).
    pub text_scale: f64,
}

/// Space between the sheet's edge and its content on A4.
const MARGIN_MM: f64 = 10.0;
/// The title's line on A4.
const HEADER_MM: f64 = 11.0;
/// One more line for a comment.
const COMMENT_MM: f64 = 5.0;
/// The footer on A4.
const FOOTER_MM: f64 = 32.0;
/// Space between the map and what is above and below it.
const GAP_MM: f64 = 3.0;
/// The legend's column on A4; on portrait sheets it is narrower.
pub(crate) const LEGEND_MM: f64 = 58.0;

impl Layout {
    /// The layout of `paper` in `orientation`, with a line for a comment
    /// when `comment` is set and a column for the legend when `legend` is.
    pub fn new(paper: Paper, orientation: Orientation, comment: bool, legend: bool) -> Layout {
        let (w, h) = paper.size_mm(orientation);
        let text_scale: f64 = match paper {
            Paper::A0 | Paper::A1 => 2.0,
            Paper::A2 => 1.4,
            Paper::A5 | Paper::A6 => 0.8,
            _ => 1.0,
        };
        let margin = MARGIN_MM * text_scale.clamp(0.7, 1.0);
        let header_h = (HEADER_MM + if comment { COMMENT_MM } else { 0.0 }) * text_scale;
        let footer_h = FOOTER_MM * text_scale;
        let gap = GAP_MM * text_scale;
        let inner_w = w - 2.0 * margin;
        let header = Area {
            x: margin,
            y: margin,
            w: inner_w,
            h: header_h,
        };
        let footer = Area {
            x: margin,
            y: h - margin - footer_h,
            w: inner_w,
            h: footer_h,
        };
        let map_top = header.y + header.h + gap;
        let map_h = (footer.y - gap - map_top).max(10.0);
        let legend_w = match orientation {
            Orientation::Landscape => LEGEND_MM,
            Orientation::Portrait => LEGEND_MM * 0.8,
        } * text_scale;
        let legend = legend.then_some(Area {
            x: margin + inner_w - legend_w,
            y: map_top,
            w: legend_w,
            h: map_h,
        });
        let map = Area {
            x: margin,
            y: map_top,
            w: legend.map_or(inner_w, |l| inner_w - l.w - gap),
            h: map_h,
        };
        Layout {
            page: Area {
                x: 0.0,
                y: 0.0,
                w,
                h,
            },
            header,
            map,
            footer,
            legend,
            text_scale,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_fills_what_title_and_footer_leave() {
        let layout = Layout::new(Paper::A4, Orientation::Landscape, false, false);
        assert_eq!((layout.page.w, layout.page.h), (297.0, 210.0));
        assert_eq!(layout.map.x, 10.0);
        assert_eq!(layout.map.w, 277.0);
        let bottom = layout.map.y + layout.map.h;
        assert!((layout.footer.y - bottom - GAP_MM).abs() < 1e-9);
        assert!(layout.map.h > 140.0, "{}", layout.map.h);
        let with_comment = Layout::new(Paper::A4, Orientation::Landscape, true, false);
        assert!(with_comment.map.h < layout.map.h);
    }

    #[test]
    fn large_sheets_have_larger_texts_and_everything_stays_on_the_sheet() {
        for paper in Paper::ALL {
            for orientation in [Orientation::Portrait, Orientation::Landscape] {
                let l = Layout::new(paper, orientation, true, true);
                assert!(l.map.h > 0.0 && l.map.w > 0.0, "{paper}");
                assert!(l.footer.y + l.footer.h <= l.page.h + 1e-9, "{paper}");
            }
        }
        assert!(Layout::new(Paper::A0, Orientation::Portrait, false, false).text_scale > 1.0);
        let with_legend = Layout::new(Paper::A4, Orientation::Landscape, false, true);
        let legend = with_legend.legend.unwrap();
        assert!(
            with_legend.map.x + with_legend.map.w < legend.x,
            "the legend sits beside the map"
        );
        assert!((legend.x + legend.w - 287.0).abs() < 1e-9);
    }
}
