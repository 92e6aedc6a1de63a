//! One catalogue view decides what a caller sees (clauses L3 and L7): for
//! every output — WMS capabilities 1.3.0 and 1.1.1, GetMap, GetFeatureInfo,
//! GetLegendGraphic, `/api/layers`, `/api/search` and `/api/attribution` —
//! a restricted layer is absent for an anonymous caller and present for
//! the operator, and a personal field is absent for both.

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::Value;

use crate::image_diff::decode_png;
use crate::util::{TestServer, client};
use crate::wms::{TOKEN, site_with_map};

const SITE: &str = r##"
[[group]]
id = "alles"
title = "Alles"
members = ["messpunkte", "baustellen"]

[[layer]]
id = "messpunkte"
title = "Öffentliche Messpunkte"
source = { type = "geojson", path = "messpunkte.geojson" }
queryable = [{ field = "name", label = "Name" }, { field = "betreuer", label = "Betreuer" }]
personal = ["betreuer"]
attribution = "Öffentliche Quelle"
search = { kind = "Messpunkt", name = "name" }
[[layer.rule]]
name = "Messpunkt"
symbol = "circle"
symbol_size = 10
fill = "#0000ff"

[[layer]]
id = "baustellen"
title = "Geplante Baustellen"
source = { type = "geojson", path = "baustellen.geojson" }
access = "intern"
queryable = [{ field = "name", label = "Projekt" }, { field = "bauleiter", label = "Bauleiter" }]
personal = ["bauleiter"]
attribution = "Interne Planung"
search = { kind = "Baustelle", name = "name" }
[[layer.rule]]
name = "Baustelle"
fill = "#ff0000"
"##;

const POINTS: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Kröpcke","betreuer":"Erika Mustermann"},"geometry":{"type":"Point","coordinates":[9.7386,52.3745]}}]}"#;

const AREA: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Geheimes Projekt","bauleiter":"Max Mustermann"},"geometry":{"type":"Polygon",
   "coordinates":[[[10.45,52.22],[10.60,52.22],[10.60,52.32],[10.45,52.32],[10.45,52.22]]]}}]}"#;

/// What identifies the restricted layer in any answer.
const RESTRICTED: [&str; 3] = ["baustellen", "Geplante Baustellen", "Interne Planung"];
/// What identifies a personal field or value in any answer.
const PERSONAL: [&str; 5] = [
    "betreuer",
    "Betreuer",
    "bauleiter",
    "Bauleiter",
    "Mustermann",
];

/// A map (CRS:84) showing both layers; the pixels of the public point and
/// of the restricted polygon's centre.
const MAP: &str =
    "BBOX=9.4,52.0,10.8,52.6&WIDTH=350&HEIGHT=150&CRS=CRS:84&STYLES=&FORMAT=image/png";
const AT_POINT: (u32, u32) = (84, 56);
const AT_AREA: (u32, u32) = (281, 82);

fn server() -> (tempfile::TempDir, TestServer) {
    let site = site_with_map(
        SITE,
        &[("messpunkte.geojson", POINTS), ("baustellen.geojson", AREA)],
    );
    let server = TestServer::start_with(site.path(), &[("NUMIS_WMS__OPERATOR_TOKEN", TOKEN)]);
    (site, server)
}

struct Answer {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

async fn get(server: &TestServer, path: &str, token: Option<&str>) -> Answer {
    let mut request = client().get(server.url(path));
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = request.send().await.unwrap();
    Answer {
        status: response.status(),
        content_type: response
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default(),
        body: response.bytes().await.unwrap().to_vec(),
    }
}

#[track_caller]
fn assert_absent(text: &str, markers: &[&str], what: &str) {
    for marker in markers {
        assert!(!text.contains(marker), "{marker} in {what}:\n{text}");
    }
}

fn red_pixels(png: &[u8]) -> usize {
    decode_png(png)
        .pixels()
        .filter(|p| p[3] > 200 && p[0] > 220 && p[1] < 40 && p[2] < 40)
        .count()
}

#[tokio::test]
async fn capabilities_show_the_restricted_layer_only_to_the_operator_and_no_personal_field_to_anyone()
 {
    let (_site, server) = server();
    for version in ["1.3.0", "1.1.1"] {
        let path = format!("/ows?SERVICE=WMS&REQUEST=GetCapabilities&VERSION={version}");
        let public = get(&server, &path, None).await.text();
        assert!(public.contains("messpunkte"), "{public}");
        assert_absent(&public, &RESTRICTED, &format!("public {version}"));
        assert_absent(&public, &PERSONAL, &format!("public {version}"));
        let operator = get(&server, &path, Some(TOKEN)).await.text();
        for marker in RESTRICTED {
            assert!(operator.contains(marker), "{marker} missing in {version}");
        }
        assert_absent(&operator, &PERSONAL, &format!("operator {version}"));
    }
}

#[tokio::test]
async fn get_map_draws_the_restricted_layer_only_for_the_operator() {
    let (_site, server) = server();
    let group = format!("/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=alles&{MAP}");
    let public = get(&server, &group, None).await;
    assert_eq!(public.content_type, "image/png");
    assert_eq!(
        red_pixels(&public.body),
        0,
        "nothing of the restricted layer"
    );
    let operator = get(&server, &group, Some(TOKEN)).await;
    assert!(red_pixels(&operator.body) > 500, "the restricted polygon");
    let direct = format!("/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=baustellen&{MAP}");
    let refused = get(&server, &direct, None).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(
        refused.text().contains("LayerNotDefined"),
        "{}",
        refused.text()
    );
    assert_eq!(
        get(&server, &direct, Some(TOKEN)).await.content_type,
        "image/png"
    );
}

#[tokio::test]
async fn feature_info_finds_the_restricted_layer_only_for_the_operator_and_never_a_personal_field()
{
    let (_site, server) = server();
    for format in ["text/plain", "text/html", "application/json", "text/xml"] {
        let info = |layers: &str, (i, j): (u32, u32)| {
            format!(
                "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={layers}&QUERY_LAYERS={layers}&I={i}&J={j}&INFO_FORMAT={format}&{MAP}"
            )
        };
        let public = get(&server, &info("messpunkte", AT_POINT), None)
            .await
            .text();
        assert!(public.contains("Kröpcke"), "{format}: {public}");
        assert_absent(&public, &PERSONAL, &format!("public {format}"));
        let hidden = get(&server, &info("baustellen", AT_AREA), None)
            .await
            .text();
        assert!(hidden.contains("LayerNotDefined"), "{hidden}");
        assert!(!hidden.contains("Geheimes"), "{hidden}");
        let operator = get(&server, &info("baustellen", AT_AREA), Some(TOKEN))
            .await
            .text();
        assert!(
            operator.contains("Geheimes Projekt"),
            "{format}: {operator}"
        );
        assert_absent(&operator, &PERSONAL, &format!("operator {format}"));
    }
}

#[tokio::test]
async fn the_legend_of_the_restricted_layer_exists_only_for_the_operator() {
    let (_site, server) = server();
    let path =
        "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER=baustellen&FORMAT=image/png";
    let public = get(&server, path, None).await;
    assert!(
        public.text().contains("LayerNotDefined"),
        "{}",
        public.text()
    );
    let operator = get(&server, path, Some(TOKEN)).await;
    assert_eq!(operator.content_type, "image/png");
    assert!(red_pixels(&operator.body) > 0, "the red swatch");
}

#[tokio::test]
async fn the_viewer_catalogue_lists_the_restricted_layer_only_for_the_operator_without_personal_fields()
 {
    let (_site, server) = server();
    let public = get(&server, "/api/layers", None).await;
    assert_eq!(public.status, StatusCode::OK);
    let text = public.text();
    assert!(public.json()["layers"].get("messpunkte").is_some());
    assert_absent(&text, &RESTRICTED, "public /api/layers");
    assert_absent(&text, &PERSONAL, "public /api/layers");
    let operator = get(&server, "/api/layers", Some(TOKEN)).await;
    let catalogue = operator.json();
    assert_eq!(
        catalogue["layers"]["baustellen"]["title"],
        "Geplante Baustellen"
    );
    assert_absent(&operator.text(), &PERSONAL, "operator /api/layers");
}

#[tokio::test]
async fn search_finds_the_restricted_layer_only_for_the_operator_and_never_by_a_personal_value() {
    let (_site, server) = server();
    let hits = |answer: Answer| answer.json()["results"].as_array().unwrap().len();
    assert_eq!(hits(get(&server, "/api/search?q=Geheimes", None).await), 0);
    assert_eq!(hits(get(&server, "/api/search?q=Geplante", None).await), 0);
    assert_eq!(
        hits(get(&server, "/api/search?q=Geheimes", Some(TOKEN)).await),
        1
    );
    assert_eq!(
        hits(get(&server, "/api/search?q=Geplante", Some(TOKEN)).await),
        1
    );
    assert_eq!(hits(get(&server, "/api/search?q=Kröpcke", None).await), 1);
    for token in [None, Some(TOKEN)] {
        let answer = get(&server, "/api/search?q=Mustermann", token).await;
        assert_eq!(hits(answer), 0, "a personal value finds nothing");
    }
}

#[tokio::test]
async fn attribution_names_the_restricted_layer_only_for_the_operator() {
    let (_site, server) = server();
    let path = "/api/attribution?layers=messpunkte,baustellen,gibt_es_nicht";
    let notes = |answer: Answer| answer.json()["notes"].clone();
    assert_eq!(
        notes(get(&server, path, None).await),
        serde_json::json!(["Öffentliche Quelle"])
    );
    assert_eq!(
        notes(get(&server, path, Some(TOKEN)).await),
        serde_json::json!(["Öffentliche Quelle", "Interne Planung"])
    );
    // A group stands for its visible members.
    assert_eq!(
        notes(get(&server, "/api/attribution?layers=alles", None).await),
        serde_json::json!(["Öffentliche Quelle"])
    );
}

#[tokio::test]
async fn attribution_refuses_more_layer_ids_than_a_map_may_draw() {
    let (_site, server) = server();
    let many = vec!["messpunkte"; 65].join(",");
    let answer = get(&server, &format!("/api/attribution?layers={many}"), None).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.text().contains("at most 64"), "{}", answer.text());
    let limit = vec!["messpunkte"; 64].join(",");
    let answer = get(&server, &format!("/api/attribution?layers={limit}"), None).await;
    assert_eq!(
        answer.json()["notes"],
        serde_json::json!(["Öffentliche Quelle"])
    );
}

#[tokio::test]
async fn the_attribution_of_a_demo_map_is_its_base_map_notes_then_its_layer_notes_each_once() {
    let server = crate::wms::demo_server();
    let catalogue = get(&server, "/api/layers?lang=en", None).await.json();
    let answer = get(
        &server,
        "/api/attribution?base=grundkarte&layers=gemeinden,fluesse,seen&lang=en",
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let mut expected: Vec<Value> = catalogue["basemaps"][0]["attribution"]
        .as_array()
        .unwrap()
        .clone();
    for id in ["gemeinden", "fluesse", "seen"] {
        let note = catalogue["layers"][id]["attribution"].clone();
        if !expected.contains(&note) {
            expected.push(note);
        }
    }
    assert!(expected.len() >= 2, "{expected:?}");
    assert_eq!(answer.json()["notes"], Value::Array(expected));
    let none = get(&server, "/api/attribution?base=none&layers=", None).await;
    assert_eq!(none.json()["notes"], serde_json::json!([]));
}
