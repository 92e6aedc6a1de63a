//! Compressed answers: the viewer's bundle precompressed at build time and
//! chosen by `Accept-Encoding`, text answers compressed on the fly, images
//! never.

use std::io::Read;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, ETAG, IF_NONE_MATCH, VARY};

use crate::util::{TestServer, client, demo_site};

/// The body of an answer, decoded according to its `Content-Encoding`.
fn decoded(encoding: Option<&str>, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        Some("br") => {
            brotli::Decompressor::new(body, 4096)
                .read_to_end(&mut out)
                .expect("valid brotli");
        }
        Some("gzip") => {
            flate2::read::GzDecoder::new(body)
                .read_to_end(&mut out)
                .expect("valid gzip");
        }
        None => out.extend_from_slice(body),
        Some(other) => panic!("unexpected coding {other}"),
    }
    out
}

/// GET `path` accepting `accept` (none when empty): status, coding, ETag,
/// Vary, body as sent.
async fn get(
    server: &TestServer,
    path: &str,
    accept: &str,
) -> (
    StatusCode,
    Option<String>,
    Option<String>,
    Option<String>,
    Vec<u8>,
) {
    let mut request = client().get(server.url(path));
    // reqwest sends no Accept-Encoding of its own (its decoders are off),
    // so the header is exactly what the test says.
    if !accept.is_empty() {
        request = request.header(ACCEPT_ENCODING, accept);
    }
    let response = request.send().await.unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let (encoding, etag, vary) = (header(CONTENT_ENCODING), header(ETAG), header(VARY));
    let status = response.status();
    let body = response.bytes().await.unwrap().to_vec();
    (status, encoding, etag, vary, body)
}

/// The viewer's script, as `/karte` names it.
async fn bundle_script(server: &TestServer) -> String {
    let shell = client()
        .get(server.url("/karte"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = shell
        .find("/assets/web/main-")
        .expect("the shell names its script");
    let end = start + shell[start..].find('"').unwrap();
    shell[start..end].to_owned()
}

#[tokio::test]
async fn the_viewer_bundle_is_served_precompressed_in_the_coding_the_browser_prefers() {
    let server = TestServer::start(&demo_site());
    let script = bundle_script(&server).await;
    let (status, encoding, plain_etag, vary, plain) = get(&server, &script, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(encoding, None, "no Accept-Encoding, no coding");
    assert_eq!(vary.as_deref(), Some("Accept-Encoding"));

    let (_, encoding, br_etag, vary, br) = get(&server, &script, "gzip, deflate, br, zstd").await;
    assert_eq!(encoding.as_deref(), Some("br"));
    assert_eq!(vary.as_deref(), Some("Accept-Encoding"));
    assert!(
        br.len() * 3 < plain.len(),
        "{} of {} bytes",
        br.len(),
        plain.len()
    );
    assert_eq!(decoded(Some("br"), &br), plain);

    let (_, encoding, gzip_etag, _, gzip) = get(&server, &script, "gzip").await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert!(gzip.len() * 2 < plain.len());
    assert_eq!(decoded(Some("gzip"), &gzip), plain);

    let etags = [plain_etag.unwrap(), br_etag.unwrap(), gzip_etag.unwrap()];
    assert!(
        etags[0] != etags[1] && etags[1] != etags[2] && etags[0] != etags[2],
        "each coding has its own ETag: {etags:?}"
    );
    let revalidated = client()
        .get(server.url(&script))
        .header(ACCEPT_ENCODING, "br")
        .header(IF_NONE_MATCH, &etags[1])
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    let other_coding = client()
        .get(server.url(&script))
        .header(ACCEPT_ENCODING, "gzip")
        .header(IF_NONE_MATCH, &etags[1])
        .send()
        .await
        .unwrap();
    assert_eq!(
        other_coding.status(),
        StatusCode::OK,
        "the brotli ETag does not match the gzip bytes"
    );
}

#[tokio::test]
async fn text_answers_are_compressed_and_decode_to_the_same_bytes() {
    let server = TestServer::start(&demo_site());
    let id = save_a_drawing(&server).await;
    for path in [
        "/datenschutz",
        "/ows?SERVICE=WMS&REQUEST=GetCapabilities",
        "/api/layers?lang=de",
        "/sitemap.xml",
        &format!("/api/drawings/{id}.geojson"),
        &format!("/api/drawings/{id}.kml"),
        &format!("/api/drawings/{id}.gpx"),
    ] {
        let (status, encoding, _, _, plain) = get(&server, path, "").await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(encoding, None, "{path}");
        for accept in ["br", "gzip"] {
            let (status, encoding, _, vary, body) = get(&server, path, accept).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(encoding.as_deref(), Some(accept), "{path}");
            assert!(
                vary.is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")),
                "{path}"
            );
            assert!(
                body.len() < plain.len(),
                "{path}: {} ≥ {}",
                body.len(),
                plain.len()
            );
            assert_eq!(decoded(Some(accept), &body), plain, "{path} ({accept})");
        }
    }
}

/// A drawing long enough to be worth compressing; its id.
async fn save_a_drawing(server: &TestServer) -> String {
    let line: Vec<String> = (0..200)
        .map(|i| format!("[{:.5},{:.5}]", 9.7 + f64::from(i) * 0.001, 52.37))
        .collect();
    let geojson = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"name":"Weg"}},"geometry":{{"type":"LineString","coordinates":[{}]}}}}]}}"#,
        line.join(",")
    );
    let response = client()
        .post(server.url("/api/drawings?title=Weg"))
        .header(reqwest::header::CONTENT_TYPE, "application/geo+json")
        .body(geojson)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn map_images_are_never_compressed_again() {
    let server = TestServer::start(&demo_site());
    let getmap = "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=demo&STYLES=\
                  &CRS=EPSG:25832&BBOX=500000,5750000,600000,5850000&WIDTH=512&HEIGHT=512\
                  &FORMAT=image/png";
    let (status, encoding, _, _, body) = get(&server, getmap, "gzip, deflate, br").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(encoding, None, "PNG stays as it is");
    assert!(body.starts_with(b"\x89PNG"));
    let jpeg = getmap.replace("image/png", "image/jpeg");
    let (_, encoding, _, _, body) = get(&server, &jpeg, "gzip, br").await;
    assert_eq!(encoding, None, "JPEG stays as it is");
    assert!(body.starts_with(&[0xFF, 0xD8]));
}
