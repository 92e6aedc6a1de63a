//! The console's privacy audit (`/verwaltung/datenschutzpruefung`, issue
//! 19): only an operator gets the page, its downloads and its button, and
//! only with the form's token; a run started there audits the server
//! itself in the background (one at a time), is recorded in the audit
//! trail, and its report — on the demo every row holding — is shown,
//! downloaded as Markdown, HTML and JSON, and still there after a restart.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, LOCATION};
use serde_json::Value;

use crate::util::{Browser, TestServer, client, create_account, demo_site, login};

/// Statistics written every second, so that a run waits two for them.
const FLUSH: [(&str, &str); 1] = [("NUMIS_STATS__FLUSH_SECONDS", "1")];
const PAGE: &str = "/verwaltung/datenschutzpruefung";
const PAGE_EN: &str = "/en/admin/privacy-audit";
/// The downloads of the latest report, German and English.
const DOWNLOADS: [&str; 6] = [
    "/verwaltung/datenschutzpruefung/bericht.md",
    "/verwaltung/datenschutzpruefung/bericht.html",
    "/verwaltung/datenschutzpruefung/bericht.json",
    "/en/admin/privacy-audit/report.md",
    "/en/admin/privacy-audit/report.html",
    "/en/admin/privacy-audit/report.json",
];

/// GET `path` as `who` (nobody with `None`).
async fn get(server: &TestServer, path: &str, who: Option<&Browser>) -> reqwest::Response {
    let mut request = client().get(server.url(path));
    if let Some(who) = who {
        request = request.header("Cookie", &who.cookie);
    }
    request.send().await.unwrap()
}

/// An operator's page, which must answer 200 with the console's headers.
async fn text(server: &TestServer, path: &str, who: &Browser) -> String {
    let response = get(server, path, Some(who)).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store", "{path}");
    let policy = response.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        policy.contains("frame-ancestors 'none'"),
        "{path}: {policy}"
    );
    response.text().await.unwrap()
}

/// Presses the button: POST from our origin as `who` with `csrf`.
async fn run(server: &TestServer, who: Option<&Browser>, csrf: Option<&str>) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = csrf.map(|c| ("csrf", c)).into_iter().collect();
    let mut request = client()
        .post(server.url(PAGE))
        .header("Origin", &server.base)
        .form(&fields);
    if let Some(who) = who {
        request = request.header("Cookie", &who.cookie);
    }
    request.send().await.unwrap()
}

/// The page once no run is under way any more (following the page's own
/// link that waits for the end).
async fn page_after_the_run(server: &TestServer, who: &Browser) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let html = text(server, &format!("{PAGE}?warten"), who).await;
        if !html.contains("Die Prüfung läuft seit") {
            return html;
        }
        assert!(Instant::now() < deadline, "the audit did not end:\n{html}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A download of the latest report: its type, file name and text.
async fn download(server: &TestServer, path: &str, who: &Browser) -> (String, String, String) {
    let response = get(server, path, Some(who)).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store", "{path}");
    let header = |name| response.headers()[name].to_str().unwrap().to_owned();
    let (kind, disposition) = (
        header(reqwest::header::CONTENT_TYPE),
        header(CONTENT_DISPOSITION),
    );
    (kind, disposition, response.text().await.unwrap())
}

#[tokio::test]
async fn only_an_operator_gets_the_page_its_downloads_and_its_button() {
    let server = TestServer::start_with(&demo_site(), &FLUSH);
    create_account(&server, "Olga Operator", true);
    create_account(&server, "Carl Citizen", false);
    let olga = login(&server, "Olga Operator").await;
    let carl = login(&server, "Carl Citizen").await;

    for path in [PAGE, PAGE_EN].into_iter().chain(DOWNLOADS) {
        let nobody = get(&server, path, None).await;
        assert_eq!(nobody.status(), StatusCode::SEE_OTHER, "nobody {path}");
        let login_page = if path.starts_with("/en/") {
            "/en/account/login"
        } else {
            "/konto/anmelden"
        };
        assert_eq!(nobody.headers()[LOCATION], login_page, "{path}");
        let citizen = get(&server, path, Some(&carl)).await;
        assert_eq!(citizen.status(), StatusCode::FORBIDDEN, "citizen {path}");
    }

    // Before the first run: the page says so and offers the button; there
    // is nothing to download.
    let html = text(&server, PAGE, &olga).await;
    assert!(html.contains("Es gibt noch keinen Bericht."), "{html}");
    assert!(html.contains("Prüfung jetzt ausführen"), "{html}");
    assert!(
        html.contains(&format!("name=\"csrf\" value=\"{}\"", olga.csrf)),
        "the button's form carries the token"
    );
    assert!(!html.contains("http-equiv"), "no automatic reload");
    let nav = text(&server, "/verwaltung", &olga).await;
    assert!(
        nav.contains(&format!("<a href=\"{PAGE}\">Datenschutzprüfung</a>")),
        "in the console's navigation"
    );
    let english = text(&server, PAGE_EN, &olga).await;
    assert!(english.contains("Run the audit now"), "{english}");
    for path in DOWNLOADS {
        let none = get(&server, path, Some(&olga)).await;
        assert_eq!(none.status(), StatusCode::NOT_FOUND, "{path} before a run");
    }

    // The button: nobody is sent to the login, a citizen refused, a form
    // without the token or with another one refused.
    let nobody = run(&server, None, None).await;
    assert_eq!(nobody.status(), StatusCode::SEE_OTHER);
    assert_eq!(nobody.headers()[LOCATION], "/konto/anmelden");
    let citizen = run(&server, Some(&carl), Some(&carl.csrf)).await;
    assert_eq!(citizen.status(), StatusCode::FORBIDDEN);
    let stale = run(&server, Some(&olga), None).await;
    assert_eq!(stale.status(), StatusCode::FORBIDDEN, "no token");
    let forged = run(&server, Some(&olga), Some("forged")).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN, "another token");
    let elsewhere = client()
        .post(server.url(PAGE))
        .header("Origin", "https://evil.example")
        .header("Cookie", &olga.cookie)
        .form(&[("csrf", olga.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::FORBIDDEN, "another origin");

    let html = text(&server, PAGE, &olga).await;
    assert!(
        !html.contains("Die Prüfung läuft seit") && html.contains("Es gibt noch keinen Bericht."),
        "no refused form started a run"
    );
    let trail = text(&server, "/verwaltung/protokoll", &olga).await;
    assert!(trail.contains("Das Protokoll ist leer."), "{trail}");
}

#[tokio::test]
async fn a_run_shows_the_demos_rows_holding_and_its_report_survives_a_restart() {
    let mut server = TestServer::start_with(&demo_site(), &FLUSH);
    create_account(&server, "Olga Operator", true);
    let olga = login(&server, "Olga Operator").await;

    let started = run(&server, Some(&olga), Some(&olga.csrf)).await;
    assert_eq!(started.status(), StatusCode::SEE_OTHER, "answered at once");
    assert_eq!(started.headers()[LOCATION], PAGE);
    // A second click while it runs starts none, and says so.
    let again = run(&server, Some(&olga), Some(&olga.csrf)).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let location = again.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(location, format!("{PAGE}?laeuft-bereits"));
    let html = text(&server, &location, &olga).await;
    assert!(html.contains("Es läuft bereits eine Prüfung"), "{html}");
    assert!(
        html.contains("Die Prüfung läuft seit") && html.contains("Olga Operator"),
        "the run under way and who started it: {html}"
    );
    assert!(html.contains(&format!("href=\"{PAGE}?warten\"")), "{html}");
    assert!(
        !html.contains("Prüfung jetzt ausführen"),
        "no button meanwhile"
    );

    let html = page_after_the_run(&server, &olga).await;
    assert!(html.contains("Alle geprüften Zusagen halten."), "{html}");
    assert!(
        html.contains("Zusagen halten, 1 ist nicht anwendbar."),
        "{html}"
    );
    for clause in ["P1", "P2", "P3", "P5", "P6", "P8", "L1", "L8", "T"] {
        let card = html
            .split(&format!("id=\"klausel-{}\"", clause.to_lowercase()))
            .nth(1)
            .unwrap_or_else(|| panic!("a card for {clause}: {html}"))
            .split("</li>")
            .next()
            .unwrap();
        assert!(
            card.contains("audit-verdict-holds") && card.contains("Hält</p>"),
            "{clause} holds: {card}"
        );
    }
    assert!(html.contains("audit-row-not_applicable\" id=\"klausel-l7\""));
    assert!(!html.contains("audit-row-does_not_hold"), "{html}");
    assert!(html.contains("Nicht ausgeführte Prüfungen"), "{html}");
    assert!(
        html.contains("Prüfung jetzt ausführen"),
        "the button is back"
    );

    // Recorded under the operator's pseudonym, with the address audited.
    let trail = text(&server, "/verwaltung/protokoll", &olga).await;
    assert!(trail.contains("Datenschutzprüfung ausgeführt"), "{trail}");
    assert!(trail.contains("Olga Operator"), "{trail}");
    assert_eq!(
        trail.matches("Datenschutzprüfung ausgeführt").count(),
        1,
        "the refused second click is not recorded"
    );

    // The downloads are the report kept in the data directory.
    let stored = std::fs::read_to_string(server.data_dir().join("audit/latest.json")).unwrap();
    let stored: Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(stored["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(stored["url"], format!("{}/", server.base));
    assert_eq!(stored["reached"], true);
    let (kind, disposition, json) = download(&server, DOWNLOADS[2], &olga).await;
    assert_eq!(kind, "application/json");
    assert!(
        disposition.starts_with("attachment; filename=\"numis-audit-")
            && disposition.ends_with(".json\""),
        "{disposition}"
    );
    assert_eq!(serde_json::from_str::<Value>(&json).unwrap(), stored);
    let (kind, disposition, markdown) = download(&server, DOWNLOADS[0], &olga).await;
    assert_eq!(kind, "text/markdown; charset=utf-8");
    assert!(disposition.ends_with(".md\""), "{disposition}");
    assert!(
        markdown.starts_with(&format!("# numis audit of {}/", server.base)),
        "{markdown}"
    );
    assert!(markdown.contains("| P1 | access records are not personal | **holds** |"));
    let (kind, disposition, html_report) = download(&server, DOWNLOADS[4], &olga).await;
    assert_eq!(kind, "text/html; charset=utf-8");
    assert!(disposition.ends_with(".html\""), "{disposition}");
    assert!(html_report.contains("<h1>numis audit of"), "{html_report}");
    let time = stored["time"].as_str().unwrap();
    assert!(
        html.contains(&format!("<time datetime=\"{time}\">")),
        "{html}"
    );

    // After a restart on the same data directory: the same report.
    server.stop();
    server.restart();
    let olga = login(&server, "Olga Operator").await;
    let html = text(&server, PAGE, &olga).await;
    assert!(
        html.contains(&format!("<time datetime=\"{time}\">")),
        "{html}"
    );
    assert!(html.contains("Alle geprüften Zusagen halten."), "{html}");
    assert!(
        !html.contains("Die Prüfung läuft seit"),
        "nothing runs after a restart"
    );
    let (_, _, json) = download(&server, DOWNLOADS[5], &olga).await;
    assert_eq!(serde_json::from_str::<Value>(&json).unwrap(), stored);
}
