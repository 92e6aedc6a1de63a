//! The SQLite backend: one file `numis.sqlite` in the data directory, WAL
//! journal, schema migrated at open.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::Store;
use crate::error::{Result, StoreError};
use crate::stats::{AccessCount, StatusClass};

/// File name of the database inside the data directory.
pub const DATABASE_FILE: &str = "numis.sqlite";

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `data_dir` and migrates it.
    pub async fn open(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = data_dir.join(DATABASE_FILE);
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(|source| StoreError::Open {
                path: path.clone(),
                source,
            })?
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.clone(),
                source,
            })?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self { pool, path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("ping"))?;
        Ok(())
    }

    async fn add_access_counts(&self, counts: &[AccessCount]) -> Result<()> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(StoreError::query("begin statistics write"))?;
        for count in counts {
            sqlx::query(
                "INSERT INTO access_stats (day, route, status_class, requests, bytes) VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (day, route, status_class) DO UPDATE SET
                     requests = requests + excluded.requests,
                     bytes = bytes + excluded.bytes",
            )
            .bind(count.day.format("%Y-%m-%d").to_string())
            .bind(&count.route)
            .bind(i64::from(count.status.get()))
            .bind(i64::try_from(count.requests).unwrap_or(i64::MAX))
            .bind(i64::try_from(count.bytes).unwrap_or(i64::MAX))
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
             WHERE day >= ? AND day <= ? ORDER BY day, route, status_class",
        )
        .bind(from.format("%Y-%m-%d").to_string())
        .bind(to.format("%Y-%m-%d").to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("read statistics"))?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let day: String = row.get("day");
                let class: i64 = row.get("status_class");
                let requests: i64 = row.get("requests");
                let bytes: i64 = row.get("bytes");
                Some(AccessCount {
                    day: NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()?,
                    route: row.get("route"),
                    status: StatusClass::of(u16::try_from(class).ok()? * 100),
                    requests: u64::try_from(requests).unwrap_or(0),
                    bytes: u64::try_from(bytes).unwrap_or(0),
                })
            })
            .collect())
    }

    async fn purge_access_counts(&self, before: NaiveDate) -> Result<u64> {
        let result = sqlx::query("DELETE FROM access_stats WHERE day < ?")
            .bind(before.format("%Y-%m-%d").to_string())
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("purge statistics"))?;
        Ok(result.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn count(d: &str, route: &str, status: u16, requests: u64, bytes: u64) -> AccessCount {
        AccessCount {
            day: day(d),
            route: route.into(),
            status: StatusClass::of(status),
            requests,
            bytes,
        }
    }

    #[tokio::test]
    async fn counts_add_up_and_old_days_are_purged() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("var")).await.unwrap();
        store.ping().await.unwrap();
        store
            .add_access_counts(&[
                count("2024-01-01", "/", 200, 2, 100),
                count("2026-01-01", "/", 200, 1, 10),
            ])
            .await
            .unwrap();
        store
            .add_access_counts(&[count("2026-01-01", "/", 200, 3, 30)])
            .await
            .unwrap();
        let all = store
            .access_counts(day("2000-01-01"), day("2100-01-01"))
            .await
            .unwrap();
        assert_eq!(
            all,
            vec![
                count("2024-01-01", "/", 200, 2, 100),
                count("2026-01-01", "/", 200, 4, 40)
            ]
        );
        assert_eq!(
            store.purge_access_counts(day("2025-01-01")).await.unwrap(),
            1
        );
        let left = store
            .access_counts(day("2000-01-01"), day("2100-01-01"))
            .await
            .unwrap();
        assert_eq!(left, vec![count("2026-01-01", "/", 200, 4, 40)]);
    }

    #[tokio::test]
    async fn a_data_dir_that_cannot_exist_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        let error = SqliteStore::open(&file.join("var")).await.unwrap_err();
        assert!(error.to_string().starts_with("data directory"), "{error}");
    }

    #[tokio::test]
    async fn the_database_uses_the_wal_journal() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
