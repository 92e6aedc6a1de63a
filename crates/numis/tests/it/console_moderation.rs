//! The console's moderation pages (issue 13, clause P12): the list of
//! drawings in both orders, a drawing's page with its reports and its map
//! over our own WMS, the actions block, unblock, dismiss and delete as
//! forms (each in the audit trail under the operator's pseudonym), the
//! audit trail page; and the door: a citizen gets 403, nobody the login,
//! a form without its CSRF token 403, every page no-store and unframed.

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION};
use serde_json::Value;

use crate::util::{Browser, TestServer, client, create_account, demo_site, login};

/// Three features: a line, a point and a polygon, in Hannover.
const THREE: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Weg"},
   "geometry":{"type":"LineString","coordinates":[[9.735,52.366],[9.741,52.359]]}},
  {"type":"Feature","properties":{"name":"Treffpunkt"},
   "geometry":{"type":"Point","coordinates":[9.738,52.362]}},
  {"type":"Feature","properties":{},
   "geometry":{"type":"Polygon","coordinates":[[[9.730,52.360],[9.734,52.360],[9.734,52.363],[9.730,52.360]]]}}]}"#;

/// Saves a drawing; answers its id.
async fn create(server: &TestServer, title: &str, body: &str) -> String {
    let response = client()
        .post(server.url(&format!("/api/drawings?title={title}")))
        .header(CONTENT_TYPE, "application/geo+json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    body["id"].as_str().unwrap().to_owned()
}

async fn report(server: &TestServer, id: &str, reason: &str) {
    let response = client()
        .post(server.url(&format!("/api/drawings/{id}/report")))
        .body(serde_json::json!({ "reason": reason }).to_string())
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
}

/// GET as `who`; checks the console's headers on every answer.
async fn page(server: &TestServer, path: &str, who: Option<&Browser>) -> reqwest::Response {
    let mut request = client().get(server.url(path));
    if let Some(who) = who {
        request = request.header("Cookie", &who.cookie);
    }
    let response = request.send().await.unwrap();
    if who.is_some() {
        assert_console_headers(&response, path);
    }
    response
}

fn assert_console_headers(response: &reqwest::Response, path: &str) {
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert!(header(CACHE_CONTROL).contains("no-store"), "{path}");
    assert!(
        header(CONTENT_SECURITY_POLICY).contains("frame-ancestors 'none'"),
        "{path}: {}",
        header(CONTENT_SECURITY_POLICY)
    );
}

/// The text of an operator's page, which must answer 200.
async fn text(server: &TestServer, path: &str, who: &Browser) -> String {
    let response = page(server, path, Some(who)).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

/// Sends an action form (with the CSRF token unless `csrf` is `None`).
async fn form(
    server: &TestServer,
    path: &str,
    who: Option<&Browser>,
    csrf: Option<&str>,
    action: &str,
) -> reqwest::Response {
    let mut fields = vec![("action", action)];
    if let Some(csrf) = csrf {
        fields.push(("csrf", csrf));
    }
    let mut request = client()
        .post(server.url(path))
        .header("Origin", &server.base)
        .form(&fields);
    if let Some(who) = who {
        request = request.header("Cookie", &who.cookie);
    }
    request.send().await.unwrap()
}

/// Sends an operator's action; answers where it redirects to.
async fn act(server: &TestServer, id: &str, who: &Browser, action: &str) -> String {
    let path = format!("/verwaltung/zeichnungen/{id}");
    let response = form(server, &path, Some(who), Some(&who.csrf), action).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{action}");
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

async fn public_status(server: &TestServer, id: &str) -> StatusCode {
    client()
        .get(server.url(&format!("/api/drawings/{id}")))
        .send()
        .await
        .unwrap()
        .status()
}

/// The report count the JSON API gives the operator.
async fn report_count(server: &TestServer, id: &str, who: &Browser) -> i64 {
    let body: Value = client()
        .get(server.url(&format!("/api/admin/drawings/{id}")))
        .header("Cookie", &who.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    body["report_count"].as_i64().unwrap()
}

fn position(haystack: &str, needle: &str) -> usize {
    haystack
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} is not on the page"))
}

#[tokio::test]
async fn drawings_are_listed_newest_or_most_reported_first() {
    let server = TestServer::start(&demo_site());
    create_account(&server, "Olga Operator", true);
    let olga = login(&server, "Olga Operator").await;

    let empty = text(&server, "/verwaltung/zeichnungen", &olga).await;
    assert!(empty.contains("Es sind keine Zeichnungen gespeichert."));

    let older = create(&server, "Aeltere", THREE).await;
    // Creation times are seconds: the newer one must be a second younger.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let newer = create(&server, "Neuere", THREE).await;
    report(&server, &older, "Werbung").await;
    report(&server, &older, "Beleidigung").await;

    let newest = text(&server, "/verwaltung/zeichnungen", &olga).await;
    assert!(position(&newest, "Neuere") < position(&newest, "Aeltere"));
    assert!(newest.contains("<caption>Zeichnungen, neueste zuerst</caption>"));
    assert!(newest.contains(&format!("href=\"/verwaltung/zeichnungen/{older}\"")));
    assert!(newest.contains("Öffentlich"), "the state in words");

    let reported = text(
        &server,
        "/verwaltung/zeichnungen?sortierung=gemeldet",
        &olga,
    )
    .await;
    assert!(position(&reported, "Aeltere") < position(&reported, "Neuere"));
    assert!(reported.contains("<caption>Zeichnungen, meistgemeldete zuerst</caption>"));

    let english = text(&server, "/en/admin/drawings?sortierung=gemeldet", &olga).await;
    assert!(english.contains("Drawings, most reported first"));
    assert!(english.contains(&format!("href=\"/en/admin/drawings/{newer}\"")));
}

#[tokio::test]
async fn a_drawing_shows_its_reports_escaped_and_a_map_over_our_wms() {
    let server = TestServer::start(&demo_site());
    create_account(&server, "Olga Operator", true);
    let olga = login(&server, "Olga Operator").await;
    let id = create(&server, "Runde", THREE).await;
    report(&server, &id, "<script>alert(1)</script> Beleidigung").await;

    let html = text(&server, &format!("/verwaltung/zeichnungen/{id}"), &olga).await;
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; Beleidigung")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt; Beleidigung")
    );
    assert!(!html.contains("<script>alert(1)"), "a reason is text");
    assert!(html.contains("Runde"));

    let svg_start = position(
        &html,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"moderation-map-svg\"",
    );
    let svg = &html[svg_start..svg_start + html[svg_start..].find("</svg>").unwrap()];
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains("<title id=\"moderation-map-title\">"));
    assert_eq!(svg.matches("<path ").count(), 3, "one path per feature");
    assert!(svg.contains(">Treffpunkt</text>"));

    let href = svg
        .split("<image href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(
        href.starts_with("/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&"),
        "{href}"
    );
    let image = client().get(server.url(&href)).send().await.unwrap();
    assert_eq!(image.status(), StatusCode::OK, "{href}");
    assert_eq!(image.headers()[CONTENT_TYPE], "image/png");
    let bytes = image.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));

    let english = text(&server, &format!("/en/admin/drawings/{id}"), &olga).await;
    assert!(english.contains("Reports of this drawing, oldest first"));

    let missing = page(&server, "/verwaltung/zeichnungen/nichtda", Some(&olga)).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("gibt es nicht (mehr)")
    );
}

#[tokio::test]
async fn block_unblock_dismiss_and_delete_are_forms_and_are_audited() {
    let server = TestServer::start(&demo_site());
    create_account(&server, "Olga Operator", true);
    let olga = login(&server, "Olga Operator").await;
    let id = create(&server, "Gemeldet", THREE).await;
    report(&server, &id, "Beleidigung").await;
    let drawing = format!("/verwaltung/zeichnungen/{id}");

    assert_eq!(
        act(&server, &id, &olga, "block").await,
        format!("{drawing}?gesperrt")
    );
    assert_eq!(public_status(&server, &id).await, StatusCode::GONE);
    let blocked = text(&server, &format!("{drawing}?gesperrt"), &olga).await;
    assert!(blocked.contains("Die Zeichnung ist gesperrt."));
    assert!(blocked.contains("Gesperrt seit"));
    assert!(blocked.contains("value=\"unblock\""));
    let list = text(&server, "/verwaltung/zeichnungen", &olga).await;
    assert!(list.contains(">Gesperrt</span>"), "blocked, in words");

    assert_eq!(
        act(&server, &id, &olga, "unblock").await,
        format!("{drawing}?freigegeben")
    );
    assert_eq!(public_status(&server, &id).await, StatusCode::OK);

    assert_eq!(report_count(&server, &id, &olga).await, 1);
    assert_eq!(
        act(&server, &id, &olga, "dismiss").await,
        format!("{drawing}?verworfen")
    );
    assert_eq!(report_count(&server, &id, &olga).await, 0);
    let dismissed = text(&server, &format!("{drawing}?verworfen"), &olga).await;
    assert!(dismissed.contains("Die Meldungen sind verworfen."));
    assert!(dismissed.contains("Zu dieser Zeichnung liegen keine Meldungen vor."));

    let confirm = text(&server, &format!("{drawing}/loeschen"), &olga).await;
    assert!(confirm.contains("Wirklich löschen?"));
    assert!(confirm.contains("value=\"delete\""));
    assert!(
        confirm.contains(&format!("href=\"{drawing}\"")),
        "a way back"
    );
    let english = text(&server, &format!("/en/admin/drawings/{id}/delete"), &olga).await;
    assert!(english.contains("Really delete?"));

    assert_eq!(
        act(&server, &id, &olga, "delete").await,
        "/verwaltung/zeichnungen?geloescht"
    );
    assert_eq!(public_status(&server, &id).await, StatusCode::NOT_FOUND);
    let after = text(&server, "/verwaltung/zeichnungen?geloescht", &olga).await;
    assert!(after.contains("Die Zeichnung ist gelöscht."));

    let audit = text(&server, "/verwaltung/protokoll", &olga).await;
    let rows: Vec<&str> = audit.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 4, "{audit}");
    let words = [
        "Zeichnung gelöscht",
        "Meldungen verworfen",
        "Sperre aufgehoben",
        "Zeichnung gesperrt",
    ];
    for (row, words) in rows.iter().zip(words) {
        assert!(row.contains(words), "{words} in {row}");
        assert!(row.contains("Olga Operator"));
        assert!(row.contains(&id));
    }
    assert!(audit.contains("2 Jahre (730 Tage)"), "the retention");
    let english = text(&server, "/en/admin/audit", &olga).await;
    assert!(english.contains("Drawing blocked") && english.contains("2 years (730 days)"));
}

#[tokio::test]
async fn the_operator_token_is_named_in_the_audit_trail() {
    let token = "moderations-token";
    let server = TestServer::start_with(&demo_site(), &[("NUMIS_OPERATOR__TOKEN", token)]);
    create_account(&server, "Olga Operator", true);
    let olga = login(&server, "Olga Operator").await;
    let id = create(&server, "Per Token", THREE).await;
    let blocked = client()
        .post(server.url(&format!("/api/admin/drawings/{id}/block")))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(blocked.status(), StatusCode::NO_CONTENT);
    let audit = text(&server, "/verwaltung/protokoll", &olga).await;
    assert!(audit.contains("Betreiber-Token"));
    assert!(audit.contains("Zeichnung gesperrt"));
}

#[tokio::test]
async fn only_an_operator_passes_and_only_with_the_form_token() {
    let server = TestServer::start(&demo_site());
    create_account(&server, "Olga Operator", true);
    create_account(&server, "Bürgerin", false);
    let olga = login(&server, "Olga Operator").await;
    let citizen = login(&server, "Bürgerin").await;
    let id = create(&server, "Tür", THREE).await;

    let pages = [
        ("/verwaltung/zeichnungen".to_owned(), "/konto/anmelden"),
        (format!("/verwaltung/zeichnungen/{id}"), "/konto/anmelden"),
        (
            format!("/verwaltung/zeichnungen/{id}/loeschen"),
            "/konto/anmelden",
        ),
        ("/verwaltung/protokoll".to_owned(), "/konto/anmelden"),
        ("/en/admin/drawings".to_owned(), "/en/account/login"),
        (format!("/en/admin/drawings/{id}"), "/en/account/login"),
        (
            format!("/en/admin/drawings/{id}/delete"),
            "/en/account/login",
        ),
        ("/en/admin/audit".to_owned(), "/en/account/login"),
    ];
    for (path, login_page) in &pages {
        let refused = page(&server, path, Some(&citizen)).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "citizen {path}");
        let nobody = page(&server, path, None).await;
        assert_eq!(nobody.status(), StatusCode::SEE_OTHER, "nobody {path}");
        assert_eq!(nobody.headers()[LOCATION], *login_page);
        text(&server, path, &olga).await;
    }

    for path in [
        format!("/verwaltung/zeichnungen/{id}"),
        format!("/en/admin/drawings/{id}"),
    ] {
        for action in ["block", "unblock", "dismiss", "delete"] {
            let refused = form(&server, &path, Some(&citizen), Some(&citizen.csrf), action).await;
            assert_eq!(refused.status(), StatusCode::FORBIDDEN, "citizen {action}");
            let nobody = form(&server, &path, None, None, action).await;
            assert_eq!(nobody.status(), StatusCode::SEE_OTHER, "nobody {action}");
            let stale = form(&server, &path, Some(&olga), None, action).await;
            assert_eq!(stale.status(), StatusCode::FORBIDDEN, "no csrf {action}");
            let forged = form(&server, &path, Some(&olga), Some("forged"), action).await;
            assert_eq!(
                forged.status(),
                StatusCode::FORBIDDEN,
                "wrong csrf {action}"
            );
        }
    }
    assert_eq!(
        public_status(&server, &id).await,
        StatusCode::OK,
        "nothing happened"
    );
    let audit = text(&server, "/verwaltung/protokoll", &olga).await;
    assert!(audit.contains("Das Protokoll ist leer."));

    let unknown = form(
        &server,
        &format!("/verwaltung/zeichnungen/{id}"),
        Some(&olga),
        Some(&olga.csrf),
        "purge",
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
