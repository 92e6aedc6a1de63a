//! [`DrawingStore`] and [`AuditStore`] on SQL: the drawings with their
//! abuse reports and moderation, and the audit trail of moderation
//! actions.

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Backend, SqlStore};
use crate::audit::AuditEntry;
use crate::drawings::{DrawingOrder, DrawingReport, StoredDrawing};
use crate::error::{Result, StoreError};
use crate::{AuditStore, DrawingStore};

#[async_trait]
impl DrawingStore for SqlStore {
    async fn insert_drawing(&self, drawing: &StoredDrawing) -> Result<()> {
        sqlx::query(
            "INSERT INTO drawings (id, edit_key_hash, owner, title, features,
                 created_at, changed_at, expires_at, copied_from, report_count, blocked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
            "SELECT {DRAWING_COLUMNS} FROM drawings WHERE id = $1"
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
            "UPDATE drawings SET title = $1, features = $2, changed_at = $3, expires_at = $4 WHERE id = $5",
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
        let result = sqlx::query("DELETE FROM drawings WHERE id = $1")
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
            sqlx::query("UPDATE drawings SET report_count = report_count + 1 WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("count report"))?;
        if counted.rows_affected() != 1 {
            // Nothing changed; the connection goes back clean.
            tx.rollback()
                .await
                .map_err(StoreError::query("roll back"))?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO drawing_reports (drawing_id, reported_at, reason) VALUES ($1, $2, $3)",
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
        // In the order they came: SQLite numbers its rows itself,
        // PostgreSQL's table has a serial column for it.
        let arrival = match self.backend {
            Backend::Sqlite => "rowid",
            Backend::Postgres => "id",
        };
        let rows = sqlx::query(&format!(
            "SELECT reported_at, reason FROM drawing_reports WHERE drawing_id = $1
             ORDER BY reported_at, {arrival}"
        ))
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
            "SELECT {DRAWING_COLUMNS} FROM drawings ORDER BY {order_by} LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(StoreError::query("list drawings"))?;
        Ok(rows.iter().map(drawing_from_row).collect())
    }

    async fn purge_expired_drawings(&self, now: i64) -> Result<u64> {
        let result = sqlx::query("DELETE FROM drawings WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query("purge drawings"))?;
        Ok(result.rows_affected())
    }

    async fn claim_drawing(&self, id: &str, account_id: &str) -> Result<bool> {
        // One statement, so two accounts claiming at once cannot both win.
        let result = sqlx::query(
            "UPDATE drawings SET owner = $1 WHERE id = $2 AND (owner IS NULL OR owner = $1)",
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
            "SELECT {DRAWING_COLUMNS} FROM drawings WHERE owner = $1 ORDER BY created_at DESC, id"
        ))
        .bind(account_id)
        .fetch_all(&self.reader)
        .await
        .map_err(StoreError::query("list drawings of owner"))?;
        Ok(rows.iter().map(drawing_from_row).collect())
    }

    async fn set_drawing_blocked(&self, id: &str, blocked_at: Option<i64>) -> Result<bool> {
        let result = sqlx::query("UPDATE drawings SET blocked_at = $1 WHERE id = $2")
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
        let reset = sqlx::query("UPDATE drawings SET report_count = 0 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("reset report count"))?;
        if reset.rows_affected() != 1 {
            // Nothing changed; the connection goes back clean.
            tx.rollback()
                .await
                .map_err(StoreError::query("roll back"))?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM drawing_reports WHERE drawing_id = $1")
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
            let placeholders = (1..=chunk.len())
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", ");
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
impl AuditStore for SqlStore {
    async fn append_audit(&self, entry: &AuditEntry) -> Result<()> {
        sqlx::query("INSERT INTO audit_log (at, actor, action, object) VALUES ($1, $2, $3, $4)")
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
            "SELECT at, actor, action, object FROM audit_log ORDER BY at DESC, id DESC LIMIT $1",
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
        let result = sqlx::query("DELETE FROM audit_log WHERE at < $1")
            .bind(before)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query("purge audit trail"))?;
        Ok(result.rows_affected())
    }
}

const DRAWING_COLUMNS: &str = "id, edit_key_hash, owner, title, features, created_at, \
    changed_at, expires_at, copied_from, report_count, blocked_at";

fn drawing_from_row(row: &AnyRow) -> StoredDrawing {
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
