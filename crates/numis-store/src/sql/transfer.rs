//! Copying a whole store into another, empty one: from SQLite into
//! PostgreSQL when a portal grows to several instances, and back. Every
//! table is copied row by row in one transaction on the target, so the
//! target holds all of it or nothing, and the rows are counted on both
//! sides before the transaction commits.

use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use super::{Backend, SqlStore};
use crate::error::{Result, StoreError};

/// What one column holds, to read it from one database and write it to
/// the other.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Integer,
    Bytes,
}

use Kind::{Bytes, Integer, Text};

/// A table and its columns, parents before the tables that refer to
/// them. The serial ids of `audit_log` and `drawing_reports` are not
/// copied: the rows are read and written in their order, so the target
/// numbers them in the same order.
const TABLES: &[(&str, &[(&str, Kind)])] = &[
    (
        "accounts",
        &[
            ("id", Text),
            ("pseudonym", Text),
            ("pseudonym_key", Text),
            ("password_hash", Text),
            ("created_at", Integer),
            ("last_seen_at", Integer),
            ("blocked", Integer),
            ("totp_secret", Bytes),
            ("totp_last_step", Integer),
            ("email", Text),
            ("name", Text),
            ("organisation", Text),
            ("postal_address", Text),
            ("profile_access", Integer),
        ],
    ),
    ("account_roles", &[("account_id", Text), ("role", Text)]),
    (
        "recovery_codes",
        &[("account_id", Text), ("code_hash", Bytes)],
    ),
    (
        "sessions",
        &[
            ("token_hash", Bytes),
            ("public_id", Text),
            ("account_id", Text),
            ("created_at", Integer),
            ("last_seen_at", Integer),
            ("expires_at", Integer),
            ("persistent", Integer),
            ("client_label", Text),
            ("csrf", Text),
        ],
    ),
    (
        "password_resets",
        &[
            ("token_hash", Bytes),
            ("account_id", Text),
            ("created_at", Integer),
            ("expires_at", Integer),
        ],
    ),
    (
        "saved_views",
        &[
            ("id", Text),
            ("account_id", Text),
            ("name", Text),
            ("state", Text),
            ("created_at", Integer),
            ("updated_at", Integer),
        ],
    ),
    (
        "drawings",
        &[
            ("id", Text),
            ("edit_key_hash", Bytes),
            ("owner", Text),
            ("title", Text),
            ("features", Text),
            ("created_at", Integer),
            ("changed_at", Integer),
            ("expires_at", Integer),
            ("copied_from", Text),
            ("report_count", Integer),
            ("blocked_at", Integer),
        ],
    ),
    (
        "drawing_reports",
        &[
            ("drawing_id", Text),
            ("reported_at", Integer),
            ("reason", Text),
        ],
    ),
    (
        "access_stats",
        &[
            ("day", Text),
            ("route", Text),
            ("status_class", Integer),
            ("requests", Integer),
            ("bytes", Integer),
        ],
    ),
    (
        "event_counts",
        &[
            ("day", Text),
            ("event", Text),
            ("subject", Text),
            ("count", Integer),
        ],
    ),
    (
        "audit_log",
        &[
            ("at", Integer),
            ("actor", Text),
            ("action", Text),
            ("object", Text),
        ],
    ),
];

/// How many rows of each table were copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferReport {
    /// Table name and rows, in the order copied.
    pub tables: Vec<(&'static str, u64)>,
}

impl SqlStore {
    /// Copies every row of this store into `target`, which must be empty
    /// (freshly created; its schema is migrated when it opens). Checks
    /// that each table of the target has as many rows as the source's
    /// before committing; on any difference nothing is written.
    pub async fn copy_into(&self, target: &SqlStore) -> Result<TransferReport> {
        for (table, _) in TABLES {
            if count(&target.writer, table).await? > 0 {
                return Err(StoreError::Transfer(format!(
                    "the target store is not empty: table {table} has rows"
                )));
            }
        }
        let mut tx = target
            .writer
            .begin()
            .await
            .map_err(StoreError::query("begin copy"))?;
        let mut report = TransferReport { tables: Vec::new() };
        for (table, columns) in TABLES {
            let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
            let order = arrival_order(self.backend, table);
            let rows = sqlx::query(&format!(
                "SELECT {} FROM {table} ORDER BY {order}",
                names.join(", ")
            ))
            .fetch_all(&self.reader)
            .await
            .map_err(StoreError::query("read rows to copy"))?;
            let placeholders: Vec<String> = (1..=names.len()).map(|n| format!("${n}")).collect();
            let insert = format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                names.join(", "),
                placeholders.join(", ")
            );
            for row in &rows {
                let mut query = sqlx::query::<Any>(&insert);
                for (name, kind) in *columns {
                    query = bind_column(query, row, name, *kind);
                }
                query
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::query("write copied row"))?;
            }
            let copied: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::query("count copied rows"))?;
            let source = count(&self.reader, table).await?;
            if u64::try_from(copied).unwrap_or(0) != source || source != rows.len() as u64 {
                return Err(StoreError::Transfer(format!(
                    "table {table}: {source} rows in the source, {copied} copied; nothing was written"
                )));
            }
            report.tables.push((table, source));
        }
        tx.commit()
            .await
            .map_err(StoreError::query("commit copy"))?;
        Ok(report)
    }
}

/// The order rows were written in: the serial id where the table has one,
/// SQLite's row number, or the key.
fn arrival_order(backend: Backend, table: &str) -> &'static str {
    match (table, backend) {
        ("audit_log", _) => "id",
        ("drawing_reports", Backend::Sqlite) => "rowid",
        ("drawing_reports", Backend::Postgres) => "id",
        _ => "1",
    }
}

fn bind_column<'q>(
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    row: &AnyRow,
    name: &str,
    kind: Kind,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    match kind {
        Text => query.bind(row.get::<Option<String>, _>(name)),
        Integer => query.bind(row.get::<Option<i64>, _>(name)),
        Bytes => query.bind(row.get::<Option<Vec<u8>>, _>(name)),
    }
}

async fn count(pool: &sqlx::AnyPool, table: &str) -> Result<u64> {
    let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .map_err(StoreError::query("count rows"))?;
    Ok(u64::try_from(n).unwrap_or(0))
}
