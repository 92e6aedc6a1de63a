//! `numis audit` (docs/audit.md): proves the privacy and licence promises
//! of the portal's legal pages live, on the running installation with its
//! own configuration, pages and data. It reads the portal as a visitor's
//! browser without cookies would ([`crawl`]), judges each clause from what
//! it answered ([`live`]) and from the configuration ([`configured`]), and
//! writes a [`report::Report`]. It changes nothing: it only reads, and its
//! requests are counted like any other.

pub mod clauses;
pub mod configured;
pub mod crawl;
pub mod data;
pub mod doors;
pub mod drawings;
pub mod findings;
pub mod http;
pub mod live;
pub mod markers;
pub mod pages;
pub mod presentations;
pub mod report;
pub mod uploads;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};
use url::Url;

use crate::config::Config;
use findings::Findings;
use numis_map::config::MapConfig;
use report::{Report, Row};

/// What the audit may read besides the portal's answers.
#[derive(Debug, Default, Clone)]
pub struct Local {
    /// The portal runs on this machine: its data directory is searched.
    pub same_machine: bool,
    /// The server's log file, searched for the markers (P1).
    pub log: Option<PathBuf>,
    /// The store's record of the last daily purge (P8), when it was read.
    pub last_purge: LastPurge,
}

/// When the daily purge last ran, as the store recorded it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum LastPurge {
    /// The store was not read (a remote portal).
    #[default]
    NotRead,
    /// No purge was ever recorded.
    Never,
    /// The last purge started at this Unix time and did not end.
    Unfinished { started: i64 },
    /// The last purge ended at this Unix time.
    Finished { at: i64 },
}

/// Audits the portal at `base`, which runs with `config` (read from
/// `config_file`, if any).
pub async fn run(config: &Config, config_file: Option<&Path>, base: &Url, local: &Local) -> Report {
    let mut not_run: Vec<String> = Vec::new();
    // A map.toml that cannot be read leaves L1 unjudged (and P3 without
    // the base maps it names), rather than judged on nothing.
    let map = match numis_map::config::read(&config.site_dir.join(numis_map::catalog::MAP_FILE)) {
        Ok(map) => Some(map),
        Err(e) => {
            not_run.push(format!("L1: map.toml could not be read: {e}"));
            None
        }
    };
    let live = match client() {
        Ok(client) => Live::check(&client, base, config, local, map.as_ref()).await,
        Err(e) => Live {
            not_run: vec![format!("no HTTP client ({e}): the live checks did not run")],
            ..Live::default()
        },
    };
    not_run.extend(live.not_run);
    let mut rows = live.rows;
    rows.push(configured::statistics(config));
    rows.push(configured::drawings(config, live.p8, local.last_purge));
    if let Some(map) = &map {
        let (l1, l2, l4) = match live.presented {
            Some(p) => (Some(p.l1), Some(p.l2), Some(p.l4)),
            None => (None, None, None),
        };
        rows.push(configured::licences(map.as_ref(), l1));
        rows.extend(l2.and_then(|l2| l2.row(&clauses::L2)));
        rows.extend(l4.and_then(|l4| l4.row(&clauses::L4)));
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
        reached: live.reached,
    }
}

/// The audit's HTTP client: a browser without cookies that follows no
/// redirect and ignores proxy settings (the portal is asked itself).
fn client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("numis-audit/", env!("CARGO_PKG_VERSION")))
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
}

/// What the running portal showed.
#[derive(Default)]
struct Live {
    /// Did it serve a page? Without, nothing was judged live.
    reached: bool,
    rows: Vec<Row>,
    not_run: Vec<String>,
    /// The saved test drawing's findings for P8, judged with the settings.
    p8: Option<Findings>,
    /// The prints and images, for L1 (with map.toml), L2 and L4.
    presented: Option<presentations::Presentations>,
}

impl Live {
    /// Reads the portal at `base` and judges what it answered. `map` is
    /// its map.toml (`None` when it could not be read, `Some(None)` for a
    /// site without map).
    async fn check(
        client: &reqwest::Client,
        base: &Url,
        config: &Config,
        local: &Local,
        map: Option<&Option<MapConfig>>,
    ) -> Self {
        let mut live = Self::default();
        let crawl = crawl::crawl(client, base).await;
        live.not_run
            .extend(crawl.failures.iter().map(|f| format!("could not read {f}")));
        // A portal that did not answer proves nothing: its rows are not
        // judged rather than holding on no evidence.
        live.reached = crawl.answers.iter().any(|a| a.is_html() && a.status == 200);
        if !live.reached {
            live.not_run.push(format!(
                "P1, P3–P7, P9–P13, L2–L7, T: {base} served no page, so nothing was checked live"
            ));
            return live;
        }
        let site_map = map.and_then(Option::as_ref);
        live.markers(client, base, config, local).await;
        live.rows.push(live::third_parties(
            &crawl,
            base,
            site_map,
            &config.external,
        ));
        live.rows.push(live::cookies(&crawl));
        live.rows.push(live::framing(&crawl));
        live.rows.push(live::transport(&crawl, base));
        live.citizen(client, base, config, local).await;
        let doors = doors::check(client, base, config.operator_token(), site_map).await;
        live.not_run.extend(doors.not_run);
        live.rows.extend(doors.p12.row(&clauses::P12));
        live.rows.extend(pages::privacy(&crawl).row(&clauses::P13));
        live.rows.extend(pages::terms(&crawl).row(&clauses::L6));
        if map.is_none() {
            return live;
        }
        let restricted = live::restricted(&crawl, site_map);
        live.rows.push(live::with_role_holder(restricted, doors.l7));
        if let Some(site_map) = site_map {
            let site_dir = local.same_machine.then_some(config.site_dir.as_path());
            let data = data::check(client, base, &crawl, site_map, site_dir).await;
            live.not_run.extend(data.not_run);
            live.rows.extend(data.l3.row(&clauses::L3));
            live.rows.extend(data.l5.row(&clauses::L5));
        }
        let mut shown =
            presentations::check(client, base, &crawl.json("/api/layers"), &imprint(config)).await;
        live.not_run.append(&mut shown.not_run);
        live.presented = Some(shown);
        live
    }

    /// P1: markers sent, then searched for where the portal keeps data.
    async fn markers(
        &mut self,
        client: &reqwest::Client,
        base: &Url,
        config: &Config,
        local: &Local,
    ) {
        // After the statistics' next write, so what they keep is stored.
        let wait = Duration::from_secs(config.stats.flush_seconds + 1);
        let postgres = config
            .store_location()
            .ok()
            .filter(|l| matches!(l, numis_store::StoreLocation::Postgres(_)));
        let places = markers::Places {
            data_dir: local.same_machine.then_some(config.data_dir.as_path()),
            log: local.log.as_deref(),
            postgres: postgres.as_ref(),
        };
        let (p1, not_run) = markers::check(client, base, places, wait).await;
        self.rows.extend(p1);
        self.not_run.extend(not_run);
    }

    /// P4, P7, P9–P11 (and P8's evidence): what a citizen does with
    /// drawings and files.
    async fn citizen(
        &mut self,
        client: &reqwest::Client,
        base: &Url,
        config: &Config,
        local: &Local,
    ) {
        let life = drawings::check(client, base, config).await;
        let uploads = uploads::check(client, base, config, local.same_machine).await;
        self.not_run.extend(life.not_run);
        self.not_run.extend(uploads.not_run);
        self.rows.extend(life.p4.row(&clauses::P4));
        self.rows.extend(uploads.p7.row(&clauses::P7));
        self.rows.extend(life.p9.row(&clauses::P9));
        self.rows.extend(life.p10.row(&clauses::P10));
        let mut p11 = life.p11;
        p11.absorb(uploads.p11);
        self.rows.extend(p11.row(&clauses::P11));
        self.p8 = Some(life.p8);
    }
}

/// The portal's name and today's date, as its exported images write them
/// below their notes.
fn imprint(config: &Config) -> String {
    let title = numis_cms::SiteConfig::load(&config.site_dir)
        .map(|c| c.title)
        .unwrap_or_default();
    format!("{title} · {}", crate::print::today("de"))
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
