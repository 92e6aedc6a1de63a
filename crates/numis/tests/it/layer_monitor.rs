//! The operator's layer monitor (`/api/admin/layers`): a layer whose source
//! cannot be loaded is left out of the map and reported with its error,
//! the rest is served, and GetMaps are counted and timed per layer.

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CACHE_CONTROL};
use serde_json::Value;

use crate::image_diff::decode_png;
use crate::util::{TestServer, client, run_numis};
use crate::wms::site_with_map;

const OPERATOR: &str = "monitor-token";

const MAP: &str = r##"
[viewer]
visible = ["good", "broken"]

[[layer]]
id = "good"
title = "Gute Punkte"
source = { type = "geojson", path = "good.geojson" }
licence = { id = "CC-BY-4.0", url = "https://creativecommons.org/licenses/by/4.0/" }
data_date = "2024-05-01"
[[layer.rule]]
fill = "#ff0000"
symbol_size = 12

[[layer]]
id = "broken"
title = "Kaputt"
source = { type = "geojson", path = "broken.geojson" }
[[layer.rule]]
fill = "#0000ff"
"##;

const GOOD: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[9.73,52.37]}},
 {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[10.52,52.26]}}]}"#;

fn get_map(server: &TestServer, layers: &str, bbox: &str) -> String {
    server.url(&format!(
        "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layers}&STYLES=&CRS=CRS:84&BBOX={bbox}&WIDTH=64&HEIGHT=64&FORMAT=image/png"
    ))
}

#[tokio::test]
async fn a_broken_source_is_reported_and_the_rest_of_the_map_is_served() {
    let site = site_with_map(
        MAP,
        &[
            ("good.geojson", GOOD),
            (
                "broken.geojson",
                r#"{"type":"FeatureCollection","features":[{"#,
            ),
        ],
    );
    let server = TestServer::start_with(site.path(), &[("NUMIS_OPERATOR__TOKEN", OPERATOR)]);

    let capabilities = client()
        .get(server.url("/ows?SERVICE=WMS&REQUEST=GetCapabilities"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(capabilities.contains("<Name>good</Name>"), "{capabilities}");
    assert!(
        !capabilities.contains("<Name>broken</Name>"),
        "{capabilities}"
    );

    // Three maps of different extents, so each one is drawn.
    for bbox in [
        "9.5,52.2,9.9,52.5",
        "9.6,52.3,9.8,52.4",
        "9.0,52.0,11.0,53.0",
    ] {
        let response = client()
            .get(get_map(&server, "good", bbox))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(content_type, "image/png");
        let png = response.bytes().await.unwrap();
        let image = decode_png(&png);
        assert!(
            image.pixels().any(|p| p == [255, 0, 0, 255]),
            "the good layer is drawn"
        );
    }
    let broken = client()
        .get(get_map(&server, "broken", "9.5,52.2,9.9,52.5"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(broken.contains("LayerNotDefined"), "{broken}");

    let url = server.url("/api/admin/layers");
    let anonymous = client().get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong = client()
        .get(&url)
        .header(AUTHORIZATION, "Bearer not-the-token")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let response = client()
        .get(&url)
        .header(AUTHORIZATION, format!("Bearer {OPERATOR}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    let monitor: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    let layers = monitor["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2, "{monitor:#}");

    let good = &layers[0];
    assert_eq!(good["id"], "good");
    assert_eq!(good["status"], "ok");
    assert_eq!(good["error"], Value::Null);
    assert_eq!(good["source"]["type"], "geojson");
    assert_eq!(good["source"]["path"], "good.geojson");
    assert_eq!(good["features"], 2);
    assert_eq!(good["data_date"], "2024-05-01");
    assert_eq!(good["licence"]["id"], "CC-BY-4.0");
    assert_eq!(good["access"], "public");
    let wgs84: Vec<f64> = serde_json::from_value(good["extent"]["wgs84"]["bbox"].clone()).unwrap();
    assert_eq!(wgs84, [9.73, 52.26, 10.52, 52.37]);
    assert_eq!(good["extent"]["native"]["crs"], "EPSG:25832");
    let native: Vec<f64> =
        serde_json::from_value(good["extent"]["native"]["bbox"].clone()).unwrap();
    assert!(
        native[0] > 500_000.0 && native[0] < 600_000.0 && native[1] > 5_700_000.0,
        "{native:?}"
    );
    assert!(
        good["loaded_at"].as_str().unwrap().ends_with('Z'),
        "{good:#}"
    );
    assert!(good["load_ms"].as_f64().unwrap() > 0.0, "{good:#}");
    assert_eq!(good["requests"], 3, "{good:#}");
    assert_eq!(good["errors"], 0, "{good:#}");
    assert_eq!(good["renders"], 3, "{good:#}");
    let p50 = good["render_ms"]["p50"].as_f64().unwrap();
    let p99 = good["render_ms"]["p99"].as_f64().unwrap();
    assert!(p50 > 0.0 && p99 >= p50, "{good:#}");

    let broken = &layers[1];
    assert_eq!(broken["id"], "broken");
    assert_eq!(broken["status"], "error");
    let error = broken["error"].as_str().unwrap();
    assert!(
        error.contains("broken.geojson") && error.contains("not valid GeoJSON"),
        "{error}"
    );
    assert_eq!(broken["features"], Value::Null);
    assert_eq!(
        broken["requests"], 0,
        "an unknown layer is no request of it"
    );

    // `numis check` still fails on the broken source.
    let (status, output) = run_numis(&["check", "--site-dir", site.path().to_str().unwrap()]);
    assert!(!status.success(), "{output}");
    assert!(
        output.contains("[layer broken]") && output.contains("left out of the map"),
        "{output}"
    );
}

#[tokio::test]
async fn without_a_token_the_monitor_does_not_exist() {
    let site = site_with_map(MAP, &[("good.geojson", GOOD), ("broken.geojson", "")]);
    let server = TestServer::start(site.path());
    let response = client()
        .get(server.url("/api/admin/layers"))
        .header(AUTHORIZATION, "Bearer anything")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
