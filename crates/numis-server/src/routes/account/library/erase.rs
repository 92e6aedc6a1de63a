//! `/konto/loeschen`: the account erased for good, after the password.
//! Its drawings go with it or stay, anonymous, reachable with their edit
//! links until they expire — the citizen chooses. The store erases every
//! row of the account so that nothing of it is left in the database files
//! (`secure_delete`, the write-ahead log truncated).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use axum::{Form, Router};
use numis_cms::Lang;
use numis_store::OwnedDrawings;
use serde::Deserialize;
use serde_json::json;

use super::DELETE;
use crate::routes::account::login::ACCOUNT_DELETED;
use crate::routes::account::messages::message;
use crate::routes::account::{
    Guard, HOME, LOGIN, Page, PageLang, Stop, logged_in, render, see_other, status_of,
};
use crate::session::{self, CurrentSession};
use crate::state::AppState;

/// `/konto/loeschen` and `/en/account/delete`.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router.route(DELETE.url(lang), get(form).post(erase));
    }
    router
}

#[derive(Deserialize)]
struct DeleteForm {
    csrf: Option<String>,
    /// `delete` or `keep`.
    drawings: Option<String>,
    #[serde(default)]
    password: String,
}

/// The form; `choice` is the drawings' fate chosen last (`keep` unless
/// the citizen chose otherwise: the choice that loses less).
async fn page(
    state: &AppState,
    lang: Lang,
    session: &CurrentSession,
    choice: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response<Body> {
    let drawings = match state.accounts.my_drawings(&session.info.account_id).await {
        Ok(drawings) => Some(drawings.len()),
        Err(e) => {
            tracing::error!(error = %e, "delete page: drawings not counted");
            None
        }
    };
    let data = json!({
        "action": DELETE.url(lang),
        "drawings_count": drawings,
        "drawings_url": super::DRAWINGS.url(lang),
        "export_url": crate::routes::account::export::EXPORT.url(lang),
        "choice": choice,
        "error": error,
        "home_url": HOME.url(lang),
    });
    let page = Page::new(DELETE, "delete", "ACCOUNT.DELETE.TITLE", data).with_status(status);
    render(state, lang, Some(session), page)
}

async fn form(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
) -> Result<Response<Body>, Stop> {
    let session = logged_in(&state, lang, session.as_ref())?;
    Ok(page(&state, lang, session, "keep", None, StatusCode::OK).await)
}

async fn erase(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    Form(form): Form<DeleteForm>,
) -> Result<Response<Body>, Stop> {
    let session = Guard::session(
        &state,
        lang,
        &headers,
        session.as_ref(),
        form.csrf.as_deref(),
    )?;
    let site = state.site();
    let drawings = match form.drawings.as_deref() {
        Some("delete") => OwnedDrawings::Delete,
        Some("keep") => OwnedDrawings::KeepAnonymous,
        _ => {
            let text = site.text(lang, "ACCOUNT.DELETE.CHOOSE");
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(page(&state, lang, session, "keep", Some(text), status).await);
        }
    };
    let choice = form.drawings.as_deref().unwrap_or("keep");
    if let Err(error) = state
        .accounts
        .delete_account(&session.info.account_id, &form.password, drawings)
        .await
    {
        if error.is_failure() {
            tracing::error!(error = %error, "account not deleted");
        }
        let text = message(&site, lang, &error);
        let status = status_of(&error);
        return Ok(page(&state, lang, session, choice, Some(text), status).await);
    }
    // The sessions went with the account; the browser forgets its cookie.
    let mut answer = see_other(&format!("{}?{ACCOUNT_DELETED}", LOGIN.url(lang)));
    session::set_cookie(&mut answer, session::end_cookie(&state.config));
    Ok(answer)
}
