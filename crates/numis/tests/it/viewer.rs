//! The map viewer's server side against the running binary: the shells at
//! `/karte` and `/embed` (framing, caching, nothing reflected from the
//! query — clause P6), the bundle's immutable assets, and the JSON the
//! viewer reads (`/api/layers`, `/api/search`, `/api/measurements`,
//! `/api/qr`). The browser side is proven by `web/e2e`.

use regex::Regex;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, COOKIE, SET_COOKIE};
use serde_json::Value;

use crate::util::{TestServer, client};
use crate::wms::{TOKEN, demo_server, restricted_server};
use crate::xml;

async fn get_json(server: &TestServer, path: &str) -> (StatusCode, Value) {
    let response = client().get(server.url(path)).send().await.unwrap();
    let status = response.status();
    let content_type = response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/json", "{path}");
    (
        status,
        serde_json::from_str(&response.text().await.unwrap()).unwrap(),
    )
}

async fn get_text(
    server: &TestServer,
    path: &str,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let response = client().get(server.url(path)).send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

// ------------------------------------------------------------- the shells

#[tokio::test]
async fn karte_is_a_shell_that_only_its_own_origin_may_frame() {
    let server = demo_server();
    let (status, headers, html) = get_text(&server, "/karte").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        headers[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(
        headers[CACHE_CONTROL], "no-cache",
        "the shell is revalidated"
    );
    assert!(
        headers["permissions-policy"]
            .to_str()
            .unwrap()
            .contains("geolocation=(self)"),
        "locate me may ask for the position"
    );
    assert!(html.contains("<html lang=\"de\">"));
    assert!(html.contains("data-mode=\"karte\""));
    let (_, _, english) = get_text(&server, "/en/karte").await;
    assert!(english.contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn the_embed_may_be_framed_by_any_site() {
    let server = demo_server();
    let (status, headers, html) = get_text(&server, "/embed").await;
    assert_eq!(status, StatusCode::OK);
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors *"), "{csp}");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert!(html.contains("data-mode=\"embed\""));
    assert!(!headers.contains_key("x-frame-options"));
}

#[tokio::test]
async fn the_shells_load_the_site_theme_before_the_viewer_styles() {
    // One look: the theme's custom properties (colours, logo) and header
    // styles reach the viewer, and the viewer's own stylesheet comes after.
    let server = demo_server();
    for path in ["/karte", "/en/karte", "/embed"] {
        let (_, _, html) = get_text(&server, path).await;
        let theme = html
            .find("<link rel=\"stylesheet\" href=\"/assets/numis.css\">")
            .unwrap_or_else(|| panic!("{path} links the theme's stylesheet: {html}"));
        let own = html
            .find("<link rel=\"stylesheet\" href=\"/assets/web/")
            .unwrap_or_else(|| panic!("{path} links the viewer's stylesheet: {html}"));
        assert!(theme < own, "{path}: the theme comes first: {html}");
    }
    let (status, headers, css) = get_text(&server, "/assets/numis.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    for property in ["--brand:", "--on-brand:", "--logo:", "--focus-ring:"] {
        assert!(css.contains(property), "the theme defines {property}");
    }
}

#[tokio::test]
async fn no_url_parameter_reaches_the_shell() {
    let server = demo_server();
    let (_, _, plain) = get_text(&server, "/embed").await;
    let hostile = [
        "\"><script>alert(1)</script>",
        "javascript:alert(1)",
        "</style><style>body{display:none}</style>",
        "1e309",
        "NaN",
    ];
    for value in hostile {
        let encoded: String = url_encode(value);
        for param in [
            "lang", "x", "y", "scale", "layers", "base", "marker", "tree", "wheel", "evil",
        ] {
            for page in ["/embed", "/karte"] {
                let (status, _, html) =
                    get_text(&server, &format!("{page}?{param}={encoded}")).await;
                assert_eq!(status, StatusCode::OK, "{page}?{param}={value}");
                assert!(!html.contains(value), "{page}?{param}: {value} reflected");
                if page == "/embed" {
                    assert_eq!(html, plain, "/embed?{param}={value} changed the shell");
                }
            }
        }
    }
}

fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The page configuration the viewer reads (`<script id="numis-shell">`).
fn shell_config(html: &str) -> Value {
    let open = "<script type=\"application/json\" id=\"numis-shell\">";
    let start = html.find(open).expect("the shell has its configuration") + open.len();
    let end = start + html[start..].find("</script>").expect("closed");
    serde_json::from_str(&html[start..end]).expect("JSON")
}

#[tokio::test]
async fn the_shell_tells_the_viewer_whether_to_ask_who_is_logged_in() {
    // Only a page asked for with a live session makes the viewer ask
    // /api/me: a visitor who never logged in sends no such request.
    let server = demo_server();
    let (_, _, html) = get_text(&server, "/karte").await;
    let anonymous = shell_config(&html);
    assert_eq!(anonymous["accounts"], true, "the login is offered");
    assert_eq!(anonymous["session"], false);

    let password = "Moorbirke-Heidekraut-Wollgras-17";
    let body = format!("pseudonym=Shell+im+Viewer&password={password}&password_repeat={password}");
    let registered = client()
        .post(server.url("/konto/registrieren"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    let cookie = registered.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    for (path, accounts, session) in [
        ("/karte", true, true),
        ("/en/karte", true, true),
        // The embed runs in other sites' pages: nothing of accounts there.
        ("/embed", false, false),
    ] {
        let response = client()
            .get(server.url(path))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        let config = shell_config(&response.text().await.unwrap());
        assert_eq!(config["accounts"], accounts, "{path}");
        assert_eq!(config["session"], session, "{path}");
    }
}

#[tokio::test]
async fn the_bundle_is_served_with_hashed_names_and_immutable_caching() {
    let server = demo_server();
    let (_, _, html) = get_text(&server, "/karte").await;
    let script =
        Regex::new(r#"<script type="module" src="(/assets/web/main-[A-Za-z0-9]+\.js)">"#).unwrap();
    let style =
        Regex::new(r#"<link rel="stylesheet" href="(/assets/web/main-[A-Za-z0-9]+\.css)">"#)
            .unwrap();
    let script = &script.captures(&html).expect("the shell loads the bundle")[1];
    let style = &style.captures(&html).expect("and its style sheet")[1];
    for (path, kind) in [(script, "text/javascript"), (style, "text/css")] {
        let (status, headers, body) = get_text(&server, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(headers[CONTENT_TYPE].to_str().unwrap().starts_with(kind));
        assert!(
            headers[CACHE_CONTROL]
                .to_str()
                .unwrap()
                .contains("immutable"),
            "{path}"
        );
        assert!(body.len() > 1000, "{path} is the real bundle");
        // P3: the bundle names no other origin to load from.
        assert!(
            !body.contains("//cdn.") && !body.contains("fonts.googleapis"),
            "{path}"
        );
    }
    let (status, _, _) = get_text(&server, "/assets/web/main-0000.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

// ------------------------------------------------------------ /api/layers

#[tokio::test]
async fn the_layer_catalogue_has_base_maps_tree_and_metadata() {
    let server = demo_server();
    let (status, catalogue) = get_json(&server, "/api/layers").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(catalogue["crs"], "EPSG:25832");
    let extent: Vec<f64> = serde_json::from_value(catalogue["extent"].clone()).unwrap();
    assert!(extent[0] < 400_000.0 && extent[2] > 600_000.0, "{extent:?}");
    assert_eq!(catalogue["basemaps"][0]["id"], "grundkarte");
    let base_queryable = catalogue["basemaps"][0]["queryable_layers"]
        .as_array()
        .unwrap();
    assert!(base_queryable.iter().any(|l| l == "gemeinden"));
    let folders: Vec<&str> = catalogue["tree"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(folders, ["gewaesser", "natur", "luft", "grundkarte"]);
    assert_eq!(catalogue["tree"][0]["children"][1]["id"], "fluesse");
    let fluesse = &catalogue["layers"]["fluesse"];
    assert_eq!(fluesse["title"], "Flüsse");
    assert_eq!(fluesse["visible"], true);
    assert_eq!(catalogue["layers"]["gemeinden"]["visible"], false);
    assert_eq!(fluesse["licence"]["id"], "CC0-1.0");
    assert!(
        fluesse["legend_url"]
            .as_str()
            .unwrap()
            .contains("GetLegendGraphic")
    );
    let stations = &catalogue["layers"]["luftmessstationen"];
    assert_eq!(stations["measurements"], true);
    assert_eq!(stations["measurement_key"], "station_id");
    let fields: Vec<&str> = stations["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["label"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"Stationstyp"), "{fields:?}");
    let gemeinden = &catalogue["layers"]["gemeinden"];
    assert_eq!(gemeinden["data_date"], "2016-01-01");
    assert_eq!(gemeinden["max_scale"], 1_000_000.0);

    let (_, english) = get_json(&server, "/api/layers?lang=en").await;
    assert_eq!(english["layers"]["fluesse"]["title"], "Rivers");
    assert!(
        english["layers"]["gemeinden"]["attribution"]
            .as_str()
            .unwrap()
            .contains("data modified")
    );
}

#[tokio::test]
async fn the_viewer_and_the_capabilities_carry_the_same_attribution() {
    let server = demo_server();
    let (_, catalogue) = get_json(&server, "/api/layers").await;
    let (_, _, capabilities) = get_text(
        &server,
        "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities",
    )
    .await;
    let root = xml::parse(&capabilities);
    let mut checked = 0;
    for layer in root.descendants("Layer") {
        let name = layer.text_of("Name");
        let Some(entry) = catalogue["layers"].get(name) else {
            continue;
        };
        let title = layer.find("Attribution").map_or("", |a| a.text_of("Title"));
        assert_eq!(entry["attribution"], title, "{name}");
        if name == "gemeinden" {
            assert!(title.contains("Daten geändert"), "clause L1: {title}");
        }
        checked += 1;
    }
    assert_eq!(checked, 10, "every demo layer compared");
}

#[tokio::test]
async fn restricted_layers_are_absent_from_catalogue_and_search() {
    let (_site, server) = restricted_server();
    let (_, public) = get_json(&server, "/api/layers").await;
    assert!(public["layers"].get("messpunkte").is_some());
    assert!(public["layers"].get("baustellen").is_none(), "{public}");
    assert!(!public.to_string().contains("baustellen"));
    let (_, hits) = get_json(&server, "/api/search?q=baustellen").await;
    assert_eq!(hits["results"], serde_json::json!([]));

    let response = client()
        .get(server.url("/api/layers"))
        .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
        .send()
        .await
        .unwrap();
    let operator: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert!(operator["layers"].get("baustellen").is_some());
}

// ------------------------------------------------------------ /api/search

fn labels(results: &Value) -> Vec<(String, String)> {
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_owned(),
                r["label"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn search_ignores_case_and_umlaut_spelling() {
    let server = demo_server();
    let mut answers = Vec::new();
    for q in [
        "gottingen",
        "goettingen",
        "G%C3%96TTINGEN",
        "G%C3%B6ttingen",
    ] {
        let (status, results) = get_json(&server, &format!("/api/search?q={q}")).await;
        assert_eq!(status, StatusCode::OK);
        let found = labels(&results);
        assert!(
            found
                .iter()
                .any(|(kind, label)| kind == "orte" && label == "Göttingen"),
            "{q}: {found:?}"
        );
        answers.push(found);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
}

#[tokio::test]
async fn search_finds_places_municipalities_districts_keys_and_layers() {
    let server = demo_server();
    let (_, results) = get_json(&server, "/api/search?q=Hannover").await;
    let first = &results["results"][0];
    assert_eq!(first["label"], "Hannover");
    let (x, y) = (first["x"].as_f64().unwrap(), first["y"].as_f64().unwrap());
    assert!(
        (x - 550_000.0).abs() < 10_000.0 && (y - 5_803_000.0).abs() < 10_000.0,
        "{first}"
    );
    let kinds: Vec<String> = labels(&results).into_iter().map(|(k, _)| k).collect();
    for kind in ["gemeinden", "orte", "kreise"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    // A municipality has an area to zoom to; a place has none.
    let gemeinde = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "gemeinden")
        .unwrap();
    let bbox: Vec<f64> = serde_json::from_value(gemeinde["bbox"].clone()).unwrap();
    assert!(
        bbox[0] < x && x < bbox[2] && bbox[1] < y && y < bbox[3],
        "{bbox:?}"
    );

    // By municipality key (AGS).
    let (_, by_key) = get_json(&server, "/api/search?q=03241001").await;
    assert_eq!(labels(&by_key)[0], ("gemeinden".into(), "Hannover".into()));
    // Layers by title, in either language.
    for q in ["Fl%C3%BCsse", "rivers"] {
        let (_, layers) = get_json(&server, &format!("/api/search?q={q}")).await;
        let hit = &layers["results"][0];
        assert_eq!(hit["kind"], "layer", "{q}");
        assert_eq!(hit["layer"], "fluesse", "{q}");
    }
    // Nothing asked, nothing found; nonsense is no error.
    for q in ["", "%20", "zzzzqqq", &"x".repeat(5000), "%3Cscript%3E"] {
        let (status, results) = get_json(&server, &format!("/api/search?q={q}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(results["results"], serde_json::json!([]), "{q}");
    }
}

// ------------------------------------------------------ measurements, QR

#[tokio::test]
async fn a_station_has_its_latest_values() {
    let server = demo_server();
    let (status, values) = get_json(&server, "/api/measurements/luftmessstationen/DENI054").await;
    assert_eq!(status, StatusCode::OK);
    let values = values["values"].as_array().unwrap();
    assert_eq!(values.len(), 3, "{values:?}");
    let no2 = values
        .iter()
        .find(|v| v["parameter"] == "NO2_annual_mean")
        .unwrap();
    assert_eq!(no2["label"], "NO₂-Jahresmittelwert");
    assert_eq!(no2["unit"], "µg/m³");
    // The CSV's last NO2 year for this station.
    let csv =
        std::fs::read_to_string(crate::util::repo_root().join("data/ni_luft_messwerte_uba.csv"))
            .unwrap();
    let latest = csv
        .lines()
        .filter(|l| l.starts_with("DENI054,NO2_annual_mean,"))
        .map(|l| l.split(',').collect::<Vec<_>>())
        .max_by(|a, b| a[3].cmp(b[3]))
        .unwrap();
    assert_eq!(no2["date"], latest[3]);
    assert_eq!(
        no2["value"].as_f64().unwrap(),
        latest[4].parse::<f64>().unwrap()
    );

    let (status, nothing) = get_json(&server, "/api/measurements/luftmessstationen/DENI999").await;
    assert_eq!(status, StatusCode::OK, "a key without values has none");
    assert_eq!(nothing["values"], serde_json::json!([]));
    for path in [
        "/api/measurements/fluesse/Weser",
        "/api/measurements/gibtsnicht/DENI054",
    ] {
        let (status, _) = get_json(&server, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn share_links_get_a_qr_code_from_numis_itself() {
    let server = demo_server();
    let (status, headers, svg) = get_text(
        &server,
        "/api/qr?text=http%3A%2F%2F127.0.0.1%2Fkarte%3Fx%3D1",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[CONTENT_TYPE], "image/svg+xml");
    assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
    assert!(!svg.contains("<script"));
    let too_long = "a".repeat(2_001);
    for path in [
        "/api/qr".to_owned(),
        "/api/qr?text=".to_owned(),
        format!("/api/qr?text={too_long}"),
    ] {
        let (status, _) = get_json(&server, &path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
    }
}

// ------------------------------------------------------------ numis check

#[test]
fn check_reports_viewer_search_and_measurement_mistakes() {
    let demo = std::fs::read_to_string(crate::util::demo_site().join("map.toml")).unwrap();
    let broken = demo
        .replace(
            "basemaps = [\"grundkarte\"]",
            "basemaps = [\"grundkarte\", \"luftbild\"]",
        )
        .replace(
            "path = \"../data/ni_luft_messwerte_uba.csv\"",
            "path = \"../data/gibt-es-nicht.csv\"",
        )
        .replace(
            "home = [342772, 5682911, 674202, 5971589]",
            "home = [10, 0, 5, 1]",
        );
    assert_ne!(broken, demo);
    let site = crate::wms::site_with_map(&broken.replace("../data/", "{data}/"), &[]);
    let (status, output) =
        crate::util::run_numis(&["check", "--site-dir", site.path().to_str().unwrap()]);
    assert_eq!(status.code(), Some(1), "{output}");
    for expected in [
        "[viewer]: basemaps names \"luftbild\"",
        "[viewer]: home must be",
        "[layer luftmessstationen]: measurements:",
        "gibt-es-nicht.csv",
    ] {
        assert!(output.contains(expected), "{expected} in {output}");
    }
}
