//! `numis audit` (docs/audit.md): proves the privacy and licence promises
//! of the portal's legal pages live, on the running installation with its
//! own configuration, pages and data. It reads the portal as a visitor's
//! browser without cookies would ([`crawl`]), judges each clause from what
//! it answered ([`live`]) and from the configuration ([`configured`]), and
//! writes a [`report::Report`]. It changes nothing: it only reads, and its
//! requests are counted like any other.

pub mod configured;
pub mod crawl;
pub mod data;
pub mod doors;
pub mod drawings;
pub mod findings;
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
use report::Report;

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
    let mut presented = None;
    let mut drawings_live = None;
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
                let postgres = config
                    .store_location()
                    .ok()
                    .filter(|l| matches!(l, numis_store::StoreLocation::Postgres(_)));
                let places = markers::Places {
                    data_dir,
                    log: local.log.as_deref(),
                    postgres: postgres.as_ref(),
                };
                let (p1, p1_not_run) = markers::check(&client, base, places, wait).await;
                rows.extend(p1);
                not_run.extend(p1_not_run);
                rows.push(live::third_parties(
                    &crawl,
                    base,
                    map.as_ref(),
                    &config.external,
                ));
                rows.push(live::cookies(&crawl));
                rows.push(live::framing(&crawl));
                rows.push(live::transport(&crawl, base));
                let life = drawings::check(&client, base, config).await;
                let uploads = uploads::check(&client, base, config, local.same_machine).await;
                not_run.extend(life.not_run);
                not_run.extend(uploads.not_run);
                rows.push(life.p4.row(
                    "P4",
                    "usable without personal data, or under a pseudonym",
                    "Let no proxy or template demand a login or set a cookie for drawing and sharing; the drawings API needs neither.",
                ));
                rows.push(uploads.p7.row(
                    "P7",
                    "users' own data in the viewer",
                    "Keep files read by the portal (/api/convert) and files by URL fetched by numis under [external]'s rules; allow no private addresses.",
                ));
                rows.push(life.p9.row(
                    "P9",
                    "the creator can delete at any time",
                    "Keep the drawings API as numis serves it: the edit key alone changes and deletes a drawing.",
                ));
                rows.push(life.p10.row(
                    "P10",
                    "others view and copy, never change",
                    "Keep the drawings API as numis serves it: without the key a change is refused, a copy gets its own key.",
                ));
                let mut p11 = life.p11;
                p11.absorb(uploads.p11);
                rows.push(p11.row(
                    "P11",
                    "no abuse; content shown safely",
                    "Keep the upload limits ([drawings] max_upload_bytes, max_features, max_vertices) and let no proxy pass larger bodies to other handlers.",
                ));
                drawings_live = Some(life.p8);
                let doors =
                    doors::check(&client, base, config.operator_token(), map.as_ref()).await;
                not_run.extend(doors.not_run);
                rows.push(doors.p12.row(
                    "P12",
                    "the operator may delete at any time",
                    "Keep the console and /api/admin/… behind numis's own door: let no proxy answer them, and give the operator role only to the operators.",
                ));
                rows.push(pages::privacy(&crawl).row(
                    "P13",
                    "the privacy page is published",
                    "Keep the privacy page at /datenschutz (pages/datenschutz in the site).",
                ));
                rows.push(pages::terms(&crawl).row(
                    "L6",
                    "no guarantee of currency",
                    "State on the terms page (/nutzungshinweise) that the data come without a guarantee of currency, correctness and completeness.",
                ));
                if map_read {
                    let restricted = live::restricted(&crawl, map.as_ref());
                    rows.push(live::with_role_holder(restricted, doors.l7));
                    if let Some(map) = map.as_ref() {
                        let site_dir = local.same_machine.then_some(config.site_dir.as_path());
                        let data = data::check(&client, base, &crawl, map, site_dir).await;
                        not_run.extend(data.not_run);
                        rows.push(data.l3.row(
                            "L3",
                            "personal data are excluded from external use",
                            "List every field that holds personal data in the layer's `personal` in map.toml: numis then keeps it from every output.",
                        ));
                        rows.push(data.l5.row(
                            "L5",
                            "open geodata free to use, with their licence",
                            "Give each layer its licence (`licence = { id, url }`) and source note; set `open_data` only for data whose licence allows it.",
                        ));
                    }
                    let imprint = imprint(config);
                    let mut shown = presentations::check(&client, base, &imprint).await;
                    not_run.append(&mut shown.not_run);
                    presented = Some(shown);
                }
            } else {
                not_run.push(format!(
                    "P1, P3–P7, P9–P13, L2–L7, T: {base} served no page, so nothing was checked live"
                ));
            }
        }
        Err(e) => not_run.push(format!("no HTTP client ({e}): the live checks did not run")),
    }
    rows.push(configured::statistics(config));
    rows.push(configured::drawings(
        config,
        drawings_live,
        local.last_purge,
    ));
    if map_read {
        let (l1, l2, l4) = match presented {
            Some(p) => (Some(p.l1), Some(p.l2), Some(p.l4)),
            None => (None, None, None),
        };
        rows.push(configured::licences(map.as_ref(), l1));
        rows.extend(l2.map(|l2| {
            l2.row(
                "L2",
                "below DIN A5 the short form",
                "Keep numis's print layouts: sheets below A5 print the notes on one line, larger ones the block \"Quellen: …\".",
            )
        }));
        rows.extend(l4.map(|l4| {
            l4.row(
                "L4",
                "static images: at most ten per website, each with the source",
                "Keep numis's image export: its band below the map carries every drawn layer's source note.",
            )
        }));
    }
    rows.push(configured::retention(config));
    rows.sort_by_key(|r| clause_order(r.clause));
    Report {
        version: env!("CARGO_PKG_VERSION"),
        url: base.to_string(),
        config_hash: config_hash(config_file),
        time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        rows,
        not_run,
        reached,
    }
}

/// The portal's name and today's date, as its exported images write them
/// below their notes.
fn imprint(config: &Config) -> String {
    let title = numis_cms::SiteConfig::load(&config.site_dir)
        .map(|c| c.title)
        .unwrap_or_default();
    format!("{title} · {}", crate::routes::print::today("de"))
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
