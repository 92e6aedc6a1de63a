//! Moderation of drawings (clause P12) over HTTP: the operator lists
//! drawings (newest or most reported first), reads one with its reports,
//! blocks and unblocks it, dismisses its reports, deletes any at once, and
//! reads the audit trail of these actions. Authorised by the operator
//! token of `numis.toml` (`[operator] token`) or a session of an account
//! with the operator role (which then needs its CSRF token on POST and
//! DELETE, checked by the session middleware); without a token and a
//! session these routes do not exist. None of them reads a request body.
//! The console's pages (`routes::console::moderation`) take the same
//! actions through [`carry_out`].

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::{get, post};
use numis_core::audit::{Action, Actor};
use numis_core::drawings::{DrawingOrder, Result as DrawingResult, StoredDrawing, rfc3339};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::caller;
use crate::error::ApiError;
use crate::json::{self, Caching, is_operator};
use crate::session::CurrentSession;
use crate::state::AppState;

/// Drawings one list shows unless `?limit=` says otherwise.
const DEFAULT_LIST: u32 = 100;

/// Audit entries one list shows unless `?limit=` says otherwise.
const DEFAULT_AUDIT_LIST: u32 = 100;

/// `/api/admin/drawings`, `/api/admin/drawings/{id}` with its actions, and
/// `/api/admin/audit`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/drawings", get(list))
        .route("/api/admin/drawings/{id}", get(show).delete(remove))
        .route("/api/admin/drawings/{id}/{action}", post(act))
        .route("/api/admin/audit", get(audit))
}

fn answer(status: StatusCode, body: &Value) -> Response<Body> {
    json::answer(status, body, Caching::Never)
}

/// Passes the operator's requests (the token, or a session of an account
/// with the operator role): 404 while no token is configured and nobody
/// is logged in (the routes do not exist), 403 for a logged-in account
/// without the role, 401 otherwise.
pub fn operator_only(
    state: &AppState,
    headers: &HeaderMap,
    session: Option<&CurrentSession>,
) -> Result<Actor, ApiError> {
    if caller::of_request(&state.config, headers, session).operator {
        // The token counts first: a logged-in operator who also sends the
        // token acts as the token, as the caller above decided.
        if is_operator(headers, state.config.operator_token()) {
            return Ok(Actor::Token);
        }
        if let Some(session) = session {
            return Ok(Actor::Account(session.info.pseudonym.clone()));
        }
    }
    if session.is_some() {
        return Err(ApiError::forbidden(
            "this account does not hold the operator role",
        ));
    }
    if state.config.operator_token().is_none() {
        return Err(ApiError::not_found("not found"));
    }
    Err(ApiError::unauthorized(
        "the operator token or the operator role is needed",
    ))
}

fn summary(d: &StoredDrawing, owner: Option<&String>) -> Value {
    json!({
        "id": d.id,
        "title": d.title,
        "created_at": rfc3339(d.created_at),
        "changed_at": rfc3339(d.changed_at),
        "expires_at": rfc3339(d.expires_at),
        "copied_from": d.copied_from,
        "report_count": d.report_count,
        "blocked": d.blocked_at.is_some(),
        "blocked_at": d.blocked_at.map(rfc3339),
        "owner": owner,
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
    let owners = state.drawings.owner_pseudonyms(&drawings).await?;
    let listed: Vec<Value> = drawings
        .iter()
        .map(|d| summary(d, owners.get(&d.id)))
        .collect();
    Ok(answer(StatusCode::OK, &json!({ "drawings": listed })))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    session: Option<CurrentSession>,
) -> Result<Response<Body>, ApiError> {
    operator_only(&state, &headers, session.as_ref())?;
    let inspected = state.drawings.inspect(&id).await?;
    let mut body = summary(&inspected.drawing, inspected.owner_pseudonym.as_ref());
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
    take(
        &state,
        &headers,
        session.as_ref(),
        DrawingAction::Delete,
        &id,
    )
    .await
}

/// `POST …/{id}/block`, `/unblock` and `/dismiss`; any other action is
/// not a route (404). Deleting is `DELETE` on the drawing itself.
async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    session: Option<CurrentSession>,
) -> Result<StatusCode, ApiError> {
    let action = DrawingAction::from_name(&action)
        .filter(|a| *a != DrawingAction::Delete)
        .ok_or_else(|| ApiError::not_found("not found"))?;
    take(&state, &headers, session.as_ref(), action, &id).await
}

/// Lets the operator take `action` on the drawing `id`, and records it.
async fn take(
    state: &AppState,
    headers: &HeaderMap,
    session: Option<&CurrentSession>,
    action: DrawingAction,
    id: &str,
) -> Result<StatusCode, ApiError> {
    let actor = operator_only(state, headers, session)?;
    carry_out(state, action, id).await?;
    record(state, &actor, action.audited(), id).await
}

/// What the operator can do to a drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawingAction {
    /// Delete it at once.
    Delete,
    /// Block it: kept as evidence, gone for the public.
    Block,
    /// Lift the block.
    Unblock,
    /// Dismiss its reports.
    Dismiss,
}

impl DrawingAction {
    /// The action of its name: `delete`, `block`, `unblock`, `dismiss`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "delete" => Some(Self::Delete),
            "block" => Some(Self::Block),
            "unblock" => Some(Self::Unblock),
            "dismiss" => Some(Self::Dismiss),
            _ => None,
        }
    }

    /// How the audit trail records it.
    pub fn audited(self) -> Action {
        match self {
            Self::Delete => Action::Delete,
            Self::Block => Action::Block,
            Self::Unblock => Action::Unblock,
            Self::Dismiss => Action::Dismiss,
        }
    }
}

/// Takes the moderation `action` on the drawing `id`, without recording
/// it: the one place that maps a [`DrawingAction`] to what the drawings
/// service does, shared by this API and the console's pages. The caller
/// records the action once it was taken.
pub async fn carry_out(state: &AppState, action: DrawingAction, id: &str) -> DrawingResult<()> {
    match action {
        DrawingAction::Delete => {
            state.drawings.delete_any(id).await?;
            tracing::info!("a drawing was deleted by the operator");
            Ok(())
        }
        DrawingAction::Block => state.drawings.block(id).await,
        DrawingAction::Unblock => state.drawings.unblock(id).await,
        DrawingAction::Dismiss => state.drawings.dismiss_reports(id).await,
    }
}

/// Records an action that was taken; 204 once it is in the trail. Should
/// the trail fail, the action stands and the operator is told (503) that
/// its record is missing.
async fn record(
    state: &AppState,
    actor: &Actor,
    action: Action,
    object: &str,
) -> Result<StatusCode, ApiError> {
    state
        .audit
        .record(actor, action, object)
        .await
        .map_err(|e| {
            ApiError::unavailable(
                "the action was taken, but its audit record was not written",
                e,
            )
        })?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<u32>,
}

async fn audit(
    State(state): State<AppState>,
    Query(query): Query<AuditQuery>,
    headers: HeaderMap,
    session: Option<CurrentSession>,
) -> Result<Response<Body>, ApiError> {
    operator_only(&state, &headers, session.as_ref())?;
    let entries = state
        .audit
        .recent(query.limit.unwrap_or(DEFAULT_AUDIT_LIST))
        .await?;
    let listed: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({
                "at": rfc3339(e.at),
                "actor": e.actor,
                "action": e.action,
                "object": e.object,
            })
        })
        .collect();
    Ok(answer(StatusCode::OK, &json!({ "entries": listed })))
}
