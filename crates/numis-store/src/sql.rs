//! The store on SQL: one implementation of every store trait for both
//! databases numis supports, a SQLite file in the data directory (WAL
//! journal, `secure_delete` on; the default) and PostgreSQL (for several
//! instances), through sqlx's `Any` driver. The schema of each is
//! migrated when the store opens. The statistics are implemented here,
//! the drawings and the audit trail in [`drawings`], the accounts in
//! [`accounts`].
//!
//! The queries are written once, with `$1`-style parameters that both
//! drivers read; where the dialects differ, [`Backend`] says which to
//! use. Flags are stored as the integers 0 and 1 on both, so that they
//! read back the same way.

mod accounts;
mod connect;
mod drawings;
mod shared;
#[cfg(test)]
mod testing;
mod transfer;

use std::path::Path;

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

pub use connect::{Backend, DATABASE_FILE, StoreLocation};
pub use transfer::TransferReport;

use crate::Store;
use crate::error::{Result, StoreError};
use crate::stats::{AccessCount, EventCount, StatusClass};

/// The store, on SQLite or PostgreSQL.
///
/// On SQLite one connection writes and a few read. SQLite lets one writer
/// in at a time; several writing connections would wait on each other in
/// SQLite's busy handler, which sleeps in growing steps and stretches the
/// slowest saves to hundreds of milliseconds. With a single writing
/// connection, writes queue in the pool instead, in order, while reads go
/// on beside them (WAL). On PostgreSQL, which has no such limit, reads and
/// writes share one pool.
#[derive(Clone)]
pub struct SqlStore {
    writer: AnyPool,
    reader: AnyPool,
    backend: Backend,
    location: StoreLocation,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("backend", &self.backend)
            .field("location", &self.location.describe())
            .finish()
    }
}

impl SqlStore {
    /// Opens (creating if needed) the store at `location` and migrates
    /// its schema.
    pub async fn open(location: &StoreLocation) -> Result<Self> {
        let (backend, pools) = connect::connect(location).await?;
        Ok(Self {
            writer: pools.writer,
            reader: pools.reader,
            backend,
            location: location.clone(),
        })
    }

    /// Opens the SQLite store in `data_dir`.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Self> {
        Self::open(&StoreLocation::Sqlite(data_dir.to_owned())).await
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Where the store is.
    pub fn location(&self) -> &StoreLocation {
        &self.location
    }

    /// Closes the pools; on SQLite the writer, closing last, checkpoints
    /// the WAL.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(StoreError::query("ping"))?;
        Ok(())
    }

    async fn add_access_counts(&self, counts: &[AccessCount]) -> Result<()> {
        // One transaction, and a sum in the database: instances adding
        // their counts to the same row at the same time add up exactly.
        let mut tx = self
            .writer
            .begin()
            .await
            .map_err(StoreError::query("begin statistics write"))?;
        for count in counts {
            sqlx::query(
                "INSERT INTO access_stats (day, route, status_class, requests, bytes)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (day, route, status_class) DO UPDATE SET
                     requests = access_stats.requests + excluded.requests,
                     bytes = access_stats.bytes + excluded.bytes",
            )
            .bind(day_text(count.day))
            .bind(&count.route)
            .bind(i64::from(count.status.get()))
            .bind(saturating_i64(count.requests))
            .bind(saturating_i64(count.bytes))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("write statistics"))?;
        }
        tx.commit()
            .await
            .map_err(StoreError::query("commit statistics"))?;
        Ok(())
    }

    async fn access_counts(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<AccessCount>> {
        let rows = sqlx::query(
            "SELECT day, route, status_class, requests, bytes FROM access_stats
             WHERE day >= $1 AND day <= $2 ORDER BY day, route, status_class",
        )
        .bind(day_text(from))
        .bind(day_text(to))
        .fetch_all(&self.reader)
        .await
        .map_err(StoreError::query("read statistics"))?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let class: i64 = row.get("status_class");
                Some(AccessCount {
                    day: day_of(row)?,
                    route: row.get("route"),
                    status: StatusClass::of(u16::try_from(class).ok()? * 100),
                    requests: count_of(row, "requests"),
                    bytes: count_of(row, "bytes"),
                })
            })
            .collect())
    }

    async fn purge_access_counts(&self, before: NaiveDate) -> Result<u64> {
        let before = day_text(before);
        // Both tables in one transaction: the retention time (clause P1)
        // holds for every kind of count or for none.
        let mut tx = self
            .writer
            .begin()
            .await
            .map_err(StoreError::query("begin statistics purge"))?;
        let access = sqlx::query("DELETE FROM access_stats WHERE day < $1")
            .bind(&before)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("purge statistics"))?;
        let events = sqlx::query("DELETE FROM event_counts WHERE day < $1")
            .bind(&before)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("purge event counts"))?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit statistics purge"))?;
        Ok(access.rows_affected() + events.rows_affected())
    }

    async fn add_event_counts(&self, counts: &[EventCount]) -> Result<()> {
        let mut tx = self
            .writer
            .begin()
            .await
            .map_err(StoreError::query("begin event count write"))?;
        for count in counts {
            sqlx::query(
                "INSERT INTO event_counts (day, event, subject, count) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (day, event, subject) DO UPDATE SET
                     count = event_counts.count + excluded.count",
            )
            .bind(day_text(count.day))
            .bind(&count.event)
            .bind(&count.subject)
            .bind(saturating_i64(count.count))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("write event counts"))?;
        }
        tx.commit()
            .await
            .map_err(StoreError::query("commit event counts"))?;
        Ok(())
    }

    async fn event_counts(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<EventCount>> {
        let rows = sqlx::query(
            "SELECT day, event, subject, count FROM event_counts
             WHERE day >= $1 AND day <= $2 ORDER BY day, event, subject",
        )
        .bind(day_text(from))
        .bind(day_text(to))
        .fetch_all(&self.reader)
        .await
        .map_err(StoreError::query("read event counts"))?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                Some(EventCount {
                    day: day_of(row)?,
                    event: row.get("event"),
                    subject: row.get("subject"),
                    count: count_of(row, "count"),
                })
            })
            .collect())
    }

    async fn claim_daily_run(&self, job: &str, day: NaiveDate, now: i64) -> Result<bool> {
        self.claim_daily_run_sql(job, day, now).await
    }

    async fn finish_daily_run(&self, job: &str, now: i64) -> Result<()> {
        self.finish_daily_run_sql(job, now).await
    }

    async fn last_daily_run(&self, job: &str) -> Result<Option<(NaiveDate, i64, Option<i64>)>> {
        self.last_daily_run_sql(job).await
    }
}

/// Days are stored as `YYYY-MM-DD` text on both databases: it sorts and
/// compares as the dates do.
fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn day_of(row: &AnyRow) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(row.get("day"), "%Y-%m-%d").ok()
}

fn count_of(row: &AnyRow, column: &str) -> u64 {
    u64::try_from(row.get::<i64, _>(column)).unwrap_or(0)
}

fn saturating_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A flag column (0 or 1) as a `bool`.
fn flag(row: &AnyRow, column: &str) -> bool {
    row.get::<i64, _>(column) != 0
}

#[cfg(test)]
mod tests;
