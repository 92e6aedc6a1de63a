//! "Mein NUMIS", the library pages, against the running server over plain
//! HTTP: my drawings (listed, the owner's alone, added with the edit key),
//! saved views (renamed, deleted, their state only ever text), the ZIP
//! export, deleting the account (drawings kept or deleted, nothing of the
//! account left in any file), and the opt-in display preferences cookie.
//!
//! Cookies are kept by hand: the client keeps none, so every request
//! shows exactly which cookie it sends.

use std::collections::BTreeSet;
use std::io::Read;

use reqwest::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE, LOCATION, ORIGIN,
    SET_COOKIE,
};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::util::{TestServer, client, demo_site};

const PASSWORD: &str = "Moorlilie am Steinhuder Meer";

const LINE: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Weg zum Maschsee"},
   "geometry":{"type":"LineString","coordinates":[[9.735,52.366],[9.741,52.359],[9.745,52.352]]}}]}"#;

const POINTS: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Start"},"geometry":{"type":"Point","coordinates":[9.73,52.37]}},
  {"type":"Feature","properties":{"name":"Ziel"},"geometry":{"type":"Point","coordinates":[9.75,52.35]}}]}"#;

/// A logged-in citizen: the session cookie (`name=value`) and its CSRF
/// token.
struct Citizen {
    cookie: String,
    csrf: String,
}

/// A drawing just saved.
struct Saved {
    id: String,
    key: String,
    share_url: String,
    edit_url: String,
}

/// The `name=value` of the cookie `name` that `response` sets, if any.
fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn location(response: &Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Registers `pseudonym` and answers its session.
async fn register(server: &TestServer, pseudonym: &str) -> Citizen {
    let response = client()
        .post(server.url("/konto/registrieren"))
        .header(ORIGIN, &server.base)
        .form(&[
            ("pseudonym", pseudonym),
            ("password", PASSWORD),
            ("password_repeat", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = set_cookie(&response, "numis_session").expect("session cookie");
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let me = client()
        .get(server.url("/api/me"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let me: Value = serde_json::from_str(&me).unwrap();
    Citizen {
        cookie,
        csrf: me["csrf"].as_str().unwrap().to_owned(),
    }
}

/// Saves a drawing, logged in as `citizen` or anonymously.
async fn save(server: &TestServer, citizen: Option<&Citizen>, title: &str, body: &str) -> Saved {
    let mut request = client()
        .post(server.url("/api/drawings"))
        .query(&[("title", title)])
        .header(CONTENT_TYPE, "application/geo+json")
        .body(body.to_owned());
    if let Some(c) = citizen {
        request = request
            .header(COOKIE, &c.cookie)
            .header(ORIGIN, &server.base)
            .header("x-csrf-token", &c.csrf);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    let field = |name: &str| body[name].as_str().unwrap().to_owned();
    Saved {
        id: field("id"),
        key: field("edit_key"),
        share_url: field("share_url"),
        edit_url: field("edit_url"),
    }
}

/// GET `path` with the citizen's cookie: (status, body).
async fn page(server: &TestServer, citizen: &Citizen, path: &str) -> (StatusCode, String) {
    let response = client()
        .get(server.url(path))
        .header(COOKIE, &citizen.cookie)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// POSTs a form of the citizen's, with the session's CSRF token.
async fn post(
    server: &TestServer,
    citizen: &Citizen,
    path: &str,
    form: &[(&str, &str)],
) -> Response {
    let mut fields: Vec<(&str, &str)> = vec![("csrf", citizen.csrf.as_str())];
    fields.extend_from_slice(form);
    client()
        .post(server.url(path))
        .header(COOKIE, &citizen.cookie)
        .header(ORIGIN, &server.base)
        .form(&fields)
        .send()
        .await
        .unwrap()
}

/// GET `/api/drawings/{id}`, with the citizen's cookie if given.
async fn read_drawing(
    server: &TestServer,
    citizen: Option<&Citizen>,
    id: &str,
) -> (StatusCode, Value) {
    let mut request = client().get(server.url(&format!("/api/drawings/{id}")));
    if let Some(c) = citizen {
        request = request.header(COOKIE, &c.cookie);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let body = serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null);
    (status, body)
}

/// PUT new features without a key, as `citizen`.
async fn put_as(server: &TestServer, citizen: &Citizen, id: &str) -> StatusCode {
    client()
        .put(server.url(&format!("/api/drawings/{id}")))
        .header(COOKIE, &citizen.cookie)
        .header(ORIGIN, &server.base)
        .header("x-csrf-token", &citizen.csrf)
        .header(CONTENT_TYPE, "application/geo+json")
        .body(POINTS)
        .send()
        .await
        .unwrap()
        .status()
}

/// DELETE without a key, as `citizen`.
async fn delete_as(server: &TestServer, citizen: &Citizen, id: &str) -> StatusCode {
    client()
        .delete(server.url(&format!("/api/drawings/{id}")))
        .header(COOKIE, &citizen.cookie)
        .header(ORIGIN, &server.base)
        .header("x-csrf-token", &citizen.csrf)
        .send()
        .await
        .unwrap()
        .status()
}

/// The citizen's views from `/api/me/views`.
async fn views(server: &TestServer, citizen: &Citizen) -> Vec<Value> {
    let body = client()
        .get(server.url("/api/me/views"))
        .header(COOKIE, &citizen.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let body: Value = serde_json::from_str(&body).unwrap();
    body["views"].as_array().unwrap().clone()
}

async fn save_view(server: &TestServer, citizen: &Citizen, name: &str, state: &str) -> String {
    let response = client()
        .post(server.url("/api/me/views"))
        .header(COOKIE, &citizen.cookie)
        .header(ORIGIN, &server.base)
        .header("x-csrf-token", &citizen.csrf)
        .header(CONTENT_TYPE, "application/json")
        .body(json!({ "name": name, "state": state }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    body["id"].as_str().unwrap().to_owned()
}

/// A login attempt's status.
async fn login_status(server: &TestServer, pseudonym: &str) -> StatusCode {
    client()
        .post(server.url("/konto/anmelden"))
        .header(ORIGIN, &server.base)
        .form(&[("pseudonym", pseudonym), ("password", PASSWORD)])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn drawings_saved_while_logged_in_are_listed_and_their_owners_alone() {
    let server = TestServer::start(&demo_site());
    let owner = register(&server, "Heidschnucke").await;
    let other = register(&server, "Moorschnucke").await;

    // The pages need a login.
    let response = client()
        .get(server.url("/konto/zeichnungen"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/konto/anmelden");

    let walk = save(&server, Some(&owner), "Spaziergang", LINE).await;
    let untitled = save(&server, Some(&owner), "", POINTS).await;
    let (status, html) = page(&server, &owner, "/konto/zeichnungen").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Spaziergang"), "{html}");
    assert!(
        html.contains("Ohne Titel"),
        "an untitled drawing is named so"
    );
    assert!(html.contains(&format!("href=\"/karte?drawing={}\"", walk.id)));
    assert!(html.contains(&format!("value=\"{}\"", untitled.id)));
    assert!(html.contains("<caption>"), "the table has a caption");
    assert!(html.contains("aria-label=\"Zeichnung „Spaziergang“ löschen\""));
    let (_, english) = page(&server, &owner, "/en/account/drawings").await;
    assert!(english.contains(&format!("href=\"/en/karte?drawing={}\"", walk.id)));
    assert!(english.contains("Untitled"));
    let (_, home) = page(&server, &owner, "/konto").await;
    assert!(
        home.contains("href=\"/konto/zeichnungen\"") && home.contains("Spaziergang"),
        "the overview shows the latest drawings: {home}"
    );
    let (_, others) = page(&server, &other, "/konto/zeichnungen").await;
    assert!(!others.contains(&walk.id), "not in another account's list");

    // The owner changes and deletes without the key; nobody else can.
    assert_eq!(
        read_drawing(&server, Some(&owner), &walk.id).await.1["yours"],
        true
    );
    assert_eq!(
        read_drawing(&server, Some(&other), &walk.id)
            .await
            .1
            .get("yours"),
        None
    );
    assert_eq!(put_as(&server, &owner, &walk.id).await, StatusCode::OK);
    assert_eq!(
        put_as(&server, &other, &walk.id).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        delete_as(&server, &other, &walk.id).await,
        StatusCode::FORBIDDEN
    );
    let refused = post(
        &server,
        &other,
        "/konto/zeichnungen",
        &[("delete", &walk.id)],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("role=\"alert\""));
    assert_eq!(
        read_drawing(&server, None, &walk.id).await.0,
        StatusCode::OK
    );

    assert_eq!(
        delete_as(&server, &owner, &untitled.id).await,
        StatusCode::NO_CONTENT
    );
    let deleted = post(
        &server,
        &owner,
        "/konto/zeichnungen",
        &[("delete", &walk.id)],
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&deleted), "/konto/zeichnungen?geloescht");
    assert_eq!(
        read_drawing(&server, None, &walk.id).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, html) = page(&server, &owner, "/konto/zeichnungen?geloescht").await;
    assert!(html.contains("Die Zeichnung ist gelöscht."));
    assert!(!html.contains("Spaziergang"));

    // A form without the session's token changes nothing.
    let forged = client()
        .post(server.url("/konto/zeichnungen"))
        .header(COOKIE, &owner.cookie)
        .header(ORIGIN, &server.base)
        .form(&[("delete", walk.id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_anonymous_drawing_is_added_only_with_its_edit_key() {
    let server = TestServer::start(&demo_site());
    let citizen = register(&server, "Heidschnucke").await;
    let other = register(&server, "Moorschnucke").await;
    let anonymous = save(&server, None, "Ohne Konto", LINE).await;

    // A wrong key: refused, nothing bound.
    let wrong = post(
        &server,
        &citizen,
        "/konto/zeichnungen",
        &[("claim", &anonymous.share_url), ("key", "not-the-key")],
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let html = wrong.text().await.unwrap();
    assert!(
        html.contains("Der Bearbeitungsschlüssel passt nicht"),
        "{html}"
    );
    let (_, list) = page(&server, &citizen, "/konto/zeichnungen").await;
    assert!(!list.contains(&format!("drawing={}", anonymous.id)));
    assert_eq!(
        read_drawing(&server, Some(&citizen), &anonymous.id)
            .await
            .1
            .get("yours"),
        None
    );
    assert_eq!(
        put_as(&server, &citizen, &anonymous.id).await,
        StatusCode::FORBIDDEN
    );
    // The share link alone carries no key.
    let keyless = post(
        &server,
        &citizen,
        "/konto/zeichnungen",
        &[("claim", &anonymous.share_url)],
    )
    .await;
    assert_eq!(keyless.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The edit link carries it.
    let added = post(
        &server,
        &citizen,
        "/konto/zeichnungen",
        &[("claim", &anonymous.edit_url)],
    )
    .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&added), "/konto/zeichnungen?hinzugefuegt");
    let (_, list) = page(&server, &citizen, "/konto/zeichnungen?hinzugefuegt").await;
    assert!(
        list.contains(&format!("drawing={}", anonymous.id)),
        "{list}"
    );
    assert!(list.contains("Die Zeichnung gehört jetzt zu Ihrem Konto."));
    assert_eq!(
        read_drawing(&server, Some(&citizen), &anonymous.id).await.1["yours"],
        true
    );
    assert_eq!(
        put_as(&server, &citizen, &anonymous.id).await,
        StatusCode::OK
    );

    // Another account cannot take it over, even with the key.
    let taken = post(
        &server,
        &other,
        "/konto/zeichnungen",
        &[("claim", &anonymous.id), ("key", &anonymous.key)],
    )
    .await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    assert_eq!(
        read_drawing(&server, Some(&citizen), &anonymous.id).await.1["yours"],
        true
    );
}

#[tokio::test]
async fn views_are_listed_renamed_and_deleted_and_their_state_stays_text() {
    let server = TestServer::start(&demo_site());
    let citizen = register(&server, "Heidschnucke").await;
    let other = register(&server, "Moorschnucke").await;
    let lake = save_view(
        &server,
        &citizen,
        "Maschsee",
        "center=9.74,52.36&scale=25000",
    )
    .await;
    let evil = save_view(
        &server,
        &citizen,
        "Böse \"><b>",
        "\"><script>alert(1)</script>",
    )
    .await;
    save_view(&server, &citizen, "Skript", "javascript:alert(2)").await;

    let (status, html) = page(&server, &citizen, "/konto/ansichten").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("href=\"/karte?center=9.74,52.36&amp;scale=25000\""),
        "{html}"
    );
    assert!(!html.contains("<script>alert(1)"), "the state is escaped");
    assert!(!html.contains("<b>"), "the name is escaped");
    assert!(html.contains("href=\"/karte?&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));
    assert!(html.contains("href=\"/karte?javascript:alert(2)\""));
    assert!(!html.contains("href=\"javascript:"));
    assert!(html.contains("aria-label=\"Ansicht „Maschsee“ umbenennen\""));
    let (_, english) = page(&server, &citizen, "/en/account/views").await;
    assert!(english.contains("href=\"/en/karte?center=9.74,52.36&amp;scale=25000\""));

    let renamed = post(
        &server,
        &citizen,
        "/konto/ansichten",
        &[("rename", &lake), ("name", "Am See")],
    )
    .await;
    assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&renamed), "/konto/ansichten?umbenannt");
    let names: BTreeSet<String> = views(&server, &citizen)
        .await
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        names.contains("Am See") && !names.contains("Maschsee"),
        "{names:?}"
    );
    let empty = post(
        &server,
        &citizen,
        "/konto/ansichten",
        &[("rename", &lake), ("name", "  ")],
    )
    .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("role=\"alert\""));
    // Another account's forms do not reach these views.
    let foreign = post(&server, &other, "/konto/ansichten", &[("delete", &lake)]).await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    let foreign = post(
        &server,
        &other,
        "/konto/ansichten",
        &[("rename", &lake), ("name", "Meins")],
    )
    .await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);

    let deleted = post(&server, &citizen, "/konto/ansichten", &[("delete", &evil)]).await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&deleted), "/konto/ansichten?geloescht");
    let left: Vec<String> = views(&server, &citizen)
        .await
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(left.len(), 2);
    assert!(left.contains(&lake) && !left.contains(&evil));
}

/// The entries of a ZIP file and their contents.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().to_owned(), content)
        })
        .collect()
}

#[tokio::test]
async fn the_export_holds_the_account_its_drawings_and_views_and_no_secret() {
    let server = TestServer::start(&demo_site());
    let citizen = register(&server, "Heidschnucke").await;
    let walk = save(&server, Some(&citizen), "Spaziergang", LINE).await;
    let points = save(&server, Some(&citizen), "Punkte", POINTS).await;
    save_view(&server, &citizen, "Maschsee", "center=9.74,52.36").await;

    let (status, html) = page(&server, &citizen, "/konto/export").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("konto.json") && html.contains("name=\"csrf\""));
    let forged = client()
        .post(server.url("/konto/export"))
        .header(COOKIE, &citizen.cookie)
        .header(ORIGIN, &server.base)
        .form(&[("csrf", "not the token")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        StatusCode::FORBIDDEN,
        "no token, no export"
    );

    let response = post(&server, &citizen, "/konto/export", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header(CONTENT_TYPE), "application/zip");
    assert_eq!(header(CACHE_CONTROL), "private, no-store");
    let today = chrono::Utc::now().format("%Y-%m-%d");
    assert_eq!(
        header(CONTENT_DISPOSITION),
        format!("attachment; filename=\"mein-numis-{today}.zip\"")
    );
    let bytes = response.bytes().await.unwrap();
    let entries = unzip(&bytes);
    let names: BTreeSet<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    let expected: BTreeSet<String> = [
        "konto.json".to_owned(),
        "ansichten.json".to_owned(),
        "LIESMICH.txt".to_owned(),
        format!("zeichnungen/{}.geojson", walk.id),
        format!("zeichnungen/{}.kml", walk.id),
        format!("zeichnungen/{}.geojson", points.id),
        format!("zeichnungen/{}.kml", points.id),
    ]
    .into_iter()
    .collect();
    assert_eq!(names, expected.iter().map(String::as_str).collect());
    let entry = |name: &str| {
        entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| String::from_utf8(c.clone()).unwrap())
            .unwrap()
    };

    // The GeoJSON is the drawing as the API shows it.
    let exported: Value =
        serde_json::from_str(&entry(&format!("zeichnungen/{}.geojson", walk.id))).unwrap();
    let (_, published) = read_drawing(&server, None, &walk.id).await;
    assert_eq!(exported["type"], "FeatureCollection");
    assert_eq!(exported["features"], published["features"]);
    assert_eq!(
        exported["features"][0]["properties"]["name"],
        "Weg zum Maschsee"
    );
    let kml = entry(&format!("zeichnungen/{}.kml", points.id));
    assert!(kml.contains("<kml") && kml.contains("Ziel"), "{kml}");

    let account: Value = serde_json::from_str(&entry("konto.json")).unwrap();
    assert_eq!(account["pseudonym"], "Heidschnucke");
    assert_eq!(account["roles"], json!([]));
    assert_eq!(account["second_factor"], false);
    assert!(account["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(account["profile"].is_object());
    assert_eq!(account["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(account["sessions"][0]["this_session"], true);
    let titles: BTreeSet<&str> = account["drawings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Punkte", "Spaziergang"].into_iter().collect());
    let views: Value = serde_json::from_str(&entry("ansichten.json")).unwrap();
    assert_eq!(views["views"][0]["name"], "Maschsee");
    assert_eq!(views["views"][0]["state"], "center=9.74,52.36");
    assert!(entry("LIESMICH.txt").contains("konto.json"));

    // Nothing that could log in or edit: no session token, no CSRF
    // token, no edit key, no hash.
    let token = citizen.cookie.split_once('=').unwrap().1;
    for (name, content) in &entries {
        let text = String::from_utf8_lossy(content);
        for secret in [
            token,
            citizen.csrf.as_str(),
            walk.key.as_str(),
            points.key.as_str(),
            "$argon2",
        ] {
            assert!(!text.contains(secret), "{secret} in {name}");
        }
    }
}

/// Deletes the citizen's account with the drawings `choice`.
async fn delete_account(server: &TestServer, citizen: &Citizen, choice: &str) -> Response {
    post(
        server,
        citizen,
        "/konto/loeschen",
        &[("drawings", choice), ("password", PASSWORD)],
    )
    .await
}

#[tokio::test]
async fn a_deleted_account_is_gone_and_its_kept_drawings_stay_editable_by_key() {
    let server = TestServer::start(&demo_site());
    let citizen = register(&server, "Heidschnucke").await;
    let drawing = save(&server, Some(&citizen), "Bleibt", LINE).await;
    let (status, html) = page(&server, &citizen, "/konto/loeschen").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("value=\"keep\"") && html.contains("value=\"delete\""));

    let wrong = post(
        &server,
        &citizen,
        "/konto/loeschen",
        &[("drawings", "keep"), ("password", "falsch falsch falsch")],
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.text().await.unwrap().contains("role=\"alert\""));
    let unchosen = post(
        &server,
        &citizen,
        "/konto/loeschen",
        &[("password", PASSWORD)],
    )
    .await;
    assert_eq!(unchosen.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page(&server, &citizen, "/konto").await.0,
        StatusCode::OK,
        "still there"
    );

    let deleted = delete_account(&server, &citizen, "keep").await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&deleted), "/konto/anmelden?geloescht");
    let removal = set_cookie(&deleted, "numis_session").expect("the cookie is expired");
    assert!(removal.contains("Max-Age=0"), "{removal}");

    // The account is gone: no login, no session.
    assert_eq!(
        login_status(&server, "Heidschnucke").await,
        StatusCode::UNAUTHORIZED
    );
    let me = client()
        .get(server.url("/api/me"))
        .header(COOKIE, &citizen.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    let notice = client()
        .get(server.url("/konto/anmelden?geloescht"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(notice.contains("Ihr Konto ist gelöscht."), "{notice}");

    // The drawing stays, anonymous, and its key still edits it.
    let (status, body) = read_drawing(&server, None, &drawing.id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["title"], "Bleibt");
    let changed = client()
        .put(server.url(&format!("/api/drawings/{}", drawing.id)))
        .header(AUTHORIZATION, format!("Bearer {}", drawing.key))
        .header(CONTENT_TYPE, "application/geo+json")
        .body(POINTS)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);

    // The pseudonym is free again.
    register(&server, "Heidschnucke").await;
}

#[tokio::test]
async fn deleting_an_account_with_its_drawings_removes_them() {
    let server = TestServer::start(&demo_site());
    let citizen = register(&server, "Heidschnucke").await;
    let drawing = save(&server, Some(&citizen), "Geht mit", LINE).await;
    let deleted = delete_account(&server, &citizen, "delete").await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        read_drawing(&server, None, &drawing.id).await.0,
        StatusCode::NOT_FOUND
    );
}

/// Everything the server stored whose raw bytes contain `needle` (ASCII
/// case folded): every file under its data directory, with SQLite's
/// write-ahead log and shared memory, or every table on PostgreSQL.
fn files_containing(server: &TestServer, needle: &str) -> Vec<String> {
    let needle = needle.to_ascii_lowercase().into_bytes();
    let stored = server.stored_data();
    assert!(!stored.is_empty(), "the server stored something");
    stored
        .into_iter()
        .filter(|(_, bytes)| {
            bytes
                .to_ascii_lowercase()
                .windows(needle.len())
                .any(|w| w == needle.as_slice())
        })
        .map(|(name, _)| name)
        .collect()
}

#[tokio::test]
async fn erasure_leaves_the_pseudonym_in_no_file() {
    let server = TestServer::start(&demo_site());
    let pseudonym = "Quappenfrosch Xq7Zt9";
    let citizen = register(&server, pseudonym).await;
    save(&server, Some(&citizen), "Bleibt anonym", LINE).await;
    save_view(&server, &citizen, "Ansicht Wq4Kp2", "center=9.74,52.36").await;
    // The account is in the database now.
    assert!(
        !files_containing(&server, pseudonym).is_empty(),
        "the test sees the store"
    );

    let deleted = delete_account(&server, &citizen, "keep").await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    for trace in [pseudonym, "Ansicht Wq4Kp2"] {
        let files = files_containing(&server, trace);
        assert!(files.is_empty(), "{trace:?} left in {files:?}");
    }
}

/// Needs the profile page (`/konto/profil`, the settings pages): on the
/// library branch alone it fails at the profile form.
#[tokio::test]
async fn erasure_removes_profile_fields_from_every_file() {
    let server = TestServer::start(&demo_site());
    let pseudonym = "Kammmolch Vb3Ry8";
    let citizen = register(&server, pseudonym).await;
    let profile = [
        ("email", "kammmolch.vb3ry8@example.org"),
        ("name", "Karla Kammmolch-Vb3Ry8"),
        ("organisation", "Tümpelverein Vb3Ry8"),
        ("address", "Molchweg 8, 30159 Vb3Ry8-Hausen"),
    ];
    let saved = post(&server, &citizen, "/konto/profil", &profile).await;
    assert_eq!(
        saved.status(),
        StatusCode::SEE_OTHER,
        "the profile form is needed"
    );
    let exported = post(&server, &citizen, "/konto/export", &[]).await;
    let entries = unzip(&exported.bytes().await.unwrap());
    let account = &entries.iter().find(|(n, _)| n == "konto.json").unwrap().1;
    let account = String::from_utf8_lossy(account);
    for (_, value) in profile {
        assert!(account.contains(value), "{value} in the export");
        assert!(
            !files_containing(&server, value).is_empty(),
            "{value} is stored"
        );
    }

    let deleted = delete_account(&server, &citizen, "delete").await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    for trace in [pseudonym]
        .into_iter()
        .chain(profile.iter().map(|(_, v)| *v))
    {
        let files = files_containing(&server, trace);
        assert!(files.is_empty(), "{trace:?} left in {files:?}");
    }
}

/// POSTs the display form without a session.
async fn display(server: &TestServer, form: &[(&str, &str)], cookie: Option<&str>) -> Response {
    let mut request = client()
        .post(server.url("/konto/anzeige"))
        .header(ORIGIN, &server.base)
        .form(form);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn display_preferences_are_kept_in_a_cookie_only_when_asked() {
    let server = TestServer::start(&demo_site());
    let response = client()
        .get(server.url("/konto/anzeige"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers().get(SET_COOKIE).is_none(),
        "no cookie on sight"
    );
    let html = response.text().await.unwrap();
    assert!(
        html.contains("value=\"grundkarte\""),
        "the base maps of the catalogue: {html}"
    );

    // Without the box: no cookie, and the page says so.
    let plain = display(&server, &[("lang", "en"), ("base", "grundkarte")], None).await;
    assert_eq!(plain.status(), StatusCode::SEE_OTHER);
    assert!(plain.headers().get(SET_COOKIE).is_none());
    assert_eq!(location(&plain), "/en/account/display?nicht-gespeichert");
    let said = client()
        .get(server.url("/en/account/display?nicht-gespeichert"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(said.contains("Nothing stored"), "{said}");

    // With it: a year, Lax, readable by the viewer.
    let kept = display(
        &server,
        &[("lang", "en"), ("base", "grundkarte"), ("remember", "1")],
        None,
    )
    .await;
    assert_eq!(kept.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&kept), "/en/account/display?gespeichert");
    let cookie = set_cookie(&kept, "numis_prefs").expect("the preferences cookie");
    assert!(
        cookie.starts_with("numis_prefs=lang=en&base=grundkarte;"),
        "{cookie}"
    );
    assert!(cookie.contains("Max-Age=31536000"), "{cookie}");
    assert!(
        cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("HttpOnly"),
        "the viewer reads it: {cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain HTTP here: {cookie}");
    let sent = cookie.split(';').next().unwrap();
    let shown = client()
        .get(server.url("/konto/anzeige"))
        .header(COOKIE, sent)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        shown.contains("id=\"lang-en\" name=\"lang\" type=\"radio\" value=\"en\" checked"),
        "{shown}"
    );
    assert!(shown.contains("<option value=\"grundkarte\" selected>"));
    assert!(shown.contains("name=\"forget\""));

    // A base map the catalogue does not have: refused, no cookie.
    let unknown = display(
        &server,
        &[("lang", "de"), ("base", "mond"), ("remember", "1")],
        None,
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.headers().get(SET_COOKIE).is_none());
    // From another site: refused.
    let foreign = client()
        .post(server.url("/konto/anzeige"))
        .header(ORIGIN, "http://evil.example")
        .form(&[("lang", "en"), ("remember", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert!(foreign.headers().get(SET_COOKIE).is_none());

    // Forgetting removes it.
    let forgotten = display(&server, &[("forget", "1")], Some(sent)).await;
    assert_eq!(forgotten.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&forgotten), "/konto/anzeige?vergessen");
    let removal = set_cookie(&forgotten, "numis_prefs").expect("the removal");
    assert!(
        removal.starts_with("numis_prefs=;") && removal.contains("Max-Age=0"),
        "{removal}"
    );

    // Logged in, the same page works and still sets nothing unasked.
    let citizen = register(&server, "Heidschnucke").await;
    let response = post(&server, &citizen, "/konto/anzeige", &[("lang", "de")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(set_cookie(&response, "numis_prefs").is_none());
}
