//! The rows judged from the configuration the portal runs with: how long
//! each stored kind is kept (P2, P8, L8) and every layer's licence and
//! source note (L1).

use numis_map::config::MapConfig;

use super::LastPurge;
use super::clauses;
use super::findings::Findings;
use super::report::Row;
use crate::config::Config;

/// The daily purge must have ended within this many hours (it runs at the
/// first tick of each day).
const PURGE_HOURS: i64 = 25;

/// Longer than this is no limited time: ten years.
pub const AT_MOST_DAYS: u64 = 3650;
/// What the privacy page promises for drawings (P8): one year.
const DRAWINGS_PROMISED_DAYS: u64 = 365;
/// The operators' audit trail is kept two years (fixed by numis).
const AUDIT_TRAIL_DAYS: u64 = 730;

/// One stored kind and how long it is kept, in days.
struct Kept {
    kind: &'static str,
    days: u64,
    setting: &'static str,
}

fn kept(config: &Config) -> Vec<Kept> {
    vec![
        Kept {
            kind: "access statistics",
            days: config.stats.retention_days.into(),
            setting: "[stats] retention_days",
        },
        Kept {
            kind: "drawings (after their last change)",
            days: config.drawings.retention_days.into(),
            setting: "[drawings] retention_days",
        },
        Kept {
            kind: "accounts unused",
            days: config.accounts.inactive_days.into(),
            setting: "[accounts] inactive_days",
        },
        Kept {
            kind: "permanent login sessions",
            days: config.accounts.remember_days.into(),
            setting: "[accounts] remember_days",
        },
        Kept {
            kind: "print jobs",
            days: config.print.keep_minutes.div_ceil(24 * 60),
            setting: "[print] keep_minutes",
        },
        Kept {
            kind: "operators' audit trail",
            days: AUDIT_TRAIL_DAYS,
            setting: "fixed by numis",
        },
    ]
}

fn years(days: u64) -> String {
    if days == 365 {
        "365 days (one year)".into()
    } else if days > 365 && days % 365 == 0 {
        format!("{days} days ({} years)", days / 365)
    } else {
        format!("{days} days")
    }
}

/// P2: statistics are anonymous counts kept for a limited time.
pub fn statistics(config: &Config) -> Row {
    let days = u64::from(config.stats.retention_days);
    let evidence = vec![
        format!(
            "statistics are day counts per route, event and subject, kept {}",
            years(days)
        ),
        "purged once a day by the server and by `numis purge`".into(),
    ];
    let problems = if days > AT_MOST_DAYS {
        vec![format!(
            "[stats] retention_days = {days}: kept longer than ten years is no limited time"
        )]
    } else {
        Vec::new()
    };
    clauses::P2.judged(evidence, problems)
}

/// P8: drawings are kept for the year the privacy page promises; `live`
/// is what a saved test drawing answered, `last_purge` the store's record
/// of the daily purge that deletes them.
pub fn drawings(config: &Config, live: Option<Findings>, last_purge: LastPurge) -> Row {
    let days = u64::from(config.drawings.retention_days);
    let mut found = Findings::default();
    found.saw(format!(
        "a drawing expires {} after its last change, answers 410 from then on and is deleted by the daily purge",
        years(days)
    ));
    if days > DRAWINGS_PROMISED_DAYS {
        found.problem(format!(
            "[drawings] retention_days = {days}: longer than the one year the privacy page promises"
        ));
    }
    if let Some(live) = live {
        found.absorb(live);
    }
    let now = chrono::Utc::now().timestamp();
    let when = |at: i64| {
        chrono::DateTime::from_timestamp(at, 0)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    match last_purge {
        LastPurge::NotRead => found
            .saw("the store's record of the daily purge was not read (the portal runs elsewhere)"),
        LastPurge::Never => {
            found.problem("the store records no daily purge: is the server running?")
        }
        LastPurge::Finished { at } if now - at <= PURGE_HOURS * 3600 => {
            found.saw(format!("the daily purge last ended at {}", when(at)));
        }
        LastPurge::Finished { at } => found.problem(format!(
            "the daily purge last ended at {}, more than a day ago",
            when(at)
        )),
        LastPurge::Unfinished { started } => found.problem(format!(
            "the last daily purge started at {} and did not end (see the server's log)",
            when(started)
        )),
    }
    // It holds at least the configured retention as evidence.
    clauses::P8.judged(found.evidence, found.problems)
}

/// L8: every stored kind has a retention, none longer than ten years.
pub fn retention(config: &Config) -> Row {
    let kinds = kept(config);
    let mut evidence: Vec<String> = kinds
        .iter()
        .map(|k| format!("{}: {} ({})", k.kind, years(k.days), k.setting))
        .collect();
    // Print jobs are kept minutes, not days: say so exactly.
    if let Some(line) = evidence.iter_mut().find(|l| l.starts_with("print jobs")) {
        *line = format!(
            "print jobs: {} minutes ([print] keep_minutes)",
            config.print.keep_minutes
        );
    }
    let problems = kinds
        .iter()
        .filter(|k| k.days > AT_MOST_DAYS)
        .map(|k| {
            format!(
                "{} are kept {} ({}): that is not minimal",
                k.kind,
                years(k.days),
                k.setting
            )
        })
        .collect();
    clauses::L8.judged(evidence, problems)
}

/// L1: every layer has a licence and a source note; those marked as
/// changed say "Daten geändert" (numis adds it from `modified`).
/// `live` is what printed sheets of the layers showed.
pub fn licences(map: Option<&MapConfig>, live: Option<Findings>) -> Row {
    let Some(map) = map else {
        return clauses::L1.not_applicable("the site has no map.toml: it publishes no map data");
    };
    let mut problems = Vec::new();
    for layer in &map.layers {
        if layer.licence.id.trim().is_empty() {
            problems.push(format!("layer {:?} has no licence", layer.id));
        }
        if layer.attribution.trim().is_empty() {
            problems.push(format!(
                "layer {:?} has no attribution (source note)",
                layer.id
            ));
        }
    }
    let modified = map.layers.iter().filter(|l| l.modified).count();
    let mut evidence = vec![
        format!(
            "{} layers, each with licence and source note in map.toml",
            map.layers.len()
        ),
        format!("{modified} marked as modified: their notes say \"Daten geändert\""),
    ];
    if let Some(live) = live {
        evidence.extend(live.evidence);
        problems.extend(live.problems);
    }
    clauses::L1.judged(evidence, problems)
}
