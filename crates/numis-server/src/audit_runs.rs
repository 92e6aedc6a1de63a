//! The privacy audit started from the console: [`crate::audit`] run by the
//! server against itself, over loopback at the address it listens on, as
//! `numis audit` on the same machine would (its data directory searched,
//! no log). At most one run at a time, in the background; the latest
//! report is kept in the data directory ([`LATEST_FILE`]) so that it
//! survives a restart.
//!
//! No HTTP here beyond the audit's own requests: the console's page
//! (`routes/console/privacy_audit`) starts runs, waits for them and shows
//! what [`read_latest`] finds.

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;
use url::Url;

use crate::audit::report::Report;
use crate::audit::{self, LastPurge, Local};
use crate::config::Config;

/// The latest report, below the data directory.
pub const LATEST_FILE: &str = "audit/latest.json";

/// What a run that ended without a report is said to have done, unless
/// it says more.
const STOPPED: &str = "the audit stopped before it finished";

/// A run under way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    /// When it started.
    pub since: DateTime<Utc>,
    /// Who started it (an operator's pseudonym).
    pub by: String,
}

/// What the runs are doing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunState {
    /// The run under way, if any.
    pub running: Option<Running>,
    /// Why the last run left no report; cleared when the next one starts.
    pub failure: Option<String>,
}

/// The runs of this server process. Several instances behind one load
/// balancer each run and keep their own (each has its own data directory).
#[derive(Debug)]
pub struct AuditRuns {
    state: watch::Sender<RunState>,
}

impl Default for AuditRuns {
    fn default() -> Self {
        Self {
            state: watch::Sender::new(RunState::default()),
        }
    }
}

impl AuditRuns {
    /// What the runs are doing now.
    pub fn state(&self) -> RunState {
        self.state.borrow().clone()
    }

    /// Starts a run by `by` against `base` with `config`, unless one is
    /// under way; whether it started. The report is written to
    /// [`LATEST_FILE`] in `config.data_dir` when the run ends.
    /// `last_purge` is the store's record of the daily purge (P8), read
    /// by the caller on the server's runtime.
    pub fn start(
        self: &Arc<Self>,
        config: Arc<Config>,
        base: Url,
        by: &str,
        last_purge: LastPurge,
    ) -> bool {
        // Checked and claimed in one step: two clicks at once start one run.
        let started = self.state.send_if_modified(|state| {
            if state.running.is_some() {
                return false;
            }
            *state = RunState {
                running: Some(Running {
                    since: Utc::now(),
                    by: by.to_owned(),
                }),
                failure: None,
            };
            true
        });
        if !started {
            return false;
        }
        let mut finish = Finish {
            runs: Arc::clone(self),
            failure: Some(STOPPED.to_owned()),
        };
        // A thread of its own with its own runtime, not a task of the
        // server's: the audit reads the whole data directory with blocking
        // I/O while the server must go on answering the audit's requests
        // (and everyone else's) on its few workers. `finish` ends the run
        // also when the thread panics or cannot be started.
        let spawned = std::thread::Builder::new()
            .name("numis-audit".into())
            .spawn(move || {
                finish.failure = run(&config, &base, last_purge).err();
                drop(finish);
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "privacy audit: no thread to run it");
        }
        true
    }

    /// Waits up to `limit` for the run under way to end; what the runs
    /// are doing then.
    pub async fn finished(&self, limit: Duration) -> RunState {
        let mut changes = self.state.subscribe();
        let ended = changes.wait_for(|state| state.running.is_none());
        if tokio::time::timeout(limit, ended).await.is_err() {
            tracing::debug!("privacy audit: still running after the wait");
        }
        self.state()
    }
}

/// Ends the run when dropped: no run stays "under way" for good, whatever
/// happened to it.
struct Finish {
    runs: Arc<AuditRuns>,
    failure: Option<String>,
}

impl Drop for Finish {
    fn drop(&mut self) {
        let failure = self.failure.take();
        if let Some(failure) = &failure {
            tracing::error!(failure = %failure, "privacy audit: no report");
        }
        self.runs.state.send_modify(|state| {
            state.running = None;
            state.failure = failure;
        });
    }
}

/// Audits the portal at `base` and writes the report; why not, if not.
fn run(config: &Config, base: &Url, last_purge: LastPurge) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("no runtime for the audit: {e}"))?;
    let local = Local {
        same_machine: true,
        log: None,
        last_purge,
    };
    let report = runtime.block_on(audit::run(config, config.file.as_deref(), base, &local));
    tracing::info!(
        all_hold = report.all_hold(),
        "privacy audit: report of {base} written"
    );
    write_latest(&config.data_dir, &report).map_err(|e| e.to_string())
}

/// The address the server reaches itself at: its bind address over
/// loopback when it listens on every interface (as `numis audit` does).
pub fn loopback_url(bind: SocketAddr) -> Result<Url, url::ParseError> {
    let ip = match bind.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    Url::parse(&format!("http://{}/", SocketAddr::new(ip, bind.port())))
}

/// The latest report could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LatestError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a report (of this version of numis).
    #[error("{path}: not a report: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What was wrong with it.
        #[source]
        source: serde_json::Error,
    },
}

/// The latest report in `data_dir`, `None` before the first run.
pub fn read_latest(data_dir: &Path) -> Result<Option<Report>, LatestError> {
    let path = data_dir.join(LATEST_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(LatestError::Io { path, source }),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|source| LatestError::Parse { path, source })
}

/// Writes `report` as the latest in `data_dir`: to a file beside it first,
/// then renamed over it, so that a crash leaves the old report or the new
/// one, never half of one.
pub fn write_latest(data_dir: &Path, report: &Report) -> Result<(), LatestError> {
    let path = data_dir.join(LATEST_FILE);
    let partial = path.with_extension("json.partial");
    let io = |source| LatestError::Io {
        path: path.clone(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut file = std::fs::File::create(&partial).map_err(io)?;
    file.write_all(report.to_json().as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    std::fs::rename(&partial, &path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::report::{Row, Verdict};

    fn report() -> Report {
        Report {
            version: "0.1.0".into(),
            url: "http://127.0.0.1:8080/".into(),
            config_hash: "none".into(),
            time: "2026-12-07T09:00:00Z".into(),
            rows: vec![Row::judged(
                "P5",
                "no cookies",
                vec!["25 answers".into()],
                vec![],
                "x",
            )],
            not_run: vec!["P4: not checked".into()],
            reached: true,
        }
    }

    #[test]
    fn the_latest_report_reads_back_and_none_before_the_first() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_latest(dir.path()).unwrap().is_none());
        write_latest(dir.path(), &report()).unwrap();
        let read = read_latest(dir.path()).unwrap().unwrap();
        assert_eq!(read.to_json(), report().to_json());
        assert_eq!(read.row("P5").map(|r| r.verdict), Some(Verdict::Holds));
        // Written again: replaced, with nothing left beside it.
        write_latest(dir.path(), &read).unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path().join("audit"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(files, ["latest.json"]);
    }

    #[test]
    fn a_broken_file_is_an_error_that_names_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("audit")).unwrap();
        std::fs::write(dir.path().join(LATEST_FILE), "{").unwrap();
        let error = read_latest(dir.path()).unwrap_err().to_string();
        assert!(error.contains("latest.json: not a report"), "{error}");
    }

    #[test]
    fn a_wildcard_bind_address_is_reached_over_loopback() {
        let url = |bind: &str| loopback_url(bind.parse().unwrap()).unwrap().to_string();
        assert_eq!(url("0.0.0.0:8080"), "http://127.0.0.1:8080/");
        assert_eq!(url("[::]:8080"), "http://[::1]:8080/");
        assert_eq!(url("192.0.2.1:80"), "http://192.0.2.1/");
    }

    #[tokio::test]
    async fn one_run_at_a_time_and_a_run_always_ends() {
        let dir = tempfile::tempdir().unwrap();
        let config = Arc::new(Config {
            data_dir: dir.path().to_owned(),
            ..Config::default()
        });
        let runs = Arc::new(AuditRuns::default());
        // Nothing listens on port 9: the audit ends quickly, unreached.
        let base = Url::parse("http://127.0.0.1:9/").unwrap();
        assert!(runs.start(config.clone(), base.clone(), "Olga", LastPurge::NotRead));
        assert!(
            !runs.start(config.clone(), base.clone(), "Paul", LastPurge::NotRead),
            "a second run while one is under way"
        );
        let state = runs.finished(Duration::from_secs(60)).await;
        assert_eq!(state, RunState::default(), "ended, with a report");
        let report = read_latest(dir.path()).unwrap().unwrap();
        assert!(!report.reached && !report.all_hold());
        assert!(
            runs.start(config, base, "Paul", LastPurge::NotRead),
            "and then another"
        );
        runs.finished(Duration::from_secs(60)).await;
    }
}
