//! Persistence for numis behind one trait per aggregate: [`Store`] for the
//! aggregated access statistics (clauses P1 and P2 of the specification:
//! counts per day, route template and status class, and nothing that
//! could identify a client) and [`DrawingStore`] for the drawings (P4,
//! P7–P12). SQLite (one writing and four reading connections) is the only
//! backend today; a PostgreSQL backend will implement the same traits.
//! The rules of what may be stored live in `numis-core`, not here.
//!
//! No HTTP here.

mod drawings;
mod error;
mod sqlite;
mod stats;

pub use drawings::{DrawingOrder, DrawingReport, StoredDrawing};
pub use error::{Result, StoreError};
pub use sqlite::SqliteStore;
pub use stats::{AccessCount, StatusClass};

use async_trait::async_trait;
use chrono::NaiveDate;

/// The store's health and the access statistics. Implemented by
/// [`SqliteStore`], which also implements [`DrawingStore`].
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

/// The drawings (clauses P4, P7–P12). Implemented by [`SqliteStore`].
#[async_trait]
pub trait DrawingStore: Send + Sync {
    /// Stores a new drawing; it is durable when this returns.
    async fn insert_drawing(&self, drawing: &StoredDrawing) -> Result<()>;

    /// The drawing with this public id, expired or not.
    async fn drawing(&self, id: &str) -> Result<Option<StoredDrawing>>;

    /// Replaces title and features and sets the change and expiry times;
    /// `false` when no such drawing exists.
    async fn update_drawing(
        &self,
        id: &str,
        title: &str,
        features: &str,
        changed_at: i64,
        expires_at: i64,
    ) -> Result<bool>;

    /// Deletes a drawing and its reports; `false` when none existed.
    async fn delete_drawing(&self, id: &str) -> Result<bool>;

    /// Records an abuse report; `false` when no such drawing exists.
    async fn report_drawing(&self, id: &str, reported_at: i64, reason: &str) -> Result<bool>;

    /// The reports of one drawing, oldest first.
    async fn drawing_reports(&self, id: &str) -> Result<Vec<DrawingReport>>;

    /// Drawings for moderation, at most `limit`, in `order`.
    async fn list_drawings(&self, order: DrawingOrder, limit: u32) -> Result<Vec<StoredDrawing>>;

    /// Deletes every drawing that expired at or before `now`; returns how many.
    async fn purge_expired_drawings(&self, now: i64) -> Result<u64>;
}
