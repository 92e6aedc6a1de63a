//! The anonymous access statistics (clauses P1, P2): counters keyed by day,
//! route template and status class, plus bytes, kept in memory until they
//! are written to the store, and their purge after the retention time.
//!
//! What is counted is decided by the access-record middleware
//! ([`crate::middleware::access`]); this module never sees a request.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{NaiveDate, Utc};
use numis_store::{AccessCount, StatusClass, Store};

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

    use crate::full_disk::FullDisk;

    #[tokio::test]
    async fn counts_survive_a_failed_write_and_arrive_later() {
        let counter = AccessCounter::default();
        counter.count("/".into(), 200, 10);
        counter.count("/".into(), 204, 5);
        counter.count("/{*path}".into(), 404, 1);
        assert!(counter.flush(&FullDisk).await.is_err());
        let dir = tempfile::tempdir().unwrap();
        let store = numis_store::SqlStore::open_sqlite(dir.path())
            .await
            .unwrap();
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
