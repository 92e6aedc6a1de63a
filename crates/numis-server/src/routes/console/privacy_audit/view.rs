//! What the privacy audit's page shows of a report: when and what it
//! audited, a summary in words ("8 von 10 Zusagen halten, 1 hält
//! nicht …"), and every row with its verdict as a word (never colour
//! alone), its evidence and what to change. The report's own texts
//! (promises, evidence, fixes) stay as `numis audit` wrote them, in
//! English; the template marks them so.

use chrono::{DateTime, Utc};
use numis_cms::Lang;
use serde_json::{Value, json};

use crate::audit::report::{Report, Verdict};
use crate::routes::console::dashboard::chart::long_day;

/// The verdicts in the order the summary names them, with the key of
/// each one's word (`CONSOLE.PRIVACY_AUDIT.VERDICT.<key>`) and the
/// singular and plural keys of its part of the summary.
const VERDICTS: [(Verdict, &str, &str); 4] = [
    (Verdict::Holds, "holds", "HOLDS"),
    (Verdict::DoesNotHold, "does_not_hold", "FAILS"),
    (Verdict::NotApplicable, "not_applicable", "NOT_APPLICABLE"),
    (Verdict::NeedsHuman, "needs_human", "NEEDS_HUMAN"),
];

/// A verdict's name in the page (its CSS class and icon).
fn verdict_name(verdict: Verdict) -> &'static str {
    VERDICTS
        .iter()
        .find(|(v, _, _)| *v == verdict)
        .map_or("needs_human", |(_, name, _)| name)
}

/// The report as the template reads it; `text` translates a key.
pub fn report_data(lang: Lang, report: &Report, text: &dyn Fn(&str) -> String) -> Value {
    let count = |verdict: Verdict| report.rows.iter().filter(|r| r.verdict == verdict).count();
    let total = report.rows.len();
    let counts: Vec<Value> = VERDICTS
        .iter()
        .map(|(verdict, name, _)| {
            json!({
                "name": name,
                "word": text(&verdict_key(name)),
                "count": count(*verdict),
            })
        })
        .collect();
    let failing: Vec<Value> = report
        .rows
        .iter()
        .filter(|r| r.verdict == Verdict::DoesNotHold)
        .map(|r| json!({ "clause": r.clause, "anchor": anchor(&r.clause) }))
        .collect();
    let rows: Vec<Value> = report
        .rows
        .iter()
        .map(|row| {
            let name = verdict_name(row.verdict);
            json!({
                "clause": row.clause,
                "anchor": anchor(&row.clause),
                "promise": row.promise,
                "verdict": name,
                "verdict_word": text(&verdict_key(name)),
                "evidence": row.evidence,
                "fix": row.fix,
            })
        })
        .collect();
    let outcome = if !report.reached {
        "unreached"
    } else if count(Verdict::DoesNotHold) > 0 {
        "fails"
    } else if count(Verdict::NeedsHuman) > 0 {
        "needs_human"
    } else {
        "holds"
    };
    json!({
        "time": time_data(lang, &report.time),
        "version": report.version,
        "url": report.url,
        "config_hash": report.config_hash,
        "outcome": outcome,
        "all_hold": report.all_hold(),
        "summary": summary(total, &count, text),
        "counts": counts,
        "failing": failing,
        "rows": rows,
        "not_run": report.not_run,
    })
}

/// The translation key of a verdict's word.
fn verdict_key(name: &str) -> String {
    format!(
        "CONSOLE.PRIVACY_AUDIT.VERDICT.{}",
        name.to_ascii_uppercase()
    )
}

/// "8 von 10 Zusagen halten, 1 hält nicht, 1 ist nicht anwendbar.": how
/// many rows hold out of all, then each other verdict that occurs.
fn summary(
    total: usize,
    count: &dyn Fn(Verdict) -> usize,
    text: &dyn Fn(&str) -> String,
) -> String {
    let mut parts = Vec::new();
    for (i, (verdict, _, key)) in VERDICTS.iter().enumerate() {
        let n = count(*verdict);
        // The first part is always said ("0 von 10 Zusagen halten").
        if n == 0 && i > 0 {
            continue;
        }
        let number = if n == 1 { "ONE" } else { "MANY" };
        parts.push(
            text(&format!("CONSOLE.PRIVACY_AUDIT.SUMMARY.{key}_{number}"))
                .replace("{n}", &n.to_string())
                .replace("{total}", &total.to_string()),
        );
    }
    format!("{}.", parts.join(", "))
}

/// The id of a row's section: `klausel-p1`.
fn anchor(clause: &str) -> String {
    let name: String = clause
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    format!("klausel-{name}")
}

/// A report's time (RFC 3339) for `<time>`: the value and the text, or
/// the text as written when it is no time.
fn time_data(lang: Lang, time: &str) -> Value {
    match DateTime::parse_from_rfc3339(time) {
        Ok(time) => moment(lang, time.with_timezone(&Utc), "%H:%M"),
        Err(_) => json!({ "datetime": Value::Null, "text": time }),
    }
}

/// A moment for `<time>`: `7.12.2026, 09:00 UTC` (`format` for the time
/// of day).
fn moment(lang: Lang, time: DateTime<Utc>, format: &str) -> Value {
    json!({
        "datetime": time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "text": format!("{}, {} UTC", long_day(lang, time.date_naive()), time.format(format)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::report::Row;

    /// The German words of the summary, as the theme has them.
    fn german(key: &str) -> String {
        match key.trim_start_matches("CONSOLE.PRIVACY_AUDIT.") {
            "SUMMARY.HOLDS_ONE" => "{n} von {total} Zusagen hält",
            "SUMMARY.HOLDS_MANY" => "{n} von {total} Zusagen halten",
            "SUMMARY.FAILS_ONE" => "{n} hält nicht",
            "SUMMARY.FAILS_MANY" => "{n} halten nicht",
            "SUMMARY.NOT_APPLICABLE_ONE" => "{n} ist nicht anwendbar",
            "SUMMARY.NEEDS_HUMAN_MANY" => "{n} brauchen ein menschliches Urteil",
            "VERDICT.HOLDS" => "Hält",
            "VERDICT.DOES_NOT_HOLD" => "Hält nicht",
            other => other,
        }
        .to_owned()
    }

    fn row(clause: &'static str, verdict: Verdict) -> Row {
        Row {
            clause: clause.into(),
            promise: "a promise".into(),
            verdict,
            evidence: vec!["seen".into()],
            fix: (verdict == Verdict::DoesNotHold).then(|| "change it".to_owned()),
        }
    }

    fn report(rows: Vec<Row>) -> Report {
        Report {
            version: "0.1.0".into(),
            url: "http://127.0.0.1:8080/".into(),
            config_hash: "none".into(),
            time: "2026-12-07T09:05:00Z".into(),
            rows,
            not_run: vec![],
            reached: true,
        }
    }

    #[test]
    fn the_summary_counts_each_verdict_in_words() {
        let data = report_data(
            Lang::De,
            &report(vec![
                row("P1", Verdict::Holds),
                row("P3", Verdict::DoesNotHold),
                row("L1", Verdict::DoesNotHold),
                row("L7", Verdict::NotApplicable),
                row("T", Verdict::NeedsHuman),
                row("P13", Verdict::NeedsHuman),
            ]),
            &german,
        );
        assert_eq!(
            data["summary"],
            "1 von 6 Zusagen hält, 2 halten nicht, 1 ist nicht anwendbar, 2 brauchen ein menschliches Urteil."
        );
        assert_eq!(data["outcome"], "fails");
        assert_eq!(data["failing"][1]["anchor"], "klausel-l1");
        assert_eq!(data["rows"][1]["verdict_word"], "Hält nicht");
        assert_eq!(data["rows"][1]["fix"], "change it");
        assert_eq!(data["counts"][1]["count"], 2);
        assert_eq!(data["time"]["text"], "7.12.2026, 09:05 UTC");
        assert_eq!(data["time"]["datetime"], "2026-12-07T09:05:00Z");
    }

    #[test]
    fn a_report_whose_rows_all_hold_says_so_and_names_no_other_verdict() {
        let data = report_data(
            Lang::De,
            &report(vec![row("P1", Verdict::Holds), row("P5", Verdict::Holds)]),
            &german,
        );
        assert_eq!(data["summary"], "2 von 2 Zusagen halten.");
        assert_eq!(data["outcome"], "holds");
        assert_eq!(data["all_hold"], true);
        let mut unreached = report(vec![row("P2", Verdict::Holds)]);
        unreached.reached = false;
        let data = report_data(Lang::De, &unreached, &german);
        assert_eq!(
            data["outcome"], "unreached",
            "holding rows prove nothing then"
        );
    }
}
