//! Printed maps over HTTP (issue 14, clauses L1, L2): a print spec is
//! queued, made and downloaded as a PDF whose text carries the title, the
//! scale, the date and the source note of every printed layer, whose page
//! has the paper's size, whose map is drawn, and which qpdf accepts; bad
//! specs are refused with a reason.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::image_diff::decode_png;
use crate::util::{TestServer, client, demo_site};

/// A poppler-utils or qpdf tool, or a visible skip outside CI.
fn tool(name: &str) -> Option<Command> {
    if Command::new(name).arg("-v").output().is_err() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "{name} is missing (tests/clients/setup.sh installs it)"
        );
        eprintln!("SKIPPED: {name} is not installed");
        return None;
    }
    Some(Command::new(name))
}

fn run(mut command: Command) -> Vec<u8> {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn spec() -> Value {
    json!({
        "paper": "A4",
        "orientation": "landscape",
        "scale": 250000,
        "dpi": 150,
        "center": [550000, 5800000],
        "layers": ["land", "gemeinden"],
        "title": "Gemeinden um Hannover",
        "comment": "Anlage zur Sitzung",
        "permalink": "/karte?c=550000,5800000&s=250000&l=gemeinden",
        "grid": true,
    })
}

async fn post(server: &TestServer, body: &Value) -> (StatusCode, Value) {
    let response = client()
        .post(server.url("/api/print"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get_json(server: &TestServer, path: &str) -> Value {
    let text = client()
        .get(server.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Asks for the job until it is done or failed.
async fn finished(server: &TestServer, id: &str) -> Value {
    for _ in 0..600 {
        let status = get_json(server, &format!("/api/print/{id}")).await;
        if status["status"] == "done" || status["status"] == "failed" {
            return status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("print {id} did not finish");
}

#[tokio::test]
async fn a_print_carries_title_scale_date_and_every_layers_source_note() {
    let server = TestServer::start(&demo_site());
    let (status, job) = post(&server, &spec()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_str().unwrap();
    let done = finished(&server, id).await;
    assert_eq!(done["status"], "done", "{done}");
    let response = client()
        .get(server.url(&format!("/api/print/{id}/pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert!(response.headers().get("set-cookie").is_none());
    let pdf = response.bytes().await.unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/print-samples");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("api-a4-landscape.pdf");
    std::fs::write(&path, &pdf).unwrap();

    let notes = get_json(&server, "/api/attribution?layers=land,gemeinden&lang=de").await;
    let notes: Vec<String> = notes["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect();
    assert!(!notes.is_empty());

    let Some(mut pdftotext) = tool("pdftotext") else {
        return;
    };
    pdftotext.arg(&path).arg("-");
    let squeeze = |t: &str| t.split_whitespace().collect::<String>();
    let text = squeeze(&String::from_utf8(run(pdftotext)).unwrap());
    let today = chrono::Utc::now().date_naive();
    let date = today.format("%-d.%-m.%Y").to_string();
    for expected in [
        "Legende",
        // The UTM grid's lines at 10 km around the centre.
        "550.000",
        "5.800.000",
        "Gemeinden um Hannover",
        "Anlage zur Sitzung",
        "Maßstab 1:250.000",
        &format!("Erstellt am {date}"),
        "/karte?c=550000,5800000&s=250000&l=gemeinden",
    ]
    .into_iter()
    .chain(notes.iter().map(String::as_str))
    {
        assert!(text.contains(&squeeze(expected)), "{expected:?} in {text}");
    }

    let Some(mut pdfinfo) = tool("pdfinfo") else {
        return;
    };
    pdfinfo.arg(&path);
    let info = String::from_utf8(run(pdfinfo)).unwrap();
    assert!(info.contains("841.89 x 595.276 pts (A4)"), "{info}");

    let Some(mut qpdf) = tool("qpdf") else {
        return;
    };
    qpdf.arg("--check").arg(&path);
    run(qpdf);

    // The map is drawn: page 1 at 40 dpi, the middle of the map area holds
    // the state's fill and its borders, not only white.
    let Some(mut pdftoppm) = tool("pdftoppm") else {
        return;
    };
    let page = dir.join("api-a4-landscape");
    pdftoppm
        .args(["-r", "40", "-png", "-singlefile"])
        .arg(&path)
        .arg(&page);
    run(pdftoppm);
    let image = decode_png(&std::fs::read(page.with_extension("png")).unwrap());
    let (w, h) = (image.width as usize, image.height as usize);
    let mut colours = std::collections::HashSet::new();
    let mut non_white = 0;
    for y in h / 4..h * 3 / 5 {
        for x in w / 5..w * 4 / 5 {
            let i = (y * w + x) * 4;
            let pixel = [image.rgba[i], image.rgba[i + 1], image.rgba[i + 2]];
            colours.insert(pixel);
            if pixel != [255, 255, 255] {
                non_white += 1;
            }
        }
    }
    assert!(
        colours.len() > 3,
        "the map shows more than paper: {}",
        colours.len()
    );
    assert!(
        non_white > 100,
        "{non_white} non-white pixels in the map area"
    );
}

#[tokio::test]
async fn bad_specs_are_refused_with_a_reason_and_unknown_jobs_do_not_exist() {
    let server = TestServer::start(&demo_site());
    let with = |key: &str, value: Value| {
        let mut s = spec();
        s[key] = value;
        s
    };
    for (body, says) in [
        (with("dpi", json!(1200)), "72 to 300 dpi"),
        (with("scale", json!(10)), "out of range"),
        (with("paper", json!("A0")), "not offered here"),
        (with("layers", json!(["gibt_es_nicht"])), "does not exist"),
        (with("layers", json!([])), "1 to 30"),
        (with("center", json!([9.7, 52.4])), "EPSG:25832"),
        (with("colour", json!("red")), "unknown field"),
    ] {
        let (status, answer) = post(&server, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(says), "{says:?} in {error}");
    }
    let huge = client()
        .post(server.url("/api/print"))
        .header("content-type", "application/json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    for path in ["/api/print/unbekannt", "/api/print/unbekannt/pdf"] {
        let response = client().get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        client()
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK,
        "the server stays up"
    );
}

/// The PDF of a finished job.
async fn pdf_of(server: &TestServer, body: &Value) -> Vec<u8> {
    let (status, job) = post(server, body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_str().unwrap();
    let done = finished(server, id).await;
    assert_eq!(done["status"], "done", "{done}");
    client()
        .get(server.url(&format!("/api/print/{id}/pdf")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

/// Writes `pdf` under target/print-samples as `name`.
fn sample(pdf: &[u8], name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/print-samples");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    path
}

/// The text of the PDF at `path`, without whitespace (pdftotext breaks
/// lines where the sheet does).
fn squeezed_text(path: &std::path::Path) -> Option<String> {
    let mut pdftotext = tool("pdftotext")?;
    pdftotext.arg(path).arg("-");
    let text = String::from_utf8(run(pdftotext)).unwrap();
    Some(text.split_whitespace().collect())
}

/// A blue area east of 9.8° E (the right part of a map around easting
/// 550,000) with a named point in it.
fn blue_drawing() -> Value {
    json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"stroke": "#0000ff", "fill": "#0000ff", "fill-opacity": 1.0},
         "geometry": {"type": "Polygon", "coordinates": [[[9.8, 51.0], [11.5, 51.0], [11.5, 53.8], [9.8, 53.8], [9.8, 51.0]]]}},
        {"type": "Feature", "properties": {"name": "Treffpunkt am Maschsee", "icon": "circle"},
         "geometry": {"type": "Point", "coordinates": [9.6, 52.3]}}
    ]})
}

#[tokio::test]
async fn a_drawing_is_printed_at_its_place_and_marks_the_data_changed_exactly_then() {
    let server = TestServer::start(&demo_site());
    // The air quality stations are not marked modified: alone, their
    // print does not say "Daten geändert".
    let plain = json!({
        "paper": "A4", "orientation": "landscape", "scale": 250000, "dpi": 100,
        "center": [550000, 5800000], "layers": ["luftmessstationen"],
        "title": "Ohne Zeichnung", "legend": false,
    });
    let mut drawn = plain.clone();
    drawn["title"] = json!("Mit Zeichnung");
    drawn["overlays"] = json!([{"kind": "drawing", "geojson": blue_drawing()}]);
    drawn["marker"] = json!([530000, 5790000]);
    let plain_path = sample(&pdf_of(&server, &plain).await, "api-no-drawing.pdf");
    let drawn_path = sample(&pdf_of(&server, &drawn).await, "api-drawing.pdf");

    let Some(plain_text) = squeezed_text(&plain_path) else {
        return;
    };
    assert!(plain_text.contains("Luftqualität"), "{plain_text}");
    assert!(!plain_text.contains("Datengeändert"), "{plain_text}");
    let drawn_text = squeezed_text(&drawn_path).unwrap_or_default();
    assert!(drawn_text.contains("Datengeändert"), "{drawn_text}");

    // Page 1 at 30 dpi: the map's right part is blue, its left is not.
    let Some(mut pdftoppm) = tool("pdftoppm") else {
        return;
    };
    let page = drawn_path.with_extension("");
    pdftoppm
        .args(["-r", "30", "-png", "-singlefile"])
        .arg(&drawn_path)
        .arg(&page);
    run(pdftoppm);
    let image = decode_png(&std::fs::read(page.with_extension("png")).unwrap());
    let (w, h) = (image.width as usize, image.height as usize);
    let blue_share = |from: f64, to: f64| {
        let (mut blue, mut all) = (0, 0);
        for y in h * 2 / 5..h * 3 / 5 {
            for x in (w as f64 * from) as usize..(w as f64 * to) as usize {
                let i = (y * w + x) * 4;
                all += 1;
                if image.rgba[i + 2] > 200 && image.rgba[i] < 60 && image.rgba[i + 1] < 60 {
                    blue += 1;
                }
            }
        }
        f64::from(blue) / f64::from(all)
    };
    assert!(
        blue_share(0.75, 0.9) > 0.8,
        "right: {}",
        blue_share(0.75, 0.9)
    );
    assert!(
        blue_share(0.1, 0.4) < 0.05,
        "left: {}",
        blue_share(0.1, 0.4)
    );
}

#[tokio::test]
async fn the_offer_names_the_papers_and_each_sheets_map_size() {
    let server = TestServer::start(&demo_site());
    let offer = get_json(&server, "/api/print").await;
    assert_eq!(offer["papers"], json!(["A5", "A4", "A3"]));
    assert_eq!(offer["dpis"], json!([150, 300]));
    let layouts = offer["layouts"].as_array().unwrap();
    assert_eq!(layouts.len(), 3 * 2 * 2 * 2);
    let map_mm = |paper: &str, orientation: &str, legend: bool| {
        let layout = layouts
            .iter()
            .find(|l| {
                l["paper"] == paper
                    && l["orientation"] == orientation
                    && l["legend"] == legend
                    && l["comment"] == false
            })
            .unwrap();
        let [w, h] = [0, 1].map(|i| layout["map_mm"][i].as_f64().unwrap());
        (w, h)
    };
    let (w, h) = map_mm("A4", "landscape", false);
    assert!(
        w > 250.0 && w < 297.0 && h > 120.0 && h < 210.0,
        "{w} × {h}"
    );
    let (with_legend, _) = map_mm("A4", "landscape", true);
    assert!(with_legend < w, "the legend's column narrows the map");
    let (pw, ph) = map_mm("A4", "portrait", false);
    assert!(pw < ph || pw < w, "{pw} × {ph}");
}

#[tokio::test]
async fn every_paper_has_its_size_and_a_long_legend_flows_to_page_two() {
    let server = TestServer::start(&demo_site());
    let every_layer = json!([
        "land",
        "nachbarlaender",
        "kuestengewaesser",
        "kreise",
        "gemeinden",
        "seen",
        "fluesse",
        "nationalparke",
        "orte",
        "luftmessstationen"
    ]);
    for (paper, orientation, size, legend) in [
        ("A5", "portrait", "419.528 x 595.276 pts", false),
        ("A4", "portrait", "595.276 x 841.89 pts", false),
        ("A3", "landscape", "1190.55 x 841.89 pts", false),
        ("A5", "landscape", "595.276 x 419.528 pts", true),
    ] {
        let body = json!({
            "paper": paper, "orientation": orientation, "scale": 100000, "dpi": 72,
            "center": [550000, 5800000], "layers": every_layer, "legend": legend,
            "title": format!("{paper} {orientation}"),
        });
        let path = sample(
            &pdf_of(&server, &body).await,
            &format!("api-{paper}-{orientation}.pdf").to_lowercase(),
        );
        let Some(mut pdfinfo) = tool("pdfinfo") else {
            return;
        };
        pdfinfo.arg(&path);
        let info = String::from_utf8(run(pdfinfo)).unwrap();
        assert!(info.contains(size), "{paper} {orientation}: {info}");
        if legend {
            // Ten layers' legends do not fit beside an A5 map.
            assert!(info.contains("Pages:           2"), "{info}");
            let text = squeezed_text(&path).unwrap_or_default();
            assert!(text.contains("Legende(Fortsetzung)"), "{text}");
        }
    }
}

/// An A3 at 300 dpi of every layer at 1:1,000,000: most of a second of
/// drawing.
fn heavy() -> Value {
    json!({
        "paper": "A3", "orientation": "landscape", "scale": 1000000, "dpi": 300,
        "center": [550000, 5800000],
        "layers": ["land", "nachbarlaender", "kreise", "gemeinden", "seen", "fluesse", "orte"],
        "title": "Schwer",
    })
}

async fn stays_up(server: &TestServer) {
    let health = client().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK, "the server stays up");
}

#[tokio::test]
async fn too_many_features_and_a_full_queue_are_refused() {
    let server = TestServer::start_with(
        &demo_site(),
        &[("NUMIS_PRINT__WORKERS", "1"), ("NUMIS_PRINT__QUEUE", "1")],
    );
    let points: Vec<Value> = (0..10_001)
        .map(|i| {
            json!({"type": "Feature", "properties": {},
                   "geometry": {"type": "Point", "coordinates": [9.0 + f64::from(i) * 1e-4, 52.4]}})
        })
        .collect();
    let mut crowded = spec();
    crowded["overlays"] =
        json!([{"kind": "import", "geojson": {"type": "FeatureCollection", "features": points}}]);
    let (status, answer) = post(&server, &crowded).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"]
            .as_str()
            .unwrap_or_default()
            .contains("10000"),
        "{answer}"
    );

    // The first takes the one worker, the second waits in the queue of
    // one, the third finds it full.
    let (first, job) = post(&server, &heavy()).await;
    assert_eq!(first, StatusCode::ACCEPTED, "{job}");
    let (second, _) = post(&server, &heavy()).await;
    assert_eq!(second, StatusCode::ACCEPTED);
    let (third, refused) = post(&server, &heavy()).await;
    assert_eq!(third, StatusCode::TOO_MANY_REQUESTS, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap_or_default()
            .contains("queue is full"),
        "{refused}"
    );
    let done = finished(&server, job["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "done", "{done}");
    stays_up(&server).await;
}

#[tokio::test]
async fn a_print_over_its_time_limit_ends_with_a_clear_error() {
    let server = TestServer::start_with(&demo_site(), &[("NUMIS_PRINT__JOB_SECONDS", "0.05")]);
    let (status, job) = post(&server, &heavy()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_str().unwrap();
    let done = finished(&server, id).await;
    assert_eq!(done["status"], "failed", "{done}");
    let error = done["error"].as_str().unwrap_or_default();
    assert!(error.contains("time limit"), "{error}");
    let pdf = client()
        .get(server.url(&format!("/api/print/{id}/pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::CONFLICT);
    stays_up(&server).await;
}

async fn export(server: &TestServer, body: &Value) -> reqwest::Response {
    client()
        .post(server.url("/api/export"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_exported_image_has_the_views_size_and_its_source_notes_below() {
    let server = TestServer::start(&demo_site());
    let view = |ratio: u32| {
        json!({
            "center": [550000, 5800000], "resolution": 70.0, "width": 600, "height": 400,
            "ratio": ratio, "layers": ["land", {"id": "gemeinden", "opacity": 50}],
            "overlays": [{"kind": "drawing", "geojson": blue_drawing()}], "lang": "de",
        })
    };
    let mut heights = Vec::new();
    for ratio in [1, 2] {
        let response = export(&server, &view(ratio)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "image/png");
        let image = decode_png(&response.bytes().await.unwrap());
        assert_eq!(image.width, 600 * ratio);
        assert!(image.height > 400 * ratio, "a band below the map");
        heights.push(image.height);
        // The band holds text: dark pixels below the map.
        let w = image.width as usize;
        let band = &image.rgba[(400 * ratio as usize + 2) * w * 4..];
        let dark = band.chunks_exact(4).filter(|p| p[0] < 90).count();
        assert!(dark > 50, "{dark} dark pixels in the band");
        // The drawing is in the image: blue on the right of the map.
        let i = ((200 * ratio as usize) * w + 560 * ratio as usize) * 4;
        assert_eq!(&image.rgba[i..i + 3], &[0, 0, 255]);
    }
    assert!(
        heights[1].abs_diff(heights[0] * 2) <= 2,
        "the band grows with the ratio: {heights:?}"
    );

    let mut wide = view(1);
    wide["width"] = json!(5000);
    let response = export(&server, &wide).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let answer: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert!(
        answer["error"].as_str().unwrap().contains("width"),
        "{answer}"
    );
}
