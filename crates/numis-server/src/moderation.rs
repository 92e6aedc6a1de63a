//! Moderation of drawings (clause P12): the operator lists drawings
//! (newest or most reported first), reads one with its reports, and
//! deletes any at once. Authorised by the operator token of `numis.toml`
//! (`[wms] operator_token`); without a configured token these routes do
//! not exist. A web interface follows with the admin pages.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use numis_store::{DrawingOrder, StoredDrawing};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::drawings::store_failed;
use crate::json::{self, Caching, problem};
use crate::state::AppState;

/// Most drawings one list shows.
const MAX_LIST: u32 = 500;

/// `/api/admin/drawings` and `/api/admin/drawings/{id}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/drawings", get(list))
        .route("/api/admin/drawings/{id}", get(show).delete(remove))
}

fn answer(status: StatusCode, body: &Value) -> Response<Body> {
    json::answer(status, body, Caching::Never)
}

/// `None` when the request is the operator's; else the refusal.
fn refusal(state: &AppState, headers: &HeaderMap) -> Option<Response<Body>> {
    let token = state
        .config
        .wms
        .operator_token
        .as_deref()
        .filter(|t| !t.is_empty());
    if token.is_none() {
        return Some(problem(StatusCode::NOT_FOUND, "not found"));
    }
    (!json::is_operator(headers, token)).then(|| {
        let mut response = problem(StatusCode::UNAUTHORIZED, "the operator token is needed");
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        response
    })
}

fn summary(d: &StoredDrawing) -> Value {
    let time = |s: i64| {
        chrono::DateTime::from_timestamp(s, 0)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    };
    json!({
        "id": d.id,
        "title": d.title,
        "created_at": time(d.created_at),
        "changed_at": time(d.changed_at),
        "expires_at": time(d.expires_at),
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
) -> Response<Body> {
    if let Some(refused) = refusal(&state, &headers) {
        return refused;
    }
    let order = match query.order.as_deref() {
        None | Some("newest") => DrawingOrder::Newest,
        Some("reported") => DrawingOrder::MostReported,
        Some(other) => {
            return answer(
                StatusCode::BAD_REQUEST,
                &json!({ "error": format!("order {other:?} is neither newest nor reported") }),
            );
        }
    };
    let limit = query.limit.unwrap_or(100).clamp(1, MAX_LIST);
    match state.drawings.list_drawings(order, limit).await {
        Ok(drawings) => answer(
            StatusCode::OK,
            &json!({ "drawings": drawings.iter().map(summary).collect::<Vec<_>>() }),
        ),
        Err(e) => store_failed(e),
    }
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response<Body> {
    if let Some(refused) = refusal(&state, &headers) {
        return refused;
    }
    let drawing = match state.drawings.drawing(&id).await {
        Ok(Some(d)) => d,
        Ok(None) => {
            return answer(
                StatusCode::NOT_FOUND,
                &json!({ "error": "no such drawing" }),
            );
        }
        Err(e) => return store_failed(e),
    };
    let reports = match state.drawings.drawing_reports(&id).await {
        Ok(reports) => reports,
        Err(e) => return store_failed(e),
    };
    let mut body = summary(&drawing);
    if let Some(members) = body.as_object_mut() {
        members.insert(
            "features".into(),
            serde_json::from_str(&drawing.features).unwrap_or(Value::Null),
        );
        members.insert(
            "reports".into(),
            reports
                .iter()
                .map(|r| json!({ "reported_at": r.reported_at, "reason": r.reason }))
                .collect(),
        );
    }
    answer(StatusCode::OK, &body)
}

async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response<Body> {
    if let Some(refused) = refusal(&state, &headers) {
        return refused;
    }
    match state.drawings.delete_drawing(&id).await {
        Ok(true) => {
            tracing::info!("a drawing was deleted by the operator");
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(false) => answer(
            StatusCode::NOT_FOUND,
            &json!({ "error": "no such drawing" }),
        ),
        Err(e) => store_failed(e),
    }
}
