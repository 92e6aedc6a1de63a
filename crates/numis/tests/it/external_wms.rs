//! Another authority's WMS through numis (issue 15, P3, P7), against a
//! real third-party WMS on this machine: MapServer behind nginx, started
//! by `scripts/third-party-wms.sh` from the shared benchmark kit. numis
//! reads its capabilities, passes on its map images and legends, keeps
//! them for a while (a counting relay in front of MapServer shows what
//! reached it), and refuses bad parameters before anything leaves.
//! Without the test suite's allowance for loopback, and for every
//! spelling of a private address or a redirect to one, nothing is
//! contacted (a canary listener on 127.0.0.1 hears nothing); `off` and
//! `listed` behave.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::StatusCode;
use serde_json::Value;

use crate::image_diff::{Image, decode_png, encode_png};
use crate::util::{TestServer, client, demo_site, repo_root, shared};

/// Lower Saxony in EPSG:25832 (a little more than the map's extent).
const LOWER_SAXONY: &str = "270000,5650000,670000,6000000";

/// MapServer started for one test, stopped when dropped (also on panic).
struct ThirdPartyWms {
    port: u16,
    work: tempfile::TempDir,
}

impl ThirdPartyWms {
    /// Starts the fixture, or `None` with a visible note when MapServer
    /// is not installed outside CI (in CI that fails).
    fn start() -> Option<Self> {
        shared("bench")?;
        let installed = Command::new("mapserv").arg("-v").output().is_ok();
        if !installed {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("MapServer (cgi-mapserver) is not installed in CI");
            }
            eprintln!(
                "SKIPPED: MapServer is not installed (scripts/third-party-wms.sh install sets it up)"
            );
            return None;
        }
        let work = tempfile::tempdir().unwrap();
        let port = free_port();
        let output = Command::new(script())
            .args(["start", &port.to_string()])
            .arg(work.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "third-party-wms.sh start failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let base = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        assert_eq!(base, format!("http://127.0.0.1:{port}/"));
        Some(Self { port, work })
    }
}

impl Drop for ThirdPartyWms {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .arg("stop")
            .arg(self.work.path())
            .output();
    }
}

fn script() -> PathBuf {
    repo_root().join("scripts/third-party-wms.sh")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A relay on loopback in front of `target`, counting the connections it
/// passes on (numis opens one per request to another server).
fn counting_relay(target: u16) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&count);
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            counted.fetch_add(1, Ordering::SeqCst);
            let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                continue;
            };
            let (Ok(mut client_in), Ok(mut server_out)) = (client.try_clone(), server.try_clone())
            else {
                continue;
            };
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut client_in, &mut server_out);
                let _ = server_out.shutdown(std::net::Shutdown::Write);
            });
            let (mut server_in, mut client_out) = (server, client);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut server_in, &mut client_out);
                let _ = client_out.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (port, count)
}

/// A listener that must never be contacted, counting who does.
fn canary() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let contacts = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&contacts);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            if stream.is_ok() {
                counted.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    (port, contacts)
}

/// A server on loopback answering `/<n>` with a redirect to `targets[n]`.
fn redirector(targets: Vec<String>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let read = stream.read(&mut request).unwrap_or(0);
            let line = String::from_utf8_lossy(&request[..read]).into_owned();
            let index: usize = line
                .split_whitespace()
                .nth(1)
                .and_then(|path| path.trim_start_matches('/').split(['?', '/']).next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let location = targets.get(index).cloned().unwrap_or_default();
            let answer = format!(
                "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    port
}

async fn get(server: &TestServer, path: &str, query: &[(&str, &str)]) -> reqwest::Response {
    client()
        .get(server.url(path))
        .query(query)
        .send()
        .await
        .unwrap()
}

async fn json(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The GetMap parameters OpenLayers' `ImageWMS` appends (1.3.0).
fn get_map<'a>(service: &'a str, layers: &'a str, bbox: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("url", service),
        ("SERVICE", "WMS"),
        ("VERSION", "1.3.0"),
        ("REQUEST", "GetMap"),
        ("FORMAT", "image/png"),
        ("TRANSPARENT", "true"),
        ("LAYERS", layers),
        ("STYLES", ""),
        ("CRS", "EPSG:25832"),
        ("WIDTH", "400"),
        ("HEIGHT", "350"),
        ("BBOX", bbox),
    ]
}

fn error_of(answer: &Value) -> &str {
    answer["error"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_third_party_wms_is_shown_through_numis() {
    let Some(wms) = ThirdPartyWms::start() else {
        return;
    };
    let (relay, asked) = counting_relay(wms.port);
    // MapServer names its own port in the capabilities' legend URLs.
    let ports = format!("[{relay},{}]", wms.port);
    let server = TestServer::start_with(
        &demo_site(),
        &[
            ("NUMIS_EXTERNAL__ALLOW_LOOPBACK_FOR_TESTS", "true"),
            ("NUMIS_EXTERNAL__EXTRA_PORTS", &ports),
            ("NUMIS_EXTERNAL__MAP_REQUESTS_PER_HOUR", "60"),
            ("NUMIS_EXTERNAL__MAP_REQUEST_BURST", "5"),
        ],
    );
    // The user pastes a GetCapabilities URL; numis keeps only the service.
    let pasted = format!("http://127.0.0.1:{relay}/?SERVICE=WMS&REQUEST=GetCapabilities");
    let (status, caps) = json(
        get(
            &server,
            "/api/external/wms/capabilities",
            &[("url", &pasted), ("lang", "de")],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{caps}");
    let service = format!("http://127.0.0.1:{relay}/");
    assert_eq!(caps["url"], service.as_str());
    assert_eq!(caps["version"], "1.3.0");
    assert_eq!(
        caps["title"],
        "numis demo – Niedersachsen (MapServer baseline)"
    );
    assert_eq!(caps["formats"][0], "image/png");
    let layers = caps["layers"].as_array().unwrap();
    let titles: Vec<(&str, &str)> = layers
        .iter()
        .map(|l| (l["name"].as_str().unwrap(), l["title"].as_str().unwrap()))
        .collect();
    for expected in [
        ("nachbarlaender", "Nachbarländer"),
        ("gemeinden", "Gemeinden"),
        ("kreise", "Landkreise und kreisfreie Städte"),
        ("nationalparke", "Nationalparke"),
        ("seen", "Seen"),
        ("fluesse", "Flüsse"),
        ("messstationen", "Luftmessstationen (UBA)"),
    ] {
        assert!(titles.contains(&expected), "{expected:?} in {titles:?}");
    }
    let gemeinden = layers.iter().find(|l| l["name"] == "gemeinden").unwrap();
    // CRSs and attribution are inherited from the root layer.
    let crs: Vec<&str> = gemeinden["crs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        crs.contains(&"EPSG:25832") && crs.contains(&"EPSG:3857"),
        "{crs:?}"
    );
    assert!(
        gemeinden["attribution"]["title"]
            .as_str()
            .unwrap()
            .starts_with("© GeoBasis-DE / BKG 2016"),
        "{gemeinden}"
    );
    assert_eq!(gemeinden["queryable"], true);
    assert_eq!(gemeinden["legend"], true);
    let bbox: Vec<f64> = gemeinden["bbox"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    assert_eq!(bbox.len(), 4);
    assert!(
        (6.0..7.0).contains(&bbox[0]) && (53.0..54.5).contains(&bbox[3]),
        "{bbox:?}"
    );
    let after_capabilities = asked.load(Ordering::SeqCst);
    assert_eq!(after_capabilities, 1);
    // Read lately: not asked again.
    let (status, _) = json(
        get(
            &server,
            "/api/external/wms/capabilities",
            &[("url", &service)],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(asked.load(Ordering::SeqCst), 1);

    // A map image over Lower Saxony, drawn by MapServer.
    let response = get(
        &server,
        "/api/external/wms/map",
        &get_map(&service, "kreise,seen,fluesse", LOWER_SAXONY),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    let png = response.bytes().await.unwrap();
    let image = decode_png(&png);
    assert_eq!((image.width, image.height), (400, 350));
    let drawn = image
        .pixels()
        .filter(|[r, g, b, a]| *a > 0 && (*r, *g, *b) != (255, 255, 255))
        .count();
    assert!(
        drawn > 400 * 350 / 50,
        "districts and rivers drawn: {drawn} pixels"
    );
    assert_eq!(asked.load(Ordering::SeqCst), 2);
    // The same image again comes from numis's cache.
    let again = get(
        &server,
        "/api/external/wms/map",
        &get_map(&service, "kreise,seen,fluesse", LOWER_SAXONY),
    )
    .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.bytes().await.unwrap(), png);
    assert_eq!(asked.load(Ordering::SeqCst), 2, "MapServer not asked again");

    // Bad parameters are refused before anything leaves.
    for (name, value, says) in [
        ("BBOX", "1,2,3", "BBOX"),
        ("BBOX", "1,2,inf,4", "BBOX"),
        ("WIDTH", "0", "WIDTH"),
        ("HEIGHT", "5000", "HEIGHT"),
        ("FORMAT", "image/svg+xml", "FORMAT"),
    ] {
        let mut query = get_map(&service, "kreise", LOWER_SAXONY);
        for pair in &mut query {
            if pair.0 == name {
                pair.1 = value;
            }
        }
        let (status, answer) = json(get(&server, "/api/external/wms/map", &query).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}={value}: {answer}");
        assert!(error_of(&answer).contains(says), "{name}={value}: {answer}");
    }
    assert_eq!(asked.load(Ordering::SeqCst), 2);

    // A layer MapServer does not have: its exception, passed on as 502.
    let (status, answer) = json(
        get(
            &server,
            "/api/external/wms/map",
            &get_map(&service, "no_such_layer", LOWER_SAXONY),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{answer}");
    assert!(
        error_of(&answer).contains("the map service reported an error")
            && error_of(&answer).contains("LayerNotDefined"),
        "{answer}"
    );

    // The same through WMS 1.1.1, which names the CRS SRS.
    let mut old = get_map(&service, "gemeinden", LOWER_SAXONY);
    for pair in &mut old {
        match pair.0 {
            "VERSION" => pair.1 = "1.1.1",
            "CRS" => pair.0 = "SRS",
            _ => {}
        }
    }
    let response = get(&server, "/api/external/wms/map", &old).await;
    assert_eq!(response.status(), StatusCode::OK);
    decode_png(&response.bytes().await.unwrap());

    // Legends: from the capabilities' LegendURL; 404 without the layer.
    let response = get(
        &server,
        "/api/external/wms/legend",
        &[("url", service.as_str()), ("layer", "gemeinden")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    let legend = decode_png(&response.bytes().await.unwrap());
    assert!(legend.width > 10 && legend.height > 10);
    let (status, answer) = json(
        get(
            &server,
            "/api/external/wms/legend",
            &[("url", service.as_str()), ("layer", "no_such_layer")],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");

    // Map images have their own budget (here 5 at once): cached ones are
    // free, new ones beyond it wait (429) and never leave.
    for _ in 0..10 {
        let cached = get(
            &server,
            "/api/external/wms/map",
            &get_map(&service, "kreise,seen,fluesse", LOWER_SAXONY),
        )
        .await;
        assert_eq!(cached.status(), StatusCode::OK);
    }
    let before = asked.load(Ordering::SeqCst);
    // Three fetches so far (the image, the missing layer, 1.1.1).
    let views = [
        "300000,5700000,400000,5800000",
        "400000,5700000,500000,5800000",
    ];
    for bbox in views {
        let response = get(
            &server,
            "/api/external/wms/map",
            &get_map(&service, "kreise", bbox),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let refused = get(
        &server,
        "/api/external/wms/map",
        &get_map(&service, "kreise", "500000,5700000,600000,5800000"),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(asked.load(Ordering::SeqCst), before + 2);
}

/// A provider on loopback answering every request with a small PNG and
/// keeping the raw requests it got.
fn recording_provider() -> (u16, Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let heard = Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = Arc::clone(&heard);
    let png = encode_png(&Image {
        width: 2,
        height: 2,
        rgba: [200, 30, 30, 255].repeat(4),
    });
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 8192];
            let read = stream.read(&mut request).unwrap_or(0);
            kept.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&request[..read]).into_owned());
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                png.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&png);
        }
    });
    (port, heard)
}

#[tokio::test]
async fn the_provider_hears_only_what_numis_builds_and_nothing_of_the_citizen() {
    let (port, heard) = recording_provider();
    let ports = format!("[{port}]");
    let server = TestServer::start_with(
        &demo_site(),
        &[
            ("NUMIS_EXTERNAL__ALLOW_LOOPBACK_FOR_TESTS", "true"),
            ("NUMIS_EXTERNAL__EXTRA_PORTS", &ports),
        ],
    );
    let service = format!("http://127.0.0.1:{port}/wms?map=demo");
    let mut query = get_map(&service, "kreise", LOWER_SAXONY);
    query.push(("secret", "marker-in-query"));
    let response = client()
        .get(server.url("/api/external/wms/map"))
        .query(&query)
        .header("Cookie", "session=marker-in-cookie")
        .header("Referer", "https://marker-in-referer.example/")
        .header("X-Forwarded-For", "198.51.100.77")
        .header("Accept-Language", "marker-language")
        .header("User-Agent", "marker-agent")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    decode_png(&response.bytes().await.unwrap());
    let heard = heard.lock().unwrap().clone();
    assert_eq!(heard.len(), 1);
    let request = heard[0].to_ascii_lowercase();
    let first_line = request.lines().next().unwrap_or_default().to_owned();
    assert_eq!(
        first_line,
        "get /wms?map=demo&service=wms&version=1.3.0&request=getmap&layers=kreise&styles=&crs=epsg%3a25832&bbox=270000%2c5650000%2c670000%2c6000000&width=400&height=350&format=image%2fpng&transparent=true&exceptions=xml http/1.1"
    );
    for marker in [
        "marker",
        "198.51.100.77",
        "cookie:",
        "referer:",
        "x-forwarded-for:",
        "forwarded:",
        "accept-language:",
    ] {
        assert!(
            !request.contains(marker),
            "{marker} reached the provider: {request}"
        );
    }
    assert!(request.contains("user-agent: numis/"), "{request}");
}

/// Every route with `service` as the service URL.
fn routes(service: &str) -> Vec<(&'static str, Vec<(&str, &str)>)> {
    vec![
        ("/api/external/wms/capabilities", vec![("url", service)]),
        (
            "/api/external/wms/map",
            get_map(service, "kreise", LOWER_SAXONY),
        ),
        (
            "/api/external/wms/legend",
            vec![("url", service), ("layer", "kreise")],
        ),
    ]
}

#[tokio::test]
async fn without_the_allowance_no_spelling_of_a_private_address_is_contacted() {
    let (port, contacts) = canary();
    let ports = format!("[{port}]");
    let server = TestServer::start_with(&demo_site(), &[("NUMIS_EXTERNAL__EXTRA_PORTS", &ports)]);
    let mut targets: Vec<String> = [
        "127.0.0.1",
        "localhost",
        "2130706433",
        "0177.0.0.1",
        "0x7f000001",
        "0.0.0.0",
        "[::1]",
        "[::ffff:127.0.0.1]",
    ]
    .iter()
    .map(|host| format!("http://{host}:{port}/wms?map=x"))
    .collect();
    targets.extend(
        [
            "http://10.0.0.1/",
            "http://172.16.5.4/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/",
        ]
        .map(String::from),
    );
    for target in &targets {
        for (path, query) in routes(target) {
            let (status, answer) = json(get(&server, path, &query).await).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {target}: {answer}");
            assert!(
                error_of(&answer).contains("private or special network"),
                "{path} {target}: {answer}"
            );
        }
    }
    assert_eq!(
        contacts.load(Ordering::SeqCst),
        0,
        "the canary heard nothing"
    );
}

#[tokio::test]
async fn a_redirect_to_a_private_address_is_refused_even_with_the_allowance() {
    let (port, contacts) = canary();
    // Loopback itself is allowed here; what it redirects to is not.
    let redirect = redirector(vec![
        format!("http://0.0.0.0:{port}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        "http://10.1.2.3/wms".to_owned(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
    ]);
    let ports = format!("[{port},{redirect}]");
    let server = TestServer::start_with(
        &demo_site(),
        &[
            ("NUMIS_EXTERNAL__ALLOW_LOOPBACK_FOR_TESTS", "true"),
            ("NUMIS_EXTERNAL__EXTRA_PORTS", &ports),
        ],
    );
    for n in 0..4 {
        let service = format!("http://127.0.0.1:{redirect}/{n}");
        for (path, query) in routes(&service) {
            if path.ends_with("legend") {
                continue; // the legend needs capabilities first: same fetch
            }
            let (status, answer) = json(get(&server, path, &query).await).await;
            assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "{path} {service}: {answer}"
            );
            assert!(
                error_of(&answer).contains("private or special network"),
                "{path} {service}: {answer}"
            );
        }
    }
    assert_eq!(
        contacts.load(Ordering::SeqCst),
        0,
        "the canary heard nothing"
    );
}

#[tokio::test]
async fn switched_off_or_listed_the_routes_refuse_before_contacting_anyone() {
    let (port, contacts) = canary();
    let ports = format!("[{port}]");
    let service = format!("http://127.0.0.1:{port}/");

    let off = TestServer::start_with(&demo_site(), &[("NUMIS_EXTERNAL__MODE", "off")]);
    for (path, query) in routes(&service) {
        let (status, answer) = json(get(&off, path, &query).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
        assert!(error_of(&answer).contains("switched off"), "{answer}");
    }

    let listed = TestServer::start_with(
        &demo_site(),
        &[
            ("NUMIS_EXTERNAL__MODE", "listed"),
            ("NUMIS_EXTERNAL__ALLOW_HOSTS", "[\"maps.example.org\"]"),
            ("NUMIS_EXTERNAL__ALLOW_LOOPBACK_FOR_TESTS", "true"),
            ("NUMIS_EXTERNAL__EXTRA_PORTS", &ports),
        ],
    );
    for target in [service.clone(), format!("http://localhost:{port}/")] {
        for (path, query) in routes(&target) {
            let (status, answer) = json(get(&listed, path, &query).await).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {target}: {answer}");
            assert!(
                error_of(&answer).contains("not among the servers"),
                "{path} {target}: {answer}"
            );
        }
    }
    assert_eq!(
        contacts.load(Ordering::SeqCst),
        0,
        "the canary heard nothing"
    );
}
