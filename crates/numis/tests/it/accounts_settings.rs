//! "Mein NUMIS", the settings pages, against the running server over
//! plain HTTP: the voluntary profile, the password change that ends the
//! other sessions, new recovery codes, the second factor from set-up to
//! login, the list of sessions and ending them, and forged forms that
//! change nothing. Cookies are kept by hand, as a browser would.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use numis_core::accounts::{
    AccountError, AccountRules, AccountService, PasswordHasher, PasswordWorkers, TotpSecret,
};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, COOKIE, LOCATION, ORIGIN, SET_COOKIE, USER_AGENT};

use crate::util::{TestServer, client, demo_site};

const NAME: &str = "Heidschnucke";
const PASSWORD: &str = "Moorlilie am Steinhuder Meer";
const NEW_PASSWORD: &str = "Kraniche über dem Drömling";

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

/// One browser: its own session cookie, kept by hand.
struct Browser<'a> {
    server: &'a TestServer,
    agent: &'static str,
    cookie: Option<String>,
}

/// An answer, read whole.
struct Answer {
    status: StatusCode,
    location: Option<String>,
    cache_control: Option<String>,
    body: String,
}

impl<'a> Browser<'a> {
    fn new(server: &'a TestServer, agent: &'static str) -> Self {
        Self {
            server,
            agent,
            cookie: None,
        }
    }

    /// Registers `NAME` (logged in afterwards); answers the page with the
    /// recovery codes.
    async fn register(&mut self) -> String {
        let answer = self
            .post(
                "/konto/registrieren",
                &[
                    ("pseudonym", NAME),
                    ("password", PASSWORD),
                    ("password_repeat", PASSWORD),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        assert!(self.cookie.is_some(), "registration logs in");
        answer.body
    }

    /// Logs in with `password` (and `code`), `remember`ed or not.
    async fn login(&mut self, password: &str, code: Option<&str>, remember: bool) -> Answer {
        let mut form = vec![("pseudonym", NAME), ("password", password)];
        if let Some(code) = code {
            form.push(("code", code));
        }
        if remember {
            form.push(("remember", "1"));
        }
        self.post("/konto/anmelden", &form).await
    }

    async fn get(&mut self, path: &str) -> Answer {
        let mut request = client()
            .get(self.server.url(path))
            .header(USER_AGENT, self.agent);
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        self.read(request.send().await.unwrap()).await
    }

    /// POSTs `form` from our own origin.
    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let origin = self.server.base.clone();
        self.post_from(&origin, path, form).await
    }

    async fn post_from(&mut self, origin: &str, path: &str, form: &[(&str, &str)]) -> Answer {
        let mut request = client()
            .post(self.server.url(path))
            .header(USER_AGENT, self.agent)
            .header(ORIGIN, origin)
            .form(form);
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        self.read(request.send().await.unwrap()).await
    }

    /// Reads the answer, keeping or dropping the session cookie as its
    /// `Set-Cookie` says.
    async fn read(&mut self, response: reqwest::Response) -> Answer {
        for value in response.headers().get_all(SET_COOKIE) {
            let value = value.to_str().unwrap();
            let pair = value.split(';').next().unwrap().trim();
            let (name, content) = pair.split_once('=').unwrap();
            assert_eq!(name, "numis_session", "{value}");
            self.cookie = (!content.is_empty()).then(|| pair.to_owned());
        }
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let location = header(LOCATION);
        let cache_control = header(CACHE_CONTROL);
        Answer {
            status: response.status(),
            location,
            cache_control,
            body: response.text().await.unwrap(),
        }
    }

    /// The CSRF token of this browser's session, from a settings form.
    async fn csrf(&mut self) -> String {
        let page = self.get("/konto/profil").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        attribute_after(&page.body, r#"name="csrf" value=""#).expect("a csrf field")
    }
}

/// The text after `marker` up to the next `"`.
fn attribute_after(html: &str, marker: &str) -> Option<String> {
    let rest = html.split(marker).nth(1)?;
    Some(rest.split('"').next()?.to_owned())
}

/// Every `<code>` in the list of recovery codes.
fn recovery_codes(html: &str) -> Vec<String> {
    let list = html
        .split(r#"<ol class="recovery-codes""#)
        .nth(1)
        .expect("a list of codes")
        .split("</ol>")
        .next()
        .unwrap();
    list.split("<li><code>")
        .skip(1)
        .map(|item| item.split("</code>").next().unwrap().to_owned())
        .collect()
}

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

fn assert_private(answer: &Answer) {
    assert_eq!(
        answer.cache_control.as_deref(),
        Some("private, no-store"),
        "account pages are never cached"
    );
}

fn assert_redirect(answer: &Answer, to: &str) {
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.location.as_deref(), Some(to));
}

#[tokio::test]
async fn profile_fields_are_given_changed_and_removed() {
    let server = TestServer::start(&demo_site());
    let mut browser = Browser::new(&server, FIREFOX);
    browser.register().await;
    let csrf = browser.csrf().await;

    let page = browser.get("/konto/profil").await;
    assert_private(&page);
    assert_eq!(
        page.body.matches("(freiwillig)").count(),
        4,
        "{}",
        page.body
    );
    assert!(page.body.contains("funktioniert ohne jede dieser Angaben"));
    for (name, autocomplete) in [
        ("email", "email"),
        ("name", "name"),
        ("organisation", "organization"),
        ("address", "street-address"),
    ] {
        assert!(page.body.contains(&format!(r#"<label for="{name}">"#)));
        assert!(
            page.body.contains(&format!(r#"name="{name}""#))
                && page
                    .body
                    .contains(&format!(r#"autocomplete="{autocomplete}""#)),
            "{name}"
        );
    }
    let home = browser.get("/konto").await;
    assert!(home.body.contains("Keine Angaben"), "{}", home.body);

    let saved = browser
        .post(
            "/konto/profil",
            &[
                ("csrf", &csrf),
                ("email", "heide@example.org"),
                ("name", "Anna <b>Heide</b>"),
                ("organisation", "Landkreis Celle"),
                ("address", "Am Wietzenbruch 4\n29223 Celle"),
            ],
        )
        .await;
    assert_redirect(&saved, "/konto/profil?gespeichert");
    let page = browser.get("/konto/profil?gespeichert").await;
    assert!(page.body.contains("Ihr Profil ist gespeichert."));
    assert!(page.body.contains(r#"value="heide@example.org""#));
    assert!(
        page.body.contains("Anna &lt;b&gt;Heide&lt;/b&gt;"),
        "escaped"
    );
    assert!(!page.body.contains("<b>Heide</b>"));
    assert!(
        page.body
            .contains("Am Wietzenbruch 4\n29223 Celle</textarea>")
    );
    assert_eq!(page.body.matches(r#"form="profile-remove""#).count(), 4);
    let home = browser.get("/konto").await;
    assert!(
        home.body
            .contains("Angegeben: E-Mail-Adresse, Name, Organisation, Postanschrift"),
        "{}",
        home.body
    );

    // Changed: the new value replaces the old one.
    let changed = browser
        .post(
            "/konto/profil",
            &[
                ("csrf", &csrf),
                ("email", "heide@example.org"),
                ("name", "Anna Heidekraut"),
                ("organisation", "Landkreis Celle"),
                ("address", "Am Wietzenbruch 4\n29223 Celle"),
            ],
        )
        .await;
    assert_redirect(&changed, "/konto/profil?gespeichert");
    let page = browser.get("/konto/profil").await;
    assert!(page.body.contains(r#"value="Anna Heidekraut""#));
    assert!(!page.body.contains("Anna &lt;b&gt;"));

    // An emptied field is removed.
    let emptied = browser
        .post(
            "/konto/profil",
            &[
                ("csrf", &csrf),
                ("email", "  "),
                ("name", "Anna Heidekraut"),
                ("organisation", "Landkreis Celle"),
                ("address", "Am Wietzenbruch 4\n29223 Celle"),
            ],
        )
        .await;
    assert_redirect(&emptied, "/konto/profil?gespeichert");
    let page = browser.get("/konto/profil").await;
    assert!(!page.body.contains("heide@example.org"), "{}", page.body);

    // One field removed with its own button; the others stay.
    let removed = browser
        .post(
            "/konto/profil",
            &[("csrf", &csrf), ("remove", "organisation")],
        )
        .await;
    assert_redirect(&removed, "/konto/profil?entfernt");
    let page = browser.get("/konto/profil?entfernt").await;
    assert!(page.body.contains("Die Angabe ist gelöscht."));
    assert!(!page.body.contains("Landkreis Celle"), "{}", page.body);
    assert!(page.body.contains(r#"value="Anna Heidekraut""#));
    let home = browser.get("/konto").await;
    assert!(
        home.body.contains("Angegeben: Name, Postanschrift"),
        "{}",
        home.body
    );

    // Bad input: refused with the form as typed, nothing written, not
    // even the valid field beside it.
    let refused = browser
        .post(
            "/konto/profil",
            &[
                ("csrf", &csrf),
                ("email", "heide.example.org"),
                ("name", "Someone Else"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(r#"role="alert""#));
    assert!(refused.body.contains(r#"value="heide.example.org""#));
    let too_long = "x".repeat(501);
    let refused = browser
        .post("/konto/profil", &[("csrf", &csrf), ("name", &too_long)])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("höchstens 500 Zeichen"),
        "{}",
        refused.body
    );
    let unknown = browser
        .post("/konto/profil", &[("csrf", &csrf), ("remove", "password")])
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = browser.get("/konto/profil").await;
    assert!(page.body.contains(r#"value="Anna Heidekraut""#));
    assert!(!page.body.contains("Someone Else"));

    // English: the same page, the same data.
    let english = browser.get("/en/account/profile").await;
    assert_eq!(english.status, StatusCode::OK);
    assert_eq!(english.body.matches("(voluntary)").count(), 4);
    assert!(english.body.contains(r#"value="Anna Heidekraut""#));
    let saved = browser
        .post(
            "/en/account/profile",
            &[("csrf", &csrf), ("remove", "name")],
        )
        .await;
    assert_redirect(&saved, "/en/account/profile?entfernt");
    let english = browser.get("/en/account/profile?entfernt").await;
    assert!(english.body.contains("The detail is deleted."));
    assert!(!english.body.contains("Anna Heidekraut"));
}

#[tokio::test]
async fn a_new_password_ends_the_other_sessions_but_not_this_one() {
    let server = TestServer::start(&demo_site());
    let mut here = Browser::new(&server, FIREFOX);
    here.register().await;
    let mut elsewhere = Browser::new(&server, SAFARI);
    assert_redirect(&elsewhere.login(PASSWORD, None, true).await, "/konto");
    assert_eq!(elsewhere.get("/konto").await.status, StatusCode::OK);
    let csrf = here.csrf().await;

    let page = here.get("/konto/passwort").await;
    assert_private(&page);
    assert!(page.body.contains(r#"autocomplete="current-password""#));
    assert_eq!(
        page.body.matches(r#"autocomplete="new-password""#).count(),
        2
    );

    let differ = here
        .post(
            "/konto/passwort",
            &[
                ("csrf", &csrf),
                ("old_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("new_password_repeat", "Kraniche über dem Drömling!"),
            ],
        )
        .await;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(differ.body.contains("stimmen nicht überein"));
    assert!(
        !differ.body.contains(NEW_PASSWORD),
        "no password comes back"
    );
    let wrong = here
        .post(
            "/konto/passwort",
            &[
                ("csrf", &csrf),
                ("old_password", "Moorlilie am Steinhuder See"),
                ("new_password", NEW_PASSWORD),
                ("new_password_repeat", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        wrong.body.contains("Das Passwort ist falsch."),
        "{}",
        wrong.body
    );
    let weak = here
        .post(
            "/konto/passwort",
            &[
                ("csrf", &csrf),
                ("old_password", PASSWORD),
                ("new_password", "kurz"),
                ("new_password_repeat", "kurz"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        elsewhere.get("/konto").await.status,
        StatusCode::OK,
        "refusals end nothing"
    );

    let changed = here
        .post(
            "/konto/passwort",
            &[
                ("csrf", &csrf),
                ("old_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("new_password_repeat", NEW_PASSWORD),
            ],
        )
        .await;
    assert_redirect(&changed, "/konto/passwort?geaendert");
    let page = here.get("/konto/passwort?geaendert").await;
    assert!(
        page.body
            .contains("Alle anderen Sitzungen Ihres Kontos sind beendet"),
        "{}",
        page.body
    );
    assert_eq!(
        here.get("/konto").await.status,
        StatusCode::OK,
        "this one stays"
    );
    let ended = elsewhere.get("/konto").await;
    assert_redirect(&ended, "/konto/anmelden");

    let mut third = Browser::new(&server, SAFARI);
    let old = third.login(PASSWORD, None, false).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    assert!(third.cookie.is_none());
    assert_redirect(&third.login(NEW_PASSWORD, None, false).await, "/konto");
}

#[tokio::test]
async fn new_recovery_codes_replace_the_old_ones() {
    let server = TestServer::start(&demo_site());
    let mut browser = Browser::new(&server, FIREFOX);
    let registered = recovery_codes(&browser.register().await);
    assert_eq!(registered.len(), 10);
    let csrf = browser.csrf().await;

    let page = browser.get("/konto/wiederherstellungscodes").await;
    assert_private(&page);
    assert!(
        page.body.contains("Sie haben noch 10 von 10 Codes."),
        "{}",
        page.body
    );
    let home = browser.get("/konto").await;
    assert!(home.body.contains("10 Codes übrig"), "{}", home.body);

    let wrong = browser
        .post(
            "/konto/wiederherstellungscodes",
            &[("csrf", &csrf), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        !wrong.body.contains(r#"<ol class="recovery-codes""#),
        "no codes on a refusal"
    );

    let renewed = browser
        .post(
            "/konto/wiederherstellungscodes",
            &[("csrf", &csrf), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.body);
    assert_private(&renewed);
    let fresh = recovery_codes(&renewed.body);
    assert_eq!(fresh.len(), 10, "{}", renewed.body);
    assert!(fresh.iter().all(|code| !registered.contains(code)));
    assert!(renewed.body.contains("Die bisherigen gelten nicht mehr."));

    // At the recovery (another page's job; here the service on the same
    // data): an old code fails, a new one works once.
    let store = Arc::new(server.store().await);
    let service = AccountService::new(
        store,
        PasswordWorkers::new(PasswordHasher::new()),
        AccountRules::default(),
    );
    let old = service.recover(NAME, &registered[0], NEW_PASSWORD).await;
    assert!(matches!(old, Err(AccountError::RecoveryCode)), "{old:?}");
    service
        .recover(NAME, &fresh[0], NEW_PASSWORD)
        .await
        .unwrap();

    let page = browser.get("/konto/wiederherstellungscodes").await;
    assert_redirect(&page, "/konto/anmelden");
    assert_redirect(&browser.login(NEW_PASSWORD, None, false).await, "/konto");
    let page = browser.get("/konto/wiederherstellungscodes").await;
    assert!(
        page.body.contains("Sie haben noch 9 von 10 Codes."),
        "{}",
        page.body
    );
    let home = browser.get("/en/account").await;
    assert!(home.body.contains("9 codes left"), "{}", home.body);
}

#[tokio::test]
async fn the_second_factor_is_set_up_with_a_code_and_then_asked_at_login() {
    let server = TestServer::start(&demo_site());
    let mut browser = Browser::new(&server, FIREFOX);
    browser.register().await;
    let csrf = browser.csrf().await;

    let page = browser.get("/konto/zwei-faktor").await;
    assert_private(&page);
    assert!(page.body.contains("Zweiter Faktor: aus"), "{}", page.body);
    let home = browser.get("/konto").await;
    assert!(home.body.contains("Ausgeschaltet"));

    let begun = browser
        .post(
            "/konto/zwei-faktor",
            &[("csrf", &csrf), ("action", "begin")],
        )
        .await;
    assert_eq!(begun.status, StatusCode::OK, "{}", begun.body);
    assert_private(&begun);
    assert!(
        begun
            .body
            .contains(r#"<svg class="totp-qr" role="img" aria-label=""#),
        "{}",
        begun.body
    );
    assert!(!begun.body.contains("<?xml"));
    let svg = begun.body.split("<svg").nth(1).unwrap();
    assert!(!svg.split("</svg>").next().unwrap().contains("style="));
    let secret = attribute_after(&begun.body, r#"name="secret" value=""#).unwrap();
    let shown = begun
        .body
        .split(r#"id="totp-secret""#)
        .nth(1)
        .unwrap()
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(shown.replace(' ', ""), secret, "the secret as text");
    assert!(shown.split(' ').all(|group| group.len() <= 4), "{shown}");
    assert!(begun.body.contains(r#"autocomplete="one-time-code""#));
    let totp = TotpSecret::from_base32(&secret).unwrap();

    // Not on before a code confirms it.
    assert!(
        browser
            .get("/konto/zwei-faktor")
            .await
            .body
            .contains("Zweiter Faktor: aus")
    );
    let right = totp.code_at(now());
    let wrong_code = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let wrong = browser
        .post(
            "/konto/zwei-faktor",
            &[
                ("csrf", &csrf),
                ("action", "confirm"),
                ("secret", &secret),
                ("code", wrong_code),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains(r#"role="alert""#));
    assert_eq!(
        attribute_after(&wrong.body, r#"name="secret" value=""#).as_deref(),
        Some(secret.as_str()),
        "the same secret again"
    );
    let confirmed = browser
        .post(
            "/konto/zwei-faktor",
            &[
                ("csrf", &csrf),
                ("action", "confirm"),
                ("secret", &secret),
                ("code", &totp.code_at(now())),
            ],
        )
        .await;
    assert_redirect(&confirmed, "/konto/zwei-faktor?eingeschaltet");
    let page = browser.get("/konto/zwei-faktor?eingeschaltet").await;
    assert!(page.body.contains("Zweiter Faktor: an"));
    assert!(page.body.contains("Der zweite Faktor ist eingeschaltet."));
    assert!(browser.get("/konto").await.body.contains("Eingeschaltet"));
    // No new secret over an active one.
    let again = browser
        .post(
            "/konto/zwei-faktor",
            &[("csrf", &csrf), ("action", "begin")],
        )
        .await;
    assert_redirect(&again, "/konto/zwei-faktor");

    // The login now asks for a code; the next step's code lets in (the
    // confirming one is used up).
    let logout = browser.post("/konto/abmelden", &[("csrf", &csrf)]).await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    assert!(browser.cookie.is_none());
    let asked = browser.login(PASSWORD, None, false).await;
    assert_eq!(asked.status, StatusCode::UNAUTHORIZED);
    assert!(asked.body.contains(r#"id="code""#), "{}", asked.body);
    assert!(browser.cookie.is_none());
    let next = totp.code_at(now() + 30);
    assert_redirect(&browser.login(PASSWORD, Some(&next), false).await, "/konto");
    let csrf = browser.csrf().await;

    // Off again, with the password only.
    let refused = browser
        .post(
            "/konto/zwei-faktor",
            &[
                ("csrf", &csrf),
                ("action", "disable"),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.body.contains("Zweiter Faktor: an"));
    let off = browser
        .post(
            "/konto/zwei-faktor",
            &[
                ("csrf", &csrf),
                ("action", "disable"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_redirect(&off, "/konto/zwei-faktor?ausgeschaltet");
    assert!(
        browser
            .get("/en/account/two-factor")
            .await
            .body
            .contains("Second factor: off")
    );
    let unknown = browser
        .post(
            "/konto/zwei-faktor",
            &[("csrf", &csrf), ("action", "explode")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    browser.post("/konto/abmelden", &[("csrf", &csrf)]).await;
    assert_redirect(&browser.login(PASSWORD, None, false).await, "/konto");
}

#[tokio::test]
async fn sessions_are_listed_and_ended_one_or_all_others() {
    let server = TestServer::start(&demo_site());
    let mut here = Browser::new(&server, FIREFOX);
    here.register().await;
    let mut phone = Browser::new(&server, SAFARI);
    assert_redirect(&phone.login(PASSWORD, None, true).await, "/konto");
    let csrf = here.csrf().await;

    let page = here.get("/konto/sitzungen").await;
    assert_private(&page);
    assert_eq!(
        page.body.matches(r#"<th scope="row">"#).count(),
        2,
        "{}",
        page.body
    );
    assert!(page.body.contains("Firefox · Linux"));
    assert!(page.body.contains("Safari · iOS"));
    assert_eq!(page.body.matches("Diese Sitzung").count(), 1);
    assert_eq!(
        page.body
            .matches(r#"class="current-session" aria-current="true""#)
            .count(),
        1
    );
    assert!(page.body.contains(">ja</td>") && page.body.contains(">nein</td>"));
    assert!(page.body.contains("UTC"));
    assert!(page.body.contains(r#"<time datetime=""#));
    assert!(here.get("/konto").await.body.contains("2 Sitzungen"));
    let phone_id = attribute_after(&page.body, r#"name="end" value=""#).unwrap();
    assert_ne!(phone_id, "others");

    let ended = here
        .post("/konto/sitzungen", &[("csrf", &csrf), ("end", &phone_id)])
        .await;
    assert_redirect(&ended, "/konto/sitzungen?beendet");
    assert!(
        here.get("/konto/sitzungen?beendet")
            .await
            .body
            .contains("Die Sitzung ist beendet.")
    );
    assert_redirect(&phone.get("/konto").await, "/konto/anmelden");
    assert!(
        phone.cookie.is_none(),
        "the ended session's cookie is removed"
    );
    let gone = here
        .post("/konto/sitzungen", &[("csrf", &csrf), ("end", &phone_id)])
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(gone.body.contains(r#"role="alert""#));

    // Two more elsewhere; "all others" ends both, not this one.
    let mut second = Browser::new(&server, SAFARI);
    let mut third = Browser::new(&server, SAFARI);
    assert_redirect(&second.login(PASSWORD, None, false).await, "/konto");
    assert_redirect(&third.login(PASSWORD, None, false).await, "/konto");
    let page = here.get("/en/account/sessions").await;
    assert_eq!(page.body.matches(r#"<th scope="row">"#).count(), 3);
    assert!(page.body.contains("This session"));
    let others = here
        .post(
            "/en/account/sessions",
            &[("csrf", &csrf), ("end", "others")],
        )
        .await;
    assert_redirect(&others, "/en/account/sessions?andere-beendet");
    assert_redirect(&second.get("/konto").await, "/konto/anmelden");
    assert_redirect(&third.get("/konto").await, "/konto/anmelden");
    let page = here.get("/konto/sitzungen").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches(r#"<th scope="row">"#).count(), 1);
    assert!(
        !page.body.contains(r#"value="others""#),
        "nothing else to end"
    );
    assert!(here.get("/konto").await.body.contains("1 Sitzung"));
}

#[tokio::test]
async fn forged_settings_forms_change_nothing() {
    let server = TestServer::start(&demo_site());
    let mut browser = Browser::new(&server, FIREFOX);
    browser.register().await;
    let mut other = Browser::new(&server, SAFARI);
    assert_redirect(&other.login(PASSWORD, None, false).await, "/konto");
    let csrf = browser.csrf().await;

    // Without the CSRF token, or with another one: 403, nothing changed.
    for token in [None, Some("x".repeat(43))] {
        let mut form = vec![("email", "forged@example.org".to_owned())];
        if let Some(token) = &token {
            form.push(("csrf", token.clone()));
        }
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            browser.post("/konto/profil", &form).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let forged = [
        (
            "/konto/passwort",
            vec![
                ("old_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("new_password_repeat", NEW_PASSWORD),
            ],
        ),
        ("/konto/sitzungen", vec![("end", "others")]),
        (
            "/konto/wiederherstellungscodes",
            vec![("password", PASSWORD)],
        ),
        ("/konto/zwei-faktor", vec![("action", "begin")]),
    ];
    for (path, form) in &forged {
        let answer = browser.post(path, form).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
        assert!(!answer.body.contains("<ol class"), "{path}");
        assert!(!answer.body.contains("totp-secret"), "{path}");
    }

    // From another site, even with the right token: 403.
    let mut with_token = vec![("csrf", csrf.as_str())];
    with_token.push(("email", "forged@example.org"));
    let foreign = browser
        .post_from("http://evil.example", "/konto/profil", &with_token)
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let foreign = browser
        .post_from(
            "http://evil.example",
            "/konto/sitzungen",
            &[("csrf", &csrf), ("end", "others")],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);

    // Nothing happened: no e-mail, the other session alive, the old
    // password in force, all codes left.
    let page = browser.get("/konto/profil").await;
    assert!(!page.body.contains("forged@example.org"));
    assert_eq!(other.get("/konto").await.status, StatusCode::OK);
    assert!(
        browser
            .get("/konto/wiederherstellungscodes")
            .await
            .body
            .contains("10 von 10")
    );
    let mut check = Browser::new(&server, SAFARI);
    assert_redirect(&check.login(PASSWORD, None, false).await, "/konto");

    // Without a session: to the login, for pages and forms alike.
    let mut stranger = Browser::new(&server, FIREFOX);
    for path in [
        "/konto/profil",
        "/konto/passwort",
        "/konto/wiederherstellungscodes",
        "/konto/zwei-faktor",
        "/konto/sitzungen",
    ] {
        assert_redirect(&stranger.get(path).await, "/konto/anmelden");
        let posted = stranger.post(path, &[("csrf", "x")]).await;
        assert_redirect(&posted, "/konto/anmelden");
    }
    for path in [
        "/en/account/profile",
        "/en/account/password",
        "/en/account/recovery-codes",
        "/en/account/two-factor",
        "/en/account/sessions",
    ] {
        assert_redirect(&stranger.get(path).await, "/en/account/login");
        let english = browser.get(path).await;
        assert_eq!(english.status, StatusCode::OK, "{path}");
        assert!(english.body.contains(r#"<html lang="en""#), "{path}");
        assert!(english.body.contains("Back to My NUMIS"), "{path}");
    }
}
