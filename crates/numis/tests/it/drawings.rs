//! The drawings API against the running server (clauses P4, P7–P10):
//! anonymous saves in every format, viewing by link, changes and deletion
//! only with the edit key, copies that remember their origin, expiry,
//! reports, and bad uploads that change nothing.

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, SET_COOKIE};
use serde_json::Value;

use crate::util::{TestServer, client, demo_site};

const LINE: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Weg zum Maschsee"},
   "geometry":{"type":"LineString","coordinates":[[9.735,52.366],[9.741,52.359],[9.745,52.352]]}}]}"#;

const KML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
  <Placemark><name>Messpunkt</name>
    <description><![CDATA[<p>Gut</p><script>alert(1)</script><a href="javascript:alert(2)">x</a>]]></description>
    <Point><coordinates>9.73,52.37,0</coordinates></Point></Placemark>
</Document></kml>"#;

const GPX: &str = r#"<?xml version="1.0"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <wpt lat="52.37" lon="9.73"><name>Start</name></wpt>
  <trk><name>Runde</name><trkseg>
    <trkpt lat="52.37" lon="9.73"/><trkpt lat="52.38" lon="9.74"/><trkpt lat="52.39" lon="9.72"/>
  </trkseg></trk>
</gpx>"#;

struct Created {
    id: String,
    key: String,
    body: Value,
}

async fn create(server: &TestServer, content_type: &str, body: &str, title: &str) -> Created {
    let response = client()
        .post(server.url(&format!("/api/drawings?title={title}")))
        .header(CONTENT_TYPE, content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    assert!(
        !response.headers().contains_key(SET_COOKIE),
        "P4: no cookie"
    );
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    Created {
        id: body["id"].as_str().unwrap().to_owned(),
        key: body["edit_key"].as_str().unwrap().to_owned(),
        body,
    }
}

async fn get(server: &TestServer, path: &str) -> (StatusCode, String) {
    let response = client().get(server.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn geojson(server: &TestServer, id: &str) -> Value {
    let (status, text) = get(server, &format!("/api/drawings/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn a_drawing_is_saved_anonymously_and_viewed_by_link_in_every_format() {
    let server = TestServer::start(&demo_site());
    let created = create(&server, "application/geo+json", LINE, "Spaziergang").await;
    let body = &created.body;
    assert!(created.id.len() >= 22, "128-bit id: {}", created.id);
    assert!(created.key.len() >= 43, "256-bit key: {}", created.key);
    let share = body["share_url"].as_str().unwrap();
    assert!(
        share.ends_with(&format!("/karte?drawing={}", created.id)),
        "{share}"
    );
    assert_eq!(
        body["edit_url"].as_str().unwrap(),
        format!("{share}#edit={}", created.key),
        "the key travels in the fragment only"
    );
    let expires =
        chrono::DateTime::parse_from_rfc3339(body["expires_at"].as_str().unwrap()).unwrap();
    let days = (expires.timestamp() - chrono::Utc::now().timestamp()) / 86_400;
    assert!((364..=365).contains(&days), "P8: a year: {days}");

    let drawing = geojson(&server, &created.id).await;
    assert_eq!(drawing["title"], "Spaziergang");
    assert_eq!(
        drawing["features"][0]["properties"]["name"],
        "Weg zum Maschsee"
    );
    assert_eq!(
        drawing["features"][0]["geometry"]["coordinates"][2],
        serde_json::json!([9.745, 52.352])
    );
    let (status, kml) = get(&server, &format!("/api/drawings/{}.kml", created.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        kml.contains("<kml") && kml.contains("Weg zum Maschsee") && kml.contains("9.745,52.352"),
        "{kml}"
    );
    let (status, gpx) = get(&server, &format!("/api/drawings/{}.gpx", created.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        gpx.contains("<gpx") && gpx.contains("lat=\"52.352\""),
        "{gpx}"
    );

    // KML and GPX uploads become the same model; scripts are gone.
    let from_kml = create(&server, "application/vnd.google-earth.kml+xml", KML, "").await;
    let drawing = geojson(&server, &from_kml.id).await;
    let description = drawing["features"][0]["properties"]["description"]
        .as_str()
        .unwrap();
    assert!(description.contains("<p>Gut</p>"), "{description}");
    assert!(
        !description.contains("script") && !description.contains("javascript"),
        "{description}"
    );
    let from_gpx = create(&server, "application/gpx+xml", GPX, "").await;
    assert_eq!(
        geojson(&server, &from_gpx.id).await["features"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Plain JSON is GeoJSON.
    create(&server, "application/json", LINE, "").await;

    let (status, _) = get(&server, "/api/drawings/gibtesnicht").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_the_edit_key_changes_or_deletes_a_drawing() {
    let server = TestServer::start(&demo_site());
    let created = create(&server, "application/geo+json", LINE, "Original").await;
    let url = server.url(&format!("/api/drawings/{}", created.id));
    let other = create(&server, "application/geo+json", LINE, "Andere").await;
    for key in [None, Some("falsch".to_owned()), Some(other.key.clone())] {
        let mut put = client()
            .put(&url)
            .header(CONTENT_TYPE, "application/vnd.google-earth.kml+xml")
            .body(KML);
        let mut delete = client().delete(&url);
        if let Some(key) = &key {
            put = put.header(AUTHORIZATION, format!("Bearer {key}"));
            delete = delete.header(AUTHORIZATION, format!("Bearer {key}"));
        }
        assert_eq!(
            put.send().await.unwrap().status(),
            StatusCode::FORBIDDEN,
            "{key:?}"
        );
        assert_eq!(
            delete.send().await.unwrap().status(),
            StatusCode::FORBIDDEN,
            "{key:?}"
        );
    }
    let unchanged = geojson(&server, &created.id).await;
    assert_eq!(unchanged["title"], "Original", "P9: nothing changed");
    assert_eq!(
        unchanged["features"][0]["properties"]["name"],
        "Weg zum Maschsee"
    );

    let bearer = format!("Bearer {}", created.key);
    let response = client()
        .put(format!("{url}?title=Neu"))
        .header(AUTHORIZATION, &bearer)
        .header(CONTENT_TYPE, "application/vnd.google-earth.kml+xml")
        .body(KML)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let changed = geojson(&server, &created.id).await;
    assert_eq!(changed["title"], "Neu");
    assert_eq!(changed["features"][0]["properties"]["name"], "Messpunkt");

    // A broken upload with the right key changes nothing either.
    let response = client()
        .put(&url)
        .header(AUTHORIZATION, &bearer)
        .header(CONTENT_TYPE, "application/vnd.google-earth.kml+xml")
        .body("<kml><Placemark><name>kaputt")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert!(error["error"].as_str().unwrap().contains("line"), "{error}");
    assert_eq!(
        geojson(&server, &created.id).await["features"][0]["properties"]["name"],
        "Messpunkt"
    );

    let response = client()
        .delete(&url)
        .header(AUTHORIZATION, &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        get(&server, &format!("/api/drawings/{}", created.id))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        geojson(&server, &other.id).await["title"],
        "Andere",
        "others are untouched"
    );
}

#[tokio::test]
async fn anyone_may_copy_and_the_copy_remembers_its_origin() {
    let server = TestServer::start(&demo_site());
    let original = create(&server, "application/gpx+xml", GPX, "Runde").await;
    let response = client()
        .post(server.url(&format!("/api/drawings/{}/copy", original.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let copy: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    let copy_id = copy["id"].as_str().unwrap();
    assert_ne!(copy_id, original.id);
    assert_ne!(copy["edit_key"], original.body["edit_key"]);
    let drawing = geojson(&server, copy_id).await;
    assert_eq!(drawing["copied_from"], original.id.as_str());
    assert_eq!(drawing["title"], "Runde");
    assert_eq!(
        drawing["features"],
        geojson(&server, &original.id).await["features"]
    );
}

#[tokio::test]
async fn bad_uploads_are_refused_with_a_reason() {
    let server = TestServer::start_with(
        &demo_site(),
        &[("NUMIS_DRAWINGS__MAX_UPLOAD_BYTES", "2000")],
    );
    let post = |content_type: &'static str, body: String| {
        client()
            .post(server.url("/api/drawings"))
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
    };
    let cases = [
        (
            "application/geo+json",
            "{\"type\": \"FeatureCollection\", \"features\": [".to_owned(),
            StatusCode::BAD_REQUEST,
            "JSON",
        ),
        (
            "application/vnd.google-earth.kml+xml",
            "<kml><Document><NetworkLink/></Document></kml>".to_owned(),
            StatusCode::BAD_REQUEST,
            "NetworkLink",
        ),
        (
            "application/geo+json",
            r#"{"type":"Point","coordinates":[200,95]}"#.to_owned(),
            StatusCode::BAD_REQUEST,
            "range",
        ),
        (
            "application/geo+json",
            format!(
                "{{\"type\":\"FeatureCollection\",\"features\":[],\"pad\":\"{}\"}}",
                "x".repeat(3000)
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            "2000",
        ),
        (
            "text/html",
            "<p>hi</p>".to_owned(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "GeoJSON, KML, KMZ or GPX",
        ),
    ];
    for (content_type, body, status, says) in cases {
        let response = post(content_type, body).await.unwrap();
        assert_eq!(response.status(), status, "{content_type} {says}");
        let text = response.text().await.unwrap();
        assert!(text.contains(says), "{says} in {text}");
    }
    assert_eq!(
        get(&server, "/healthz").await.0,
        StatusCode::OK,
        "the server stays up"
    );
}

#[tokio::test]
async fn reports_are_counted_and_expired_drawings_answer_gone_until_purged() {
    // A retention of zero days: every drawing expires at once.
    let server = TestServer::start_with(&demo_site(), &[("NUMIS_DRAWINGS__RETENTION_DAYS", "0")]);
    let created = create(&server, "application/geo+json", LINE, "").await;
    let (status, text) = get(&server, &format!("/api/drawings/{}", created.id)).await;
    assert_eq!(status, StatusCode::GONE, "{text}");
    assert!(text.contains("expired"), "{text}");
    let gone: Value = serde_json::from_str(&text).unwrap();
    let expired_at = gone["expired_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(expired_at).is_ok(),
        "{expired_at}"
    );
    let response = client()
        .post(server.url(&format!("/api/drawings/{}/copy", created.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::GONE);

    let mut server = server;
    server.stop();
    let (status, output) = server.run_numis(&["purge"]);
    assert!(status.success(), "{output}");
    assert!(output.contains("1 expired drawing(s)"), "{output}");

    let server = TestServer::start(&demo_site());
    let created = create(&server, "application/geo+json", LINE, "").await;
    let url = server.url(&format!("/api/drawings/{}/report", created.id));
    let response = client()
        .post(&url)
        .body(r#"{"reason": "Beleidigung im Titel"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let response = client()
        .post(&url)
        .body(r#"{"reason": "  "}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = client()
        .post(server.url("/api/drawings/gibtesnicht/report"))
        .body(r#"{"reason": "x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_operator_lists_reads_and_deletes_any_drawing() {
    const OPERATOR: &str = "moderations-token";
    let server = TestServer::start_with(&demo_site(), &[("NUMIS_OPERATOR__TOKEN", OPERATOR)]);
    let quiet = create(&server, "application/geo+json", LINE, "Ruhig").await;
    let reported = create(&server, "application/gpx+xml", GPX, "Gemeldet").await;
    let report_url = server.url(&format!("/api/drawings/{}/report", reported.id));
    for reason in ["Werbung", "Beleidigung"] {
        let response = client()
            .post(&report_url)
            .body(format!("{{\"reason\": \"{reason}\"}}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    let admin = |path: &str, token: Option<&str>| {
        let mut request = client().get(server.url(path));
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        request.send()
    };
    for token in [None, Some("falsch"), Some(quiet.key.as_str())] {
        let response = admin("/api/admin/drawings", token).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{token:?}");
    }
    let list: Value = serde_json::from_str(
        &admin("/api/admin/drawings?order=reported", Some(OPERATOR))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(list["drawings"][0]["id"], reported.id.as_str(), "{list}");
    assert_eq!(list["drawings"][0]["report_count"], 2);
    let newest: Value = serde_json::from_str(
        &admin("/api/admin/drawings", Some(OPERATOR))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(newest["drawings"].as_array().unwrap().len(), 2);

    let one: Value = serde_json::from_str(
        &admin(
            &format!("/api/admin/drawings/{}", reported.id),
            Some(OPERATOR),
        )
        .await
        .unwrap()
        .text()
        .await
        .unwrap(),
    )
    .unwrap();
    let reasons: Vec<&str> = one["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["Werbung", "Beleidigung"]);

    let response = client()
        .delete(server.url(&format!("/api/admin/drawings/{}", reported.id)))
        .header(AUTHORIZATION, format!("Bearer {OPERATOR}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        get(&server, &format!("/api/drawings/{}", reported.id))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(geojson(&server, &quiet.id).await["title"], "Ruhig");

    // Without a configured token there is no moderation API at all.
    let plain = TestServer::start(&demo_site());
    let response = client()
        .get(plain.url("/api/admin/drawings"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_openapi_document_describes_every_drawing_route() {
    let server = TestServer::start(&demo_site());
    let (status, text) = get(&server, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let document: Value = serde_json::from_str(&text).unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let paths = document["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/drawings", &["post"][..]),
        ("/api/drawings/{id}", &["get", "put", "delete"][..]),
        ("/api/drawings/{id}/copy", &["post"][..]),
        ("/api/drawings/{id}/report", &["post"][..]),
        ("/api/convert", &["post"][..]),
        ("/api/admin/drawings", &["get"][..]),
        ("/api/admin/drawings/{id}", &["get", "delete"][..]),
        ("/api/admin/drawings/{id}/block", &["post"][..]),
        ("/api/admin/drawings/{id}/unblock", &["post"][..]),
        ("/api/admin/drawings/{id}/dismiss", &["post"][..]),
        ("/api/admin/audit", &["get"][..]),
        ("/api/admin/layers", &["get"][..]),
        ("/api/export", &["post"][..]),
        ("/api/external/file", &["get"][..]),
        ("/api/external/wms/capabilities", &["get"][..]),
        ("/api/external/wms/map", &["get"][..]),
        ("/api/external/wms/legend", &["get"][..]),
        ("/api/print", &["get", "post"][..]),
        ("/api/print/{id}", &["get"][..]),
        ("/api/print/{id}/pdf", &["get"][..]),
        ("/ogcapi", &["get"][..]),
        ("/api/data", &["get"][..]),
        ("/api/data/{layer}/{format}", &["get"][..]),
        ("/api/data/{layer}.kml", &["get"][..]),
    ] {
        for method in methods {
            assert!(
                paths[path].get(*method).is_some(),
                "{method} {path} is described"
            );
        }
    }
    assert_eq!(paths.len(), 24, "and nothing that does not exist");
    // Every reference points at something the document defines.
    let refs = regex::Regex::new(r##""\$ref":\s*"#/components/(\w+)/(\w+)""##).unwrap();
    for reference in refs.captures_iter(&text) {
        assert!(
            document["components"][&reference[1]]
                .get(&reference[2])
                .is_some(),
            "{} is defined",
            &reference[0]
        );
    }
}

#[tokio::test]
async fn uploads_convert_to_every_format_without_being_stored() {
    // The deprecated `[wms] operator_token` still names the operator.
    let server =
        TestServer::start_with(&demo_site(), &[("NUMIS_WMS__OPERATOR_TOKEN", "moderator")]);
    let convert = |to: &str, content_type: &str, body: &str| {
        client()
            .post(server.url(&format!("/api/convert?to={to}")))
            .header(CONTENT_TYPE, content_type)
            .body(body.to_owned())
            .send()
    };

    // GPX in, KML out: the track and the waypoint become placemarks.
    let response = convert("kml", "application/gpx+xml", GPX).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[CONTENT_TYPE],
        "application/vnd.google-earth.kml+xml"
    );
    let kml = response.text().await.unwrap();
    assert_eq!(kml.matches("<Placemark").count(), 2, "{kml}");
    assert!(kml.contains("Runde") && kml.contains("9.74,52.38"), "{kml}");

    // KML in, GeoJSON out: the description is sanitised exactly as on save.
    let response = convert("geojson", "application/vnd.google-earth.kml+xml", KML)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let collection: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    let feature = &collection["features"][0];
    assert_eq!(feature["properties"]["name"], "Messpunkt");
    let description = feature["properties"]["description"].as_str().unwrap();
    assert!(description.contains("<p>Gut</p>"), "{description}");
    assert!(!description.contains("script") && !description.contains("javascript"));
    assert_eq!(
        feature["geometry"]["coordinates"],
        serde_json::json!([9.73, 52.37])
    );

    // GeoJSON in, GPX out.
    let response = convert("gpx", "application/geo+json", LINE).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let gpx = response.text().await.unwrap();
    assert!(
        gpx.contains("<trk>") && gpx.contains("lat=\"52.366\""),
        "{gpx}"
    );

    // What cannot be converted says why.
    for (to, content_type, body, status, says) in [
        (
            "svg",
            "application/geo+json",
            LINE,
            StatusCode::BAD_REQUEST,
            "geojson, kml or gpx",
        ),
        (
            "kml",
            "application/vnd.google-earth.kml+xml",
            "<kml><Document>",
            StatusCode::BAD_REQUEST,
            "line",
        ),
        (
            "kml",
            "text/html",
            "<p>",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "text/html",
        ),
    ] {
        let response = convert(to, content_type, body).await.unwrap();
        assert_eq!(response.status(), status, "{to} {content_type}");
        let text = response.text().await.unwrap();
        assert!(text.contains(says), "{says} in {text}");
    }

    // Nothing of it was stored.
    let listed: Value = serde_json::from_str(
        &client()
            .get(server.url("/api/admin/drawings"))
            .header(AUTHORIZATION, "Bearer moderator")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        listed["drawings"].as_array().map(Vec::len),
        Some(0),
        "{listed}"
    );
}

#[tokio::test]
async fn creation_is_rate_limited_per_client_without_storing_the_address() {
    let forwarded = "198.51.100.23";
    let mut server = TestServer::start_with(
        &demo_site(),
        &[
            ("NUMIS_DRAWINGS__CREATES_PER_HOUR", "1"),
            ("NUMIS_DRAWINGS__CREATE_BURST", "2"),
            ("NUMIS_DRAWINGS__CLIENT_ADDRESS_HEADER", "X-Forwarded-For"),
        ],
    );
    let post = |path: &str, from: &str| {
        client()
            .post(server.url(path))
            .header("X-Forwarded-For", from)
            .header(CONTENT_TYPE, "application/geo+json")
            .body(LINE)
            .send()
    };
    let first = post("/api/drawings", forwarded).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = serde_json::from_str(&first.text().await.unwrap()).unwrap();
    let id = first["id"].as_str().unwrap();
    let key = first["edit_key"].as_str().unwrap();
    assert_eq!(
        post(&format!("/api/drawings/{id}/copy"), forwarded)
            .await
            .unwrap()
            .status(),
        StatusCode::CREATED,
        "a copy counts as a creation"
    );

    // The third creation within the hour is refused, saying when to retry.
    for path in [
        "/api/drawings".to_owned(),
        format!("/api/drawings/{id}/copy"),
    ] {
        let refused = post(&path, forwarded).await.unwrap();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
        let retry: u64 = refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=3_600).contains(&retry), "Retry-After {retry}");
        let text = refused.text().await.unwrap();
        assert!(text.contains("try again in"), "{text}");
    }

    // Another client still may; reading and changing are not limited.
    assert_eq!(
        post("/api/drawings", "198.51.100.24")
            .await
            .unwrap()
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(
        get(&server, &format!("/api/drawings/{id}")).await.0,
        StatusCode::OK
    );
    let changed = client()
        .put(server.url(&format!("/api/drawings/{id}")))
        .header("X-Forwarded-For", forwarded)
        .header(AUTHORIZATION, format!("Bearer {key}"))
        .header(CONTENT_TYPE, "application/geo+json")
        .body(LINE)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);

    // The count lived in memory: neither the data directory nor the log
    // holds the address.
    server.stop();
    assert!(
        !server.log().contains(forwarded),
        "the log names the client"
    );
    for (path, bytes) in server.stored_data() {
        assert!(
            !bytes
                .windows(forwarded.len())
                .any(|w| w == forwarded.as_bytes()),
            "{path} holds the client's address"
        );
    }
}

/// A KML at the default upload limits: 1,000 line placemarks with
/// 500,000 vertices in all (`max_vertices`), each vertex as short as KML
/// allows (`9.123,52`), so the file stays under 5 MB (`max_upload_bytes`)
/// while its stored GeoJSON (`[9.123,52.0]`) is longer than that.
fn kml_at_the_limits() -> String {
    const PLACEMARKS: usize = 1_000;
    const VERTICES: usize = 500_000;
    let mut kml = String::from(r#"<kml xmlns="http://www.opengis.net/kml/2.2"><Document>"#);
    for p in 0..PLACEMARKS {
        kml.push_str("<Placemark><LineString><coordinates>");
        for v in 0..VERTICES / PLACEMARKS {
            kml.push_str(&format!("9.{:03},{} ", v % 1000, 47 + p % 8));
        }
        kml.push_str("</coordinates></LineString></Placemark>\n");
    }
    kml.push_str("</Document></kml>");
    kml
}

#[tokio::test]
async fn a_drawing_at_the_upload_limits_is_exported_in_every_format() {
    let server = TestServer::start(&demo_site());
    let kml = kml_at_the_limits();
    assert!(
        kml.len() > 4_000_000 && kml.len() <= 5 * 1024 * 1024,
        "{} bytes",
        kml.len()
    );
    let created = create(
        &server,
        "application/vnd.google-earth.kml+xml",
        &kml,
        "Groß",
    )
    .await;

    let (status, geojson) = get(&server, &format!("/api/drawings/{}", created.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        geojson.len() > 5 * 1024 * 1024,
        "stored longer than the upload may be: {} bytes",
        geojson.len()
    );
    let (status, exported) = get(&server, &format!("/api/drawings/{}.kml", created.id)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        &exported[..exported.len().min(300)]
    );
    assert_eq!(exported.matches("<Placemark").count(), 1_000);
    let vertices: usize = exported
        .split("<coordinates>")
        .skip(1)
        .map(|rest| {
            rest.split("</coordinates>")
                .next()
                .unwrap()
                .split_whitespace()
                .count()
        })
        .sum();
    assert_eq!(vertices, 500_000);
    let (status, gpx) = get(&server, &format!("/api/drawings/{}.gpx", created.id)).await;
    assert_eq!(status, StatusCode::OK, "{}", &gpx[..gpx.len().min(300)]);
    assert_eq!(gpx.matches("<trkpt ").count(), 500_000);
}

#[tokio::test]
async fn share_links_open_the_viewer_in_the_savers_language() {
    let server = TestServer::start(&demo_site());
    let post = |query: &str| {
        client()
            .post(server.url(&format!("/api/drawings{query}")))
            .header(CONTENT_TYPE, "application/geo+json")
            .body(LINE)
            .send()
    };
    let english: Value = serde_json::from_str(
        &post("?title=Walk&lang=en")
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let id = english["id"].as_str().unwrap();
    let share = english["share_url"].as_str().unwrap();
    assert!(
        share.ends_with(&format!("/en/karte?drawing={id}")),
        "{share}"
    );
    assert!(
        english["edit_url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{share}#edit=")),
        "{english}"
    );

    let copy = client()
        .post(server.url(&format!("/api/drawings/{id}/copy?lang=en")))
        .send()
        .await
        .unwrap();
    assert_eq!(copy.status(), StatusCode::CREATED);
    let copy: Value = serde_json::from_str(&copy.text().await.unwrap()).unwrap();
    assert!(
        copy["share_url"]
            .as_str()
            .unwrap()
            .contains("/en/karte?drawing="),
        "{copy}"
    );
    let copy = client()
        .post(server.url(&format!("/api/drawings/{id}/copy")))
        .send()
        .await
        .unwrap();
    let copy: Value = serde_json::from_str(&copy.text().await.unwrap()).unwrap();
    let german = copy["share_url"].as_str().unwrap();
    assert!(
        german.contains("/karte?drawing=") && !german.contains("/en/"),
        "German by default: {german}"
    );

    let refused = post("?lang=fr").await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let text = refused.text().await.unwrap();
    assert!(text.contains("neither de nor en"), "{text}");
}

#[tokio::test]
async fn a_report_is_read_only_up_to_its_limit() {
    const OPERATOR: &str = "moderations-token";
    let server = TestServer::start_with(&demo_site(), &[("NUMIS_OPERATOR__TOKEN", OPERATOR)]);
    let created = create(&server, "application/geo+json", LINE, "").await;
    let url = server.url(&format!("/api/drawings/{}/report", created.id));
    let report = |body: String| client().post(&url).body(body).send();

    // The longest reason in the widest script fits (1,000 four-byte
    // characters); a 32 MB one is refused before it is read.
    let widest = serde_json::json!({ "reason": "🗑".repeat(1_000) }).to_string();
    assert!(widest.len() > 4_000, "{}", widest.len());
    assert_eq!(report(widest).await.unwrap().status(), StatusCode::ACCEPTED);
    let long = format!("{{\"reason\": \"{}\"}}", "x".repeat(9 * 1024));
    let response = report(long).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let (status, text) = post_unread(
        &server,
        &format!("/api/drawings/{}/report", created.id),
        32 * 1024 * 1024,
    )
    .await;
    assert_eq!(status, 413, "{text}");
    for text in [response.text().await.unwrap(), text] {
        let error: Value = serde_json::from_str(&text).unwrap();
        let message = error["error"].as_str().unwrap();
        assert!(
            message.contains("at most 8192 bytes") && message.contains("1000 characters"),
            "{message}"
        );
    }

    let one: Value = serde_json::from_str(
        &client()
            .get(server.url(&format!("/api/admin/drawings/{}", created.id)))
            .header(AUTHORIZATION, format!("Bearer {OPERATOR}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(one["report_count"], 1, "only the fitting report counted");
}

/// `POST path` with a JSON body of `size` bytes, sent over a plain TCP
/// connection while the answer is read: a server that refuses a body
/// answers and closes before it was sent, and an HTTP client that writes
/// first reports only the broken pipe. Returns the status and the body.
async fn post_unread(server: &TestServer, path: &str, size: usize) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let address = server.base.trim_start_matches("http://").to_owned();
    let path = path.to_owned();
    let stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let sending = tokio::spawn(async move {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Content-Length: {size}\r\nConnection: close\r\n\r\n{{\"reason\": \""
        );
        let chunk = vec![b'x'; 64 * 1024];
        let mut left = size - 14;
        let mut sent = writer.write_all(head.as_bytes()).await;
        while sent.is_ok() && left > 0 {
            let n = left.min(chunk.len());
            sent = writer.write_all(&chunk[..n]).await;
            left -= n;
        }
        if sent.is_ok() {
            let _ = writer.write_all(b"\"}").await;
        }
    });
    let mut answer = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    // Read until the server closes; a reset after its answer ends it too.
    while let Ok(n) = reader.read(&mut buffer).await {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buffer[..n]);
    }
    sending.abort();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}
