//! Where the store lives and how numis connects to it: a SQLite file in
//! the data directory (the default, nothing to set up) or a PostgreSQL
//! database named by a `postgres://` URL, shared by any number of numis
//! instances. Both are reached through sqlx's `Any` driver, so one set of
//! queries serves both; the few places where the dialects differ ask
//! [`Backend`].

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Once;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyPool, ConnectOptions, Executor};

use crate::error::{Result, StoreError};

/// File name of the SQLite database inside the data directory.
pub const DATABASE_FILE: &str = "numis.sqlite";

/// Reading connections of SQLite (WAL readers do not block the writer or
/// each other).
const SQLITE_READERS: u32 = 4;

/// Connections to PostgreSQL per numis instance. Ten instances stay far
/// below PostgreSQL's default of 100 connections.
const POSTGRES_CONNECTIONS: u32 = 8;

/// How long a request waits for a connection before the store counts as
/// unreachable (and `/healthz` answers 503): short, so that a store that
/// is down is reported at once instead of holding every request.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long one statement may run on PostgreSQL before the server stops
/// it: no query of numis needs more than a fraction of a second, so a
/// stuck one must not hold a connection for ever.
const POSTGRES_STATEMENT_TIMEOUT_MS: u32 = 30_000;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// How many migrations the PostgreSQL schema has (for tests).
#[cfg(test)]
pub(crate) fn postgres_migrations() -> usize {
    POSTGRES_MIGRATIONS.iter().count()
}

/// Where the store is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// The file [`DATABASE_FILE`] in this data directory.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by its `postgres://` (or `postgresql://`)
    /// URL.
    Postgres(String),
}

impl StoreLocation {
    /// The store that `[store] url` names, or the SQLite file in
    /// `data_dir` when no URL is set. `sqlite:` URLs name a data
    /// directory (`sqlite:///srv/numis`). Anything else is an error that
    /// says what is accepted.
    pub fn from_setting(url: Option<&str>, data_dir: &Path) -> Result<Self> {
        let Some(url) = url.map(str::trim).filter(|url| !url.is_empty()) else {
            return Ok(Self::Sqlite(data_dir.to_owned()));
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        Err(StoreError::Location(format!(
            "store.url must start with postgres:// or sqlite://, not {:?}",
            redacted(url)
        )))
    }

    /// The location for messages and logs: a PostgreSQL URL without its
    /// password.
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(dir) => dir.join(DATABASE_FILE).display().to_string(),
            Self::Postgres(url) => redacted(url),
        }
    }
}

/// The two kinds of database numis can keep its store in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One file, one writer.
    Sqlite,
    /// A server shared by several instances.
    Postgres,
}

/// The pools of an open store: SQLite writes through one connection and
/// reads through a few (see [`crate::SqlStore`]); on PostgreSQL both are
/// the same pool.
pub(crate) struct Pools {
    pub writer: AnyPool,
    pub reader: AnyPool,
}

/// Opens the store at `location`, creating and migrating it as needed.
pub(crate) async fn connect(location: &StoreLocation) -> Result<(Backend, Pools)> {
    install_drivers();
    match location {
        StoreLocation::Sqlite(dir) => Ok((Backend::Sqlite, connect_sqlite(dir).await?)),
        StoreLocation::Postgres(url) => Ok((Backend::Postgres, connect_postgres(url).await?)),
    }
}

fn install_drivers() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(sqlx::any::install_default_drivers);
}

async fn connect_sqlite(data_dir: &Path) -> Result<Pools> {
    std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
        path: data_dir.to_owned(),
        source,
    })?;
    // Absolute, because the driver takes the file as a URL, where a
    // relative path's first part would be read as a host.
    let path = std::path::absolute(data_dir.join(DATABASE_FILE)).map_err(|source| {
        StoreError::DataDir {
            path: data_dir.to_owned(),
            source,
        }
    })?;
    let location = path.display().to_string();
    let open_error = |source| StoreError::Open {
        location: location.clone(),
        source,
    };
    let file = SqliteConnectOptions::from_str("sqlite:")
        .map_err(open_error)?
        .filename(&path);
    let writer = AnyPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(|connection, _| {
            Box::pin(async move {
                // WAL lets readers go on beside the writer; the mode is
                // kept in the file, so the read-only connections find it.
                connection.execute("PRAGMA journal_mode = WAL").await?;
                connection.execute(SQLITE_CONNECTION_PRAGMAS).await?;
                Ok(())
            })
        })
        .connect_with(any_options(&file.clone().create_if_missing(true)).map_err(open_error)?)
        .await
        .map_err(open_error)?;
    SQLITE_MIGRATIONS.run(&writer).await?;
    let reader = AnyPoolOptions::new()
        .max_connections(SQLITE_READERS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(|connection, _| {
            Box::pin(async move {
                connection.execute(SQLITE_CONNECTION_PRAGMAS).await?;
                Ok(())
            })
        })
        .connect_with(any_options(&file.read_only(true)).map_err(open_error)?)
        .await
        .map_err(open_error)?;
    Ok(Pools { writer, reader })
}

/// What SQLite keeps per connection, set on every one:
/// - an acknowledged save (a drawing) must survive a power cut, not only
///   a crash: every commit waits for its WAL write to reach the disk;
/// - erasure (clause P3, account deletion) must leave no trace: deleted
///   rows are overwritten with zeros instead of only being unlinked;
/// - the accounts' tables cascade;
/// - a writer of another process (`numis account …` beside the server)
///   is waited for up to 5 s.
const SQLITE_CONNECTION_PRAGMAS: &str = "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";

/// The `Any` driver's options for a SQLite file: its URL (the pragmas are
/// set after connecting, as the URL cannot carry them).
fn any_options(
    options: &SqliteConnectOptions,
) -> std::result::Result<AnyConnectOptions, sqlx::Error> {
    AnyConnectOptions::from_url(&options.to_url_lossy())
}

async fn connect_postgres(url: &str) -> Result<Pools> {
    let open_error = |source| StoreError::Open {
        location: redacted(url),
        source,
    };
    // Parsed by the PostgreSQL driver first, so that a malformed URL is
    // reported as such and not as a connection failure.
    PgConnectOptions::from_str(url).map_err(open_error)?;
    let pool = AnyPoolOptions::new()
        .max_connections(POSTGRES_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // Connections are checked before use, so after the database was
        // restarted the pool drops the dead ones and opens new ones by
        // itself.
        .test_before_acquire(true)
        .after_connect(|connection, _| {
            Box::pin(async move {
                connection
                    .execute(
                        format!("SET statement_timeout = {POSTGRES_STATEMENT_TIMEOUT_MS}").as_str(),
                    )
                    .await?;
                Ok(())
            })
        })
        .connect_with(AnyConnectOptions::from_str(url).map_err(open_error)?)
        .await
        .map_err(open_error)?;
    // sqlx's PostgreSQL migrator holds an advisory lock while it runs, so
    // of several instances starting together one migrates and the others
    // wait and then find the schema current.
    POSTGRES_MIGRATIONS.run(&pool).await?;
    Ok(Pools {
        writer: pool.clone(),
        reader: pool,
    })
}

/// `url` without the password, for messages and logs.
pub(crate) fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Setting a password fails only for URLs without a host,
            // which have none to hide.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "(not a URL)".to_owned(),
    }
}
