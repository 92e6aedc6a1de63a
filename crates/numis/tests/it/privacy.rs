//! Privacy by construction (clauses P1, P2, P3, P5) and the security
//! headers, proven against the running server.

use std::path::Path;

use regex::Regex;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, REFERER, SET_COOKIE, USER_AGENT};

use crate::util::{TestServer, client, demo_site};

/// Every byte of every file below `dir`, with its path.
pub(crate) fn files_below(dir: &Path) -> Vec<(String, Vec<u8>)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap_or_default(),
            )
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn no_client_identifying_data_reaches_disk_or_log() {
    let mut server = TestServer::start_with(&demo_site(), &[("NUMIS_STATS__FLUSH_SECONDS", "1")]);
    let http = client();
    let agent = "MarkerAgent-7f3a9c/1.0";
    let forwarded = "203.0.113.77";
    let query = "qmarker5d2e";
    let cookie = "cookiemarker81b4";
    let referer = "https://referer-marker-c0ffee.example/";
    let id = "idmarker42aa";
    let term = "termmarker6b0d";
    let layer = "layermarker19fe";
    let paths = [
        format!("/api/search?q={term}"),
        format!(
            "/ows?SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS={layer}&STYLES=\
             &CRS=EPSG:25832&BBOX=330000,5680000,690000,5990000&WIDTH=60&HEIGHT=50\
             &FORMAT=image/png"
        ),
        "/".to_owned(),
        "/datenschutz".to_owned(),
        "/en/hilfe".to_owned(),
        format!("/api/drawings/{id}"),
        format!("/{id}"),
        "/assets/numis.css".to_owned(),
        "/sitemap.xml".to_owned(),
        "/healthz".to_owned(),
    ];
    for path in &paths {
        let response = http
            .get(server.url(&if path.contains('?') {
                // Its own marker is the query; one `q` only.
                format!("{path}&id={id}")
            } else {
                format!("{path}?q={query}&id={id}")
            }))
            .header(USER_AGENT, agent)
            .header("X-Forwarded-For", forwarded)
            .header("X-Real-IP", forwarded)
            .header("Forwarded", format!("for={forwarded}"))
            .header(COOKIE, format!("session={cookie}"))
            .header(REFERER, referer)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().as_u16() < 500,
            "{path}: {}",
            response.status()
        );
    }
    let status = server.stop();
    assert!(status.success(), "clean shutdown: {status}");

    // The statistics were written, with route templates only.
    let counts = read_counts(&server).await;
    assert!(
        counts
            .iter()
            .any(|(route, n)| route == "/datenschutz" && *n >= 1),
        "{counts:?}"
    );
    assert!(
        counts.iter().all(|(route, _)| !route.contains(id)),
        "{counts:?}"
    );

    let log = server.log();
    let markers = [
        agent,
        "MarkerAgent",
        forwarded,
        query,
        cookie,
        "referer-marker",
        id,
        term,
        layer,
    ];
    for (path, bytes) in server.stored_data() {
        for marker in markers.iter().chain(&["127.0.0.1"]) {
            assert!(!contains(&bytes, marker), "{marker} found in {path}");
        }
    }
    for marker in markers {
        assert!(
            !log.contains(marker),
            "{marker} found in the server log:\n{log}"
        );
    }
    // The start-up line names the listening address; nothing else may.
    let other_lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("127.0.0.1") && !l.contains("listening on"))
        .collect();
    assert!(
        other_lines.is_empty(),
        "client address in log: {other_lines:?}"
    );
}

async fn read_counts(server: &TestServer) -> Vec<(String, u64)> {
    use numis_store::Store;
    let store = server.store().await;
    let today = chrono::Utc::now().date_naive();
    let counts = store
        .access_counts(today - chrono::Days::new(1), today + chrono::Days::new(1))
        .await
        .unwrap();
    store.close().await;
    counts.into_iter().map(|c| (c.route, c.requests)).collect()
}

#[tokio::test]
async fn no_public_response_sets_a_cookie() {
    let server = TestServer::start(&demo_site());
    let http = client();
    let sitemap = http
        .get(server.url("/sitemap.xml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let locs = Regex::new(r"<loc>https?://[^/]+([^<]*)</loc>").unwrap();
    let mut paths: Vec<String> = locs
        .captures_iter(&sitemap)
        .map(|c| c[1].to_owned())
        .collect();
    assert!(paths.len() >= 10, "sitemap lists the demo pages: {paths:?}");
    paths.extend(
        [
            "/gibt-es-nicht",
            "/robots.txt",
            "/sitemap.xml",
            "/assets/numis.css",
            "/healthz",
            "/metrics",
            "/karte",
            "/en/karte",
            "/embed",
            "/embed?lang=en&layers=fluesse",
            "/api/layers",
            "/api/search?q=hannover",
            "/api/measurements/luftmessstationen/DENI054",
            "/api/qr?text=numis",
            "/ows?SERVICE=WMS&REQUEST=GetCapabilities",
        ]
        .map(String::from),
    );
    for path in paths {
        let response = http.get(server.url(&path)).send().await.unwrap();
        assert!(
            !response.headers().contains_key(SET_COOKIE),
            "{path} sets a cookie"
        );
    }
}

#[tokio::test]
async fn pages_load_nothing_from_another_origin_and_run_no_inline_script() {
    let server = TestServer::start(&demo_site());
    let http = client();
    let sitemap = http
        .get(server.url("/sitemap.xml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let locs = Regex::new(r"<loc>https?://[^/]+([^<]*)</loc>").unwrap();
    let mut paths: Vec<String> = locs
        .captures_iter(&sitemap)
        .map(|c| c[1].to_owned())
        .collect();
    paths.push("/gibt-es-nicht".into());
    // Tags that make the browser fetch something, and where they point.
    let fetching = Regex::new(r#"(?is)<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*?\b(?:src|href|data|srcset)\s*=\s*["']?\s*([^"'\s>]+)"#).unwrap();
    let script_tags = Regex::new(r"(?is)<script\b[^>]*>").unwrap();
    for path in paths {
        let html = http
            .get(server.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for capture in fetching.captures_iter(&html) {
            let target = &capture[1];
            assert!(
                !(target.starts_with("http:")
                    || target.starts_with("https:")
                    || target.starts_with("//")),
                "{path} loads {target} from another origin"
            );
        }
        for tag in script_tags.find_iter(&html) {
            assert!(
                tag.as_str().contains("src="),
                "{path} has an inline script: {}",
                tag.as_str()
            );
        }
        assert!(
            !html.contains(" style=\""),
            "{path} has an inline style attribute"
        );
        assert!(
            !html.to_lowercase().contains("<style"),
            "{path} has an inline style element"
        );
    }
    let css = http
        .get(server.url("/assets/numis.css"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let urls = Regex::new(r#"(?i)(?:url\(|@import)\s*["']?\s*([^"')\s;]+)"#).unwrap();
    for capture in urls.captures_iter(&css) {
        let target = &capture[1];
        assert!(
            !(target.starts_with("http") || target.starts_with("//")),
            "stylesheet loads {target}"
        );
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let server = TestServer::start(&demo_site());
    let http = client();
    for path in [
        "/",
        "/datenschutz",
        "/gibt-es-nicht",
        "/assets/numis.css",
        "/healthz",
        "/sitemap.xml",
    ] {
        let response = http.get(server.url(path)).send().await.unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'self'"), "{path}: {csp}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            headers["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
        assert!(
            headers["permissions-policy"]
                .to_str()
                .unwrap()
                .contains("geolocation=()"),
            "{path}"
        );
        assert!(
            !headers.contains_key("strict-transport-security"),
            "{path}: no HSTS unless configured"
        );
    }
    assert_eq!(
        http.get(server.url("/")).send().await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn hsts_is_sent_when_configured() {
    let server = TestServer::start_with(&demo_site(), &[("NUMIS_SECURITY__HSTS", "true")]);
    let response = client().get(server.url("/")).send().await.unwrap();
    assert!(
        response.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=31536000")
    );
}
