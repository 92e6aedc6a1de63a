//! Running the portal: health and metrics, shutdown, reload on change,
//! `numis check`, broken pages, unusable data directories, statistics
//! retention.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::util::{TestServer, client, copy_tree, demo_site, run_numis};
use crate::wms::site_with_map;

#[tokio::test]
async fn health_and_metrics_report_the_running_server() {
    let mut server = TestServer::start(&demo_site());
    let http = client();
    let health = http.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    http.get(server.url("/datenschutz")).send().await.unwrap();
    http.get(server.url("/nirgendwo-123")).send().await.unwrap();
    let metrics = http
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"numis_http_requests_total{route="/datenschutz",status="2xx"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"route="/{*path}",status="4xx""#),
        "unknown paths are counted under a template: {metrics}"
    );
    assert!(
        !metrics.contains("nirgendwo"),
        "raw paths never become labels"
    );
    assert!(
        metrics.contains("numis_http_request_duration_seconds_bucket"),
        "{metrics}"
    );
    assert!(server.stop().success(), "SIGTERM ends the server cleanly");
    assert!(server.log().contains("numis stopped"));
}

/// A demo site copy with one page whose front matter is broken.
fn site_with_broken_page() -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    copy_tree(&demo_site(), site.path());
    let folder = site.path().join("pages/03.kaputt");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("default.de.md"),
        "---\ntitle: Kaputt\nmenu: [nicht geschlossen\n---\nText\n",
    )
    .unwrap();
    site
}

#[tokio::test]
async fn a_page_with_broken_front_matter_answers_500_and_the_rest_keeps_working() {
    let site = site_with_broken_page();
    let server = TestServer::start(site.path());
    let http = client();
    let broken = http.get(server.url("/kaputt")).send().await.unwrap();
    assert_eq!(broken.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let html = broken.text().await.unwrap();
    assert!(
        html.contains("500") && html.contains("numis.css"),
        "a themed error page: {html}"
    );
    for path in ["/", "/datenschutz", "/en/hilfe"] {
        assert_eq!(
            http.get(server.url(path)).send().await.unwrap().status(),
            StatusCode::OK,
            "{path}"
        );
    }
    let log = server.log();
    // The flow sequence opened on line 3 is found unclosed at line 4.
    assert!(
        log.contains("03.kaputt/default.de.md:4: "),
        "the log names file and line:\n{log}"
    );
}

#[test]
fn check_reports_broken_pages_with_file_and_line() {
    let site = site_with_broken_page();
    let (status, output) = run_numis(&["check", "--site-dir", site.path().to_str().unwrap()]);
    assert_eq!(status.code(), Some(1), "{output}");
    assert!(
        output.contains("03.kaputt/default.de.md:4: did not find expected"),
        "{output}"
    );
    let (status, output) = run_numis(&["check", "--site-dir", demo_site().to_str().unwrap()]);
    assert!(status.success(), "the demo site is clean: {output}");
}

#[test]
fn check_reports_a_bad_configuration_with_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("numis.toml");
    std::fs::write(&config, "[stats]\nretention_days = \"forever\"\n").unwrap();
    let (status, output) = run_numis(&["check", "--config", config.to_str().unwrap()]);
    assert!(!status.success());
    assert!(output.contains("stats.retention_days"), "{output}");
}

#[test]
fn check_reports_a_store_url_it_cannot_use_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("numis.toml");
    let site = demo_site();
    std::fs::write(
        &config,
        format!(
            "site_dir = {:?}\n[store]\nurl = \"mysql://numis:geheim@db/numis\"\n",
            site.to_str().unwrap()
        ),
    )
    .unwrap();
    let (status, output) = run_numis(&["check", "--config", config.to_str().unwrap()]);
    assert!(!status.success(), "{output}");
    assert!(
        output.contains("store.url must start with postgres://"),
        "{output}"
    );
    assert!(!output.contains("geheim"), "{output}");
}

#[test]
fn an_unusable_data_directory_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, "x").unwrap();
    let data_dir = file.join("var");
    let (status, output) = run_numis(&[
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--site-dir",
        demo_site().to_str().unwrap(),
        "--data-dir",
        data_dir.to_str().unwrap(),
    ]);
    assert!(!status.success());
    assert!(
        output.contains("data directory") && output.contains("not-a-directory"),
        "{output}"
    );
    assert!(!output.contains("panicked"), "{output}");
}

async fn wait_for(server: &TestServer, path: &str, needle: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        let body = client()
            .get(server.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if body.contains(needle) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn edited_pages_are_served_without_a_restart() {
    let site = tempfile::tempdir().unwrap();
    copy_tree(&demo_site(), site.path());
    let server = TestServer::start(site.path());
    let page = site.path().join("pages/02.hilfe/default.de.md");
    let before = client()
        .get(server.url("/hilfe"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!before.contains("Frisch geändert"));
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, format!("{text}\n\nFrisch geändert.\n")).unwrap();
    assert!(
        wait_for(&server, "/hilfe", "Frisch geändert").await,
        "the edit shows up:\n{}",
        server.log()
    );
}

#[tokio::test]
async fn statistics_older_than_the_retention_time_are_purged() {
    use numis_store::{AccessCount, StatusClass, Store};
    let data = tempfile::tempdir().unwrap();
    let today = chrono::Utc::now().date_naive();
    let store = numis_store::SqlStore::open_sqlite(data.path())
        .await
        .unwrap();
    let count = |days_ago: u64| AccessCount {
        day: today - chrono::Days::new(days_ago),
        route: "/".into(),
        status: StatusClass::of(200),
        requests: 1,
        bytes: 1,
    };
    store
        .add_access_counts(&[count(800), count(729), count(1)])
        .await
        .unwrap();
    store.close().await;
    let (status, output) = run_numis(&["purge", "--data-dir", data.path().to_str().unwrap()]);
    assert!(status.success(), "{output}");
    assert!(
        output.contains("purged 1 "),
        "default retention is two years: {output}"
    );
    let store = numis_store::SqlStore::open_sqlite(data.path())
        .await
        .unwrap();
    let left = store
        .access_counts(today - chrono::Days::new(1000), today)
        .await
        .unwrap();
    assert_eq!(left.len(), 2);
    store.close().await;
    // A shorter configured retention purges more.
    let (status, output) = {
        let config = data.path().join("numis.toml");
        std::fs::write(&config, "[stats]\nretention_days = 30\n").unwrap();
        run_numis(&[
            "purge",
            "--data-dir",
            data.path().to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ])
    };
    assert!(status.success() && output.contains("purged 1 "), "{output}");
}

#[tokio::test]
async fn pages_answer_only_get_and_head_and_say_so() {
    let server = TestServer::start(&demo_site());
    let http = client();
    for method in ["TRACE", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        for path in ["/", "/datenschutz", "/nirgendwo-123"] {
            let response = http
                .request(method.clone(), server.url(path))
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            assert_eq!(response.headers()["allow"], "GET, HEAD", "{method} {path}");
            let body = response.text().await.unwrap();
            assert!(!body.contains("<html"), "{method} {path}: no page: {body}");
        }
    }
    // CONNECT cannot be sent with reqwest; a raw request shows it is no page either.
    let answer = raw_request(&server, "CONNECT /datenschutz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert!(
        answer.starts_with("HTTP/1.1 405") || answer.starts_with("HTTP/1.1 400"),
        "{answer}"
    );
    assert!(!answer.contains("<html"), "{answer}");
    let head = http.head(server.url("/datenschutz")).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
}

/// Sends `request` as it is and returns the answer's head and body.
async fn raw_request(server: &TestServer, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = server.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = vec![0; 4096];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
        .await
        .expect("an answer within 5 s")
        .unwrap();
    String::from_utf8_lossy(&answer[..read]).into_owned()
}

#[tokio::test]
async fn a_variable_meant_for_the_tests_does_not_stop_the_server() {
    // The README once told testers to export NUMIS_SHARED_DIR; the server
    // refused to start with it. Unknown NUMIS_ variables are now a warning.
    let server = TestServer::start_with(
        &demo_site(),
        &[
            ("NUMIS_SHARED_DIR", "/somewhere"),
            ("NUMIS_TEST_SHARED_DIR", "/somewhere"),
        ],
    );
    let health = client().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let log = server.log();
    assert!(
        log.contains("environment variable NUMIS_SHARED_DIR is not a numis setting; ignored"),
        "{log}"
    );
    assert!(
        !log.contains("NUMIS_TEST_SHARED_DIR"),
        "the test suite's own variables are not the server's business: {log}"
    );
}

#[test]
fn check_reports_the_deprecated_operator_token() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("numis.toml");
    std::fs::write(&config, "[wms]\noperator_token = \"alt-und-geheim\"\n").unwrap();
    let site = demo_site();
    let (status, output) = run_numis(&[
        "check",
        "--config",
        config.to_str().unwrap(),
        "--site-dir",
        site.to_str().unwrap(),
    ]);
    assert!(status.success(), "a deprecated key still works: {output}");
    assert!(
        output.contains("warning: `[wms] operator_token`") && output.contains("[operator] token"),
        "{output}"
    );
    assert!(
        !output.contains("alt-und-geheim"),
        "the token is never printed"
    );
}

#[tokio::test]
async fn the_server_listens_while_a_large_map_loads_and_says_so() {
    // 200,000 points take seconds to load in a test build: time enough to
    // ask the server while it loads.
    let mut points = String::from(r#"{"type":"FeatureCollection","features":["#);
    for i in 0..200_000 {
        if i > 0 {
            points.push(',');
        }
        let (lon, lat) = (
            7.0 + f64::from(i % 1000) * 0.004,
            52.0 + f64::from(i / 1000) * 0.004,
        );
        points.push_str(&format!(
            r#"{{"type":"Feature","properties":{{"n":{i}}},"geometry":{{"type":"Point","coordinates":[{lon:.3},{lat:.3}]}}}}"#
        ));
    }
    points.push_str("]}");
    // A small layer beside: drawn while the large one loads (its file is
    // over `large_source_mb`), alone, not in a group with the other.
    let site = site_with_map(
        r##"
[service]
large_source_mb = 1
[[group]]
id = "alles"
title = "Alles"
members = ["klein", "punkte"]
[[layer]]
id = "punkte"
title = "Punkte"
source = { type = "geojson", path = "punkte.geojson" }
[[layer.rule]]
fill = "#2471a3"
[[layer]]
id = "klein"
title = "Klein"
source = { type = "geojson", path = "{data}/ni_land.geojson" }
[[layer.rule]]
fill = "#b0c4a0"
"##,
        &[("punkte.geojson", &points)],
    );
    let server = TestServer::start_listening(site.path());
    let http = client();
    let capabilities = server.url("/ows?SERVICE=WMS&REQUEST=GetCapabilities");
    let get_map = |layers: &str| {
        server.url(&format!(
            "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layers}&STYLES=&CRS=EPSG:25832\
             &BBOX=350000,5700000,650000,5950000&WIDTH=200&HEIGHT=160&FORMAT=image/png"
        ))
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen_loading = 0;
    let mut seen_early = 0;
    loop {
        let health = http.get(server.url("/healthz")).send().await.unwrap();
        let status = health.status();
        let body = health.text().await.unwrap();
        if status == StatusCode::OK {
            assert_eq!(body, "ok\n");
            break;
        }
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, "loading\n")
        );
        seen_loading += 1;
        // Meanwhile pages are served, and the map services say they load.
        let page = http.get(server.url("/datenschutz")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let wms = http.get(&capabilities).send().await.unwrap();
        // The map may have arrived between the two requests.
        if wms.status() != StatusCode::OK {
            assert_eq!(wms.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(wms.headers()["retry-after"], "5");
            let text = wms.text().await.unwrap();
            assert!(
                text.contains("ServiceExceptionReport") && text.contains("still loading"),
                "{text}"
            );
        }
        // The small layer is drawn before the large one is loaded; the
        // large one and the group holding it wait. The map being whole
        // stays whole, so a 503 for `punkte` after a map of `klein` means
        // that map came from the map without its large source.
        let small = http.get(get_map("klein")).send().await.unwrap();
        if small.status() == StatusCode::OK {
            assert_eq!(small.headers()["content-type"], "image/png");
            let large = http.get(get_map("punkte")).send().await.unwrap();
            let group = http.get(get_map("alles")).send().await.unwrap();
            if large.status() == StatusCode::SERVICE_UNAVAILABLE {
                assert_eq!(large.headers()["retry-after"], "5");
                let text = large.text().await.unwrap();
                assert!(text.contains("still loading"), "{text}");
                seen_early += 1;
            }
            if group.status() != StatusCode::OK {
                assert_eq!(group.status(), StatusCode::SERVICE_UNAVAILABLE);
            }
        }
        assert!(
            Instant::now() < deadline,
            "the map did not load:\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        seen_loading > 0,
        "the server only answered once the map was loaded"
    );
    assert!(
        seen_early > 0,
        "the small layer was not drawn while the large one loaded:\n{}",
        server.log()
    );
    for layers in ["klein", "punkte", "alles"] {
        let map = http.get(get_map(layers)).send().await.unwrap();
        assert_eq!(map.status(), StatusCode::OK, "{layers}");
    }
    let wms = http.get(&capabilities).send().await.unwrap();
    assert_eq!(wms.status(), StatusCode::OK);
    assert!(wms.text().await.unwrap().contains("<Name>punkte</Name>"));
}
