//! `/api/me`: what the viewer needs to know about the logged-in account,
//! and the few things it does on the account's behalf. Every answer is
//! `Cache-Control: private, no-store`; without a session each is 401,
//! which the viewer reads as "logged out". Changes need the session's
//! CSRF token in `X-CSRF-Token` (checked by [`crate::session::resolve`]).
//!
//! - `GET /api/me`: pseudonym, roles, the CSRF token, the account page.
//! - `GET|POST /api/me/views`: the saved map views; a new one is
//!   `{"name": "…", "state": "<the permalink's query>"}`.
//! - `POST /api/me/drawings/{id}`: binds an anonymous drawing to the
//!   account; its edit key comes as `Authorization: Bearer <key>`.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::routing::{get, post};
use numis_cms::{Lang, account_url};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::json::{self, Caching};
use crate::session::CurrentSession;
use crate::state::AppState;

/// Largest body of a new view (name and map state with JSON around).
const MAX_VIEW_BODY: usize = 8 * 1024;

/// `/api/me` and below.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/me", get(me))
        .route("/api/me/views", get(views).post(create_view))
        .route("/api/me/drawings/{id}", post(claim))
}

/// The session, or 401.
fn logged_in(session: Option<CurrentSession>) -> Result<CurrentSession, ApiError> {
    session.ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "you are not logged in"))
}

/// A JSON answer that nobody but this browser keeps.
fn private(status: StatusCode, body: &Value) -> Response<Body> {
    let mut response = json::answer(status, body, Caching::Never);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

async fn me(
    session: Option<CurrentSession>,
    Query(query): Query<LangQuery>,
) -> Result<Response<Body>, ApiError> {
    let session = logged_in(session)?;
    let lang = Lang::from_query(query.lang.as_deref());
    Ok(private(
        StatusCode::OK,
        &json!({
            "pseudonym": session.info.pseudonym,
            "roles": session.info.roles,
            "csrf": session.info.csrf.as_str(),
            "account_url": account_url(lang),
        }),
    ))
}

async fn views(
    State(state): State<AppState>,
    session: Option<CurrentSession>,
) -> Result<Response<Body>, ApiError> {
    let session = logged_in(session)?;
    let views = state.accounts.views(&session.info.account_id).await?;
    let list: Vec<Value> = views
        .iter()
        .map(|v| json!({ "id": v.id, "name": v.name, "state": v.state }))
        .collect();
    Ok(private(StatusCode::OK, &json!({ "views": list })))
}

#[derive(Deserialize)]
struct NewView {
    name: String,
    state: String,
}

async fn create_view(
    State(state): State<AppState>,
    session: Option<CurrentSession>,
    body: axum::body::Bytes,
) -> Result<Response<Body>, ApiError> {
    let session = logged_in(session)?;
    if body.len() > MAX_VIEW_BODY {
        return Err(ApiError::payload_too_large(format!(
            "a view is at most {MAX_VIEW_BODY} bytes"
        )));
    }
    let NewView {
        name,
        state: map_state,
    } = serde_json::from_slice(&body)
        .map_err(|_| ApiError::bad_request("send {\"name\": \"…\", \"state\": \"…\"}"))?;
    let view = state
        .accounts
        .create_view(&session.info.account_id, &name, &map_state)
        .await?;
    Ok(private(
        StatusCode::CREATED,
        &json!({ "id": view.id, "name": view.name, "state": view.state }),
    ))
}

async fn claim(
    State(state): State<AppState>,
    session: Option<CurrentSession>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response<Body>, ApiError> {
    let session = logged_in(session)?;
    // The key proves the right to the drawing; the account only receives.
    let editable = state.drawings.editable(&id, json::bearer(&headers)).await?;
    state
        .accounts
        .claim_drawing(&session.info.account_id, &editable.drawing().id)
        .await?;
    Ok(private(StatusCode::OK, &json!({ "id": id, "yours": true })))
}
