//! The operator console's layer monitor (`/verwaltung/ebenen`) and
//! configuration page (`/verwaltung/konfiguration`): a broken layer is
//! shown first with its error while the rest of the map is served, the
//! requests per layer over a period are exactly the ones sent, secrets of
//! the configuration never reach the page, and only operators get in.

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, LOCATION};
use serde_json::Value;

use crate::image_diff::decode_png;
use crate::util::{TestServer, client, create_account, demo_site, login};
use crate::wms::site_with_map;

const OPERATOR_TOKEN: &str = "ebenen-token-streng-geheim";
const SMTP_PASSWORD: &str = "smtp-kennwort-streng-geheim";

const MAP: &str = r##"
[viewer]
visible = ["good", "broken"]

[[layer]]
id = "good"
title = { de = "Gute Punkte", en = "Good points" }
source = { type = "geojson", path = "good.geojson" }
licence = { id = "CC-BY-4.0", url = "https://creativecommons.org/licenses/by/4.0/" }
data_date = "2024-05-01"
queryable = [{ field = "name" }]
[[layer.rule]]
fill = "#ff0000"
symbol_size = 12

[[layer]]
id = "broken"
title = "Kaputt"
source = { type = "geojson", path = "broken.geojson" }
access = "fachamt"
[[layer.rule]]
fill = "#0000ff"
"##;

const GOOD: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"name":"A"},"geometry":{"type":"Point","coordinates":[9.73,52.37]}},
 {"type":"Feature","properties":{"name":"B"},"geometry":{"type":"Point","coordinates":[10.52,52.26]}}]}"#;

const BROKEN: &str = r#"{"type":"FeatureCollection","features":[{"#;

/// GET `path` with the session `cookie`, if any.
async fn get(server: &TestServer, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = client().get(server.url(path));
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    request.send().await.unwrap()
}

/// Asserts the console's headers and answers the page.
async fn console_page(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    let policy = response.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    let html = response.text().await.unwrap();
    assert!(!html.contains("style=\""), "no inline style (CSP)");
    html
}

fn wms(server: &TestServer, request: &str, layers: &str, bbox: &str, extra: &str) -> String {
    server.url(&format!(
        "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST={request}&LAYERS={layers}&STYLES=&CRS=CRS:84&BBOX={bbox}&WIDTH=64&HEIGHT=64&FORMAT=image/png{extra}"
    ))
}

/// The GetMap and GetFeatureInfo counts of layer `id` in the period table.
fn period_counts(html: &str, id: &str) -> (String, String) {
    let table = html
        .split("layers-requests-table")
        .nth(1)
        .expect("the period table");
    let row = table
        .split(&format!("<code class=\"layers-id\">{id}</code></th>"))
        .nth(1)
        .unwrap_or_else(|| panic!("a row of {id}: {table}"));
    let cells: Vec<String> = row
        .split("<td class=\"number\">")
        .skip(1)
        .take(2)
        .map(|cell| cell.split("</td>").next().unwrap().to_owned())
        .collect();
    (cells[0].clone(), cells[1].clone())
}

#[tokio::test]
async fn the_monitor_shows_a_broken_layer_first_and_counts_requests_per_layer() {
    let site = site_with_map(MAP, &[("good.geojson", GOOD), ("broken.geojson", BROKEN)]);
    let server = TestServer::start_with(
        site.path(),
        &[
            ("NUMIS_OPERATOR__TOKEN", OPERATOR_TOKEN),
            ("NUMIS_ACCOUNTS__SMTP__USERNAME", "mailer"),
            ("NUMIS_ACCOUNTS__SMTP__PASSWORD", SMTP_PASSWORD),
        ],
    );
    create_account(&server, "Olga Operator", true);
    create_account(&server, "Carl Citizen", false);
    let operator = login(&server, "Olga Operator").await.cookie;
    let citizen = login(&server, "Carl Citizen").await.cookie;

    // The good layer is served while the broken one is left out: three
    // GetMaps of different extents, two GetFeatureInfos.
    for bbox in [
        "9.5,52.2,9.9,52.5",
        "9.6,52.3,9.8,52.4",
        "9.0,52.0,11.0,53.0",
    ] {
        let response = client()
            .get(wms(&server, "GetMap", "good", bbox, ""))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "image/png");
        let image = decode_png(&response.bytes().await.unwrap());
        assert!(image.pixels().any(|p| p == [255, 0, 0, 255]), "drawn");
    }
    for _ in 0..2 {
        let response = client()
            .get(wms(
                &server,
                "GetFeatureInfo",
                "good",
                "9.0,52.0,11.0,53.0",
                "&QUERY_LAYERS=good&INFO_FORMAT=application/json&I=22&J=35",
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let broken = client()
        .get(wms(&server, "GetMap", "broken", "9.5,52.2,9.9,52.5", ""))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(broken.contains("LayerNotDefined"), "{broken}");

    // The monitor: the broken layer first, with the word and its message.
    let html =
        console_page(get(&server, "/verwaltung/ebenen?zeitraum=7", Some(&operator)).await).await;
    let broken_at = html.find("id=\"layer-broken\"").expect("the broken layer");
    let good_at = html.find("id=\"layer-good\"").expect("the good layer");
    assert!(broken_at < good_at, "the broken layer comes first");
    let broken_card = &html[broken_at..good_at];
    assert!(broken_card.contains("Fehler:"), "{broken_card}");
    assert!(
        broken_card.contains("broken.geojson") && broken_card.contains("not valid GeoJSON"),
        "{broken_card}"
    );
    let card_start = html[..broken_at].rfind("<li class=").unwrap();
    assert!(
        html[card_start..broken_at].contains("layers-card-failed"),
        "the failed card is marked"
    );
    assert!(broken_card.contains("nur mit der Rolle <code>fachamt</code>"));
    let good_card = &html[good_at..];
    for expected in [
        "Gute Punkte",
        "GeoJSON: <code>good.geojson</code>",
        "<dd>2</dd>",
        "EPSG:25832",
        "<time datetime=\"2024-05-01\">1.5.2024</time>",
        "href=\"https://creativecommons.org/licenses/by/4.0/\">CC-BY-4.0</a>",
        "öffentlich",
        "Ladedauer",
    ] {
        assert!(good_card.contains(expected), "{expected}: {good_card}");
    }
    assert!(html.contains("seit dem Serverstart"), "says since when");
    assert!(html.contains("Ebenen in der map.toml: 2"), "{html}");
    assert!(
        html.contains("Mit Fehler (nicht ausgeliefert): 1"),
        "{html}"
    );
    assert!(html.contains("<option value=\"7\" selected>"));

    // Exactly the requests sent, per layer, over the period.
    assert_eq!(period_counts(&html, "good"), ("3".into(), "2".into()));
    assert_eq!(period_counts(&html, "broken"), ("0".into(), "0".into()));
    for period in ["30", "365"] {
        let html = console_page(
            get(
                &server,
                &format!("/verwaltung/ebenen?zeitraum={period}"),
                Some(&operator),
            )
            .await,
        )
        .await;
        assert_eq!(period_counts(&html, "good"), ("3".into(), "2".into()));
    }
    // The render path since the start: three requests, three renders.
    let monitor = client()
        .get(server.url("/api/admin/layers"))
        .header("Authorization", format!("Bearer {OPERATOR_TOKEN}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let monitor: Value = serde_json::from_str(&monitor).unwrap();
    let good = monitor["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "good")
        .unwrap();
    assert_eq!(
        (good["requests"].as_u64(), good["renders"].as_u64()),
        (Some(3), Some(3))
    );
    let render_facts = good_card.split("layers-render").nth(1).unwrap();
    assert!(
        render_facts.contains("<dd class=\"number\">3</dd>"),
        "{render_facts}"
    );

    // A period not offered: the default, with a message.
    let response = get(&server, "/verwaltung/ebenen?zeitraum=9", Some(&operator)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let text = response.text().await.unwrap();
    assert!(text.contains("Diesen Zeitraum gibt es nicht"), "{text}");
    assert!(text.contains("<option value=\"30\" selected>"));

    // English.
    let html = console_page(get(&server, "/en/admin/layers", Some(&operator)).await).await;
    assert!(
        html.contains("Error:") && html.contains("Good points"),
        "{html}"
    );
    assert!(html.contains("since the server started"));

    // The configuration: secrets masked, the check names the broken layer.
    for path in ["/verwaltung/konfiguration", "/en/admin/configuration"] {
        let html = console_page(get(&server, path, Some(&operator)).await).await;
        assert!(!html.contains(OPERATOR_TOKEN), "operator token leaked");
        assert!(!html.contains(SMTP_PASSWORD), "SMTP password leaked");
        assert!(
            html.contains("token = &quot;********&quot;") || html.contains("token = \"********\""),
            "{html}"
        );
        assert!(html.contains("[accounts.smtp]"), "{html}");
        assert!(html.contains("mailer"), "what is no secret is shown");
        assert!(
            html.contains("[layer broken]"),
            "the check's problem: {html}"
        );
        assert!(html.contains("left out of the map"), "{html}");
    }
    let html = console_page(get(&server, "/verwaltung/konfiguration", Some(&operator)).await).await;
    assert!(html.contains("Gefundene Probleme: 1"), "{html}");

    // Only operators.
    for path in [
        "/verwaltung/ebenen",
        "/en/admin/layers",
        "/verwaltung/konfiguration",
        "/en/admin/configuration",
    ] {
        let response = get(&server, path, Some(&citizen)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        let html = response.text().await.unwrap();
        assert!(!html.contains(OPERATOR_TOKEN) && !html.contains("layer-good"));
        let response = get(&server, path, None).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(
            location.contains("/anmelden") || location.contains("/login"),
            "{location}"
        );
        // The pages change nothing: no form is taken.
        let post = client()
            .post(server.url(path))
            .header("Cookie", &operator)
            .header("Origin", &server.base)
            .form(&[("zeitraum", "7")])
            .send()
            .await
            .unwrap();
        assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
    }
}

#[tokio::test]
async fn the_configuration_page_says_when_the_check_finds_no_problem() {
    let server = TestServer::start(&demo_site());
    create_account(&server, "Olga Operator", true);
    let operator = login(&server, "Olga Operator").await.cookie;
    let html = console_page(get(&server, "/verwaltung/konfiguration", Some(&operator)).await).await;
    assert!(html.contains("Keine Probleme"), "{html}");
    assert!(html.contains("Erreichbare Seiten"), "{html}");
    assert!(html.contains("# token = (nicht gesetzt)"), "{html}");
    let html = console_page(get(&server, "/en/admin/configuration", Some(&operator)).await).await;
    assert!(html.contains("No problems"), "{html}");
    assert!(html.contains("# token = (not set)"), "{html}");
}
