//! The print spec a client sends (`POST /api/print`), and its checks: every
//! number bounded, every text limited, the paper allowed to the caller.

use numis_formats::Limits;
use numis_print::{Orientation, Paper};
use serde::Deserialize;

use super::content::{Content, EASTING, LayerRequest, NORTHING, OverlayRequest, parse_lang};
use crate::config::PrintConfig;

/// The largest scale denominator a print may have (the state at a
/// glance).
pub const MAX_SCALE: f64 = 5_000_000.0;
/// The smallest (a building plot).
pub const MIN_SCALE: f64 = 250.0;
/// The coarsest resolution offered.
pub const MIN_DPI: u32 = 72;
/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 120;
/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;
/// Longest permalink, in bytes.
pub const MAX_PERMALINK_BYTES: usize = 2_000;

/// The JSON a client sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintRequest {
    /// `A4`, `A3` …
    pub paper: String,
    /// `portrait` or `landscape`.
    pub orientation: String,
    /// The scale denominator.
    pub scale: f64,
    /// Dots per inch.
    pub dpi: u32,
    /// The map's centre in EPSG:25832 (easting, northing).
    pub center: [f64; 2],
    /// Layers and groups, bottom first (the base map first), each an id
    /// or `{"id": …, "opacity": 0–100}`.
    pub layers: Vec<LayerRequest>,
    /// The open drawing and imported files, drawn over the layers.
    #[serde(default)]
    pub overlays: Vec<OverlayRequest>,
    /// The search marker, in EPSG:25832.
    #[serde(default)]
    pub marker: Option<[f64; 2]>,
    /// The title.
    #[serde(default)]
    pub title: String,
    /// A comment under the title.
    #[serde(default)]
    pub comment: Option<String>,
    /// `de` (default) or `en`.
    #[serde(default)]
    pub lang: Option<String>,
    /// The viewer's address of this view (`/karte?…`), for the permalink.
    #[serde(default)]
    pub permalink: Option<String>,
    /// Print the legend of the printed layers (default: yes).
    #[serde(default)]
    pub legend: Option<bool>,
    /// Draw a UTM 32 coordinate grid over the map (default: no).
    #[serde(default)]
    pub grid: Option<bool>,
}

/// A checked print spec.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintSpec {
    /// The paper.
    pub paper: Paper,
    /// Its orientation.
    pub orientation: Orientation,
    /// The scale denominator.
    pub scale: f64,
    /// Dots per inch.
    pub dpi: u32,
    /// The centre in EPSG:25832.
    pub center: (f64, f64),
    /// What is drawn.
    pub content: Content,
    /// The title (never empty: the PDF's title is its accessible name).
    pub title: String,
    /// A comment.
    pub comment: Option<String>,
    /// `de` or `en`.
    pub lang: &'static str,
    /// The viewer's path and query of this view, if it was given and is
    /// one of the viewer's.
    pub permalink: Option<String>,
    /// Print the legend.
    pub legend: bool,
    /// Draw the UTM 32 grid.
    pub grid: bool,
}

impl PrintRequest {
    /// Checks the request for a caller who is staff (`staff`) or not,
    /// its overlays against the upload `limits`; the error says what is
    /// wrong, in English, for the API's answer.
    pub fn check(
        self,
        config: &PrintConfig,
        staff: bool,
        limits: &Limits,
    ) -> Result<PrintSpec, String> {
        let paper = Paper::parse(&self.paper)
            .ok_or_else(|| format!("paper {:?} is not a DIN A size (A0 … A6)", self.paper))?;
        let allowed = |list: &[String]| list.iter().any(|p| Paper::parse(p) == Some(paper));
        let offered = allowed(&config.papers) || (staff && allowed(&config.staff_papers));
        if !offered {
            let offered = if staff {
                [config.papers.clone(), config.staff_papers.clone()].concat()
            } else {
                config.papers.clone()
            };
            return Err(format!(
                "paper {paper} is not offered here; choose one of {}",
                offered.join(", ")
            ));
        }
        let orientation = Orientation::parse(&self.orientation).ok_or_else(|| {
            format!(
                "orientation {:?} is neither portrait nor landscape",
                self.orientation
            )
        })?;
        if !self.scale.is_finite() || !(MIN_SCALE..=MAX_SCALE).contains(&self.scale) {
            return Err(format!(
                "scale 1:{} is out of range; choose 1:{MIN_SCALE} to 1:{MAX_SCALE}",
                self.scale
            ));
        }
        if !(MIN_DPI..=config.max_dpi).contains(&self.dpi) {
            return Err(format!(
                "{} dpi is out of range; choose {MIN_DPI} to {} dpi",
                self.dpi, config.max_dpi
            ));
        }
        let [x, y] = self.center;
        if !x.is_finite() || !y.is_finite() || !EASTING.contains(&x) || !NORTHING.contains(&y) {
            return Err(format!(
                "centre {x},{y} is not a position in EPSG:25832 near Germany"
            ));
        }
        let content = Content::check(self.layers, self.overlays, self.marker, limits)?;
        let title = self.title.trim();
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(format!(
                "the title is longer than {MAX_TITLE_CHARS} characters"
            ));
        }
        let comment = self
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
            return Err(format!(
                "the comment is longer than {MAX_COMMENT_CHARS} characters"
            ));
        }
        let lang = parse_lang(self.lang.as_deref())?;
        let permalink = self.permalink.filter(|p| viewer_path(p));
        let title = if title.is_empty() {
            if lang == "en" { "Map" } else { "Karte" }.to_owned()
        } else {
            one_line(title)
        };
        Ok(PrintSpec {
            paper,
            orientation,
            scale: self.scale,
            dpi: self.dpi,
            center: (x, y),
            content,
            title,
            comment: comment.map(one_line),
            lang,
            permalink,
            legend: self.legend.unwrap_or(true),
            grid: self.grid.unwrap_or(false),
        })
    }
}

/// Is `path` an address of the viewer (`/karte?…`, `/en/karte?…`) that is
/// safe to print as a link: no other origin, no control characters?
fn viewer_path(path: &str) -> bool {
    path.len() <= MAX_PERMALINK_BYTES
        && (path.starts_with("/karte") || path.starts_with("/en/karte"))
        && !path.chars().any(char::is_control)
        && !path.contains("//")
}

/// Text on one line: control characters become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> PrintRequest {
        serde_json::from_str(
            r#"{"paper":"A4","orientation":"landscape","scale":25000,"dpi":150,
                "center":[550000,5800000],"layers":["gemeinden"],"title":"Meine Karte",
                "permalink":"/karte?c=550000,5800000"}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_good_request_is_checked_into_a_spec() {
        let spec = request()
            .check(&PrintConfig::default(), false, &Limits::default())
            .unwrap();
        assert_eq!(spec.paper, Paper::A4);
        assert_eq!(spec.orientation, Orientation::Landscape);
        assert_eq!(spec.lang, "de");
        assert_eq!(spec.permalink.as_deref(), Some("/karte?c=550000,5800000"));
    }

    #[test]
    fn every_bound_is_told() {
        let config = PrintConfig::default();
        let refused = |change: &dyn Fn(&mut PrintRequest)| {
            let mut r = request();
            change(&mut r);
            r.check(&config, false, &Limits::default()).unwrap_err()
        };
        assert!(refused(&|r| r.paper = "A0".into()).contains("not offered here"));
        assert!(refused(&|r| r.paper = "Letter".into()).contains("DIN A"));
        assert!(refused(&|r| r.scale = 10.0).contains("out of range"));
        assert!(refused(&|r| r.scale = f64::NAN).contains("out of range"));
        assert!(refused(&|r| r.dpi = 1200).contains("72 to 300 dpi"));
        assert!(refused(&|r| r.center = [9.7, 52.4]).contains("EPSG:25832"));
        assert!(refused(&|r| r.layers = Vec::new()).contains("1 to 30"));
        assert!(refused(&|r| r.marker = Some([0.0, 0.0])).contains("marker"));
        assert!(refused(&|r| r.title = "x".repeat(121)).contains("title"));
        assert!(refused(&|r| r.lang = Some("fr".into())).contains("lang"));
        assert!(refused(&|r| r.orientation = "diagonal".into()).contains("orientation"));
    }

    #[test]
    fn staff_may_print_large_papers_and_foreign_links_are_dropped() {
        let mut r = request();
        r.paper = "a0".into();
        assert_eq!(
            r.check(&PrintConfig::default(), true, &Limits::default())
                .unwrap()
                .paper,
            Paper::A0
        );
        for link in [
            "https://evil.example/karte",
            "//evil.example/karte",
            "/konto",
        ] {
            let mut r = request();
            r.permalink = Some(link.into());
            assert_eq!(
                r.check(&PrintConfig::default(), false, &Limits::default())
                    .unwrap()
                    .permalink,
                None,
                "{link}"
            );
        }
        let mut r = request();
        r.title = "  ".into();
        assert_eq!(
            r.check(&PrintConfig::default(), false, &Limits::default())
                .unwrap()
                .title,
            "Karte"
        );
    }
}
