//! Third parties' data through numis (issue 15, P3, P7): a file on
//! another server is loaded by URL and answered as GeoJSON, read like an
//! upload; without the test suite's allowance for loopback, a server on
//! this machine is refused and never contacted; the feature can be off.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::StatusCode;
use serde_json::Value;

use crate::util::{TestServer, client, demo_site};

const GPX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><name>Runde um den Maschsee</name><trkseg>
    <trkpt lat="52.36" lon="9.74"/><trkpt lat="52.35" lon="9.75"/><trkpt lat="52.34" lon="9.74"/>
  </trkseg></trk>
</gpx>"#;

/// A "third party" on loopback serving `body` to every request, counting
/// the connections it gets.
fn third_party(body: &'static str) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let contacts = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&contacts);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counted.fetch_add(1, Ordering::SeqCst);
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/gpx+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (port, contacts)
}

async fn load(server: &TestServer, url: &str) -> (StatusCode, Value) {
    let response = client()
        .get(server.url("/api/external/file"))
        .query(&[("url", url)])
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_gpx_by_url_is_read_like_an_upload() {
    let (port, contacts) = third_party(GPX);
    let ports = format!("[{port}]");
    let server = TestServer::start_with(
        &demo_site(),
        &[
            ("NUMIS_EXTERNAL__ALLOW_LOOPBACK_FOR_TESTS", "true"),
            ("NUMIS_EXTERNAL__EXTRA_PORTS", &ports),
        ],
    );
    let (status, geojson) = load(&server, &format!("http://localhost:{port}/runde.gpx")).await;
    assert_eq!(status, StatusCode::OK, "{geojson}");
    assert_eq!(geojson["type"], "FeatureCollection");
    let feature = &geojson["features"][0];
    assert_eq!(feature["geometry"]["type"], "LineString");
    assert_eq!(feature["properties"]["name"], "Runde um den Maschsee");
    assert_eq!(contacts.load(Ordering::SeqCst), 1);

    let (status, answer) = load(&server, "ftp://example.org/runde.gpx").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"]
            .as_str()
            .unwrap_or_default()
            .contains("http and https")
    );
}

#[tokio::test]
async fn without_the_allowance_this_machine_is_refused_and_never_contacted() {
    let (port, contacts) = third_party(GPX);
    let ports = format!("[{port}]");
    let server = TestServer::start_with(&demo_site(), &[("NUMIS_EXTERNAL__EXTRA_PORTS", &ports)]);
    for url in [
        format!("http://127.0.0.1:{port}/"),
        format!("http://localhost:{port}/"),
        format!("http://2130706433:{port}/"),
        format!("http://0x7f.0.0.1:{port}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://10.0.0.1/".to_owned(),
    ] {
        let (status, answer) = load(&server, &url).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {answer}");
        assert!(
            answer["error"]
                .as_str()
                .unwrap_or_default()
                .contains("private or special network"),
            "{url}: {answer}"
        );
    }
    assert_eq!(
        contacts.load(Ordering::SeqCst),
        0,
        "the canary heard nothing"
    );

    let off = TestServer::start_with(&demo_site(), &[("NUMIS_EXTERNAL__MODE", "off")]);
    let (status, answer) = load(&off, "https://example.org/runde.gpx").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"]
            .as_str()
            .unwrap_or_default()
            .contains("switched off")
    );
}

#[tokio::test]
async fn a_client_may_not_use_the_portal_to_flood_another_server() {
    let (port, contacts) = third_party(GPX);
    let ports = format!("[{port}]");
    let server = TestServer::start_with(
        &demo_site(),
        &[
            ("NUMIS_EXTERNAL__ALLOW_LOOPBACK_FOR_TESTS", "true"),
            ("NUMIS_EXTERNAL__EXTRA_PORTS", &ports),
            ("NUMIS_EXTERNAL__REQUESTS_PER_HOUR", "60"),
            ("NUMIS_EXTERNAL__REQUEST_BURST", "2"),
        ],
    );
    let url = format!("http://localhost:{port}/runde.gpx");
    for _ in 0..2 {
        assert_eq!(load(&server, &url).await.0, StatusCode::OK);
    }
    let response = client()
        .get(server.url("/api/external/file"))
        .query(&[("url", url.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(contacts.load(Ordering::SeqCst), 2, "the third never left");
}
