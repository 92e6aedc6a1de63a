//! Test support for the crates that test against both databases: a fresh
//! PostgreSQL schema per test, dropped afterwards. Compiled with the
//! feature `testing` only.
//!
//! The server is the local one of the test machine
//! (`postgres://postgres@127.0.0.1:5432/test`, trust authentication), or
//! the one `NUMIS_TEST_POSTGRES_URL` names. When it cannot be reached the
//! PostgreSQL tests are skipped with a message, except under `CI=true`,
//! where that is a failure.

use std::hash::{BuildHasher, Hasher};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection, Executor};

/// The test database when `NUMIS_TEST_POSTGRES_URL` is not set.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Schemas of test runs that died before dropping theirs are dropped by
/// the next run once they are this old.
const STALE_AFTER: Duration = Duration::from_secs(6 * 3600);

/// The PostgreSQL server the tests use.
pub fn postgres_url() -> String {
    std::env::var("NUMIS_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// A schema of its own in the test database; dropped, with everything in
/// it, when this is dropped.
#[derive(Debug)]
pub struct ScratchSchema {
    name: String,
    base_url: String,
    url: String,
}

impl ScratchSchema {
    /// Creates a new schema, or `None` (after saying so on stderr) when
    /// the server cannot be reached outside CI.
    ///
    /// # Panics
    /// When the server cannot be reached under `CI=true`, or refuses to
    /// create the schema.
    pub async fn create() -> Option<Self> {
        let base_url = postgres_url();
        let mut admin = match connect(&base_url).await {
            Ok(admin) => admin,
            Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
                eprintln!("skipped: PostgreSQL at {base_url} cannot be reached ({e})");
                return None;
            }
            Err(e) => panic!("PostgreSQL at {base_url} cannot be reached: {e}"),
        };
        drop_stale_schemas(&mut admin).await;
        let name = format!("numis_test_{}_{:016x}", unix_now(), random());
        admin
            .execute(format!("CREATE SCHEMA {name}").as_str())
            .await
            .unwrap_or_else(|e| panic!("cannot create schema {name}: {e}"));
        let separator = if base_url.contains('?') { '&' } else { '?' };
        // The application name lets a test find the schema's connections.
        let url = format!(
            "{base_url}{separator}options=-c%20search_path%3D{name}&application_name={name}"
        );
        Some(Self {
            name,
            base_url,
            url,
        })
    }

    /// [`Self::create`] for callers that are not async, or that run
    /// inside a runtime they must not block on: on a thread of its own.
    pub fn create_blocking() -> Option<Self> {
        on_own_runtime(Self::create())
    }

    /// The URL of the test database with this schema first in the search
    /// path: what `store.url` is set to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every row of every table in the schema, as PostgreSQL writes a row
    /// as text, by table (for tests that look for what must not be
    /// stored). On a thread of its own, like [`Self::create_blocking`].
    pub fn dump_blocking(&self) -> Vec<(String, String)> {
        let (url, name) = (self.base_url.clone(), self.name.clone());
        on_own_runtime(async move {
            let mut admin = connect(&url).await.expect("PostgreSQL");
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables
                 WHERE table_schema = $1 ORDER BY 1",
            )
            .bind(&name)
            .fetch_all(&mut admin)
            .await
            .expect("the schema's tables");
            let mut dump = Vec::new();
            for table in tables {
                let rows: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT t::text FROM {name}.{table} t"))
                        .fetch_all(&mut admin)
                        .await
                        .expect("the table's rows");
                dump.push((table, rows.join("\n")));
            }
            dump
        })
    }

    /// The schema's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for ScratchSchema {
    fn drop(&mut self) {
        // Drop cannot await, and the test's runtime may be the current
        // thread's: a short-lived runtime on a thread of its own does it.
        // The store under test may still hold connections, even one in a
        // transaction whose rollback its (blocked) runtime never sent:
        // they are ended first, so that dropping the schema waits for no
        // lock.
        let terminate = format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{}'",
            self.name
        );
        let sql = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name);
        let url = self.base_url.clone();
        let dropped = on_own_runtime(async move {
            let mut admin = connect(&url).await?;
            admin.execute(terminate.as_str()).await?;
            admin.execute(sql.as_str()).await?;
            Ok::<_, sqlx::Error>(())
        });
        if let Err(e) = dropped {
            eprintln!("schema {} not dropped: {e}", self.name);
        }
    }
}

/// Runs `future` to its end on a runtime of its own on a thread of its
/// own: from `Drop`, from code that is not async, and from inside a test's
/// runtime, which must not be blocked on.
fn on_own_runtime<F>(future: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the test database")
            .block_on(future)
    })
    .join()
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

async fn connect(url: &str) -> Result<PgConnection, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?.disable_statement_logging();
    tokio::time::timeout(Duration::from_secs(5), PgConnection::connect_with(&options))
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)?
}

/// Drops the schemas that test runs killed before their end left behind.
async fn drop_stale_schemas(admin: &mut PgConnection) {
    let Ok(names) = sqlx::query_scalar::<_, String>(
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'numis\\_test\\_%'",
    )
    .fetch_all(&mut *admin)
    .await
    else {
        return;
    };
    let cutoff = unix_now().saturating_sub(STALE_AFTER.as_secs());
    for name in names {
        let created = name
            .strip_prefix("numis_test_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|seconds| seconds.parse::<u64>().ok());
        if created.is_some_and(|created| created < cutoff) {
            let _ = admin
                .execute(format!("DROP SCHEMA IF EXISTS {name} CASCADE").as_str())
                .await;
        }
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Unique enough for schema names: the standard library's randomly
/// seeded hasher over a counter.
fn random() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos()),
    );
    hasher.finish()
}
