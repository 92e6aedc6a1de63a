//! A layer's measurements from an OGC SensorThings API
//! (`[layer.measurements] sensorthings`), against a SensorThings-shaped
//! server on this machine that answers from the fixtures in
//! `tests/fixtures/sensorthings/` (FROST-Server's shapes, written for these
//! tests): the same answers as the demo's CSV, pages followed, clear
//! refusals, failures of the service as 502/503/504 with the server going
//! on, and every request through the safe fetcher — loopback only with
//! the test suite's allowance, numis's user agent, nothing of the client.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::util::{TestServer, client, demo_site, repo_root, run_numis};
use crate::wms::{demo_server, site_with_map};

/// What the SensorThings server heard: the request target and headers
/// (names in lower case).
#[derive(Debug, Clone)]
struct Heard {
    target: String,
    headers: HashMap<String, String>,
}

/// A SensorThings-shaped server on 127.0.0.1, and a canary beside it that
/// counts the connections it gets and answers none.
struct Service {
    port: u16,
    canary: u16,
    heard: Arc<Mutex<Vec<Heard>>>,
    canary_contacts: Arc<AtomicUsize>,
}

impl Service {
    fn start() -> Self {
        let canary = TcpListener::bind("127.0.0.1:0").unwrap();
        let canary_port = canary.local_addr().unwrap().port();
        let canary_contacts = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&canary_contacts);
        std::thread::spawn(move || {
            for stream in canary.incoming() {
                if stream.is_ok() {
                    counted.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let heard = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&heard);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let record = Arc::clone(&record);
                std::thread::spawn(move || serve(stream, port, canary_port, &record));
            }
        });
        Self {
            port,
            canary: canary_port,
            heard,
            canary_contacts,
        }
    }

    fn heard(&self) -> Vec<Heard> {
        self.heard.lock().unwrap().clone()
    }

    fn requests(&self) -> usize {
        self.heard.lock().unwrap().len()
    }

    fn root(&self, mode: &str) -> String {
        format!("http://127.0.0.1:{}/{mode}/v1.1", self.port)
    }
}

/// Answers one request on `stream`.
fn serve(mut stream: TcpStream, port: u16, canary: u16, record: &Mutex<Vec<Heard>>) {
    let mut head = Vec::new();
    let mut chunk = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65_536 {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.split("\r\n");
    let target = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .unwrap_or("/")
        .to_owned();
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    record.lock().unwrap().push(Heard {
        target: target.clone(),
        headers,
    });
    let (status, content_type, body) = answer(&target, port, canary);
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Internal Server Error",
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}

/// Never in an answer of numis: it stands for what a failing service
/// might leak (a stack trace, a half-written page).
const SECRET: &str = "SECRET-STACKTRACE-do-not-echo";

/// The answer to `target`, by its first path segment: `FROST-Server`
/// answers from the fixtures; `status-500`, `garbage`, `huge` and `slow`
/// fail as they say; `foreign` links its next pages to the canary.
fn answer(target: &str, port: u16, canary: u16) -> (u16, &'static str, Vec<u8>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut segments = path.trim_start_matches('/').splitn(3, '/');
    let mode = segments.next().unwrap_or_default();
    let _version = segments.next();
    let resource = segments.next().unwrap_or_default();
    let options: HashMap<String, String> = reqwest::Url::parse(&format!("http://x/?{query}"))
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let service = match mode {
        "FROST-Server" => format!("http://127.0.0.1:{port}/FROST-Server/v1.1"),
        "foreign" => format!("http://127.0.0.1:{canary}/FROST-Server/v1.1"),
        "status-500" => {
            return (
                500,
                "text/plain",
                format!("java.lang.NullPointerException {SECRET}").into_bytes(),
            );
        }
        "garbage" => {
            return (
                200,
                "application/json;charset=UTF-8",
                format!(r#"{{"value": [{{"@iot.id": "DENI054", "{SECRET}"#).into_bytes(),
            );
        }
        "huge" => {
            let padding = "x".repeat(5 * 1024 * 1024);
            return (
                200,
                "application/json",
                format!(r#"{{"value": [], "padding": "{padding}"}}"#).into_bytes(),
            );
        }
        "slow" => {
            std::thread::sleep(Duration::from_secs(3));
            format!("http://127.0.0.1:{port}/slow/v1.1")
        }
        _ => return (404, "application/json", b"{\"code\":404}".to_vec()),
    };
    let option = |name: &str| options.get(name).map(String::as_str).unwrap_or_default();
    let file = match resource {
        "Things" if option("$filter") == "id eq 'DENI054'" => "things-DENI054.json".to_owned(),
        "Things" => "things-none.json".to_owned(),
        "Things('DENI054')/Datastreams" if option("$expand").contains("Observations") => {
            "datastreams-DENI054-latest.json".to_owned()
        }
        "Things('DENI054')/Datastreams" => "datastreams-DENI054.json".to_owned(),
        observations if observations.ends_with("/Observations") => {
            let id = observations
                .trim_start_matches("Datastreams(")
                .trim_end_matches(")/Observations");
            let page = if option("$skip") == "6" { 2 } else { 1 };
            format!("observations-{id}-page{page}.json")
        }
        _ => return (404, "application/json", b"{\"code\":404}".to_vec()),
    };
    match std::fs::read_to_string(fixtures().join(&file)) {
        Ok(text) => (
            200,
            "application/json;charset=UTF-8",
            text.replace("{service}", &service).into_bytes(),
        ),
        Err(_) => (404, "application/json", b"{\"code\":404}".to_vec()),
    }
}

fn fixtures() -> PathBuf {
    repo_root().join("crates/numis/tests/fixtures/sensorthings")
}

/// More layers of the site: each reads the service in the mode its
/// address names (see [`answer`]), with its own settings.
const LAYERS: [(&str, &str, &str); 6] = [
    (
        "st_small",
        "FROST-Server",
        ", parameter = \"properties/parameter\", page_size = 6, max_observations = 5",
    ),
    ("st_status", "status-500", ""),
    ("st_garbage", "garbage", ""),
    (
        "st_foreign",
        "foreign",
        ", parameter = \"properties/parameter\", page_size = 6",
    ),
    ("st_huge", "huge", ""),
    ("st_slow", "slow", ", timeout_seconds = 1"),
];

/// The demo site with its stations' measurements read from `service`
/// (codes from the Datastreams' `properties/parameter`, six a page), and
/// the [`LAYERS`].
fn site(service: &Service) -> tempfile::TempDir {
    let demo = std::fs::read_to_string(demo_site().join("map.toml")).unwrap();
    let map = demo.replace(
        "path = \"../data/ni_luft_messwerte_uba.csv\"",
        &format!(
            "sensorthings = {{ url = \"{}\", parameter = \"properties/parameter\", page_size = 6 }}",
            service.root("FROST-Server")
        ),
    );
    assert_ne!(map, demo);
    let mut map = map.replace("../data/", "{data}/");
    for (id, mode, settings) in LAYERS {
        map.push_str(&format!(
            r##"
[[layer]]
id = "{id}"
title = "{id}"
source = {{ type = "geojson", path = "{{data}}/ni_luft_messstationen_uba.geojson" }}
[layer.measurements]
key = "station_id"
sensorthings = {{ url = "{url}"{settings} }}
[[layer.rule]]
fill = "#0000ff"
"##,
            url = service.root(mode)
        ));
    }
    site_with_map(&map, &[])
}

/// A server on `site` allowed to reach `service` on loopback.
fn server(site: &tempfile::TempDir, service: &Service, extra: &[(&str, &str)]) -> TestServer {
    let ports = format!("[{}, {}]", service.port, service.canary);
    let mut env = vec![
        ("NUMIS_EXTERNAL__ALLOW_LOOPBACK_FOR_TESTS", "true"),
        ("NUMIS_EXTERNAL__EXTRA_PORTS", ports.as_str()),
    ];
    env.extend_from_slice(extra);
    TestServer::start_with(site.path(), &env)
}

/// GET `path` as a browser behind a proxy would send it: with a cookie
/// and forwarded headers, none of which may reach the service.
async fn get(server: &TestServer, path: &str) -> (StatusCode, String) {
    let response = client()
        .get(server.url(path))
        .header("cookie", "numis_session=geheim")
        .header("x-forwarded-for", "203.0.113.7")
        .header("forwarded", "for=203.0.113.7")
        .header("referer", "https://example.org/private")
        .header("accept-language", "de-DE")
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

async fn get_json(server: &TestServer, path: &str) -> (StatusCode, Value) {
    let (status, text) = get(server, path).await;
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: {text}"));
    (status, json)
}

#[tokio::test]
async fn a_sensorthings_layer_answers_exactly_as_the_csv_does() {
    let service = Service::start();
    let site = site(&service);
    let server = server(&site, &service, &[]);
    assert_eq!(service.requests(), 0, "loading asks the service nothing");
    let demo = demo_server();
    for path in [
        "/api/series/luftmessstationen/DENI054",
        "/api/series/luftmessstationen/DENI054?parameter=NO2_annual_mean,PM10_annual_mean&from=2005&to=2008",
        "/api/series/luftmessstationen/DENI054?parameter=PM10_days_over_50&from=2003-06&to=2009-12-31",
        "/api/series/luftmessstationen/DENI054?lang=en&to=2003-06",
        "/api/series/luftmessstationen/DENI054?from=2030",
        "/api/measurements/luftmessstationen/DENI054",
        "/api/measurements/luftmessstationen/DENI054?lang=en",
    ] {
        let (status, from_service) = get_json(&server, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {from_service}");
        let (_, from_csv) = get_json(&demo, path).await;
        assert_eq!(from_service, from_csv, "{path}");
    }
    let (status, all) = get_json(&server, "/api/series/luftmessstationen/DENI054").await;
    assert_eq!(status, StatusCode::OK);
    let series = all["series"].as_array().unwrap();
    assert_eq!(series.len(), 3, "{all}");
    assert_eq!(
        series[0]["points"].as_array().unwrap().len(),
        11,
        "both pages"
    );
    let csv_path = "/api/series/luftmessstationen/DENI054?format=csv&parameter=NO2_annual_mean";
    let (status, csv) = get(&server, csv_path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(csv, get(&demo, csv_path).await.1);

    // The stations come from the layer's features: nothing is asked.
    let before = service.requests();
    let (status, stations) = get_json(&server, "/api/series/luftmessstationen").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        stations,
        get_json(&demo, "/api/series/luftmessstationen").await.1
    );
    assert_eq!(service.requests(), before);

    let heard = service.heard();
    let targets: Vec<&str> = heard.iter().map(|h| h.target.as_str()).collect();
    // Each Datastream's Observations in two pages: $top=6, then the
    // service's own next link with $skip=6.
    for id in [541, 542, 543] {
        let first = format!(
            "/FROST-Server/v1.1/Datastreams({id})/Observations?$select=phenomenonTime,result&$orderby=phenomenonTime%20asc&$top=6"
        );
        assert!(targets.contains(&first.as_str()), "{first} in {targets:#?}");
        let next = format!("{first}&$skip=6");
        assert!(targets.contains(&next.as_str()), "{next} in {targets:#?}");
    }
    let period = "/FROST-Server/v1.1/Datastreams(541)/Observations?$select=phenomenonTime,result&$orderby=phenomenonTime%20asc&$top=6\
                  &$filter=phenomenonTime%20ge%202005-01-01T00:00:00Z%20and%20phenomenonTime%20lt%202009-01-01T00:00:00Z";
    assert!(targets.contains(&period), "{targets:#?}");
    assert!(
        targets.iter().any(|t| t.starts_with("/FROST-Server/v1.1/Things('DENI054')/Datastreams?")
            && t.contains("$filter=properties/parameter%20eq%20%27NO2_annual_mean%27%20or%20properties/parameter%20eq%20%27PM10_annual_mean%27")),
        "the parameters asked are filtered by the service: {targets:#?}"
    );
    // numis's user agent, nothing of the client.
    for h in &heard {
        assert!(
            h.headers
                .get("user-agent")
                .is_some_and(|agent| agent.starts_with("numis/")),
            "{h:?}"
        );
        for header in [
            "cookie",
            "x-forwarded-for",
            "forwarded",
            "referer",
            "authorization",
            "accept-language",
        ] {
            assert!(!h.headers.contains_key(header), "{header} sent: {h:?}");
        }
        let all: String = h.headers.values().cloned().collect();
        assert!(
            !all.contains("203.0.113.7") && !all.contains("geheim"),
            "{h:?}"
        );
    }
}

#[tokio::test]
async fn unknown_stations_and_parameters_are_404_and_bad_requests_400_without_asking() {
    let service = Service::start();
    let site = site(&service);
    let server = server(&site, &service, &[]);
    for path in [
        "/api/series/luftmessstationen/DENI999",
        "/api/series/luftmessstationen/DENI054?parameter=O3_annual_mean",
    ] {
        let (status, body) = get_json(&server, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    let (status, latest) = get_json(&server, "/api/measurements/luftmessstationen/DENI999").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a station without values shows none"
    );
    assert_eq!(latest["values"], serde_json::json!([]));
    let before = service.requests();
    for (query, says) in [
        ("from=letztes%20Jahr", "from"),
        ("to=2010-13", "to"),
        ("from=2011&to=2010", "after"),
        ("format=xlsx", "format"),
    ] {
        let path = format!("/api/series/luftmessstationen/DENI054?{query}");
        let (status, body) = get_json(&server, &path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains(says),
            "{path}: {body}"
        );
    }
    assert_eq!(
        service.requests(),
        before,
        "a bad request asks the service nothing"
    );
    // More values than the layer allows: refused, saying what to do.
    let (status, body) = get_json(&server, "/api/series/st_small/DENI054").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let message = body["error"].as_str().unwrap();
    assert!(
        message.contains("more than 5 values") && message.contains("shorter period"),
        "{message}"
    );
    let (status, _) = get_json(&server, "/api/measurements/st_small/DENI054").await;
    assert_eq!(status, StatusCode::OK, "the latest values are three");
}

#[tokio::test]
async fn a_failing_service_is_a_clear_502_or_504_and_the_server_goes_on() {
    let service = Service::start();
    let site = site(&service);
    let server = server(&site, &service, &[]);
    for (layer, status, says) in [
        ("st_status", StatusCode::BAD_GATEWAY, "status 500"),
        ("st_garbage", StatusCode::BAD_GATEWAY, "not JSON"),
        ("st_foreign", StatusCode::BAD_GATEWAY, "another server"),
        ("st_huge", StatusCode::BAD_GATEWAY, "larger than"),
        ("st_slow", StatusCode::GATEWAY_TIMEOUT, "within 1 s"),
    ] {
        let mut paths = vec![
            format!("/api/series/{layer}/DENI054"),
            format!("/api/series/{layer}/DENI054?format=csv"),
        ];
        // The latest values are one page without a next link: the
        // foreign link is in the series' pages only.
        if layer != "st_foreign" {
            paths.push(format!("/api/measurements/{layer}/DENI054"));
        }
        for path in paths {
            let (answered, text) = get(&server, &path).await;
            assert_eq!(answered, status, "{path}: {text}");
            let body: Value = serde_json::from_str(&text).unwrap();
            let message = body["error"].as_str().unwrap();
            assert!(
                message.starts_with("the measurement service failed") && message.contains(says),
                "{path}: {message}"
            );
            assert!(!text.contains(SECRET), "{path}: {text}");
        }
    }
    assert_eq!(
        service.canary_contacts.load(Ordering::SeqCst),
        0,
        "a next page on another origin is never asked for"
    );
    let foreign: Vec<Heard> = service
        .heard()
        .into_iter()
        .filter(|h| h.target.starts_with("/foreign/"))
        .collect();
    assert!(
        foreign.iter().any(|h| h.target.contains("/Observations?")),
        "the first page was read: {foreign:?}"
    );
    // The server goes on.
    let (status, body) = get_json(&server, "/api/series/luftmessstationen/DENI054").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = get(&server, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn without_the_loopback_allowance_the_service_on_this_machine_is_never_contacted() {
    let service = Service::start();
    let site = site(&service);
    let ports = format!("[{}]", service.port);
    let server = TestServer::start_with(site.path(), &[("NUMIS_EXTERNAL__EXTRA_PORTS", &ports)]);
    for path in [
        "/api/series/luftmessstationen/DENI054",
        "/api/measurements/luftmessstationen/DENI054",
    ] {
        let (status, body) = get_json(&server, path).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {body}");
        let message = body["error"].as_str().unwrap();
        assert!(
            message.starts_with("the measurement service failed")
                && message.contains("private or special network"),
            "{message}"
        );
    }
    assert_eq!(service.requests(), 0, "the service heard nothing");
}

#[tokio::test]
async fn the_configured_service_is_reached_when_loading_for_users_is_off() {
    // Neither the mode nor the extra ports admit it: the layer's own
    // service is configuration, and admitted by its origin alone.
    let service = Service::start();
    let site = site(&service);
    let server = TestServer::start_with(
        site.path(),
        &[
            ("NUMIS_EXTERNAL__ALLOW_LOOPBACK_FOR_TESTS", "true"),
            ("NUMIS_EXTERNAL__MODE", "off"),
        ],
    );
    let (status, body) = get_json(
        &server,
        "/api/series/luftmessstationen/DENI054?parameter=NO2_annual_mean",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["series"][0]["points"].as_array().unwrap().len(), 11);
    // A user's address is still refused.
    let url = format!("{}/Things", service.root("FROST-Server"));
    let response = client()
        .get(server.url("/api/external/file"))
        .query(&[("url", url.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("switched off"));
}

#[test]
fn numis_check_reads_a_sensorthings_layer_without_the_network_and_reports_a_bad_address() {
    let demo = std::fs::read_to_string(demo_site().join("map.toml")).unwrap();
    let with = |settings: &str| {
        let map = demo.replace(
            "path = \"../data/ni_luft_messwerte_uba.csv\"",
            &format!("sensorthings = {{ {settings} }}"),
        );
        site_with_map(&map.replace("../data/", "{data}/"), &[])
    };
    // `.invalid` never resolves: a check that tried would fail.
    let offline = with("url = \"https://sta.invalid/FROST-Server/v1.1\"");
    let (status, output) = run_numis(&["check", "--site-dir", offline.path().to_str().unwrap()]);
    assert!(status.success(), "{output}");
    let broken = with("url = \"https://sta:geheim@sta.example.org/v1.1\", page_size = 0");
    let (status, output) = run_numis(&["check", "--site-dir", broken.path().to_str().unwrap()]);
    assert!(!status.success(), "{output}");
    assert!(
        output.contains("luftmessstationen") && output.contains("measurements: sensorthings: url"),
        "{output}"
    );
    assert!(!output.contains("geheim"), "{output}");
}
