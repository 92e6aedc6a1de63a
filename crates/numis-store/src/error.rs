//! Errors of the store, naming the operation that failed.

use std::path::PathBuf;

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, StoreError>;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The data directory could not be created or used.
    #[error("data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The database could not be opened or reached (missing permission,
    /// not a database, server down, wrong password…).
    #[error("cannot open the store {location}: {source}")]
    Open {
        /// The database file, or the PostgreSQL URL without its password.
        location: String,
        /// The driver's reason.
        #[source]
        source: sqlx::Error,
    },
    /// Copying a store into another failed: the target is not empty, or
    /// the counts differ (nothing was written then).
    #[error("cannot copy the store: {0}")]
    Transfer(String),
    /// `store.url` names no store numis can use.
    #[error("{0}")]
    Location(String),
    /// Migrating the schema failed.
    #[error("cannot migrate database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Another account already has this normalised pseudonym.
    #[error("pseudonym taken")]
    PseudonymTaken,
    /// The write-ahead log could not be truncated because a reader was
    /// still using it; the data are deleted, but erased bytes may remain in
    /// the `-wal` file until the next checkpoint. Retrying the checkpoint
    /// (any later erasure) removes them.
    #[error("cannot truncate the write-ahead log: a reader is still using it")]
    CheckpointBusy,
    /// A query failed (disk full, read-only file system, lock timeout…).
    #[error("{operation}: {source}")]
    Query {
        /// What the store was doing.
        operation: &'static str,
        /// The driver's reason.
        #[source]
        source: sqlx::Error,
    },
}

impl StoreError {
    pub(crate) fn query(operation: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |source| Self::Query { operation, source }
    }
}
