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
