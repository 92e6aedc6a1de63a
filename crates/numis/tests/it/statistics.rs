//! The anonymous event counts (clause P1): a known set of requests leaves
//! exactly the expected counts in the store, and nothing of what the
//! client sent beyond ids the operator wrote.

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;

use crate::util::{TestServer, client, demo_site};

const LINE: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Weg"},
   "geometry":{"type":"LineString","coordinates":[[9.735,52.366],[9.741,52.359]]}}]}"#;

fn get_map(layers: &str) -> String {
    format!(
        "/ows?SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS={layers}&STYLES=&CRS=EPSG:25832\
         &BBOX=330000,5680000,690000,5990000&WIDTH=60&HEIGHT=50&FORMAT=image/png"
    )
}

#[tokio::test]
async fn known_requests_leave_exactly_their_event_counts() {
    let mut server = TestServer::start_with(&demo_site(), &[("NUMIS_STATS__FLUSH_SECONDS", "1")]);
    let http = client();
    let search_term = "suchmarker9e1f";
    let unknown_layer = "ebenenmarker3c7a";
    let page_marker = "seitenmarker5b2d";
    let paths = [
        "/karte".to_owned(),
        "/embed".to_owned(),
        get_map("land"),
        get_map("land,gemeinden"),
        get_map(unknown_layer),
        format!("/api/search?q={search_term}"),
        format!("/datenschutz?{page_marker}=1"),
    ];
    for path in &paths {
        let response = http.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let created = http
        .post(server.url("/api/drawings"))
        .header(CONTENT_TYPE, "application/geo+json")
        .body(LINE)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let body: serde_json::Value = serde_json::from_str(&created.text().await.unwrap()).unwrap();
    let id = body["id"].as_str().unwrap().to_owned();
    let kml = http
        .get(server.url(&format!("/api/drawings/{id}.kml")))
        .send()
        .await
        .unwrap();
    assert_eq!(kml.status(), StatusCode::OK);

    // Two flushes pass; the rest is written at shutdown.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let status = server.stop();
    assert!(status.success(), "clean shutdown: {status}");

    use numis_store::Store;
    let store = server.store().await;
    let today = chrono::Utc::now().date_naive();
    let mut counts: Vec<(String, String, u64)> = store
        .event_counts(today - chrono::Days::new(1), today + chrono::Days::new(1))
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.event, c.subject, c.count))
        .collect();
    counts.sort();
    let expected: Vec<(String, String, u64)> = [
        ("drawing.create", "", 1),
        ("drawing.export", "kml", 1),
        ("embed.view", "", 1),
        ("map.view", "", 1),
        ("page.view", "/datenschutz", 1),
        ("search", "", 1),
        ("wms.getmap", "gemeinden", 1),
        ("wms.getmap", "land", 2),
        ("wms.request", "GetMap", 3),
        ("wms.unknown_layer", "", 1),
    ]
    .into_iter()
    .map(|(e, s, n)| (e.to_owned(), s.to_owned(), n))
    .collect();
    assert_eq!(counts, expected);
    store.close().await;

    for (path, bytes) in server.stored_data() {
        for marker in [search_term, unknown_layer, page_marker] {
            assert!(
                !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
                "{marker} found in {path}"
            );
        }
    }
}
