//! The audit's report: one row per clause of the privacy and terms pages
//! (as in `docs/privacy.md`), each with its verdict, the live evidence and,
//! when it does not hold, what to change; and the checks that could not
//! run. Written as Markdown (for reading and mailing), HTML (one page
//! without script, for the data-protection officer) or JSON (for tools).

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// What a check found about its clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The promise holds, and the evidence shows it.
    Holds,
    /// The promise does not hold; `fix` says what to change.
    DoesNotHold,
    /// The promise concerns something this portal does not do.
    NotApplicable,
    /// A person has to judge the evidence (e.g. a text of the legal page).
    NeedsHuman,
}

impl Verdict {
    fn text(self) -> &'static str {
        match self {
            Self::Holds => "holds",
            Self::DoesNotHold => "does not hold",
            Self::NotApplicable => "not applicable",
            Self::NeedsHuman => "needs a human",
        }
    }
}

/// One clause's row. Its texts are `Cow`: written by the checks as
/// constants, read back from a stored report (the console's) as owned
/// strings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    /// The clause, `P1` … `P13`, `L1` … `L8`, or `T` (transport and headers).
    pub clause: Cow<'static, str>,
    /// What it promises, in a few words.
    pub promise: Cow<'static, str>,
    pub verdict: Verdict,
    /// What was observed, one finding a line.
    pub evidence: Vec<String>,
    /// What to change when it does not hold.
    pub fix: Option<String>,
}

impl Row {
    /// A row whose verdict follows from its `problems`: none, it holds;
    /// else it does not, the problems are its evidence and `fix` applies.
    pub fn judged(
        clause: &'static str,
        promise: &'static str,
        mut evidence: Vec<String>,
        problems: Vec<String>,
        fix: &str,
    ) -> Self {
        let (clause, promise) = (Cow::Borrowed(clause), Cow::Borrowed(promise));
        if problems.is_empty() {
            return Self {
                clause,
                promise,
                verdict: Verdict::Holds,
                evidence,
                fix: None,
            };
        }
        evidence.splice(0..0, problems);
        Self {
            clause,
            promise,
            verdict: Verdict::DoesNotHold,
            evidence,
            fix: Some(fix.to_owned()),
        }
    }
}

/// The whole report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// numis's version.
    pub version: Cow<'static, str>,
    /// The portal audited.
    pub url: String,
    /// SHA-256 of the configuration file as read (`none` without one).
    pub config_hash: String,
    /// When the audit ran (RFC 3339, UTC).
    pub time: String,
    pub rows: Vec<Row>,
    /// Checks that could not run, and why.
    pub not_run: Vec<String>,
    /// Did the portal answer? Without it no live row was judged.
    pub reached: bool,
}

impl Report {
    /// Was the portal reached, and does every row hold (or not apply)?
    pub fn all_hold(&self) -> bool {
        self.reached
            && self
                .rows
                .iter()
                .all(|r| matches!(r.verdict, Verdict::Holds | Verdict::NotApplicable))
    }

    /// The row of `clause`, if it was checked.
    pub fn row(&self, clause: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.clause == clause)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# numis audit of {}\n", self.url);
        let _ = writeln!(
            out,
            "numis {} · configuration {} · {}\n",
            self.version, self.config_hash, self.time
        );
        let _ = writeln!(out, "| clause | promise | verdict |\n|---|---|---|");
        for row in &self.rows {
            let _ = writeln!(
                out,
                "| {} | {} | **{}** |",
                row.clause,
                cell(&row.promise),
                row.verdict.text()
            );
        }
        for row in &self.rows {
            let _ = writeln!(
                out,
                "\n## {} — {}: {}\n",
                row.clause,
                row.promise,
                row.verdict.text()
            );
            for line in &row.evidence {
                let _ = writeln!(out, "- {line}");
            }
            if let Some(fix) = &row.fix {
                let _ = writeln!(out, "\n**To change:** {fix}");
            }
        }
        if !self.not_run.is_empty() {
            let _ = writeln!(out, "\n## Checks that could not run\n");
            for line in &self.not_run {
                let _ = writeln!(out, "- {line}");
            }
        }
        out
    }

    pub fn to_html(&self) -> String {
        let e = numis_cms::escape_html;
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>numis audit of {url}</title></head><body><main>\
             <h1>numis audit of {url}</h1><p>numis {version} · configuration <code>{hash}</code> · <time>{time}</time></p>\
             <table><caption>Clauses of the privacy and terms pages</caption>\
             <thead><tr><th scope=\"col\">Clause</th><th scope=\"col\">Promise</th><th scope=\"col\">Verdict</th></tr></thead><tbody>",
            url = e(&self.url),
            version = e(&self.version),
            hash = e(&self.config_hash),
            time = e(&self.time),
        );
        for row in &self.rows {
            let _ = write!(
                out,
                "<tr><th scope=\"row\"><a href=\"#{c}\">{c}</a></th><td>{p}</td><td>{v}</td></tr>",
                c = e(&row.clause),
                p = e(&row.promise),
                v = e(row.verdict.text())
            );
        }
        out.push_str("</tbody></table>");
        for row in &self.rows {
            let _ = write!(
                out,
                "<section id=\"{c}\"><h2>{c} — {p}: {v}</h2><ul>",
                c = e(&row.clause),
                p = e(&row.promise),
                v = e(row.verdict.text())
            );
            for line in &row.evidence {
                let _ = write!(out, "<li>{}</li>", e(line));
            }
            out.push_str("</ul>");
            if let Some(fix) = &row.fix {
                let _ = write!(out, "<p><strong>To change:</strong> {}</p>", e(fix));
            }
            out.push_str("</section>");
        }
        if !self.not_run.is_empty() {
            out.push_str("<section><h2>Checks that could not run</h2><ul>");
            for line in &self.not_run {
                let _ = write!(out, "<li>{}</li>", e(line));
            }
            out.push_str("</ul></section>");
        }
        out.push_str("</main></body></html>\n");
        out
    }
}

/// Text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            version: "0.1.0".into(),
            url: "http://127.0.0.1:8080/".into(),
            config_hash: "none".into(),
            time: "2026-12-07T09:00:00Z".into(),
            rows: vec![
                Row::judged("P5", "no cookies", vec!["40 routes".into()], vec![], "x"),
                Row::judged(
                    "P3",
                    "no third-party requests",
                    vec![],
                    vec!["/ loads <script> from https://evil.example".into()],
                    "Remove the <script>.",
                ),
            ],
            not_run: vec!["P1 log: not on this machine".into()],
            reached: true,
        }
    }

    #[test]
    fn a_row_with_problems_does_not_hold_and_says_what_to_change() {
        let report = report();
        assert_eq!(report.row("P5").map(|r| r.verdict), Some(Verdict::Holds));
        let p3 = report.row("P3").unwrap();
        assert_eq!(p3.verdict, Verdict::DoesNotHold);
        assert_eq!(p3.fix.as_deref(), Some("Remove the <script>."));
        assert!(!report.all_hold());
    }

    #[test]
    fn every_format_carries_rows_evidence_and_what_could_not_run() {
        let report = report();
        let markdown = report.to_markdown();
        assert!(markdown.contains("| P3 | no third-party requests | **does not hold** |"));
        assert!(markdown.contains("- / loads <script> from https://evil.example"));
        assert!(markdown.contains("**To change:** Remove the <script>."));
        assert!(markdown.contains("P1 log: not on this machine"));
        let html = report.to_html();
        assert!(html.contains("&lt;script&gt;"), "escaped: {html}");
        assert!(!html.contains("<script"), "no script in the report");
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(json["rows"][1]["verdict"], "does_not_hold");
        assert_eq!(json["not_run"][0], "P1 log: not on this machine");
    }

    #[test]
    fn a_report_reads_back_from_its_json() {
        let report = report();
        let read: Report = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(read.to_json(), report.to_json());
        assert_eq!(
            read.row("P3").map(|r| r.verdict),
            Some(Verdict::DoesNotHold)
        );
    }
}
