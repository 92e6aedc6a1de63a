//! Accounts over HTTP (issue 12): the session cookie and its attributes,
//! CSRF, login without enumeration and with throttling, private caching,
//! and roles that unlock restricted layers for sessions and for WMS
//! clients with HTTP Basic credentials — through the render cache too.

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, HeaderMap, LOCATION, SET_COOKIE, WWW_AUTHENTICATE};
use serde_json::Value;

use crate::image_diff::decode_png;
use crate::util::{TestServer, client, demo_site};
use crate::wms::restricted_server;

const PASSWORD: &str = "Kranichzug über dem Moor";

/// The `Set-Cookie` values of an answer.
fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// `name=value` of the first `Set-Cookie`, to send back as `Cookie`.
fn cookie_pair(headers: &HeaderMap) -> String {
    let all = set_cookies(headers);
    let first = all.first().expect("a Set-Cookie");
    first.split(';').next().unwrap().trim().to_owned()
}

/// Posts a form as a page of `server` would (its own `Origin`).
async fn post_form(
    server: &TestServer,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = client()
        .post(server.url(path))
        .header("Origin", &server.base)
        .form(fields);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    request.send().await.unwrap()
}

/// Registers `pseudonym` and answers the session cookie (`name=value`).
async fn register(server: &TestServer, pseudonym: &str) -> String {
    let response = post_form(
        server,
        "/konto/registrieren",
        None,
        &[
            ("pseudonym", pseudonym),
            ("password", PASSWORD),
            ("password_repeat", PASSWORD),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = cookie_pair(response.headers());
    let page = response.text().await.unwrap();
    assert_eq!(page.matches("<li><code>").count(), 10, "ten recovery codes");
    cookie
}

/// Logs in; answers the whole answer.
async fn login(
    server: &TestServer,
    pseudonym: &str,
    password: &str,
    remember: bool,
) -> reqwest::Response {
    let mut fields = vec![("pseudonym", pseudonym), ("password", password)];
    if remember {
        fields.push(("remember", "1"));
    }
    post_form(server, "/konto/anmelden", None, &fields).await
}

async fn get(server: &TestServer, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = client().get(server.url(path));
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    request.send().await.unwrap()
}

/// `/api/me` with `cookie`: (status, body).
async fn me(server: &TestServer, cookie: &str) -> (StatusCode, Value) {
    let response = get(server, "/api/me", Some(cookie)).await;
    let status = response.status();
    (
        status,
        response
            .text()
            .await
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null),
    )
}

fn attributes(cookie: &str) -> Vec<String> {
    cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

// ------------------------------------------------------------ the cookie

#[tokio::test]
async fn only_a_login_sets_a_cookie_and_only_remember_me_makes_it_permanent() {
    let server = TestServer::start(&demo_site());
    for path in [
        "/",
        "/karte",
        "/konto/anmelden",
        "/konto/registrieren",
        "/api/layers",
    ] {
        let response = get(&server, path, None).await;
        assert!(set_cookies(response.headers()).is_empty(), "{path}");
    }
    assert_eq!(
        get(&server, "/konto", None).await.headers()[LOCATION],
        "/konto/anmelden",
        "the account page asks for a login"
    );

    let cookie = register(&server, "Wiesenweihe").await;
    assert!(cookie.starts_with("numis_session="), "{cookie}");
    let (status, body) = me(&server, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["pseudonym"], "Wiesenweihe");

    // A session cookie: ends with the browser.
    let response = login(&server, "Wiesenweihe", PASSWORD, false).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let all = set_cookies(response.headers());
    assert_eq!(all.len(), 1, "{all:?}");
    let attrs = attributes(&all[0]);
    for wanted in ["httponly", "samesite=lax", "path=/"] {
        assert!(attrs.contains(&wanted.to_owned()), "{wanted} in {all:?}");
    }
    assert!(
        !attrs
            .iter()
            .any(|a| a.starts_with("max-age") || a.starts_with("expires")),
        "{all:?}"
    );
    assert!(!attrs.contains(&"secure".to_owned()), "no TLS configured");

    // "Angemeldet bleiben": the only permanent cookie, 30 days.
    let response = login(&server, "Wiesenweihe", PASSWORD, true).await;
    let remembered = set_cookies(response.headers());
    assert!(
        attributes(&remembered[0]).contains(&"max-age=2592000".to_owned()),
        "{remembered:?}"
    );
}

#[tokio::test]
async fn a_login_issues_a_fresh_token_whatever_cookie_came_with_it() {
    let server = TestServer::start(&demo_site());
    let first = register(&server, "Rohrdommel").await;
    let planted = "numis_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let response = client()
        .post(server.url("/konto/anmelden"))
        .header("Origin", &server.base)
        .header("Cookie", planted)
        .form(&[("pseudonym", "Rohrdommel"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let issued = cookie_pair(response.headers());
    assert_ne!(issued, planted, "no session fixation");
    assert_ne!(issued, first, "each login has its own session");
    assert_eq!(me(&server, &issued).await.0, StatusCode::OK);
    assert_eq!(
        me(&server, &first).await.0,
        StatusCode::OK,
        "other sessions go on"
    );
}

#[tokio::test]
async fn with_tls_the_cookie_is_secure_and_host_prefixed() {
    let server = TestServer::start_with(&demo_site(), &[("NUMIS_SECURITY__TLS", "true")]);
    let response = post_form(
        &server,
        "/konto/registrieren",
        None,
        &[
            ("pseudonym", "Kiebitz"),
            ("password", PASSWORD),
            ("password_repeat", PASSWORD),
        ],
    )
    .await;
    let all = set_cookies(response.headers());
    assert!(all[0].starts_with("__Host-numis_session="), "{all:?}");
    let attrs = attributes(&all[0]);
    assert!(attrs.contains(&"secure".to_owned()), "{all:?}");
    assert!(attrs.contains(&"path=/".to_owned()), "{all:?}");
    assert!(!attrs.iter().any(|a| a.starts_with("domain")), "{all:?}");
    // The plain name is not read over TLS.
    let plain = cookie_pair(response.headers()).replace("__Host-", "");
    assert_eq!(me(&server, &plain).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server_and_in_the_browser() {
    let server = TestServer::start(&demo_site());
    let cookie = register(&server, "Brachvogel").await;
    let (_, body) = me(&server, &cookie).await;
    let csrf = body["csrf"].as_str().unwrap().to_owned();

    let response = post_form(
        &server,
        "/konto/abmelden",
        Some(&cookie),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let removal = set_cookies(response.headers());
    assert!(
        removal[0].starts_with("numis_session=;")
            && attributes(&removal[0]).contains(&"max-age=0".to_owned()),
        "{removal:?}"
    );
    // The token is dead on the server, not only forgotten by the browser;
    // a browser that still sends it is told to forget it.
    let response = get(&server, "/api/me", Some(&cookie)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookies(response.headers())[0].contains("Max-Age=0"));
    let page = get(&server, "/konto/anmelden?abgemeldet", None)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Sie sind abgemeldet"),
        "the login page says so"
    );
}

// ------------------------------------------------------------------ CSRF

#[tokio::test]
async fn forged_requests_with_a_session_are_refused_and_change_nothing() {
    let server = TestServer::start(&demo_site());
    let cookie = register(&server, "Uferschnepfe").await;
    let (_, body) = me(&server, &cookie).await;
    let csrf = body["csrf"].as_str().unwrap().to_owned();

    // Another site's form: refused by its origin, even with the token.
    let forged = client()
        .post(server.url("/konto/abmelden"))
        .header("Origin", "https://evil.example")
        .header("Cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // Our origin without the token, and with a wrong one.
    for token in ["", "falsch"] {
        let response = post_form(
            &server,
            "/konto/abmelden",
            Some(&cookie),
            &[("csrf", token)],
        )
        .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{token:?}");
    }
    assert_eq!(
        me(&server, &cookie).await.0,
        StatusCode::OK,
        "still logged in"
    );

    // The JSON API needs the header.
    let view = serde_json::json!({ "name": "Dümmer", "state": "z=10&x=8.3&y=52.5" });
    let without = client()
        .post(server.url("/api/me/views"))
        .header("Cookie", &cookie)
        .header("Content-Type", "application/json")
        .body(view.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), StatusCode::FORBIDDEN);
    let cross_site = client()
        .post(server.url("/api/me/views"))
        .header("Cookie", &cookie)
        .header("X-CSRF-Token", &csrf)
        .header("Sec-Fetch-Site", "cross-site")
        .header("Content-Type", "application/json")
        .body(view.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let listed: Value = get(&server, "/api/me/views", Some(&cookie))
        .await
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert_eq!(listed["views"], serde_json::json!([]), "nothing was saved");
    let with = client()
        .post(server.url("/api/me/views"))
        .header("Cookie", &cookie)
        .header("X-CSRF-Token", &csrf)
        .header("Content-Type", "application/json")
        .body(view.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), StatusCode::CREATED);

    // A forged login (into the forger's account) is refused too.
    let forged_login = client()
        .post(server.url("/konto/anmelden"))
        .header("Origin", "https://evil.example")
        .form(&[("pseudonym", "Uferschnepfe"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged_login.status(), StatusCode::FORBIDDEN);
    assert!(set_cookies(forged_login.headers()).is_empty());
}

// ----------------------------------------------------------------- login

#[tokio::test]
async fn an_unknown_pseudonym_and_a_wrong_password_read_the_same() {
    let server = TestServer::start(&demo_site());
    register(&server, "Goldregenpfeifer").await;
    let unknown = login(&server, "Niemand-Hier", "irgendein Passwort", false).await;
    let wrong = login(&server, "Goldregenpfeifer", "irgendein Passwort", false).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status(), unknown.status());
    let unknown = unknown
        .text()
        .await
        .unwrap()
        .replace("Niemand-Hier", "NAME");
    let wrong = wrong
        .text()
        .await
        .unwrap()
        .replace("Goldregenpfeifer", "NAME");
    assert_eq!(unknown, wrong);
    assert!(wrong.contains("Pseudonym oder Passwort ist falsch"));
}

#[tokio::test]
async fn failed_logins_are_throttled_with_retry_after() {
    let server = TestServer::start(&demo_site());
    register(&server, "Bekassine").await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let response = login(&server, "Bekassine", "falsches Passwort!", false).await;
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let seconds: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=900).contains(&seconds), "{seconds}");
            let page = response.text().await.unwrap();
            assert!(page.contains("Bitte warten Sie"), "the page says how long");
        }
    }
    assert_eq!(
        &statuses[..5],
        &[StatusCode::UNAUTHORIZED; 5],
        "{statuses:?}"
    );
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    // Even the right password waits now.
    let right = login(&server, "Bekassine", PASSWORD, false).await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    // The log names neither the client (the server's own listening
    // address aside) nor the pseudonym that was tried.
    let log = server.log();
    for line in log.lines().filter(|l| !l.contains("listening")) {
        assert!(
            !line.contains("127.0.0.1"),
            "the log names the client: {line}"
        );
        assert!(
            !line.contains("Bekassine"),
            "the log names the pseudonym: {line}"
        );
    }
}

// --------------------------------------------------------------- caching

#[tokio::test]
async fn answers_to_a_session_are_private() {
    let server = TestServer::start(&demo_site());
    let cookie = register(&server, "Zwergtaucher").await;
    for path in ["/konto", "/api/me", "/api/me/views"] {
        let response = get(&server, path, Some(&cookie)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            response.headers()[CACHE_CONTROL],
            "private, no-store",
            "{path}"
        );
    }
    for path in ["/", "/karte", "/api/layers"] {
        let response = get(&server, path, Some(&cookie)).await;
        let cache = response.headers()[CACHE_CONTROL]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cache.starts_with("private"), "{path}: {cache}");
        assert!(set_cookies(response.headers()).is_empty(), "{path}");
    }
    let anonymous = get(&server, "/api/layers", None).await;
    assert!(
        !anonymous.headers()[CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("private")
    );
}

// ------------------------------------------------------------- roles (L7)

fn grant(server: &TestServer, pseudonym: &str, role: &str) {
    let (status, output) = server.run_numis(&["account", "grant", pseudonym, role]);
    assert!(status.success(), "{output}");
}

/// A GetMap of group `alles` over the restricted polygon (CRS:84).
const ALLES: &str = "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=alles&STYLES=&CRS=CRS:84&BBOX=9.4,52.0,10.8,52.6&WIDTH=350&HEIGHT=150&FORMAT=image/png";

fn red_pixels(png: &[u8]) -> usize {
    decode_png(png)
        .pixels()
        .filter(|p| p[0] > 220 && p[1] < 40 && p[2] < 40)
        .count()
}

#[tokio::test]
async fn a_role_unlocks_restricted_layers_for_sessions_and_wms_clients_alike() {
    let (_site, server) = restricted_server();
    let cookie = register(&server, "Förster").await;
    let layers: Value = get(&server, "/api/layers", Some(&cookie))
        .await
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert!(layers["layers"].get("baustellen").is_none(), "no role yet");

    grant(&server, "Förster", "intern");
    // The server trusts a session it looked up for 5 seconds; a role
    // granted by another process counts after that.
    tokio::time::sleep(std::time::Duration::from_millis(5_500)).await;
    let layers: Value = get(&server, "/api/layers", Some(&cookie))
        .await
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert!(layers["layers"].get("baustellen").is_some(), "{layers}");
    let capabilities = get(
        &server,
        "/ows?SERVICE=WMS&REQUEST=GetCapabilities",
        Some(&cookie),
    )
    .await;
    assert!(
        capabilities.headers()[CACHE_CONTROL]
            .to_str()
            .unwrap()
            .starts_with("private")
    );
    assert!(capabilities.text().await.unwrap().contains("baustellen"));

    // A WMS client with the account's credentials (HTTP Basic).
    let basic = |path: &str, password: &str| {
        client()
            .get(server.url(path))
            .basic_auth("Förster", Some(password.to_owned()))
    };
    let response = basic("/ows?SERVICE=WMS&REQUEST=GetCapabilities", PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("baustellen"));
    let wrong = basic(
        "/ows?SERVICE=WMS&REQUEST=GetCapabilities",
        "falsches Passwort!",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(
        wrong.headers()[WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Basic realm=\"numis\"")
    );
    assert!(!wrong.text().await.unwrap().contains("baustellen"));

    // The render cache never hands the restricted image to the public:
    // anonymous first, then with the role, then anonymous again.
    let anonymous = get(&server, ALLES, None).await.bytes().await.unwrap();
    let with_role = basic(ALLES, PASSWORD).send().await.unwrap();
    assert!(
        with_role.headers()[CACHE_CONTROL]
            .to_str()
            .unwrap()
            .starts_with("private")
    );
    let with_role = with_role.bytes().await.unwrap();
    let anonymous_again = get(&server, ALLES, None).await.bytes().await.unwrap();
    assert_eq!(red_pixels(&anonymous), 0);
    assert!(
        red_pixels(&with_role) > 100,
        "the restricted polygon is drawn"
    );
    assert_eq!(red_pixels(&anonymous_again), 0);
    let via_session = get(&server, ALLES, Some(&cookie))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(red_pixels(&via_session) > 100);

    // The operator role sees everything, like the operator token.
    let boss = register(&server, "Leitstelle").await;
    grant(&server, "Leitstelle", "operator");
    tokio::time::sleep(std::time::Duration::from_millis(5_500)).await;
    let layers: Value = get(&server, "/api/layers", Some(&boss))
        .await
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert!(layers["layers"].get("baustellen").is_some());
}
