//! `/konto/ansichten`: the map views the citizen saved from the viewer
//! (`POST /api/me/views`): open, rename, delete.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use axum::{Form, Router};
use numis_cms::Lang;
use numis_core::accounts::AccountError;
use numis_core::accounts::service::MAX_VIEW_NAME_CHARS;
use numis_core::drawings::rfc3339;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{VIEWS, day, notice, view_url, with_notice};
use crate::routes::account::messages::message;
use crate::routes::account::{
    Guard, HOME, Page, PageLang, Stop, logged_in, render, see_other, status_of,
};
use crate::session::CurrentSession;
use crate::state::AppState;

/// Notice after a rename.
const RENAMED: &str = "umbenannt";
/// Notice after a deletion.
const DELETED: &str = "geloescht";

/// `/konto/ansichten` and `/en/account/views`.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router.route(VIEWS.url(lang), get(list).post(act));
    }
    router
}

#[derive(Deserialize)]
struct ViewsForm {
    csrf: Option<String>,
    /// The id of the view to rename, to `name`.
    rename: Option<String>,
    name: Option<String>,
    /// The id of the view to delete.
    delete: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    RawQuery(query): RawQuery,
) -> Result<Response<Body>, Stop> {
    let session = logged_in(&state, lang, session.as_ref())?;
    let known = [
        (RENAMED, "ACCOUNT.VIEWS.RENAMED"),
        (DELETED, "ACCOUNT.VIEWS.DELETED"),
    ];
    let shown = notice(&state, lang, query.as_deref(), &known);
    Ok(page(&state, lang, session, shown, None, StatusCode::OK).await)
}

async fn page(
    state: &AppState,
    lang: Lang,
    session: &CurrentSession,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response<Body> {
    let (views, error) = match state.accounts.views(&session.info.account_id).await {
        Ok(views) => (views, error),
        Err(e) => {
            tracing::error!(error = %e, "views page: list not read");
            let text = message(&state.site(), lang, &e);
            (Vec::new(), Some(error.unwrap_or(text)))
        }
    };
    let rows: Vec<Value> = views
        .iter()
        .map(|v| {
            json!({
                "id": v.id,
                "name": v.name,
                "open_url": view_url(lang, &v.state),
                "saved": day(lang, v.created_at),
                "saved_iso": rfc3339(v.created_at),
            })
        })
        .collect();
    let data = json!({
        "action": VIEWS.url(lang),
        "views": rows,
        "max_name": MAX_VIEW_NAME_CHARS,
        "map_url": numis_cms::map_url(lang),
        "notice": notice,
        "error": error,
        "home_url": HOME.url(lang),
    });
    let page = Page::new(VIEWS, "views", "ACCOUNT.VIEWS.TITLE", data).with_status(status);
    render(state, lang, Some(session), page)
}

async fn act(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    Form(form): Form<ViewsForm>,
) -> Result<Response<Body>, Stop> {
    let session = Guard::session(
        &state,
        lang,
        &headers,
        session.as_ref(),
        form.csrf.as_deref(),
    )?;
    let account = session.info.account_id.as_str();
    let result = match (form.delete.as_deref(), form.rename.as_deref()) {
        (Some(id), _) => state
            .accounts
            .delete_view(account, id)
            .await
            .map(|()| DELETED),
        (None, Some(id)) => state
            .accounts
            .rename_view(account, id, form.name.as_deref().unwrap_or_default())
            .await
            .map(|()| RENAMED),
        (None, None) => Err(AccountError::NoSuchView),
    };
    match result {
        Ok(word) => Ok(see_other(&with_notice(VIEWS, lang, word))),
        Err(error) => {
            if error.is_failure() {
                tracing::error!(error = %error, "views page");
            }
            let text = message(&state.site(), lang, &error);
            let status = status_of(&error);
            Ok(page(&state, lang, session, None, Some(text), status).await)
        }
    }
}
