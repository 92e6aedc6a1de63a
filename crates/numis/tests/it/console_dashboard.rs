//! The statistics dashboard of the operator console (clauses P1, P2): a
//! known set of anonymous requests shows up as exactly those numbers on
//! the page and in its CSV downloads; only an operator gets in.

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION};

use crate::util::{TestServer, client, create_account, demo_site, login};

const LINE: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Weg"},
   "geometry":{"type":"LineString","coordinates":[[9.735,52.366],[9.741,52.359]]}}]}"#;

fn get_map(layers: &str) -> String {
    format!(
        "/ows?SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS={layers}&STYLES=&CRS=EPSG:25832\
         &BBOX=330000,5680000,690000,5990000&WIDTH=60&HEIGHT=50&FORMAT=image/png"
    )
}

fn get_feature_info(layer: &str) -> String {
    format!(
        "/ows?SERVICE=WMS&REQUEST=GetFeatureInfo&VERSION=1.3.0&LAYERS={layer}&QUERY_LAYERS={layer}\
         &STYLES=&CRS=EPSG:25832&BBOX=330000,5680000,690000,5990000&WIDTH=60&HEIGHT=50\
         &FORMAT=image/png&INFO_FORMAT=text/html&I=30&J=25"
    )
}

async fn get(server: &TestServer, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = client().get(server.url(path));
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    request.send().await.unwrap()
}

/// The CSV of one table of the last 7 days, as rows of cells.
async fn csv(server: &TestServer, cookie: &str, table: &str) -> Vec<Vec<String>> {
    let response = get(
        server,
        &format!("/verwaltung?zeitraum=7&csv={table}"),
        Some(cookie),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "{table}");
    assert_eq!(response.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"numis-{table}-")),
        "{disposition}"
    );
    let text = response.text().await.unwrap();
    text.lines()
        .map(|line| line.split(',').map(str::to_owned).collect())
        .collect()
}

/// The row of a CSV whose first cell is or ends with `name`.
fn row<'a>(rows: &'a [Vec<String>], name: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r[0] == name || r[0].ends_with(&format!("({name})")))
        .unwrap_or_else(|| panic!("no row {name} in {rows:?}"))
}

#[tokio::test]
async fn known_requests_are_exactly_the_dashboards_numbers_and_its_csv() {
    let server = TestServer::start_with(&demo_site(), &[("NUMIS_STATS__RETENTION_DAYS", "400")]);
    create_account(&server, "Olga Operator", true);
    let olga = login(&server, "Olga Operator").await.cookie;

    // A visitor's known requests, anonymous.
    let http = client();
    let mut paths: Vec<String> = vec!["/", "/", "/datenschutz", "/karte", "/embed", "/embed"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    paths.extend([get_map("land"), get_map("land"), get_map("land,gemeinden")]);
    paths.push(get_feature_info("gemeinden"));
    paths.push("/api/search?q=Hannover".to_owned());
    for path in &paths {
        let response = http.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let head = http.head(server.url("/impressum")).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK, "a HEAD is no reader");
    let missing = http.get(server.url("/gibt-es-nicht")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let created = http
        .post(server.url("/api/drawings"))
        .header(CONTENT_TYPE, "application/geo+json")
        .body(LINE)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let body: serde_json::Value = serde_json::from_str(&created.text().await.unwrap()).unwrap();
    let id = body["id"].as_str().unwrap();
    let kml = r#"<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>P</name><Point><coordinates>9.7,52.4</coordinates></Point></Placemark></kml>"#;
    let converted = http
        .post(server.url("/api/convert?to=geojson"))
        .header(CONTENT_TYPE, "application/vnd.google-earth.kml+xml")
        .body(kml)
        .send()
        .await
        .unwrap();
    assert_eq!(converted.status(), StatusCode::OK, "an import");
    for format in ["kml", "kml", "gpx"] {
        let export = http
            .get(server.url(&format!("/api/drawings/{id}.{format}")))
            .send()
            .await
            .unwrap();
        assert_eq!(export.status(), StatusCode::OK);
    }
    let image = http
        .post(server.url("/api/export"))
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"center":[550000,5800000],"resolution":70,"width":64,"height":64,"layers":["land"]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), StatusCode::OK, "an image of the view");
    let data = http
        .get(server.url("/api/data/seen/geojson"))
        .send()
        .await
        .unwrap();
    assert_eq!(data.status(), StatusCode::OK, "an open-data download");

    // The page: counted up to the moment it is opened, no flush needed.
    let page = get(&server, "/verwaltung?zeitraum=7", Some(&olga)).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()[CACHE_CONTROL], "no-store");
    assert!(
        page.headers()[CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Besucherinnen, Besucher oder Sitzungen zählt numis nicht"),
        "the P1 sentence"
    );
    assert!(html.contains("400 Tage aufbewahrt"), "the retention");
    assert_eq!(
        html.matches("<svg class=\"chart\"").count(),
        2,
        "two charts"
    );
    assert!(
        html.contains("<th scope=\"row\">/datenschutz</th>"),
        "the page ranking"
    );

    let pages = csv(&server, &olga, "seiten").await;
    assert_eq!(pages[0], ["Seite", "Seitenaufrufe", "Anteil"]);
    assert_eq!(pages.len(), 3, "/ and /datenschutz only: {pages:?}");
    assert_eq!(row(&pages, "/"), ["/", "2", "66.7"]);
    assert_eq!(row(&pages, "/datenschutz"), ["/datenschutz", "1", "33.3"]);

    let layers = csv(&server, &olga, "ebenen").await;
    assert_eq!(row(&layers, "land")[1..], ["3", "0", "0"]);
    assert_eq!(row(&layers, "gemeinden")[1..], ["1", "1", "0"]);

    let wms = csv(&server, &olga, "wms").await;
    assert_eq!(row(&wms, "GetMap")[1], "3", "requests, not layers");
    assert_eq!(row(&wms, "GetFeatureInfo")[1], "1");

    let days = csv(&server, &olga, "tage").await;
    assert_eq!(days.len(), 8, "a heading and 7 days");
    assert_eq!(
        days[7][1..],
        ["3", "1", "2", "4"],
        "today: pages, map, embeds, layers drawn"
    );
    assert!(
        days[1..7].iter().all(|d| d[1..] == ["0", "0", "0", "0"]),
        "{days:?}"
    );

    let done = csv(&server, &olga, "aktionen").await;
    assert_eq!(row(&done, "Suchen")[1], "1");
    assert_eq!(row(&done, "Zeichnungen gespeichert")[1], "1");
    assert_eq!(row(&done, "Zeichnungen exportiert")[1], "3");
    assert_eq!(row(&done, "Anmeldungen")[1], "1");
    assert_eq!(
        row(&done, "Karten gedruckt oder als Bild gespeichert")[1],
        "1"
    );
    let downloads = csv(&server, &olga, "downloads").await;
    assert_eq!(
        downloads[0],
        [
            "Format",
            "Exportiert",
            "Umgewandelt",
            "Gelesen (Import)",
            "Gedruckt",
            "Offene Daten"
        ]
    );
    assert_eq!(
        row(&downloads, "KML")[1..],
        ["2", "0", "1", "0", "0"],
        "exported twice, read once"
    );
    assert_eq!(row(&downloads, "GPX")[1..], ["1", "0", "0", "0", "0"]);
    assert_eq!(
        row(&downloads, "GEOJSON")[1..],
        ["0", "1", "0", "0", "0"],
        "written once"
    );
    assert_eq!(row(&downloads, "PNG")[1..], ["0", "0", "0", "1", "0"]);
    assert_eq!(
        row(&downloads, "seen/GEOJSON")[1..],
        ["0", "0", "0", "0", "1"],
        "an open-data download, per layer and format"
    );

    let routes = csv(&server, &olga, "routen").await;
    let ows = row(&routes, "/ows");
    assert_eq!(ows[1..6], ["4", "4", "0", "0", "0"], "{ows:?}");
    assert!(ows[7].parse::<u64>().unwrap() > 0, "bytes");
    let unmatched = row(&routes, "/{*path}");
    assert_eq!(
        unmatched[4], "1",
        "the 404 counted as 4xx, its path not kept"
    );

    let english = get(&server, "/en/admin?zeitraum=30", Some(&olga)).await;
    assert_eq!(english.status(), StatusCode::OK);
    let english = english.text().await.unwrap();
    assert!(english.contains("numis counts no visitors or sessions"));
    assert!(english.contains("Most read pages"));
}

#[tokio::test]
async fn a_period_is_chosen_and_a_wrong_one_is_explained() {
    let server = TestServer::start(&demo_site());
    create_account(&server, "Olga Operator", true);
    let olga = login(&server, "Olga Operator").await.cookie;
    let today = chrono::Utc::now().date_naive();
    let from = today - chrono::Days::new(2);
    let custom = get(
        &server,
        &format!("/verwaltung?zeitraum=eigener&von={from}&bis={today}&csv=tage"),
        Some(&olga),
    )
    .await
    .text()
    .await
    .unwrap();
    assert_eq!(custom.lines().count(), 4, "a heading and 3 days: {custom}");

    for (query, says) in [
        (
            "zeitraum=eigener&von=2026-13-01&bis=2026-12-01",
            "im Format JJJJ-MM-TT",
        ),
        (
            "zeitraum=eigener&von=2026-12-01&bis=2026-11-01",
            "liegt nach dem letzten",
        ),
        (
            "zeitraum=eigener&von=2019-01-01&bis=2025-01-01",
            "höchstens drei Jahre",
        ),
        ("zeitraum=14", "Diesen Zeitraum gibt es nicht"),
    ] {
        let response = get(&server, &format!("/verwaltung?{query}"), Some(&olga)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let html = response.text().await.unwrap();
        assert!(html.contains(says), "{query}: {says}");
        assert!(html.contains("role=\"alert\""), "{query}: announced");
        assert!(
            html.contains("Letzte 30 Tage"),
            "{query}: the form is still there"
        );
    }
    let unknown = get(&server, "/verwaltung?csv=besucher", Some(&olga)).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_an_operator_gets_into_the_dashboard() {
    let server = TestServer::start(&demo_site());
    create_account(&server, "Bürgerin", false);
    let citizen = login(&server, "Bürgerin").await.cookie;
    for path in ["/verwaltung", "/en/admin", "/verwaltung?csv=seiten"] {
        let anonymous = get(&server, path, None).await;
        assert_eq!(anonymous.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(
            anonymous.headers()[LOCATION]
                .to_str()
                .unwrap()
                .ends_with("/anmelden")
                || anonymous.headers()[LOCATION]
                    .to_str()
                    .unwrap()
                    .ends_with("/login"),
            "{path}"
        );
        let refused = get(&server, path, Some(&citizen)).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(refused.headers()[CACHE_CONTROL], "no-store");
        assert!(
            !refused.text().await.unwrap().contains("Seitenaufrufe"),
            "{path}: no numbers"
        );
    }
}

#[tokio::test]
async fn without_accounts_there_is_no_console() {
    let server = TestServer::start_with(&demo_site(), &[("NUMIS_ACCOUNTS__ENABLED", "false")]);
    for path in ["/verwaltung", "/en/admin"] {
        assert_eq!(
            get(&server, path, None).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}
