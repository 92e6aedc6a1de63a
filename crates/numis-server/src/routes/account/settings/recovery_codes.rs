//! `/konto/wiederherstellungscodes`: how many recovery codes are left,
//! and ten new ones after the password (the old ones stop working). The
//! new codes are shown in the answer to the form, this once: numis keeps
//! only their hashes, and the page is never cached.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use axum::{Form, Router};
use numis_cms::Lang;
use numis_core::accounts::CODES_PER_ACCOUNT;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{RECOVERY_CODES, refusal, unavailable};
use crate::routes::account::{Guard, HOME, Page, PageLang, Stop, logged_in, render, status_of};
use crate::session::CurrentSession;
use crate::state::AppState;

const TITLE: &str = "ACCOUNT.NEW_CODES.TITLE";

/// `/konto/wiederherstellungscodes` and `/en/account/recovery-codes`.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router.route(RECOVERY_CODES.url(lang), get(show).post(renew));
    }
    router
}

#[derive(Deserialize)]
struct CodesForm {
    csrf: Option<String>,
    #[serde(default)]
    password: String,
}

/// The page with the count and the form; `error` after a refusal.
async fn form_page(
    state: &AppState,
    lang: Lang,
    session: &CurrentSession,
    error: Option<(String, StatusCode)>,
) -> Response<Body> {
    let left = match state
        .accounts
        .recovery_codes_left(&session.info.account_id)
        .await
    {
        Ok(left) => left,
        Err(e) => return unavailable(state, lang, session, RECOVERY_CODES, TITLE, &e),
    };
    let site = state.site();
    let status = error.as_ref().map_or(StatusCode::OK, |(_, s)| *s);
    let data: Value = json!({
        "action": RECOVERY_CODES.url(lang),
        "home_url": HOME.url(lang),
        "left": left,
        "left_text": site
            .text(lang, "ACCOUNT.NEW_CODES.LEFT")
            .replace("{n}", &left.to_string())
            .replace("{total}", &CODES_PER_ACCOUNT.to_string()),
        "few": left <= super::LOW_CODES,
        "error": error.map(|(text, _)| text),
    });
    let page = Page::new(RECOVERY_CODES, "recovery_codes", TITLE, data).with_status(status);
    render(state, lang, Some(session), page)
}

async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
) -> Result<Response<Body>, Stop> {
    let session = logged_in(&state, lang, session.as_ref())?;
    Ok(form_page(&state, lang, session, None).await)
}

/// Ten new codes, shown this once.
async fn renew(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    Form(form): Form<CodesForm>,
) -> Result<Response<Body>, Stop> {
    let session = Guard::session(
        &state,
        lang,
        &headers,
        session.as_ref(),
        form.csrf.as_deref(),
    )?;
    let codes = match state
        .accounts
        .new_recovery_codes(&session.info.account_id, &form.password)
        .await
    {
        Ok(codes) => codes,
        Err(e) => {
            let text = refusal(&state.site(), lang, &e);
            return Ok(form_page(&state, lang, session, Some((text, status_of(&e)))).await);
        }
    };
    let codes: Vec<String> = codes.iter().map(ToString::to_string).collect();
    let data = json!({
        "codes": codes,
        "home_url": HOME.url(lang),
    });
    let page = Page::new(RECOVERY_CODES, "recovery_codes", TITLE, data);
    Ok(render(&state, lang, Some(session), page))
}
