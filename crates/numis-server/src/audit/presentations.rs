//! L1, L2 and L4, live: for every layer a visitor sees, a printed sheet
//! and an exported image are made as the viewer would ask for them and
//! read back — the PDF's text must hold the layer's source note (and
//! "Daten geändert" exactly when the layer is marked modified), a sheet
//! below A5 the short form, and the image's band below the map must be
//! exactly the band numis draws for the layer's notes.

use std::time::Duration;

use serde_json::{Value, json};
use tiny_skia::Pixmap;
use url::Url;

use super::findings::Findings;
use super::http::{get_json, post_json};
use crate::print::image::with_source_band;

/// The size of the exported test image, in CSS pixels.
const IMAGE: (u32, u32) = (360, 240);
/// How long a print may take before the audit gives up on it.
const PRINT_WAIT: Duration = Duration::from_secs(90);
/// The modification note numis adds (German sheets).
const CHANGED: &str = "Daten geändert";

/// A layer as `/api/layers` lists it for an anonymous caller.
struct Layer {
    id: String,
    modified: bool,
    scale: f64,
}

/// What the prints and images showed.
#[derive(Default)]
pub struct Presentations {
    pub l1: Findings,
    pub l2: Findings,
    pub l4: Findings,
    pub not_run: Vec<String>,
}

/// Prints and exports every layer of `catalogue` (`/api/layers` as the
/// crawl read it) at `base`; `imprint` is the portal's name and today's
/// date as the image band writes them.
pub async fn check(
    client: &reqwest::Client,
    base: &Url,
    catalogue: &Value,
    imprint: &str,
) -> Presentations {
    let mut out = Presentations::default();
    if !catalogue["layers"].is_object() {
        out.not_run
            .push("L1, L2, L4: /api/layers gave no layers to print".into());
        return out;
    }
    let center = center(catalogue);
    let layers = layers(catalogue);
    let papers: Vec<String> = get_json(client, base, "/api/print")
        .await
        .ok()
        .and_then(|p| serde_json::from_value(p["papers"].clone()).ok())
        .unwrap_or_default();
    let mut printed = 0;
    let mut imaged = 0;
    for layer in &layers {
        let notes = match notes(client, base, &layer.id).await {
            Ok(n) => n,
            Err(e) => {
                out.not_run
                    .push(format!("L1: the notes of {:?}: {e}", layer.id));
                continue;
            }
        };
        match print(client, base, layer, center, "A4").await {
            Ok(text) => {
                printed += 1;
                judge_sheet(&text, layer, &notes, &mut out.l1);
                if !squeezed(&text).contains("Quellen:") {
                    out.l2.problem(format!(
                        "the A4 sheet of {:?} has no source block \"Quellen: …\"",
                        layer.id
                    ));
                }
            }
            Err(e) => out
                .not_run
                .push(format!("L1: print of {:?}: {e}", layer.id)),
        }
        match image(client, base, layer, center).await {
            Ok(png) => {
                imaged += 1;
                judge_image(&png, &layer.id, &notes, imprint, &mut out.l4);
            }
            Err(e) => out
                .not_run
                .push(format!("L4: image of {:?}: {e}", layer.id)),
        }
    }
    out.l1.saw(format!(
        "{printed} of {} layers printed (A4, each alone at a scale where it is shown) and the PDF's text read back",
        layers.len()
    ));
    out.l4.saw(format!(
        "{imaged} of {} layers exported as an image ({}×{} px) and the band below the map compared with the band of their notes",
        layers.len(),
        IMAGE.0,
        IMAGE.1
    ));
    short_form(client, base, &layers, center, &papers, &mut out).await;
    out
}

/// L2: the A4 sheets carry the source block (judged above); a sheet below
/// A5, where one is offered, the notes without the heading.
async fn short_form(
    client: &reqwest::Client,
    base: &Url,
    layers: &[Layer],
    center: [f64; 2],
    papers: &[String],
    out: &mut Presentations,
) {
    out.l2
        .saw("A4 sheets carry the source block \"Quellen: …\"");
    let Some(layer) = layers.first() else {
        return;
    };
    if !papers.iter().any(|p| p == "A6") {
        out.l2.saw(format!(
            "no sheet smaller than A5 is offered (papers: {}), so the short form is never needed",
            papers.join(", ")
        ));
        return;
    }
    let notes = notes(client, base, &layer.id).await.unwrap_or_default();
    match print(client, base, layer, center, "A6").await {
        Ok(text) => {
            let text = squeezed(&text);
            let all = notes.iter().all(|n| text.contains(&squeezed(n)));
            if all && !text.contains("Quellen:") {
                out.l2.saw(format!(
                    "an A6 sheet of {:?} carries its notes without the heading",
                    layer.id
                ));
            } else {
                out.l2.problem(format!(
                    "an A6 sheet of {:?} does not carry its notes in the short form",
                    layer.id
                ));
            }
        }
        Err(e) => out.not_run.push(format!("L2: A6 print: {e}")),
    }
}

/// The notes must be on the sheet, "Daten geändert" exactly when the
/// layer is marked modified.
fn judge_sheet(text: &str, layer: &Layer, notes: &[String], l1: &mut Findings) {
    let text = squeezed(text);
    let missing: Vec<&String> = notes
        .iter()
        .filter(|n| !text.contains(&squeezed(n)))
        .collect();
    if notes.is_empty() {
        l1.problem(format!("the layer {:?} has no source note", layer.id));
    } else if !missing.is_empty() {
        l1.problem(format!(
            "the printed sheet of {:?} lacks its source note {:?}",
            layer.id, missing
        ));
    }
    let changed = text.contains(&squeezed(CHANGED));
    if changed != layer.modified {
        l1.problem(format!(
            "the printed sheet of {:?} {} \"{CHANGED}\", but the layer is {}marked modified",
            layer.id,
            if changed { "says" } else { "does not say" },
            if layer.modified { "" } else { "not " }
        ));
    }
}

/// The image's band must be exactly the band numis draws for `notes`
/// below the image's own map.
fn judge_image(png: &[u8], id: &str, notes: &[String], imprint: &str, l4: &mut Findings) {
    let Ok(image) = Pixmap::decode_png(png) else {
        l4.problem(format!("the image of {id:?} is not a PNG"));
        return;
    };
    if image.width() != IMAGE.0 || image.height() <= IMAGE.1 {
        l4.problem(format!(
            "the image of {id:?} is {}×{} px: no band below the {}×{} map",
            image.width(),
            image.height(),
            IMAGE.0,
            IMAGE.1
        ));
        return;
    }
    let map_bytes = (IMAGE.0 * IMAGE.1 * 4) as usize;
    let Some(mut map) = Pixmap::new(IMAGE.0, IMAGE.1) else {
        return;
    };
    map.data_mut().copy_from_slice(&image.data()[..map_bytes]);
    match with_source_band(&map, notes, imprint, 1.0, "de") {
        Ok(expected) if expected.data() == image.data() => {}
        Ok(_) => l4.problem(format!(
            "the band below the image of {id:?} is not the band of its notes {notes:?}"
        )),
        Err(e) => l4.problem(format!(
            "the expected band of {id:?} could not be drawn: {e}"
        )),
    }
}

/// The view's middle: the middle of the viewer's start extent.
fn center(catalogue: &Value) -> [f64; 2] {
    let e = |i: usize| catalogue["extent"][i].as_f64().unwrap_or(0.0);
    if catalogue["extent"].as_array().is_some_and(|a| a.len() == 4) {
        [(e(0) + e(2)) / 2.0, (e(1) + e(3)) / 2.0]
    } else {
        // The middle of Lower Saxony, for a catalogue without extent.
        [550_000.0, 5_850_000.0]
    }
}

/// The layers of the catalogue, each with a scale at which it is shown.
fn layers(catalogue: &Value) -> Vec<Layer> {
    let Some(layers) = catalogue["layers"].as_object() else {
        return Vec::new();
    };
    layers
        .iter()
        .map(|(id, layer)| {
            let min = layer["min_scale"].as_f64().unwrap_or(0.0);
            let max = layer["max_scale"].as_f64().unwrap_or(500_000.0);
            Layer {
                id: id.clone(),
                modified: layer["modified"].as_bool().unwrap_or(false),
                scale: max.max(min).clamp(250.0, 5_000_000.0),
            }
        })
        .collect()
}

async fn notes(client: &reqwest::Client, base: &Url, id: &str) -> Result<Vec<String>, String> {
    let answer = get_json(
        client,
        base,
        &format!("/api/attribution?layers={id}&lang=de"),
    )
    .await?;
    serde_json::from_value(answer["notes"].clone()).map_err(|e| e.to_string())
}

/// Prints `layer` alone on `paper` and answers the PDF's text.
async fn print(
    client: &reqwest::Client,
    base: &Url,
    layer: &Layer,
    center: [f64; 2],
    paper: &str,
) -> Result<String, String> {
    let spec = json!({
        "paper": paper, "orientation": "landscape", "scale": layer.scale, "dpi": 72,
        "center": center, "layers": [layer.id], "title": "numis audit", "lang": "de",
        "legend": false
    });
    let response = post_json(client, base, "/api/print", &spec).await?;
    let status = response.status();
    let job: Value = serde_json::from_str(&response.text().await.map_err(|e| e.to_string())?)
        .map_err(|e| format!("not JSON ({e})"))?;
    if !status.is_success() {
        return Err(format!("{status}: {}", job["error"]));
    }
    let status_url = job["status_url"].as_str().unwrap_or_default().to_owned();
    let started = std::time::Instant::now();
    loop {
        let state = get_json(client, base, &status_url).await?;
        match state["status"].as_str() {
            Some("done") => break,
            Some("failed") => return Err(format!("the print failed: {}", state["error"])),
            _ if started.elapsed() > PRINT_WAIT => return Err("the print took too long".into()),
            _ => tokio::time::sleep(Duration::from_millis(150)).await,
        }
    }
    let pdf_url = base
        .join(job["pdf_url"].as_str().unwrap_or_default())
        .map_err(|e| e.to_string())?;
    let pdf = client
        .get(pdf_url)
        .send()
        .await
        .map_err(|e| format!("no PDF ({e})"))?
        .bytes()
        .await
        .map_err(|e| e.to_string())?;
    pdf_extract::extract_text_from_mem(&pdf)
        .map_err(|e| format!("the PDF's text could not be read ({e})"))
}

/// Exports `layer` alone as the viewer's image.
async fn image(
    client: &reqwest::Client,
    base: &Url,
    layer: &Layer,
    center: [f64; 2],
) -> Result<Vec<u8>, String> {
    let spec = json!({
        "center": center, "resolution": layer.scale * 0.00028, "width": IMAGE.0, "height": IMAGE.1,
        "ratio": 1, "layers": [layer.id], "lang": "de"
    });
    let response = post_json(client, base, "/api/export", &spec).await?;
    if !response.status().is_success() {
        return Err(format!("{}", response.status()));
    }
    Ok(response.bytes().await.map_err(|e| e.to_string())?.to_vec())
}

/// `text` without any whitespace: a PDF's text breaks and spaces words
/// as its layout does, not as the note was written.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(modified: bool) -> Layer {
        Layer {
            id: "seen".into(),
            modified,
            scale: 250_000.0,
        }
    }

    #[test]
    fn a_sheet_needs_every_note_and_the_change_note_exactly_when_modified() {
        let notes = vec!["© GeoBasis-DE / BKG 2016, dl-de/by-2-0, Daten geändert".to_owned()];
        let text =
            "numis audit\nQuellen: © GeoBasis-DE / BKG\n2016, dl-de/by-2-0, Daten\ngeändert\n";
        let mut l1 = Findings::default();
        judge_sheet(text, &layer(true), &notes, &mut l1);
        assert!(l1.problems.is_empty(), "{l1:?}");
        judge_sheet(text, &layer(false), &notes, &mut l1);
        assert_eq!(l1.problems.len(), 1, "{l1:?}");
        let mut missing = Findings::default();
        judge_sheet(
            "Quellen: nichts",
            &layer(false),
            &["© LGLN".into()],
            &mut missing,
        );
        assert!(
            missing.problems[0].contains("lacks its source note"),
            "{missing:?}"
        );
    }

    #[test]
    fn an_image_whose_band_is_not_the_notes_is_found() {
        let mut map = Pixmap::new(IMAGE.0, IMAGE.1).unwrap();
        map.fill(tiny_skia::Color::from_rgba8(200, 220, 240, 255));
        let notes = vec!["© BKG 2016".to_owned()];
        let image = with_source_band(&map, &notes, "Portal · 7. Dezember 2026", 1.0, "de").unwrap();
        let png = image.encode_png().unwrap();
        let mut l4 = Findings::default();
        judge_image(&png, "seen", &notes, "Portal · 7. Dezember 2026", &mut l4);
        assert!(l4.problems.is_empty(), "{l4:?}");
        judge_image(
            &png,
            "seen",
            &["© LGLN 2026".into()],
            "Portal · 7. Dezember 2026",
            &mut l4,
        );
        assert_eq!(l4.problems.len(), 1, "{l4:?}");
    }
}
