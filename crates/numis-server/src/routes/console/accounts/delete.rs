//! `/verwaltung/konten/{id}/loeschen`: deleting an account, after a page
//! that says what goes and asks what becomes of its drawings: deleted
//! with it, or kept as anonymous drawings (as the citizen's own deletion
//! offers). An operator cannot delete their own account here.

use axum::Form;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Response, StatusCode};
use numis_cms::Lang;
use numis_core::accounts::AccountDetails;
use numis_core::audit::Action;
use numis_store::OwnedDrawings;
use serde::Deserialize;
use serde_json::json;

use super::{ACCOUNTS, DELETED, account_url, audit, found, not_recorded, refusal, summary_json};
use crate::routes::account::{PageLang, Stop, see_other, status_of};
use crate::routes::console::{ConsolePage, Operator, console_answer, render};
use crate::session::CurrentSession;
use crate::state::AppState;

/// The last part of the address, by language.
fn tail(lang: Lang) -> &'static str {
    match lang {
        Lang::De => "loeschen",
        Lang::En => "delete",
    }
}

/// The route in `lang`.
pub(super) fn path(lang: Lang) -> String {
    format!("{}/{{id}}/{}", ACCOUNTS.url(lang), tail(lang))
}

/// The confirmation page of the account `id`.
pub(super) fn url(lang: Lang, id: &str) -> String {
    format!("{}/{}", account_url(lang, id), tail(lang))
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    Path(id): Path<String>,
) -> Result<Response<Body>, Stop> {
    let operator = Operator::page(&state, lang, session.as_ref())?;
    let details = found(&state, lang, &operator, &id).await?;
    Ok(page(
        &state,
        lang,
        &operator,
        &details,
        None,
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
pub(super) struct DeleteForm {
    csrf: Option<String>,
    /// `keep` (anonymous) or `delete`.
    #[serde(default)]
    drawings: String,
}

pub(super) async fn erase(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    Path(id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> Result<Response<Body>, Stop> {
    let operator = Operator::form(
        &state,
        lang,
        &headers,
        session.as_ref(),
        form.csrf.as_deref(),
    )?;
    let details = found(&state, lang, &operator, &id).await?;
    let account = &details.summary;
    let site = state.site();
    if account.id == operator.session.info.account_id {
        let text = site.text(lang, "CONSOLE.ACCOUNTS.NOT_YOURSELF");
        return Ok(page(
            &state,
            lang,
            &operator,
            &details,
            Some(text),
            StatusCode::CONFLICT,
        ));
    }
    let (drawings, what) = match form.drawings.as_str() {
        "keep" => (OwnedDrawings::KeepAnonymous, "drawings kept anonymous"),
        "delete" => (OwnedDrawings::Delete, "drawings deleted"),
        _ => {
            let text = site.text(lang, "CONSOLE.ACCOUNTS.CHOOSE_DRAWINGS");
            return Ok(page(
                &state,
                lang,
                &operator,
                &details,
                Some(text),
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    match state
        .accounts
        .delete_by_operator(&account.id, drawings)
        .await
    {
        Ok(()) => {
            state.session_cache.forget_account(&account.id);
            let object = format!("{}: {what}", account.pseudonym);
            if !audit(&state, &operator, Action::AccountDelete, &object).await {
                let site = state.site();
                let html = site.render_error(lang.as_str(), 503, &not_recorded(&state, lang));
                return Ok(console_answer(
                    StatusCode::SERVICE_UNAVAILABLE,
                    html,
                    "text/html; charset=utf-8",
                ));
            }
            Ok(see_other(&format!("{}?{DELETED}", ACCOUNTS.url(lang))))
        }
        Err(error) => {
            let text = refusal(&state, lang, &error);
            Ok(page(
                &state,
                lang,
                &operator,
                &details,
                Some(text),
                status_of(&error),
            ))
        }
    }
}

fn page(
    state: &AppState,
    lang: Lang,
    operator: &Operator<'_>,
    details: &AccountDetails,
    error: Option<String>,
    status: StatusCode,
) -> Response<Body> {
    let account = &details.summary;
    let data = json!({
        "account": summary_json(state, lang, account),
        "action": url(lang, &account.id),
        "back_url": account_url(lang, &account.id),
        "drawings": details.drawings,
        "myself": account.id == operator.session.info.account_id,
        "error": error,
    });
    let page = ConsolePage::new(
        ACCOUNTS,
        "account_delete",
        "CONSOLE.ACCOUNTS.DELETE_TITLE",
        data,
    )
    .with_status(status);
    render(state, lang, operator, page)
}
