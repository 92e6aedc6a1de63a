//! `/konto/passwort`: a new password after the old one. Every other
//! session of the account ends with the change (someone who knew the old
//! password is logged out); this one stays.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use axum::{Form, Router};
use numis_cms::Lang;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{INVALID, Notice, PASSWORD, refusal};
use crate::routes::account::{Guard, HOME, Page, PageLang, Stop, logged_in, render, status_of};
use crate::session::CurrentSession;
use crate::state::AppState;

const CHANGED: Notice = Notice {
    word: "geaendert",
    key: "ACCOUNT.PASSWORD_PAGE.CHANGED",
};

/// `/konto/passwort` and `/en/account/password`.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router.route(PASSWORD.url(lang), get(show).post(change));
    }
    router
}

#[derive(Deserialize)]
struct PasswordForm {
    csrf: Option<String>,
    #[serde(default)]
    old_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_repeat: String,
}

fn page(
    state: &AppState,
    lang: Lang,
    session: &CurrentSession,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Response<Body> {
    // No password ever goes back into the form.
    let data: Value = json!({
        "action": PASSWORD.url(lang),
        "home_url": HOME.url(lang),
        "error": error,
        "notice": notice,
    });
    let page =
        Page::new(PASSWORD, "password", "ACCOUNT.PASSWORD_PAGE.TITLE", data).with_status(status);
    render(state, lang, Some(session), page)
}

async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    RawQuery(query): RawQuery,
) -> Result<Response<Body>, Stop> {
    let session = logged_in(&state, lang, session.as_ref())?;
    let notice = Notice::text(&state.site(), lang, query.as_deref(), &[CHANGED]);
    Ok(page(&state, lang, session, None, notice, StatusCode::OK))
}

async fn change(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    Form(form): Form<PasswordForm>,
) -> Result<Response<Body>, Stop> {
    let session = Guard::session(
        &state,
        lang,
        &headers,
        session.as_ref(),
        form.csrf.as_deref(),
    )?;
    let site = state.site();
    if form.new_password != form.new_password_repeat {
        let text = site.text(lang, "ACCOUNT.PASSWORDS_DIFFER");
        return Ok(page(&state, lang, session, Some(text), None, INVALID));
    }
    let changed = state
        .accounts
        .change_password(
            &session.info.account_id,
            &form.old_password,
            &form.new_password,
            &session.token,
        )
        .await;
    Ok(match changed {
        Ok(()) => CHANGED.redirect(PASSWORD, lang),
        Err(e) => {
            let text = refusal(&site, lang, &e);
            page(&state, lang, session, Some(text), None, status_of(&e))
        }
    })
}
