//! The console's accounts section (issue 13): `/verwaltung/konten` lists
//! and searches accounts; one account's page grants and revokes roles,
//! blocks, issues a one-time reset link and deletes — each taking effect
//! on the account's very next request, each in the audit trail. The
//! voluntary profile stays hidden unless configured; citizens, strangers
//! and forged forms are refused; every page is no-store and unframeable.

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION};
use serde_json::Value;

use crate::util::{
    ACCOUNT_PASSWORD, Browser, TestServer, client, create_account, demo_site, login, try_login,
};
use crate::wms::restricted_server;

const NEW_PASSWORD: &str = "Wollgras im Großen Moor";
const LIST: &str = "/verwaltung/konten";
const POINT: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Punkt"},
   "geometry":{"type":"Point","coordinates":[9.735,52.366]}}]}"#;

/// `/api/me` of a cookie, if its session is alive.
async fn me(server: &TestServer, cookie: &str) -> Option<Value> {
    let response = client()
        .get(server.url("/api/me"))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    if response.status() != StatusCode::OK {
        return None;
    }
    serde_json::from_str(&response.text().await.unwrap()).ok()
}

async fn get(server: &TestServer, path: &str, who: Option<&Browser>) -> reqwest::Response {
    let mut request = client().get(server.url(path));
    if let Some(who) = who {
        request = request.header("Cookie", &who.cookie);
    }
    request.send().await.unwrap()
}

/// Posts a console form as its page would: our origin, the session's
/// CSRF token.
async fn post(
    server: &TestServer,
    path: &str,
    who: &Browser,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut fields = fields.to_vec();
    fields.push(("csrf", &who.csrf));
    client()
        .post(server.url(path))
        .header("Origin", &server.base)
        .header("Cookie", &who.cookie)
        .form(&fields)
        .send()
        .await
        .unwrap()
}

/// Asserts the console's headers and answers the body.
async fn console_page(response: reqwest::Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status, "{}", response.url());
    let headers = response.headers();
    assert_eq!(headers[CACHE_CONTROL], "no-store");
    assert!(
        headers[CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    response.text().await.unwrap()
}

/// The account page of `pseudonym`, from the list's link.
async fn account_path(server: &TestServer, operator: &Browser, pseudonym: &str) -> String {
    let html = console_page(get(server, LIST, Some(operator)).await, StatusCode::OK).await;
    let link = format!(">{pseudonym}</a>");
    let end = html
        .find(&link)
        .unwrap_or_else(|| panic!("{pseudonym} listed"));
    let start = html[..end].rfind("href=\"").unwrap() + 6;
    let path = &html[start..end - 1];
    assert!(path.starts_with("/verwaltung/konten/"), "{path}");
    assert!(!path.contains(pseudonym), "the address names the id");
    path.to_owned()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

/// (action, object) of the audit trail, newest first.
async fn audit(server: &TestServer, operator: &Browser) -> Vec<(String, String, String)> {
    let response = client()
        .get(server.url("/api/admin/audit?limit=50"))
        .header("Cookie", &operator.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["object"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn capabilities(server: &TestServer, who: &Browser) -> String {
    get(
        server,
        "/ows?SERVICE=WMS&REQUEST=GetCapabilities",
        Some(who),
    )
    .await
    .text()
    .await
    .unwrap()
}

#[tokio::test]
async fn the_operator_lists_searches_and_a_granted_role_counts_at_once() {
    let (_site, server) = restricted_server();
    create_account(&server, "Olga Operator", true);
    create_account(&server, "Förster Nord", false);
    create_account(&server, "Heidschnucke", false);
    let olga = login(&server, "Olga Operator").await;
    let citizen = login(&server, "Förster Nord").await;

    let html = console_page(get(&server, LIST, Some(&olga)).await, StatusCode::OK).await;
    for name in ["Olga Operator", "Förster Nord", "Heidschnucke", "operator"] {
        assert!(html.contains(name), "{name} in the list");
    }
    assert!(html.contains("<caption>"), "a table with a caption");
    assert!(html.contains("gesperrt") || html.contains("aktiv"));
    // Days only: no time of day anywhere in the table.
    let table = &html[html.find("<table").unwrap()..html.find("</table>").unwrap()];
    // No instant as "2026-12-06T10:…" (random ids may hold a "T1").
    let instant = table.as_bytes().windows(12).any(|w| {
        w.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            _ => c.is_ascii_digit(),
        })
    });
    assert!(!instant, "no instant: {table}");
    assert!(!table.contains(':'), "no time of day: {table}");

    let found = console_page(
        get(
            &server,
            "/verwaltung/konten?suche=F%C3%96RSTER",
            Some(&olga),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(found.contains("Förster Nord"));
    assert!(!found.contains(">Heidschnucke</a>") && !found.contains(">Olga Operator</a>"));
    let english = console_page(
        get(&server, "/en/admin/accounts?suche=schnuck", Some(&olga)).await,
        StatusCode::OK,
    )
    .await;
    assert!(english.contains("/en/admin/accounts/") && english.contains(">Heidschnucke</a>"));

    // The citizen's session is cached now, without the role.
    assert!(!capabilities(&server, &citizen).await.contains("baustellen"));

    let path = account_path(&server, &olga, "Förster Nord").await;
    let page = console_page(get(&server, &path, Some(&olga)).await, StatusCode::OK).await;
    assert!(
        page.contains("<option value=\"intern\">"),
        "the map's role is offered"
    );
    let granted = post(
        &server,
        &path,
        &olga,
        &[("action", "grant"), ("role_choice", "intern"), ("role", "")],
    )
    .await;
    assert_eq!(granted.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&granted), format!("{path}?vergeben"));
    assert!(
        capabilities(&server, &citizen).await.contains("baustellen"),
        "the very next request sees the restricted layer"
    );
    let page = console_page(
        get(&server, &format!("{path}?vergeben"), Some(&olga)).await,
        StatusCode::OK,
    )
    .await;
    assert!(page.contains("Die Rolle wurde vergeben"));

    // A typed role; a bad one is refused.
    let typed = post(
        &server,
        &path,
        &olga,
        &[("action", "grant"), ("role", "forst_2")],
    )
    .await;
    assert_eq!(typed.status(), StatusCode::SEE_OTHER);
    let bad = post(
        &server,
        &path,
        &olga,
        &[("action", "grant"), ("role", "kein role!")],
    )
    .await;
    assert!(
        console_page(bad, StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .contains("1 bis 64")
    );

    let revoked = post(
        &server,
        &path,
        &olga,
        &[("action", "revoke"), ("role", "intern")],
    )
    .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert!(
        !capabilities(&server, &citizen).await.contains("baustellen"),
        "revoked at once"
    );

    let trail = audit(&server, &olga).await;
    for (action, object) in [
        ("account.grant", "Förster Nord: intern"),
        ("account.grant", "Förster Nord: forst_2"),
        ("account.revoke", "Förster Nord: intern"),
    ] {
        assert!(
            trail
                .iter()
                .any(|e| e.0 == "Olga Operator" && e.1 == action && e.2 == object),
            "{action} {object} in {trail:?}"
        );
    }
}

#[tokio::test]
async fn block_reset_and_delete_take_effect_at_once_and_nobody_locks_themself_out() {
    let server = TestServer::start(&demo_site());
    create_account(&server, "Olga Operator", true);
    create_account(&server, "Heidschnucke", false);
    create_account(&server, "Moorfrosch", false);
    let olga = login(&server, "Olga Operator").await;
    let citizen = login(&server, "Heidschnucke").await;
    assert!(me(&server, &citizen.cookie).await.is_some());
    let path = account_path(&server, &olga, "Heidschnucke").await;

    // Block: the session ends with the very next request.
    let blocked = post(&server, &path, &olga, &[("action", "block")]).await;
    assert_eq!(blocked.status(), StatusCode::SEE_OTHER);
    assert!(
        me(&server, &citizen.cookie).await.is_none(),
        "session ended"
    );
    assert!(
        try_login(&server, "Heidschnucke", ACCOUNT_PASSWORD)
            .await
            .is_none()
    );
    let page = console_page(get(&server, &path, Some(&olga)).await, StatusCode::OK).await;
    assert!(page.contains("gesperrt"));
    let refused = post(&server, &path, &olga, &[("action", "reset")]).await;
    assert!(
        console_page(refused, StatusCode::CONFLICT)
            .await
            .contains("Entsperren Sie es zuerst")
    );
    let unblocked = post(&server, &path, &olga, &[("action", "unblock")]).await;
    assert_eq!(unblocked.status(), StatusCode::SEE_OTHER);

    // Reset: the link once, and it works on the new-password page.
    let reset = post(&server, &path, &olga, &[("action", "reset")]).await;
    let html = console_page(reset, StatusCode::OK).await;
    let start = html.find("/konto/passwort-neu?token=").unwrap() + 26;
    let token: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert_eq!(token.len(), 43, "{token}");
    assert!(html.contains(&format!("{}/konto/passwort-neu?token={token}", server.base)));
    let again = console_page(get(&server, &path, Some(&olga)).await, StatusCode::OK).await;
    assert!(!again.contains(&token), "shown once");
    let form = client()
        .get(server.url(&format!("/konto/passwort-neu?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let set = client()
        .post(server.url("/konto/passwort-neu"))
        .header("Origin", &server.base)
        .form(&[
            ("token", token.as_str()),
            ("new_password", NEW_PASSWORD),
            ("new_password_repeat", NEW_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::SEE_OTHER);
    assert!(
        try_login(&server, "Heidschnucke", ACCOUNT_PASSWORD)
            .await
            .is_none()
    );
    let citizen = try_login(&server, "Heidschnucke", NEW_PASSWORD)
        .await
        .expect("the new password works");

    // Each citizen saves a drawing, bound to the account.
    let drawing = |who: &Browser| {
        client()
            .post(server.url("/api/drawings?title=Meins"))
            .header("Origin", &server.base)
            .header("Cookie", &who.cookie)
            .header("X-CSRF-Token", &who.csrf)
            .header(CONTENT_TYPE, "application/geo+json")
            .body(POINT)
            .send()
    };
    let kept: Value =
        serde_json::from_str(&drawing(&citizen).await.unwrap().text().await.unwrap()).unwrap();
    let kept = kept["id"].as_str().unwrap().to_owned();
    let frosch = login(&server, "Moorfrosch").await;
    let gone: Value =
        serde_json::from_str(&drawing(&frosch).await.unwrap().text().await.unwrap()).unwrap();
    let gone = gone["id"].as_str().unwrap().to_owned();

    // Delete, keeping the drawings anonymous.
    let confirm = console_page(
        get(&server, &format!("{path}/loeschen"), Some(&olga)).await,
        StatusCode::OK,
    )
    .await;
    assert!(confirm.contains("(1)"), "one drawing counted");
    let unsure = post(&server, &format!("{path}/loeschen"), &olga, &[]).await;
    assert_eq!(unsure.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let deleted = post(
        &server,
        &format!("{path}/loeschen"),
        &olga,
        &[("drawings", "keep")],
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&deleted), format!("{LIST}?geloescht"));
    assert!(
        me(&server, &citizen.cookie).await.is_none(),
        "session ended"
    );
    assert!(
        try_login(&server, "Heidschnucke", NEW_PASSWORD)
            .await
            .is_none()
    );
    assert_eq!(
        get(&server, &format!("/api/drawings/{kept}"), None)
            .await
            .status(),
        StatusCode::OK,
        "kept, anonymous"
    );
    assert_eq!(
        get(&server, &path, Some(&olga)).await.status(),
        StatusCode::NOT_FOUND
    );

    // Delete with the drawings.
    let frosch_path = account_path(&server, &olga, "Moorfrosch").await;
    let deleted = post(
        &server,
        &format!("{frosch_path}/loeschen"),
        &olga,
        &[("drawings", "delete")],
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert!(
        try_login(&server, "Moorfrosch", ACCOUNT_PASSWORD)
            .await
            .is_none()
    );
    assert_ne!(
        get(&server, &format!("/api/drawings/{gone}"), None)
            .await
            .status(),
        StatusCode::OK,
        "deleted with the account"
    );

    // The operator cannot lock themself out.
    let own = account_path(&server, &olga, "Olga Operator").await;
    for fields in [
        vec![("action", "revoke"), ("role", "operator")],
        vec![("action", "block")],
    ] {
        let refused = post(&server, &own, &olga, &fields).await;
        assert_eq!(refused.status(), StatusCode::CONFLICT, "{fields:?}");
    }
    let refused = post(
        &server,
        &format!("{own}/loeschen"),
        &olga,
        &[("drawings", "keep")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(
        me(&server, &olga.cookie).await.unwrap()["roles"]
            .to_string()
            .contains("operator")
    );

    let trail = audit(&server, &olga).await;
    for (action, object) in [
        ("account.block", "Heidschnucke"),
        ("account.unblock", "Heidschnucke"),
        ("account.reset", "Heidschnucke"),
        ("account.delete", "Heidschnucke: drawings kept anonymous"),
        ("account.delete", "Moorfrosch: drawings deleted"),
    ] {
        assert!(
            trail.iter().any(|e| e.1 == action && e.2 == object),
            "{action} {object} in {trail:?}"
        );
    }
}

/// Sets the citizen's e-mail address and name on the profile page.
async fn fill_profile(server: &TestServer, who: &Browser) {
    let response = client()
        .post(server.url("/konto/profil"))
        .header("Origin", &server.base)
        .header("Cookie", &who.cookie)
        .form(&[
            ("csrf", who.csrf.as_str()),
            ("email", "heide@beispiel.example"),
            ("name", "Hanna Heide"),
            ("organisation", ""),
            ("address", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn profile_fields_stay_hidden_unless_the_configuration_shows_them() {
    for shown in [false, true] {
        let env: &[(&str, &str)] = if shown {
            &[("NUMIS_ACCOUNTS__OPERATORS_SEE_PROFILES", "true")]
        } else {
            &[]
        };
        let server = TestServer::start_with(&demo_site(), env);
        create_account(&server, "Olga Operator", true);
        create_account(&server, "Heidschnucke", false);
        let olga = login(&server, "Olga Operator").await;
        let citizen = login(&server, "Heidschnucke").await;
        fill_profile(&server, &citizen).await;
        let path = account_path(&server, &olga, "Heidschnucke").await;
        let page = console_page(get(&server, &path, Some(&olga)).await, StatusCode::OK).await;
        assert_eq!(page.contains("heide@beispiel.example"), shown);
        assert_eq!(page.contains("Hanna Heide"), shown);
        assert_eq!(
            page.contains("operators_see_profiles = true"),
            !shown,
            "says why"
        );
    }
}

#[tokio::test]
async fn citizens_strangers_and_forged_forms_are_refused() {
    let server = TestServer::start(&demo_site());
    create_account(&server, "Olga Operator", true);
    create_account(&server, "Heidschnucke", false);
    let olga = login(&server, "Olga Operator").await;
    let citizen = login(&server, "Heidschnucke").await;
    let own = account_path(&server, &olga, "Olga Operator").await;
    let id = own.rsplit('/').next().unwrap().to_owned();
    let pages = [
        LIST.to_owned(),
        own.clone(),
        format!("{own}/loeschen"),
        "/en/admin/accounts".to_owned(),
        format!("/en/admin/accounts/{id}"),
        format!("/en/admin/accounts/{id}/delete"),
    ];
    for page in &pages {
        console_page(get(&server, page, Some(&olga)).await, StatusCode::OK).await;
        console_page(
            get(&server, page, Some(&citizen)).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        let stranger = get(&server, page, None).await;
        assert_eq!(stranger.status(), StatusCode::SEE_OTHER, "{page}");
        assert!(
            location(&stranger).contains("/anmelden") || location(&stranger).contains("/login")
        );
    }
    // The lists have no forms; every other page takes one.
    for page in pages.iter().filter(|p| p.contains(&id)) {
        let citizen_post = post(
            &server,
            page,
            &citizen,
            &[("action", "block"), ("drawings", "keep")],
        )
        .await;
        assert_eq!(citizen_post.status(), StatusCode::FORBIDDEN, "{page}");
        let stranger = client()
            .post(server.url(page))
            .header("Origin", &server.base)
            .form(&[("action", "block")])
            .send()
            .await
            .unwrap();
        assert_eq!(stranger.status(), StatusCode::SEE_OTHER, "{page}");
        let forged = client()
            .post(server.url(page))
            .header("Origin", &server.base)
            .header("Cookie", &olga.cookie)
            .form(&[("action", "unblock"), ("drawings", "keep")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "no CSRF: {page}");
    }
    assert!(
        audit(&server, &olga)
            .await
            .iter()
            .all(|e| !e.1.starts_with("account.")),
        "nothing refused was done"
    );
    assert!(me(&server, &olga.cookie).await.is_some());
    assert_eq!(
        get(&server, "/verwaltung/konten/unbekannt", Some(&olga))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
