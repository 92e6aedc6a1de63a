//! Moderation of drawings (clause P12) over HTTP: the operator lists
//! drawings (newest or most reported first), reads one with its reports,
//! and deletes any at once. Authorised by the operator token of
//! `numis.toml` (`[operator] token`); without a configured token these
//! routes do not exist. None of them reads a request body. A web interface
//! follows with the admin pages.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use numis_core::drawings::{DrawingOrder, StoredDrawing, rfc3339};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::caller;
use crate::error::ApiError;
use crate::json::{self, Caching};
use crate::session::CurrentSession;
use crate::state::AppState;

/// Drawings one list shows unless `?limit=` says otherwise.
const DEFAULT_LIST: u32 = 100;

/// `/api/admin/drawings` and `/api/admin/drawings/{id}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/drawings", get(list))
        .route("/api/admin/drawings/{id}", get(show).delete(remove))
}

fn answer(status: StatusCode, body: &Value) -> Response<Body> {
    json::answer(status, body, Caching::Never)
}

/// Passes the operator's requests (the token, or a session of an account
/// with the operator role): 404 while no token is configured and nobody
/// is logged in (the routes do not exist), 401 otherwise.
fn operator_only(
    state: &AppState,
    headers: &HeaderMap,
    session: Option<&CurrentSession>,
) -> Result<(), ApiError> {
    if caller::of_request(&state.config, headers, session).operator {
        return Ok(());
    }
    if state.config.operator_token().is_none() && session.is_none() {
        return Err(ApiError::not_found("not found"));
    }
    Err(ApiError::unauthorized(
        "the operator token or the operator role is needed",
    ))
}

fn summary(d: &StoredDrawing) -> Value {
    json!({
        "id": d.id,
        "title": d.title,
        "created_at": rfc3339(d.created_at),
        "changed_at": rfc3339(d.changed_at),
        "expires_at": rfc3339(d.expires_at),
        "copied_from": d.copied_from,
        "report_count": d.report_count,
    })
}

#[derive(Deserialize)]
struct ListQuery {
    order: Option<String>,
    limit: Option<u32>,
}

async fn list(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
    session: Option<CurrentSession>,
) -> Result<Response<Body>, ApiError> {
    operator_only(&state, &headers, session.as_ref())?;
    let order = match query.order.as_deref() {
        None | Some("newest") => DrawingOrder::Newest,
        Some("reported") => DrawingOrder::MostReported,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "order {other:?} is neither newest nor reported"
            )));
        }
    };
    let drawings = state
        .drawings
        .list_for_moderation(order, query.limit.unwrap_or(DEFAULT_LIST))
        .await?;
    Ok(answer(
        StatusCode::OK,
        &json!({ "drawings": drawings.iter().map(summary).collect::<Vec<_>>() }),
    ))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    session: Option<CurrentSession>,
) -> Result<Response<Body>, ApiError> {
    operator_only(&state, &headers, session.as_ref())?;
    let inspected = state.drawings.inspect(&id).await?;
    let mut body = summary(&inspected.drawing);
    if let Some(members) = body.as_object_mut() {
        members.insert(
            "features".into(),
            serde_json::from_str(&inspected.drawing.features).unwrap_or(Value::Null),
        );
        members.insert(
            "reports".into(),
            inspected
                .reports
                .iter()
                .map(|r| json!({ "reported_at": r.reported_at, "reason": r.reason }))
                .collect(),
        );
    }
    Ok(answer(StatusCode::OK, &body))
}

async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    session: Option<CurrentSession>,
) -> Result<StatusCode, ApiError> {
    operator_only(&state, &headers, session.as_ref())?;
    state.drawings.delete_any(&id).await?;
    tracing::info!("a drawing was deleted by the operator");
    Ok(StatusCode::NO_CONTENT)
}
