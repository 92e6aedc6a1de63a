//! Persistence for numis behind one trait, [`Store`].
//!
//! Today it holds the aggregated access statistics (clauses P1 and P2 of
//! the specification): counts per day, route template and status class,
//! and nothing that could identify a client. The SQLite backend is the
//! default; a PostgreSQL backend will implement the same trait.
//!
//! No HTTP here.

mod error;
mod sqlite;
mod stats;

pub use error::{Result, StoreError};
pub use sqlite::SqliteStore;
pub use stats::{AccessCount, StatusClass};

use async_trait::async_trait;
use chrono::NaiveDate;

/// Everything numis persists. Implemented by [`SqliteStore`].
#[async_trait]
pub trait Store: Send + Sync {
    /// Checks that the store answers (for `/healthz`).
    async fn ping(&self) -> Result<()>;

    /// Adds aggregated counts (summing into existing rows).
    async fn add_access_counts(&self, counts: &[AccessCount]) -> Result<()>;

    /// The counts of the days `from..=to`, ordered by day, route, class.
    async fn access_counts(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<AccessCount>>;

    /// Deletes the counts of days before `before`; returns the rows deleted.
    async fn purge_access_counts(&self, before: NaiveDate) -> Result<u64>;
}
