//! The SQLite backend: one file `numis.sqlite` in the data directory, WAL
//! journal, `secure_delete` on, schema migrated at open. The statistics and
//! drawings are implemented here, the accounts in [`accounts`].

mod accounts;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::audit::AuditEntry;
use crate::drawings::{DrawingOrder, DrawingReport, StoredDrawing};
use crate::error::{Result, StoreError};
use crate::stats::{AccessCount, EventCount, StatusClass};
use crate::{AuditStore, DrawingStore, Store};

/// File name of the database inside the data directory.
pub const DATABASE_FILE: &str = "numis.sqlite";

/// The SQLite store: one connection writes, a few read.
///
/// SQLite lets one writer in at a time; several writing connections would
/// wait on each other in SQLite's busy handler, which sleeps in growing
/// steps and stretches the slowest saves to hundreds of milliseconds. With
/// a single writing connection, writes queue in the pool instead, in order,
/// while reads go on beside them (WAL).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    path: PathBuf,
}

/// Reading connections (WAL readers do not block the writer or each other).
const READERS: u32 = 4;

impl SqliteStore {
    /// Opens (creating if needed) the store in `data_dir` and migrates it.
    pub async fn open(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = data_dir.join(DATABASE_FILE);
        let open_error = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(open_error)?
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // An acknowledged save (a drawing) must survive a power cut, not
            // only a crash: every commit waits for its WAL write to reach
            // the disk.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Erasure (clause P3, account deletion) must leave no trace:
            // deleted rows are overwritten with zeros instead of only being
            // unlinked. Set on every connection, as SQLite keeps it per
            // connection.
            .pragma("secure_delete", "ON")
            .busy_timeout(Duration::from_secs(5));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(open_error)?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(options.read_only(true))
            .await
            .map_err(open_error)?;
        Ok(Self {
            writer,
            reader,
            path,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the pools; the writer, closing last, checkpoints the WAL.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(StoreError::query("ping"))?;
        Ok(())
    }

    async fn add_access_counts(&self, counts: &[AccessCount]) -> Result<()> {
        let mut tx = self
            .writer
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
        .fetch_all(&self.reader)
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
        let before = before.format("%Y-%m-%d").to_string();
        // Both tables in one transaction: the retention time (clause P1)
        // holds for every kind of count or for none.
        let mut tx = self
            .writer
            .begin()
            .await
            .map_err(StoreError::query("begin statistics purge"))?;
        let access = sqlx::query("DELETE FROM access_stats WHERE day < ?")
            .bind(&before)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("purge statistics"))?;
        let events = sqlx::query("DELETE FROM event_counts WHERE day < ?")
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
                "INSERT INTO event_counts (day, event, subject, count) VALUES (?, ?, ?, ?)
                 ON CONFLICT (day, event, subject) DO UPDATE SET
                     count = count + excluded.count",
            )
            .bind(count.day.format("%Y-%m-%d").to_string())
            .bind(&count.event)
            .bind(&count.subject)
            .bind(i64::try_from(count.count).unwrap_or(i64::MAX))
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
             WHERE day >= ? AND day <= ? ORDER BY day, event, subject",
        )
        .bind(from.format("%Y-%m-%d").to_string())
        .bind(to.format("%Y-%m-%d").to_string())
        .fetch_all(&self.reader)
        .await
        .map_err(StoreError::query("read event counts"))?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let day: String = row.get("day");
                let count: i64 = row.get("count");
                Some(EventCount {
                    day: NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()?,
                    event: row.get("event"),
                    subject: row.get("subject"),
                    count: u64::try_from(count).unwrap_or(0),
                })
            })
            .collect())
    }
}

#[async_trait]
impl DrawingStore for SqliteStore {
    async fn insert_drawing(&self, drawing: &StoredDrawing) -> Result<()> {
        sqlx::query(
            "INSERT INTO drawings (id, edit_key_hash, owner, title, features,
                 created_at, changed_at, expires_at, copied_from, report_count, blocked_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&drawing.id)
        .bind(&drawing.edit_key_hash)
        .bind(&drawing.owner)
        .bind(&drawing.title)
        .bind(&drawing.features)
        .bind(drawing.created_at)
        .bind(drawing.changed_at)
        .bind(drawing.expires_at)
        .bind(&drawing.copied_from)
        .bind(drawing.report_count)
        .bind(drawing.blocked_at)
        .execute(&self.writer)
        .await
        .map_err(StoreError::query("save drawing"))?;
        Ok(())
    }

    async fn drawing(&self, id: &str) -> Result<Option<StoredDrawing>> {
        let row = sqlx::query(&format!(
            "SELECT {DRAWING_COLUMNS} FROM drawings WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.reader)
        .await
        .map_err(StoreError::query("read drawing"))?;
        Ok(row.as_ref().map(drawing_from_row))
    }

    async fn update_drawing(
        &self,
        id: &str,
        title: &str,
        features: &str,
        changed_at: i64,
        expires_at: i64,
    ) -> Result<bool> {
        let result = sqlx::query(
            "UPDATE drawings SET title = ?, features = ?, changed_at = ?, expires_at = ? WHERE id = ?",
        )
        .bind(title)
        .bind(features)
        .bind(changed_at)
        .bind(expires_at)
        .bind(id)
        .execute(&self.writer)
        .await
        .map_err(StoreError::query("update drawing"))?;
        Ok(result.rows_affected() == 1)
    }

    async fn delete_drawing(&self, id: &str) -> Result<bool> {
        let result = sqlx::query("DELETE FROM drawings WHERE id = ?")
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query("delete drawing"))?;
        Ok(result.rows_affected() == 1)
    }

    async fn report_drawing(&self, id: &str, reported_at: i64, reason: &str) -> Result<bool> {
        let mut tx = self
            .writer
            .begin()
            .await
            .map_err(StoreError::query("begin report"))?;
        let counted =
            sqlx::query("UPDATE drawings SET report_count = report_count + 1 WHERE id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("count report"))?;
        if counted.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO drawing_reports (drawing_id, reported_at, reason) VALUES (?, ?, ?)",
        )
        .bind(id)
        .bind(reported_at)
        .bind(reason)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query("save report"))?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit report"))?;
        Ok(true)
    }

    async fn drawing_reports(&self, id: &str) -> Result<Vec<DrawingReport>> {
        let rows = sqlx::query(
            "SELECT reported_at, reason FROM drawing_reports WHERE drawing_id = ? ORDER BY reported_at, rowid",
        )
        .bind(id)
        .fetch_all(&self.reader)
        .await
        .map_err(StoreError::query("read reports"))?;
        Ok(rows
            .iter()
            .map(|row| DrawingReport {
                reported_at: row.get("reported_at"),
                reason: row.get("reason"),
            })
            .collect())
    }

    async fn list_drawings(&self, order: DrawingOrder, limit: u32) -> Result<Vec<StoredDrawing>> {
        let order_by = match order {
            DrawingOrder::Newest => "created_at DESC, id",
            DrawingOrder::MostReported => "report_count DESC, created_at DESC, id",
        };
        let rows = sqlx::query(&format!(
            "SELECT {DRAWING_COLUMNS} FROM drawings ORDER BY {order_by} LIMIT ?"
        ))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(StoreError::query("list drawings"))?;
        Ok(rows.iter().map(drawing_from_row).collect())
    }

    async fn purge_expired_drawings(&self, now: i64) -> Result<u64> {
        let result = sqlx::query("DELETE FROM drawings WHERE expires_at <= ?")
            .bind(now)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query("purge drawings"))?;
        Ok(result.rows_affected())
    }

    async fn claim_drawing(&self, id: &str, account_id: &str) -> Result<bool> {
        // One statement, so two accounts claiming at once cannot both win.
        let result = sqlx::query(
            "UPDATE drawings SET owner = ?1 WHERE id = ?2 AND (owner IS NULL OR owner = ?1)",
        )
        .bind(account_id)
        .bind(id)
        .execute(&self.writer)
        .await
        .map_err(StoreError::query("claim drawing"))?;
        Ok(result.rows_affected() == 1)
    }

    async fn drawings_of_owner(&self, account_id: &str) -> Result<Vec<StoredDrawing>> {
        let rows = sqlx::query(&format!(
            "SELECT {DRAWING_COLUMNS} FROM drawings WHERE owner = ? ORDER BY created_at DESC, id"
        ))
        .bind(account_id)
        .fetch_all(&self.reader)
        .await
        .map_err(StoreError::query("list drawings of owner"))?;
        Ok(rows.iter().map(drawing_from_row).collect())
    }

    async fn set_drawing_blocked(&self, id: &str, blocked_at: Option<i64>) -> Result<bool> {
        let result = sqlx::query("UPDATE drawings SET blocked_at = ? WHERE id = ?")
            .bind(blocked_at)
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query("block drawing"))?;
        Ok(result.rows_affected() == 1)
    }

    async fn dismiss_drawing_reports(&self, id: &str) -> Result<bool> {
        let mut tx = self
            .writer
            .begin()
            .await
            .map_err(StoreError::query("begin dismissal"))?;
        let reset = sqlx::query("UPDATE drawings SET report_count = 0 WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("reset report count"))?;
        if reset.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM drawing_reports WHERE drawing_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("delete reports"))?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit dismissal"))?;
        Ok(true)
    }

    async fn owner_pseudonyms(&self, ids: &[&str]) -> Result<HashMap<String, String>> {
        let mut pseudonyms = HashMap::new();
        // In slices, to stay far below SQLite's limit of bound parameters.
        for chunk in ids.chunks(500) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT drawings.id AS id, accounts.pseudonym AS pseudonym
                 FROM drawings JOIN accounts ON accounts.id = drawings.owner
                 WHERE drawings.id IN ({placeholders})"
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            let rows = query
                .fetch_all(&self.reader)
                .await
                .map_err(StoreError::query("read owner pseudonyms"))?;
            pseudonyms.extend(rows.iter().map(|row| (row.get("id"), row.get("pseudonym"))));
        }
        Ok(pseudonyms)
    }
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn append_audit(&self, entry: &AuditEntry) -> Result<()> {
        sqlx::query("INSERT INTO audit_log (at, actor, action, object) VALUES (?, ?, ?, ?)")
            .bind(entry.at)
            .bind(&entry.actor)
            .bind(&entry.action)
            .bind(&entry.object)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query("write audit trail"))?;
        Ok(())
    }

    async fn audit_entries(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT at, actor, action, object FROM audit_log ORDER BY at DESC, id DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(StoreError::query("read audit trail"))?;
        Ok(rows
            .iter()
            .map(|row| AuditEntry {
                at: row.get("at"),
                actor: row.get("actor"),
                action: row.get("action"),
                object: row.get("object"),
            })
            .collect())
    }

    async fn purge_audit(&self, before: i64) -> Result<u64> {
        let result = sqlx::query("DELETE FROM audit_log WHERE at < ?")
            .bind(before)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query("purge audit trail"))?;
        Ok(result.rows_affected())
    }
}

const DRAWING_COLUMNS: &str = "id, edit_key_hash, owner, title, features, created_at, \
    changed_at, expires_at, copied_from, report_count, blocked_at";

fn drawing_from_row(row: &sqlx::sqlite::SqliteRow) -> StoredDrawing {
    StoredDrawing {
        id: row.get("id"),
        edit_key_hash: row.get("edit_key_hash"),
        owner: row.get("owner"),
        title: row.get("title"),
        features: row.get("features"),
        created_at: row.get("created_at"),
        changed_at: row.get("changed_at"),
        expires_at: row.get("expires_at"),
        copied_from: row.get("copied_from"),
        report_count: row.get("report_count"),
        blocked_at: row.get("blocked_at"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawing(id: &str, created_at: i64) -> StoredDrawing {
        StoredDrawing {
            id: id.into(),
            edit_key_hash: vec![7; 32],
            owner: None,
            title: format!("Zeichnung {id}"),
            features: r#"{"type":"FeatureCollection","features":[]}"#.into(),
            created_at,
            changed_at: created_at,
            expires_at: created_at + 365 * 86_400,
            copied_from: None,
            report_count: 0,
            blocked_at: None,
        }
    }

    #[tokio::test]
    async fn drawings_are_saved_changed_reported_listed_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        store.insert_drawing(&drawing("a", 100)).await.unwrap();
        let mut copy = drawing("b", 200);
        copy.copied_from = Some("a".into());
        store.insert_drawing(&copy).await.unwrap();
        assert_eq!(store.drawing("b").await.unwrap(), Some(copy.clone()));
        assert!(store.insert_drawing(&copy).await.is_err(), "ids are unique");

        assert!(
            store
                .update_drawing("a", "Neu", "{}", 300, 999)
                .await
                .unwrap()
        );
        let changed = store.drawing("a").await.unwrap().unwrap();
        assert_eq!(
            (
                changed.title.as_str(),
                changed.changed_at,
                changed.expires_at
            ),
            ("Neu", 300, 999)
        );
        assert_eq!(changed.created_at, 100, "creation time stays");
        assert!(!store.update_drawing("x", "t", "{}", 1, 2).await.unwrap());

        assert!(store.report_drawing("a", 400, "Beleidigung").await.unwrap());
        assert!(store.report_drawing("a", 401, "Spam").await.unwrap());
        assert!(!store.report_drawing("x", 401, "Spam").await.unwrap());
        let reports = store.drawing_reports("a").await.unwrap();
        assert_eq!(
            reports
                .iter()
                .map(|r| r.reason.as_str())
                .collect::<Vec<_>>(),
            ["Beleidigung", "Spam"]
        );

        let newest = store.list_drawings(DrawingOrder::Newest, 10).await.unwrap();
        assert_eq!(
            newest.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            ["b", "a"]
        );
        let reported = store
            .list_drawings(DrawingOrder::MostReported, 1)
            .await
            .unwrap();
        assert_eq!(reported[0].id, "a");
        assert_eq!(reported[0].report_count, 2);

        assert!(store.delete_drawing("a").await.unwrap());
        assert!(!store.delete_drawing("a").await.unwrap());
        assert_eq!(store.drawing("a").await.unwrap(), None);
        assert!(
            store.drawing_reports("a").await.unwrap().is_empty(),
            "reports go with it"
        );
    }

    #[tokio::test]
    async fn a_drawing_is_blocked_unblocked_and_its_reports_dismissed() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        store.insert_drawing(&drawing("a", 100)).await.unwrap();
        assert!(store.set_drawing_blocked("a", Some(500)).await.unwrap());
        assert_eq!(
            store.drawing("a").await.unwrap().unwrap().blocked_at,
            Some(500)
        );
        let listed = store.list_drawings(DrawingOrder::Newest, 10).await.unwrap();
        assert_eq!(listed[0].blocked_at, Some(500), "the operator sees it");
        assert!(store.set_drawing_blocked("a", None).await.unwrap());
        assert_eq!(store.drawing("a").await.unwrap().unwrap().blocked_at, None);
        assert!(!store.set_drawing_blocked("x", Some(1)).await.unwrap());

        store.report_drawing("a", 400, "Spam").await.unwrap();
        store.report_drawing("a", 401, "Spam").await.unwrap();
        assert!(store.dismiss_drawing_reports("a").await.unwrap());
        assert_eq!(store.drawing("a").await.unwrap().unwrap().report_count, 0);
        assert!(store.drawing_reports("a").await.unwrap().is_empty());
        assert!(!store.dismiss_drawing_reports("x").await.unwrap());
    }

    #[tokio::test]
    async fn a_blocked_drawing_is_still_purged_at_its_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let mut blocked = drawing("blocked", 0);
        blocked.expires_at = 1_000;
        blocked.blocked_at = Some(10);
        store.insert_drawing(&blocked).await.unwrap();
        assert_eq!(store.purge_expired_drawings(1_000).await.unwrap(), 1);
        assert!(store.drawing("blocked").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn the_audit_trail_is_read_newest_first_and_purged_by_age() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let entry = |at: i64, action: &str| AuditEntry {
            at,
            actor: "token".into(),
            action: action.into(),
            object: "abc".into(),
        };
        store.append_audit(&entry(10, "block")).await.unwrap();
        store.append_audit(&entry(20, "unblock")).await.unwrap();
        store.append_audit(&entry(20, "delete")).await.unwrap();
        assert_eq!(
            store.audit_entries(10).await.unwrap(),
            [
                entry(20, "delete"),
                entry(20, "unblock"),
                entry(10, "block")
            ]
        );
        assert_eq!(store.audit_entries(1).await.unwrap().len(), 1);
        assert_eq!(store.purge_audit(20).await.unwrap(), 1);
        assert_eq!(
            store.audit_entries(10).await.unwrap(),
            [entry(20, "delete"), entry(20, "unblock")]
        );
    }

    #[tokio::test]
    async fn expired_drawings_are_purged_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let mut old = drawing("old", 0);
        old.expires_at = 1_000;
        store.insert_drawing(&old).await.unwrap();
        store.insert_drawing(&drawing("new", 900)).await.unwrap();
        assert_eq!(store.purge_expired_drawings(1_000).await.unwrap(), 1);
        assert!(store.drawing("old").await.unwrap().is_none());
        assert!(store.drawing("new").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn a_saved_drawing_is_there_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = SqliteStore::open(dir.path()).await.unwrap();
            store.insert_drawing(&drawing("keep", 5)).await.unwrap();
            // No close: as if the process died right after the answer.
        }
        let store = SqliteStore::open(dir.path()).await.unwrap();
        assert_eq!(store.drawing("keep").await.unwrap().unwrap().created_at, 5);
    }

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

    fn event(d: &str, event: &str, subject: &str, count: u64) -> EventCount {
        EventCount {
            day: day(d),
            event: event.into(),
            subject: subject.into(),
            count,
        }
    }

    #[tokio::test]
    async fn event_counts_add_up_per_key_and_read_by_range() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        store
            .add_event_counts(&[
                event("2026-01-01", "wms.getmap", "orthofoto", 2),
                event("2026-01-01", "wms.getmap", "gemeinden", 1),
                event("2026-01-02", "search", "", 1),
                event("2026-01-03", "map.view", "", 7),
            ])
            .await
            .unwrap();
        store
            .add_event_counts(&[
                event("2026-01-01", "wms.getmap", "orthofoto", 3),
                event("2026-01-02", "search", "", 1),
            ])
            .await
            .unwrap();
        let range = store
            .event_counts(day("2026-01-01"), day("2026-01-02"))
            .await
            .unwrap();
        assert_eq!(
            range,
            vec![
                event("2026-01-01", "wms.getmap", "gemeinden", 1),
                event("2026-01-01", "wms.getmap", "orthofoto", 5),
                event("2026-01-02", "search", "", 2),
            ],
            "repeated keys merge; the third day lies outside the range"
        );
    }

    #[tokio::test]
    async fn the_purge_takes_old_access_and_event_counts_alike() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        store
            .add_access_counts(&[
                count("2024-01-01", "/", 200, 1, 1),
                count("2026-01-01", "/", 200, 1, 1),
            ])
            .await
            .unwrap();
        store
            .add_event_counts(&[
                event("2024-01-01", "search", "", 1),
                event("2024-06-30", "drawing.export", "kml", 1),
                event("2026-01-01", "search", "", 1),
            ])
            .await
            .unwrap();
        assert_eq!(
            store.purge_access_counts(day("2025-01-01")).await.unwrap(),
            3
        );
        let all = (day("2000-01-01"), day("2100-01-01"));
        assert_eq!(
            store.event_counts(all.0, all.1).await.unwrap(),
            vec![event("2026-01-01", "search", "", 1)]
        );
        assert_eq!(store.access_counts(all.0, all.1).await.unwrap().len(), 1);
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
            .fetch_one(&store.reader)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
