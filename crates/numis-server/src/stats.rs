//! The access-record middleware and its aggregator (clauses P1, P2).
//!
//! Each response adds one to a counter keyed by day, route template and
//! status class, and its size to a byte counter. That is everything that is
//! ever recorded about a request: the middleware never looks at the client
//! address, headers, query string or raw path, so none of them can reach
//! the store or a log. Counters live in memory and are written to the
//! store every few seconds and at shutdown.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, HttpBody};
use axum::extract::{MatchedPath, Request, State};
use axum::http::Response;
use axum::middleware::Next;
use chrono::{NaiveDate, Utc};
use numis_store::{AccessCount, StatusClass, Store};

use crate::state::AppState;

/// The route label of requests no router matched and no page answered.
/// Their raw paths are user input and are never recorded.
pub const UNMATCHED_ROUTE: &str = "/{*path}";

/// A route label chosen by a handler (for content pages: the page's
/// canonical route, which the operator wrote, not the requested path).
#[derive(Debug, Clone)]
pub struct RouteLabel(pub String);

type Key = (NaiveDate, String, StatusClass);

/// Counters not yet written to the store.
#[derive(Debug, Default)]
pub struct AccessCounter {
    pending: Mutex<HashMap<Key, (u64, u64)>>,
}

impl AccessCounter {
    /// Counts one response.
    pub fn count(&self, route: String, status: u16, bytes: u64) {
        let key = (Utc::now().date_naive(), route, StatusClass::of(status));
        if let Ok(mut pending) = self.pending.lock() {
            let entry = pending.entry(key).or_default();
            entry.0 += 1;
            entry.1 += bytes;
        }
    }

    /// Writes the pending counters to `store`. On failure (disk full,
    /// read-only) they are kept for the next attempt, not lost.
    pub async fn flush(&self, store: &dyn Store) -> numis_store::Result<usize> {
        let taken: Vec<AccessCount> = match self.pending.lock() {
            Ok(mut pending) => pending
                .drain()
                .map(|((day, route, status), (requests, bytes))| AccessCount {
                    day,
                    route,
                    status,
                    requests,
                    bytes,
                })
                .collect(),
            Err(_) => return Ok(0),
        };
        if taken.is_empty() {
            return Ok(0);
        }
        match store.add_access_counts(&taken).await {
            Ok(()) => Ok(taken.len()),
            Err(e) => {
                if let Ok(mut pending) = self.pending.lock() {
                    for c in taken {
                        let entry = pending.entry((c.day, c.route, c.status)).or_default();
                        entry.0 += c.requests;
                        entry.1 += c.bytes;
                    }
                }
                Err(e)
            }
        }
    }
}

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

/// Writes counters every `every` and purges counts older than
/// `retention_days` once a day, until the process ends.
pub async fn run_background(state: AppState, every: Duration, retention_days: u32) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_purge: Option<NaiveDate> = None;
    loop {
        ticker.tick().await;
        if let Err(e) = state.access.flush(state.store.as_ref()).await {
            tracing::warn!(error = %e, "statistics not written; will retry");
        }
        // Clients whose creation allowance is full again are forgotten.
        state.creation_limit.forget_quiet_clients();
        let today = Utc::now().date_naive();
        if last_purge != Some(today) {
            match purge(state.store.as_ref(), today, retention_days).await {
                Ok(n) if n > 0 => tracing::info!(rows = n, "expired statistics purged"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "statistics purge failed"),
            }
            // Clause P8: expired drawings go the same day.
            match state.drawings.purge_expired().await {
                Ok(n) if n > 0 => tracing::info!(drawings = n, "expired drawings purged"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "drawing purge failed"),
            }
            last_purge = Some(today);
        }
    }
}

/// Deletes daily counts older than `retention_days` before `today`.
pub async fn purge(
    store: &dyn Store,
    today: NaiveDate,
    retention_days: u32,
) -> numis_store::Result<u64> {
    let cutoff = today - chrono::Days::new(u64::from(retention_days));
    store.purge_access_counts(cutoff).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use numis_store::StoreError;

    /// A store whose disk is full.
    struct FullDisk;

    #[async_trait]
    impl Store for FullDisk {
        async fn ping(&self) -> numis_store::Result<()> {
            Ok(())
        }
        async fn add_access_counts(&self, _: &[AccessCount]) -> numis_store::Result<()> {
            Err(StoreError::DataDir {
                path: "var".into(),
                source: std::io::Error::other("No space left on device"),
            })
        }
        async fn access_counts(
            &self,
            _: NaiveDate,
            _: NaiveDate,
        ) -> numis_store::Result<Vec<AccessCount>> {
            Ok(Vec::new())
        }
        async fn purge_access_counts(&self, _: NaiveDate) -> numis_store::Result<u64> {
            Ok(0)
        }
    }

    #[tokio::test]
    async fn counts_survive_a_failed_write_and_arrive_later() {
        let counter = AccessCounter::default();
        counter.count("/".into(), 200, 10);
        counter.count("/".into(), 204, 5);
        counter.count("/{*path}".into(), 404, 1);
        assert!(counter.flush(&FullDisk).await.is_err());
        let dir = tempfile::tempdir().unwrap();
        let store = numis_store::SqliteStore::open(dir.path()).await.unwrap();
        assert_eq!(
            counter.flush(&store).await.unwrap(),
            2,
            "two keys: (/, 2xx) and (/{{*path}}, 4xx)"
        );
        let today = Utc::now().date_naive();
        let counts = store.access_counts(today, today).await.unwrap();
        let root = counts.iter().find(|c| c.route == "/").unwrap();
        assert_eq!((root.requests, root.bytes), (2, 15));
        assert_eq!(
            counter.flush(&store).await.unwrap(),
            0,
            "nothing pending after a successful write"
        );
    }
}
