//! [`PrintJobStore`], [`LoginFailureStore`] and the daily-run claims of
//! [`crate::Store`] on SQL: what several instances share beyond the
//! aggregates.

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Backend, SqlStore, day_text};
use crate::error::{Result, StoreError};
use crate::shared::{LoginFailures, PrintJobStatus, StoredPrintJob};
use crate::{LoginFailureStore, PrintJobStore};

impl SqlStore {
    /// See [`crate::Store::claim_daily_run`].
    pub(super) async fn claim_daily_run_sql(
        &self,
        job: &str,
        day: NaiveDate,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self
            .writer
            .begin()
            .await
            .map_err(StoreError::query("begin daily run claim"))?;
        if self.backend == Backend::Postgres {
            // Instances that ask at the same moment queue on an advisory
            // lock of this job instead of racing; the lock ends with the
            // transaction. (SQLite's single writer queues them anyway.)
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext('numis daily run ' || $1))")
                .bind(job)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("lock daily run"))?;
        }
        let claimed = sqlx::query(
            "INSERT INTO daily_runs (job, day, started_at, finished_at) VALUES ($1, $2, $3, NULL)
             ON CONFLICT (job) DO UPDATE SET
                 day = excluded.day, started_at = excluded.started_at, finished_at = NULL
             WHERE daily_runs.day < excluded.day",
        )
        .bind(job)
        .bind(day_text(day))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query("claim daily run"))?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit daily run claim"))?;
        Ok(claimed.rows_affected() == 1)
    }

    /// See [`crate::Store::finish_daily_run`].
    pub(super) async fn finish_daily_run_sql(&self, job: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE daily_runs SET finished_at = $1 WHERE job = $2")
            .bind(now)
            .bind(job)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query("finish daily run"))?;
        Ok(())
    }

    /// See [`crate::Store::last_daily_run`].
    pub(super) async fn last_daily_run_sql(
        &self,
        job: &str,
    ) -> Result<Option<(NaiveDate, i64, Option<i64>)>> {
        let row = sqlx::query("SELECT day, started_at, finished_at FROM daily_runs WHERE job = $1")
            .bind(job)
            .fetch_optional(&self.reader)
            .await
            .map_err(StoreError::query("read daily run"))?;
        Ok(row.and_then(|row| {
            Some((
                super::day_of(&row)?,
                row.get("started_at"),
                row.get("finished_at"),
            ))
        }))
    }
}

#[async_trait]
impl PrintJobStore for SqlStore {
    async fn save_print_job(&self, job: &StoredPrintJob) -> Result<()> {
        sqlx::query(
            "INSERT INTO print_jobs (id_hash, status, error, pdf, created_at, updated_at, finished_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (id_hash) DO UPDATE SET
                 status = excluded.status, error = excluded.error, pdf = excluded.pdf,
                 updated_at = excluded.updated_at, finished_at = excluded.finished_at",
        )
        .bind(&job.id_hash)
        .bind(job.status.as_str())
        .bind(&job.error)
        .bind(&job.pdf)
        .bind(job.created_at)
        .bind(job.updated_at)
        .bind(job.finished_at)
        .execute(&self.writer)
        .await
        .map_err(StoreError::query("save print job"))?;
        Ok(())
    }

    async fn print_job(&self, id_hash: &[u8]) -> Result<Option<StoredPrintJob>> {
        let row = sqlx::query(
            "SELECT id_hash, status, error, pdf, created_at, updated_at, finished_at
             FROM print_jobs WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(&self.reader)
        .await
        .map_err(StoreError::query("read print job"))?;
        Ok(row.as_ref().and_then(print_job_from_row))
    }

    async fn purge_print_jobs(&self, finished_before: i64, stale_before: i64) -> Result<u64> {
        let result = sqlx::query(
            "DELETE FROM print_jobs
             WHERE finished_at < $1 OR (finished_at IS NULL AND updated_at < $2)",
        )
        .bind(finished_before)
        .bind(stale_before)
        .execute(&self.writer)
        .await
        .map_err(StoreError::query("purge print jobs"))?;
        Ok(result.rows_affected())
    }
}

fn print_job_from_row(row: &AnyRow) -> Option<StoredPrintJob> {
    Some(StoredPrintJob {
        id_hash: row.get("id_hash"),
        status: PrintJobStatus::from_name(row.get("status"))?,
        error: row.get("error"),
        pdf: row.get("pdf"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
        finished_at: row.get("finished_at"),
    })
}

#[async_trait]
impl LoginFailureStore for SqlStore {
    async fn login_failures(&self, key_hash: &[u8]) -> Result<Option<LoginFailures>> {
        let row = sqlx::query(
            "SELECT failures, last_at, blocked_until FROM login_failures WHERE key_hash = $1",
        )
        .bind(key_hash)
        .fetch_optional(&self.reader)
        .await
        .map_err(StoreError::query("read login failures"))?;
        Ok(row.map(|row| LoginFailures {
            failures: u32::try_from(row.get::<i64, _>("failures")).unwrap_or(u32::MAX),
            last_at: row.get("last_at"),
            blocked_until: row.get("blocked_until"),
        }))
    }

    async fn add_login_failure(
        &self,
        key_hash: &[u8],
        now: i64,
        forget_before: i64,
    ) -> Result<u32> {
        // One statement: failures at once on several instances each add
        // one to the row.
        let failures: i64 = sqlx::query_scalar(
            "INSERT INTO login_failures (key_hash, failures, last_at, blocked_until)
             VALUES ($1, 1, $2, NULL)
             ON CONFLICT (key_hash) DO UPDATE SET
                 failures = CASE WHEN login_failures.last_at < $3 THEN 1
                                 ELSE login_failures.failures + 1 END,
                 last_at = excluded.last_at
             RETURNING failures",
        )
        .bind(key_hash)
        .bind(now)
        .bind(forget_before)
        .fetch_one(&self.writer)
        .await
        .map_err(StoreError::query("count login failure"))?;
        Ok(u32::try_from(failures).unwrap_or(u32::MAX))
    }

    async fn block_logins(&self, key_hash: &[u8], until: i64) -> Result<()> {
        sqlx::query(
            "UPDATE login_failures SET blocked_until = $1
             WHERE key_hash = $2 AND (blocked_until IS NULL OR blocked_until < $1)",
        )
        .bind(until)
        .bind(key_hash)
        .execute(&self.writer)
        .await
        .map_err(StoreError::query("block logins"))?;
        Ok(())
    }

    async fn clear_login_failures(&self, key_hash: &[u8]) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key_hash = $1")
            .bind(key_hash)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query("clear login failures"))?;
        Ok(())
    }

    async fn purge_login_failures(&self, last_before: i64) -> Result<u64> {
        let result = sqlx::query(
            "DELETE FROM login_failures
             WHERE last_at < $1 AND (blocked_until IS NULL OR blocked_until < $1)",
        )
        .bind(last_before)
        .execute(&self.writer)
        .await
        .map_err(StoreError::query("purge login failures"))?;
        Ok(result.rows_affected())
    }
}
