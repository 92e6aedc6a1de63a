//! `numis audit` (docs/audit.md): proves the privacy and licence promises
//! of the portal's legal pages live, on the running installation with its
//! own configuration, pages and data. It reads the portal as a visitor's
//! browser without cookies would ([`crawl`]), judges each clause from what
//! it answered ([`live`]) and from the configuration ([`configured`]), and
//! writes a [`report::Report`]. It changes nothing: it only reads, and its
//! requests are counted like any other.

pub mod configured;
pub mod crawl;
pub mod live;
pub mod markers;
pub mod report;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};
use url::Url;

use crate::config::Config;
use report::Report;

/// The clauses this version judges; the others are listed as not run.
const NOT_YET: &[&str] = &[
    "P4, P7, P9–P13",
    "L2–L6 (prints and images read back, personal fields asked for)",
    "L7 for a role holder (the restricted layer present with the role)",
];

/// What the audit may read besides the portal's answers.
#[derive(Debug, Default, Clone)]
pub struct Local {
    /// The portal runs on this machine: its data directory is searched.
    pub same_machine: bool,
    /// The server's log file, searched for the markers (P1).
    pub log: Option<PathBuf>,
}

/// Audits the portal at `base`, which runs with `config` (read from
/// `config_file`, if any).
pub async fn run(config: &Config, config_file: Option<&Path>, base: &Url, local: &Local) -> Report {
    let mut not_run: Vec<String> = NOT_YET
        .iter()
        .map(|c| format!("{c}: not checked by this version of numis audit"))
        .collect();
    // A map.toml that cannot be read leaves L1 unjudged (and P3 without
    // the base maps it names), rather than judged on nothing.
    let (map, map_read) =
        match numis_map::config::read(&config.site_dir.join(numis_map::catalog::MAP_FILE)) {
            Ok(map) => (map, true),
            Err(e) => {
                not_run.push(format!("L1: map.toml could not be read: {e}"));
                (None, false)
            }
        };
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("numis-audit/", env!("CARGO_PKG_VERSION")))
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build();
    let mut rows = Vec::new();
    let mut reached = false;
    match client {
        Ok(client) => {
            let crawl = crawl::crawl(&client, base).await;
            not_run.extend(crawl.failures.iter().map(|f| format!("could not read {f}")));
            // A portal that did not answer proves nothing: its rows are
            // not judged rather than holding on no evidence.
            reached = crawl.answers.iter().any(|a| a.is_html() && a.status == 200);
            if reached {
                // After the statistics' next write, so what they keep is on disk.
                let wait = Duration::from_secs(config.stats.flush_seconds + 1);
                let data_dir = local.same_machine.then_some(config.data_dir.as_path());
                let (p1, p1_not_run) =
                    markers::check(&client, base, data_dir, local.log.as_deref(), wait).await;
                rows.extend(p1);
                not_run.extend(p1_not_run);
                if config
                    .store
                    .url
                    .as_deref()
                    .is_some_and(|u| u.starts_with("postgres"))
                {
                    not_run.push(
                        "P1: the PostgreSQL store was not searched (only the data directory)"
                            .into(),
                    );
                }
                rows.push(live::third_parties(&crawl, base, map.as_ref()));
                rows.push(live::cookies(&crawl));
                rows.push(live::framing(&crawl));
                rows.push(live::transport(&crawl, base));
                if map_read {
                    rows.push(live::restricted(&crawl, map.as_ref()));
                }
            } else {
                not_run.push(format!(
                    "P1, P3, P5, P6, L7, T: {base} served no page, so nothing was checked live"
                ));
            }
        }
        Err(e) => not_run.push(format!("no HTTP client ({e}): the live checks did not run")),
    }
    rows.push(configured::statistics(config));
    rows.push(configured::drawings(config));
    if map_read {
        rows.push(configured::licences(map.as_ref()));
    }
    rows.push(configured::retention(config));
    rows.sort_by_key(|r| clause_order(&r.clause));
    Report {
        version: env!("CARGO_PKG_VERSION").into(),
        url: base.to_string(),
        config_hash: config_hash(config_file),
        time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        rows,
        not_run,
        reached,
    }
}

/// P before L before T, then by number.
fn clause_order(clause: &str) -> (u8, u32) {
    let group = match clause.chars().next() {
        Some('P') => 0,
        Some('L') => 1,
        _ => 2,
    };
    (group, clause[1..].parse().unwrap_or(0))
}

/// SHA-256 of the configuration file as read, `none` without one.
fn config_hash(file: Option<&Path>) -> String {
    match file.map(std::fs::read) {
        None => "none (defaults and environment)".into(),
        Some(Ok(bytes)) => format!("sha256:{:x}", Sha256::digest(bytes)),
        Some(Err(e)) => format!("unreadable ({e})"),
    }
}
