//! One print made: the map drawn for the paper by `numis_map::paper` (the
//! layers with their opacity, the user's overlays and the marker above
//! them), the source notes of exactly the layers drawn from the one
//! attribution function (`numis_map::attribution::presented_notes`), and
//! the sheet written by `numis_print`.

use std::time::Instant;

use numis_map::Crs;
use numis_map::attribution::presented_notes;
use numis_map::legend::{legend_at, legend_names};
use numis_map::paper::{PaperMap, render_paper};
use numis_map::render::{DrawLayer, RenderError};
use numis_map::view::{Caller, CatalogView, VisibleLayer};
use numis_print::sheet::{LegendEntry, MapImage};
use numis_print::{Layout, Sheet, describe_map, write_pdf};
use tiny_skia::Pixmap;

use super::content::Content;
use super::overlay::OverlayLayers;
use super::spec::PrintSpec;
use crate::map_service::MapService;

/// The most pixels a printed map may have (an A3 at 300 dpi has about
/// 16 million): more would hold too much memory for one job.
pub const MAX_MAP_PIXELS: u64 = 40_000_000;

/// What the sheet says beside the map.
#[derive(Debug, Clone)]
pub struct Imprint {
    /// The portal's name.
    pub portal: String,
    /// The portal's public address (`https://numis.example`), for the
    /// permalink.
    pub base_url: String,
    /// Today, as the sheet shows it.
    pub date: String,
}

/// The map of `spec` on its paper.
pub fn paper_map(spec: &PrintSpec) -> PaperMap {
    let layout = Layout::new(
        spec.paper,
        spec.orientation,
        spec.comment.is_some(),
        spec.legend,
    );
    PaperMap {
        crs: Crs::Utm32,
        center: spec.center,
        scale: spec.scale,
        width_mm: layout.map.w,
        height_mm: layout.map.h,
        dpi: f64::from(spec.dpi),
    }
}

/// Refuses a spec whose map would be too large to draw, before it is
/// queued.
pub fn check_size(spec: &PrintSpec) -> Result<(), String> {
    let (w, h) = paper_map(spec).size_px();
    let pixels = u64::from(w) * u64::from(h);
    if pixels > MAX_MAP_PIXELS {
        return Err(format!(
            "{} at {} dpi needs a map of {w} × {h} pixels, more than the {MAX_MAP_PIXELS} one print may draw; choose a lower dpi",
            spec.paper, spec.dpi
        ));
    }
    Ok(())
}

/// A map drawn, and the layers in it (bottom first) for its notes and
/// legend.
pub struct DrawnMap<'a> {
    /// The image, on white.
    pub pixmap: Pixmap,
    /// The layers drawn (groups resolved into their layers).
    pub layers: Vec<VisibleLayer<'a>>,
}

/// Draws `content` for `paper` as `view` sees it: the layers bottom first
/// with their opacity, then the user's overlays and the marker, by
/// `deadline`.
pub fn draw_content<'a>(
    view: &CatalogView<'a>,
    content: &Content,
    paper: &PaperMap,
    deadline: Instant,
) -> Result<DrawnMap<'a>, String> {
    let mut layers = Vec::new();
    let mut opacities = Vec::new();
    for printed in &content.layers {
        let resolved = view.resolve(std::slice::from_ref(&printed.id)).map_err(
            |numis_map::view::ResolveError::NotDefined(name)| {
                format!("layer {name:?} does not exist")
            },
        )?;
        opacities.extend(std::iter::repeat_n(printed.opacity, resolved.len()));
        layers.extend(resolved);
    }
    let overlays = OverlayLayers::of(content)?;
    // Layers kept in a database are asked for the paper's frame.
    let frame = paper.frame();
    let fetched = layers
        .iter()
        .map(|layer| layer.fetch(&frame))
        .collect::<Result<Vec<_>, String>>()?;
    let draw: Vec<DrawLayer<'_>> = layers
        .iter()
        .zip(&opacities)
        .zip(&fetched)
        .map(|((layer, &opacity), fetched)| DrawLayer {
            opacity,
            ..layer.draw_layer_from(fetched.as_ref())
        })
        .chain(overlays.draw_layers())
        .collect();
    let pixmap = render_paper(&draw, paper, Some(deadline)).map_err(|e| match e {
        RenderError::DeadlineExceeded => {
            "the map took longer than the time limit; choose a lower resolution or fewer layers"
                .to_owned()
        }
        other => format!("the map could not be drawn: {other}"),
    })?;
    Ok(DrawnMap { pixmap, layers })
}

/// Makes the PDF of `spec` for `caller`, by `deadline`.
pub fn make_pdf(
    map: &MapService,
    caller: &Caller,
    spec: &PrintSpec,
    imprint: &Imprint,
    deadline: Instant,
) -> Result<Vec<u8>, String> {
    let view = map.catalog.view(caller);
    let paper = paper_map(spec);
    let DrawnMap { pixmap, layers } = draw_content(&view, &spec.content, &paper, deadline)?;
    let (width, height) = (pixmap.width(), pixmap.height());
    let legend = if spec.legend {
        legend_entries(&layers, spec)
    } else {
        Vec::new()
    };
    let user_content = spec.content.user_content();
    let sources = presented_notes(layers.iter().copied(), spec.lang, user_content);
    let permalink = format!(
        "{}{}",
        imprint.base_url,
        spec.permalink.as_deref().unwrap_or(if spec.lang == "en" {
            "/en/karte"
        } else {
            "/karte"
        })
    );
    let disclaimer = if spec.lang == "en" {
        "No guarantee that the data are current, correct or complete."
    } else {
        "Keine Gewähr für Aktualität, Richtigkeit und Vollständigkeit der Daten."
    };
    let sheet = Sheet {
        paper: spec.paper,
        orientation: spec.orientation,
        lang: spec.lang.to_owned(),
        title: spec.title.clone(),
        comment: spec.comment.clone(),
        scale: spec.scale,
        date: imprint.date.clone(),
        created: chrono::Utc::now(),
        // The map is drawn on opaque white: premultiplied and straight
        // RGBA are the same.
        map: MapImage {
            rgba: pixmap.take(),
            width,
            height,
        },
        // What a screen reader says for the map (the tagged PDF's Figure).
        map_alt: describe_map(
            spec.lang,
            spec.scale,
            Some(spec.center),
            &spec
                .content
                .overlay_names(spec.lang)
                .into_iter()
                .chain(layers.iter().rev().map(|l| l.title().get(spec.lang)))
                .collect::<Vec<_>>(),
        ),
        sources,
        user_content,
        permalink,
        portal: imprint.portal.clone(),
        disclaimer: disclaimer.to_owned(),
        legend,
        grid: spec.grid.then(|| {
            let bbox = paper.bbox();
            [bbox.min().x, bbox.min().y, bbox.max().x, bbox.max().y]
        }),
    };
    write_pdf(&sheet).map_err(|e| e.to_string())
}

/// The legend of the printed layers, top layer first, drawn by the
/// renderer of GetLegendGraphic with the rules shown at the print's scale,
/// as many times finer as the map's pixels are (sharp on paper, placed at
/// the screen legend's size); layers without named rules have none.
fn legend_entries(layers: &[VisibleLayer<'_>], spec: &PrintSpec) -> Vec<LegendEntry> {
    let ratio = paper_map(spec).pixel_ratio();
    layers
        .iter()
        .rev()
        .filter_map(|layer| {
            let draw = layer.draw_layer();
            if !draw.in_scale(spec.scale) {
                return None;
            }
            let image = legend_at(&draw, spec.lang, Some(spec.scale), ratio)?;
            Some(LegendEntry {
                title: layer.title().get(spec.lang).to_owned(),
                image: on_white(image),
                pixel_ratio: f64::from(ratio),
                names: legend_names(&draw, spec.lang, Some(spec.scale)),
            })
        })
        .collect()
}

/// A legend image (transparent, premultiplied) laid on white paper.
fn on_white(pixmap: Pixmap) -> MapImage {
    let (width, height) = (pixmap.width(), pixmap.height());
    let mut rgba = pixmap.take();
    for pixel in rgba.chunks_exact_mut(4) {
        let clear = 255 - pixel[3];
        for channel in &mut pixel[..3] {
            *channel = channel.saturating_add(clear);
        }
        pixel[3] = 255;
    }
    MapImage {
        rgba,
        width,
        height,
    }
}
