//! The access-record middleware (clause P1): each response adds one to a
//! counter keyed by day, route template and status class, and its size to
//! a byte counter. That is everything ever recorded about a request: the
//! middleware never looks at the client address, headers, query string or
//! raw path, so none of them can reach the store or a log.

use std::time::Instant;

use axum::body::{Body, HttpBody};
use axum::extract::{MatchedPath, Request, State};
use axum::http::Response;
use axum::middleware::Next;

use crate::access::{RouteLabel, UNMATCHED_ROUTE};
use crate::state::AppState;

/// Middleware: counts the response into the statistics and the metrics.
pub async fn record_access(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response<Body> {
    let started = Instant::now();
    let matched = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<RouteLabel>()
        .map(|l| l.0.clone())
        .or(matched)
        .unwrap_or_else(|| UNMATCHED_ROUTE.to_owned());
    let status = response.status().as_u16();
    let bytes = response.body().size_hint().exact().unwrap_or(0);
    let elapsed = started.elapsed();
    tracing::debug!(route = %route, status, bytes, elapsed_ms = elapsed.as_secs_f64() * 1000.0, "request");
    state.metrics.observe(&route, status, elapsed);
    state.access.count(route, status, bytes);
    response
}
