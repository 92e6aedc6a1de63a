//! Registration, login and logout, and the overview page they lead to.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::routing::{get, post};
use axum::{Form, Router};
use numis_cms::Lang;
use numis_core::accounts::{AccountError, LoggedIn};
use serde::Deserialize;
use serde_json::{Value, json};

use super::messages::message;
use super::recover::{FORGOT, PASSWORD_RESET};
use super::{
    Guard, HOME, LOGIN, LOGOUT, Page, PageLang, REGISTER, Stop, logged_in, render, see_other,
};
use crate::client::{Peer, peer_address};
use crate::events::Event;
use crate::session::{self, CurrentSession};
use crate::state::AppState;

/// `/konto`, `/konto/anmelden`, `/konto/registrieren`, `/konto/abmelden`
/// and their English twins.
pub fn router() -> axum::Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router
            .route(HOME.url(lang), get(home))
            .route(LOGIN.url(lang), get(login_form).post(login))
            .route(REGISTER.url(lang), get(register_form).post(register))
            .route(LOGOUT.url(lang), post(logout));
    }
    router
}

/// The overview of a logged-in citizen.
async fn home(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
) -> Result<Response<Body>, Stop> {
    let session = logged_in(&state, lang, session.as_ref())?;
    // Each part of the overview comes from the module that owns its pages.
    let data = json!({
        "logout_url": LOGOUT.url(lang),
        // Shown to operators only (the template checks the role).
        "console_url": crate::routes::console::DASHBOARD.url(lang),
        "security": super::settings::overview(&state, lang, session).await,
        "library": super::library::overview(&state, lang, session).await,
    });
    Ok(render(
        &state,
        lang,
        Some(session),
        Page::new(HOME, "home", "ACCOUNT.HOME", data),
    ))
}

/// The query of the login page after a logout.
const LOGGED_OUT: &str = "abgemeldet";
/// The query of the login page after the account was deleted.
pub(super) const ACCOUNT_DELETED: &str = "geloescht";

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    pseudonym: String,
    #[serde(default)]
    password: String,
    code: Option<String>,
    remember: Option<String>,
}

/// What the login template reads.
fn login_data(
    lang: Lang,
    pseudonym: &str,
    error: Option<String>,
    ask_code: bool,
    remember: bool,
) -> Value {
    json!({
        "action": LOGIN.url(lang),
        "register_url": REGISTER.url(lang),
        "recover_url": FORGOT.url(lang),
        "pseudonym": pseudonym,
        "error": error,
        "ask_code": ask_code,
        "remember": remember,
    })
}

fn login_page(state: &AppState, lang: Lang, data: Value, status: StatusCode) -> Response<Body> {
    let page = Page::new(LOGIN, "login", "ACCOUNT.LOGIN.TITLE", data).with_status(status);
    render(state, lang, None, page)
}

async fn login_form(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    RawQuery(query): RawQuery,
) -> Result<Response<Body>, Stop> {
    Guard::anonymous_page(&state)?;
    if session.is_some() {
        return Ok(see_other(HOME.url(lang)));
    }
    let mut data = login_data(lang, "", None, false, false);
    // After a logout or a new password: say that it happened (a fixed
    // text, nothing of the query is shown).
    let notice = match query.as_deref() {
        Some(LOGGED_OUT) => Some("ACCOUNT.LOGOUT.DONE"),
        Some(PASSWORD_RESET) => Some("ACCOUNT.RESET.DONE"),
        _ => None,
    };
    if let Some(key) = notice {
        data["notice"] = Value::from(state.site().text(lang, key));
    }
    if query.as_deref() == Some(ACCOUNT_DELETED) {
        data["notice"] = Value::from(state.site().text(lang, "ACCOUNT.DELETE.DONE"));
    }
    Ok(login_page(&state, lang, data, StatusCode::OK))
}

async fn login(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response<Body>, Stop> {
    Guard::anonymous(&state, &headers)?;
    let remember = form.remember.is_some();
    let code = form
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let result = state
        .accounts
        .login(
            &form.pseudonym,
            &form.password,
            code,
            remember,
            state.clients.key(peer_address(&peer), &headers),
            client_label(&headers),
        )
        .await;
    let error = match result {
        Ok(logged_in) => {
            state.events.count(Event::AccountLogin, None);
            return Ok(start(&state, &logged_in, HOME.url(lang)));
        }
        Err(error) => error,
    };
    let ask_code = matches!(
        error,
        AccountError::SecondFactorRequired | AccountError::SecondFactor(_)
    );
    let text = message(&state.site(), lang, &error);
    let data = login_data(lang, &form.pseudonym, Some(text), ask_code, remember);
    let mut answer = login_page(&state, lang, data, super::status_of(&error));
    if let AccountError::Throttled(wait) = &error {
        answer
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait.seconds()));
    }
    Ok(answer)
}

/// Sets the new session's cookie and goes on to `to`.
fn start(state: &AppState, logged_in: &LoggedIn, to: &str) -> Response<Body> {
    let mut answer = see_other(to);
    set_session_cookie(state, logged_in, &mut answer);
    answer
}

fn set_session_cookie(state: &AppState, logged_in: &LoggedIn, answer: &mut Response<Body>) {
    if let Some(cookie) = session::start_cookie(&state.config, logged_in) {
        session::set_cookie(answer, cookie);
    }
}

#[derive(Deserialize)]
struct RegisterForm {
    #[serde(default)]
    pseudonym: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
}

fn register_data(lang: Lang, pseudonym: &str, error: Option<String>) -> Value {
    json!({
        "action": REGISTER.url(lang),
        "login_url": LOGIN.url(lang),
        "pseudonym": pseudonym,
        "error": error,
    })
}

fn register_page(state: &AppState, lang: Lang, data: Value, status: StatusCode) -> Response<Body> {
    let page = Page::new(REGISTER, "register", "ACCOUNT.REGISTER.TITLE", data).with_status(status);
    render(state, lang, None, page)
}

async fn register_form(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
) -> Result<Response<Body>, Stop> {
    Guard::anonymous_page(&state)?;
    if session.is_some() {
        return Ok(see_other(HOME.url(lang)));
    }
    let data = register_data(lang, "", None);
    Ok(register_page(&state, lang, data, StatusCode::OK))
}

/// Registers, logs in (a session that ends with the browser) and shows
/// the recovery codes, this once.
async fn register(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<RegisterForm>,
) -> Result<Response<Body>, Stop> {
    Guard::anonymous(&state, &headers)?;
    let site = state.site();
    if form.password != form.password_repeat {
        let text = site.text(lang, "ACCOUNT.PASSWORDS_DIFFER");
        let data = register_data(lang, &form.pseudonym, Some(text));
        return Ok(register_page(
            &state,
            lang,
            data,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let registered = match state
        .accounts
        .register(&form.pseudonym, &form.password)
        .await
    {
        Ok(registered) => {
            state.events.count(Event::AccountRegister, None);
            registered
        }
        Err(error) => {
            let data = register_data(lang, &form.pseudonym, Some(message(&site, lang, &error)));
            return Ok(register_page(&state, lang, data, super::status_of(&error)));
        }
    };
    let logged_in = state
        .accounts
        .login(
            &form.pseudonym,
            &form.password,
            None,
            false,
            state.clients.key(peer_address(&peer), &headers),
            client_label(&headers),
        )
        .await;
    let codes: Vec<String> = registered
        .recovery_codes
        .iter()
        .map(ToString::to_string)
        .collect();
    let data = json!({ "codes": codes, "continue_url": HOME.url(lang) });
    let page =
        Page::new(REGISTER, "codes", "ACCOUNT.CODES.TITLE", data).with_status(StatusCode::CREATED);
    let mut answer = render(&state, lang, None, page);
    match logged_in {
        Ok(logged_in) => set_session_cookie(&state, &logged_in, &mut answer),
        Err(e) => tracing::warn!(error = %e, "login after registration failed"),
    }
    Ok(answer)
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

/// Ends the session on the server and in the browser.
async fn logout(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    Form(form): Form<CsrfForm>,
) -> Result<Response<Body>, Stop> {
    let session = Guard::session(
        &state,
        lang,
        &headers,
        session.as_ref(),
        form.csrf.as_deref(),
    )?;
    if let Err(e) = state.accounts.logout(&session.token).await {
        tracing::error!(error = %e, "logout: session not deleted");
    }
    let mut answer = see_other(&format!("{}?{LOGGED_OUT}", LOGIN.url(lang)));
    session::set_cookie(&mut answer, session::end_cookie(&state.config));
    Ok(answer)
}

/// "Firefox on Linux": the browser family and system from the
/// User-Agent, for the list of sessions; never the full string.
fn client_label(headers: &HeaderMap) -> Option<String> {
    let agent = headers.get(header::USER_AGENT)?.to_str().ok()?;
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(token, _)| agent.contains(token))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(token, _)| agent.contains(token))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(b), Some(s)) => Some(format!("{b} · {s}")),
        (Some(b), None) => Some(b.to_owned()),
        (None, Some(s)) => Some(s.to_owned()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_labelled_by_browser_family_only() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::USER_AGENT,
            HeaderValue::from_static(
                "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            ),
        );
        assert_eq!(client_label(&headers).as_deref(), Some("Firefox · Linux"));
        headers.insert(
            header::USER_AGENT,
            HeaderValue::from_static("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"),
        );
        assert_eq!(client_label(&headers).as_deref(), Some("Safari · iOS"));
        headers.insert(header::USER_AGENT, HeaderValue::from_static("curl/8.5"));
        assert_eq!(client_label(&headers), None);
    }
}
