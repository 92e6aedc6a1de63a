//! `numis audit` against a running portal: on the demo every row holds;
//! each deliberately broken installation — a template that loads a font
//! from another server, an external base map the privacy page does not
//! name, a layer without licence, statistics kept forever, a proxy that
//! sets a cookie, a personal field left queryable — breaks exactly its
//! row, with the reason.

use std::process::Command;

use serde_json::Value;

use crate::util::{TestServer, demo_site};
use crate::wms::site_with_map;

/// Statistics written every second, so the audit waits two for them;
/// and an operator token, with which the audit opens the moderation and
/// the restricted layers as the operator (P12, L7).
const FLUSH: [(&str, &str); 2] = [
    ("NUMIS_STATS__FLUSH_SECONDS", "1"),
    ("NUMIS_OPERATOR__TOKEN", "audit-operator-token"),
];

/// Runs `numis audit --format json` against `server` with the site and
/// environment it runs with; the exit status and the report.
fn audit(server: &TestServer, site: &std::path::Path, env: &[(&str, &str)]) -> (bool, Value) {
    audit_at(server, &server.url("/"), site, env)
}

/// [`audit`] of the portal at `url` (`server`, or a proxy in front of it).
fn audit_at(
    server: &TestServer,
    url: &str,
    site: &std::path::Path,
    env: &[(&str, &str)],
) -> (bool, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_numis"))
        .args(["audit", "--format", "json", "--url", url])
        .arg("--site-dir")
        .arg(site)
        .arg("--data-dir")
        .arg(server.data_dir())
        .arg("--log")
        .arg(server.log_path())
        .env_remove("NUMIS_CONFIG")
        .envs(server.store_env())
        .envs(FLUSH.iter().copied())
        .envs(env.iter().copied())
        .output()
        .expect("run numis audit");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "a JSON report ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.success(), report)
}

/// The verdict of each row, by clause.
fn verdicts(report: &Value) -> Vec<(String, String)> {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["clause"].as_str().unwrap_or("").to_owned(),
                r["verdict"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// Every row holds but those in `broken`, which do not; each broken row's
/// evidence has `reason`.
fn only_broken(report: &Value, broken: &[&str], reason: &str) {
    for (clause, verdict) in verdicts(report) {
        let expected = if broken.contains(&clause.as_str()) {
            "does_not_hold"
        } else if clause == "L7"
            && !report
                .to_string()
                .contains("is absent for an anonymous caller")
        {
            // The demo restricts no layer.
            "not_applicable"
        } else {
            "holds"
        };
        assert_eq!(verdict, expected, "{clause}: {report:#}");
    }
    for clause in broken {
        let row = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["clause"] == *clause)
            .unwrap();
        let evidence = row["evidence"].to_string();
        assert!(
            evidence.contains(reason),
            "{clause} names {reason:?}: {row:#}"
        );
        assert!(
            row["fix"].as_str().is_some_and(|f| !f.is_empty()),
            "{clause} says what to change"
        );
    }
}

/// The demo's map.toml, readable from a copy of the site elsewhere.
fn demo_map() -> String {
    std::fs::read_to_string(demo_site().join("map.toml"))
        .unwrap()
        .replace("../data/", "{data}/")
}

#[test]
fn on_the_demo_every_row_holds_and_the_report_says_what_it_read() {
    let site = site_with_map(&demo_map(), &[]);
    let server = TestServer::start_with(site.path(), &FLUSH);
    let (ok, report) = audit(&server, site.path(), &[]);
    only_broken(&report, &[], "");
    assert!(ok, "exit status 0 when every row holds");
    let clauses: Vec<String> = verdicts(&report).into_iter().map(|(c, _)| c).collect();
    assert_eq!(
        clauses,
        [
            "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P10", "P11", "P12", "P13", "L1",
            "L2", "L3", "L4", "L5", "L6", "L7", "L8", "T"
        ]
    );
    // P1: the markers were sent and the data directory and log searched.
    let p1 = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["clause"] == "P1")
        .unwrap();
    let evidence = p1["evidence"].to_string();
    assert!(evidence.contains("5 requests sent with markers"), "{p1:#}");
    assert!(
        evidence.contains("of the data directory searched") && evidence.contains("server.log"),
        "{p1:#}"
    );
    // Both were searched, and a PostgreSQL store too (through a copy).
    assert_eq!(
        evidence.contains("the PostgreSQL store ("),
        crate::util::on_postgres(),
        "{p1:#}"
    );
    assert_eq!(report["version"], env!("CARGO_PKG_VERSION"));
    assert!(report["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    // Every check ran: the portal runs here and the token was known.
    assert_eq!(report["not_run"], serde_json::json!([]), "{report:#}");
    // The test drawing was deleted again; the prints were read back.
    assert!(
        row(&report, "P9")
            .to_string()
            .contains("the test drawing answered 404 Not Found at once"),
        "{report:#}"
    );
    assert!(
        row(&report, "L1")
            .to_string()
            .contains("10 of 10 layers printed"),
        "{report:#}"
    );
    assert!(
        row(&report, "P12")
            .to_string()
            .contains("with the operator token: 200"),
        "{report:#}"
    );
    // The crawl read the sitemap's pages, the viewer and the embed.
    let p5 = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["clause"] == "P5")
        .unwrap();
    let read: u64 = p5["evidence"][0]
        .as_str()
        .and_then(|e| e.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(read >= 20, "{p5:#}");

    // The other formats carry the same rows.
    for (format, needle) in [
        ("md", "| P3 | no requests to third parties | **holds** |"),
        ("html", "<th scope=\"row\"><a href=\"#P3\">P3</a></th>"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_numis"))
            .args(["audit", "--format", format, "--url", &server.url("/")])
            .arg("--site-dir")
            .arg(site.path())
            .env_remove("NUMIS_CONFIG")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains(needle), "{format}: {text}");
    }
}

#[test]
fn a_template_loading_a_font_from_another_server_breaks_p3() {
    let site = site_with_map(&demo_map(), &[]);
    let base = site.path().join("templates/base.html.twig");
    let template = std::fs::read_to_string(&base).unwrap().replacen(
        "<link rel=\"stylesheet\"",
        "<link rel=\"stylesheet\" href=\"https://fonts.example.org/css2?family=Open+Sans\">\n<link rel=\"stylesheet\"",
        1,
    );
    std::fs::write(&base, template).unwrap();
    let server = TestServer::start_with(site.path(), &FLUSH);
    let (ok, report) = audit(&server, site.path(), &[]);
    assert!(!ok, "exit status 1");
    only_broken(
        &report,
        &["P3"],
        "https://fonts.example.org/css2?family=Open+Sans",
    );
}

#[test]
fn an_external_base_map_the_privacy_page_does_not_name_breaks_p3() {
    // An array of tables may come last: the [viewer] table keeps its keys.
    let map = format!(
        "{}\n[[viewer.external_basemap]]\nid = \"topplus\"\ntitle = {{ de = \"TopPlus\", en = \"TopPlus\" }}\nurl = \"https://sgx.geodatenzentrum.example/wms_topplus_open\"\nlayers = \"web\"\nattribution = {{ de = \"© BKG\", en = \"© BKG\" }}\n",
        demo_map()
    );
    let site = site_with_map(&map, &[]);
    let server = TestServer::start_with(site.path(), &FLUSH);
    let (_, report) = audit(&server, site.path(), &[]);
    only_broken(
        &report,
        &["P3"],
        "does not name sgx.geodatenzentrum.example",
    );
}

#[test]
fn a_layer_without_licence_breaks_l1() {
    let map = demo_map();
    let at = map.find("id = \"fluesse\"").expect("the demo has fluesse");
    let start = at + map[at..].find("licence").expect("with a licence");
    let end = start + map[start..].find('\n').unwrap();
    let broken = format!("{}{}", &map[..start], &map[end..]);
    let site = site_with_map(&broken, &[]);
    let server = TestServer::start_with(site.path(), &FLUSH);
    let (_, report) = audit(&server, site.path(), &[]);
    only_broken(&report, &["L1"], "layer \\\"fluesse\\\" has no licence");
}

#[test]
fn statistics_kept_forever_break_p2_and_l8() {
    let env = [("NUMIS_STATS__RETENTION_DAYS", "99999"), FLUSH[0], FLUSH[1]];
    let site = site_with_map(&demo_map(), &[]);
    let server = TestServer::start_with(site.path(), &env);
    let (_, report) = audit(&server, site.path(), &env);
    only_broken(&report, &["P2", "L8"], "99999");
}

#[test]
fn a_portal_that_does_not_answer_is_not_judged_and_fails_the_audit() {
    let output = Command::new(env!("CARGO_BIN_EXE_numis"))
        // Port 9 (discard): nothing listens there on a test machine.
        .args(["audit", "--format", "json", "--url", "http://127.0.0.1:9/"])
        .arg("--site-dir")
        .arg(demo_site())
        .env_remove("NUMIS_CONFIG")
        .output()
        .unwrap();
    assert!(!output.status.success(), "exit status 1");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["reached"], false);
    let clauses: Vec<String> = verdicts(&report).into_iter().map(|(c, _)| c).collect();
    for live in [
        "P1", "P3", "P4", "P5", "P6", "P7", "P9", "P10", "P11", "P12", "P13", "L2", "L3", "L4",
        "L5", "L6", "L7", "T",
    ] {
        assert!(
            !clauses.contains(&live.to_owned()),
            "{live} is not judged without answers: {report:#}"
        );
    }
    assert!(
        report["not_run"].to_string().contains("served no page"),
        "{report:#}"
    );
}

#[test]
fn a_restricted_layer_is_in_no_listing_an_anonymous_caller_gets() {
    let map = format!(
        "{}\n[[layer]]\nid = \"baustellen\"\ntitle = \"Geplante Baustellen\"\nsource = {{ type = \"geojson\", path = \"{{data}}/ni_fluesse_ne.geojson\" }}\naccess = \"intern\"\nlicence = {{ id = \"DL-DE-BY-2.0\" }}\nattribution = \"Interne Planung\"\n",
        demo_map()
    );
    let site = site_with_map(&map, &[]);
    let server = TestServer::start_with(site.path(), &FLUSH);
    let (ok, report) = audit(&server, site.path(), &[]);
    only_broken(&report, &[], "");
    assert!(ok);
    let l7 = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["clause"] == "L7")
        .unwrap();
    assert_eq!(l7["verdict"], "holds");
    let evidence = l7["evidence"].to_string();
    for listing in [
        "/api/layers",
        "GetCapabilities",
        "/ogcapi/collections",
        "/api/data",
    ] {
        assert!(evidence.contains(listing), "{listing} checked: {l7:#}");
    }
    // With the role (the operator's token), the layer is there.
    assert!(
        evidence.contains("\\\"baustellen\\\" is listed by /api/layers for the operator"),
        "{l7:#}"
    );
}

/// A proxy in front of `upstream` that adds a tracking cookie to every
/// answer, as a careless handler or proxy configuration would: one
/// request per connection, on a thread of its own.
fn cookie_setting_proxy(upstream: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let client = client.clone();
                let upstream = upstream.clone();
                tokio::spawn(async move { forward(stream, &client, &upstream).await });
            }
        });
    });
    format!("http://{address}/")
}

/// One request of `stream` sent on to `upstream`, its answer back with
/// `Set-Cookie: tracking=…` added.
async fn forward(mut stream: tokio::net::TcpStream, client: &reqwest::Client, upstream: &str) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut raw = Vec::new();
    let mut buffer = [0u8; 65536];
    let head_end = loop {
        let Ok(n) = stream.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        raw.extend_from_slice(&buffer[..n]);
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or("").split(' ');
    let method = request_line.next().unwrap_or("GET").to_owned();
    let target = request_line.next().unwrap_or("/").to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = raw[head_end..].to_vec();
    while body.len() < length {
        let Ok(n) = stream.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buffer[..n]);
    }
    let mut request = client.request(
        method.parse().unwrap_or(reqwest::Method::GET),
        format!("{}{}", upstream.trim_end_matches('/'), target),
    );
    for (name, value) in &headers {
        if !matches!(
            name.as_str(),
            "host" | "content-length" | "connection" | "accept-encoding"
        ) {
            request = request.header(name, value);
        }
    }
    let Ok(answer) = request.body(body).send().await else {
        return;
    };
    let status = answer.status();
    let mut out = format!(
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    for (name, value) in answer.headers() {
        if !matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection" | "content-encoding"
        ) {
            out.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap_or("")));
        }
    }
    let body = answer.bytes().await.unwrap_or_default();
    out.push_str(&format!(
        "Set-Cookie: tracking=4711; Path=/\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let _ = stream.write_all(out.as_bytes()).await;
    let _ = stream.write_all(&body).await;
    let _ = stream.shutdown().await;
}

#[test]
fn a_proxy_that_sets_a_cookie_breaks_p4_and_p5() {
    let site = site_with_map(&demo_map(), &[]);
    let server = TestServer::start_with(site.path(), &FLUSH);
    let proxy = cookie_setting_proxy(server.url("/"));
    let (ok, report) = audit_at(&server, &proxy, site.path(), &[]);
    assert!(!ok, "exit status 1");
    only_broken(&report, &["P4", "P5"], "tracking");
}

/// A layer whose feature info hands out e-mail addresses.
const CONTACTS: &str = r#"{"type": "FeatureCollection", "features": [
  {"type": "Feature", "properties": {"name": "Pegel Hannover", "email": "max.mustermann@example.org"},
   "geometry": {"type": "Point", "coordinates": [9.7320, 52.3745]}},
  {"type": "Feature", "properties": {"name": "Pegel Celle", "email": "erika.musterfrau@example.org"},
   "geometry": {"type": "Point", "coordinates": [10.0800, 52.6250]}}
]}"#;

/// The demo's map with the layer of contacts, `personal` as given.
fn map_with_contacts(personal: &str) -> String {
    format!(
        "{}\n[[layer]]\nid = \"pegelkontakte\"\ntitle = {{ de = \"Pegelkontakte\", en = \"Gauge contacts\" }}\n\
         source = {{ type = \"geojson\", path = \"kontakte.geojson\" }}\n\
         queryable = [{{ field = \"name\", label = {{ de = \"Name\", en = \"Name\" }} }}, {{ field = \"email\", label = {{ de = \"E-Mail\", en = \"E-mail\" }} }}]\n\
         personal = [{personal}]\n\
         licence = {{ id = \"CC-BY-4.0\", url = \"https://creativecommons.org/licenses/by/4.0/\" }}\n\
         attribution = \"© Pegelamt\"\n",
        demo_map()
    )
}

#[test]
fn a_personal_field_left_queryable_breaks_l3_and_declared_it_reaches_nobody() {
    let site = site_with_map(&map_with_contacts(""), &[("kontakte.geojson", CONTACTS)]);
    let server = TestServer::start_with(site.path(), &FLUSH);
    let (ok, report) = audit(&server, site.path(), &[]);
    assert!(!ok, "exit status 1");
    only_broken(&report, &["L3"], "\\\"email\\\"");
    let l3 = row(&report, "L3").to_string();
    assert!(
        l3.contains("max.mustermann@example.org") || l3.contains("erika.musterfrau@example.org"),
        "{l3}"
    );
    drop(server);

    let site = site_with_map(
        &map_with_contacts("\"email\""),
        &[("kontakte.geojson", CONTACTS)],
    );
    let server = TestServer::start_with(site.path(), &FLUSH);
    let (ok, report) = audit(&server, site.path(), &[]);
    only_broken(&report, &[], "");
    assert!(ok, "{report:#}");
    assert!(
        row(&report, "L3")
            .to_string()
            .contains("1 fields declared personal"),
        "{report:#}"
    );
}

/// The row of `clause`.
fn row<'a>(report: &'a Value, clause: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["clause"] == clause)
        .unwrap_or_else(|| panic!("no row {clause}: {report:#}"))
}
