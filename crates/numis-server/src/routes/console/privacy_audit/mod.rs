//! `/verwaltung/datenschutzpruefung` (`/en/admin/privacy-audit`): the
//! privacy audit of `numis audit` (docs/audit.md) in the console. The page
//! shows the latest report ([`view`]) and runs a new one
//! ([`crate::audit_runs`]): the button's form answers at once (303) and
//! the run goes on in the background; a second click meanwhile starts
//! none. The latest report downloads as Markdown, HTML and JSON
//! (`…/bericht.md`, English `…/report.md`).
//!
//! No script and no automatic reload while a run is under way: a page that
//! reloads itself fails WCAG 2.2.1 (technique F41) and throws a screen
//! reader back to the top every few seconds. The page offers a link
//! instead, "Auf das Ergebnis warten" (`?warten`), whose answer waits on
//! the server until the run has ended (at most [`WAIT_LIMIT`]).

mod view;

use std::time::Duration;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::routing::get;
use axum::{Form, Router};
use chrono::{DateTime, Utc};
use numis_cms::Lang;
use numis_core::audit::Action;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ConsolePage, Operator, PRIVACY_AUDIT, console_answer, render};
use crate::audit::report::Report;
use crate::audit_runs::{self, RunState};
use crate::routes::account::{self, PageLang, Stop, see_other};
use crate::session::CurrentSession;
use crate::state::AppState;

/// The query word of the link that waits for the run to end.
const WAIT: &str = "warten";
/// The query word after a click while a run was under way.
const ALREADY_RUNNING: &str = "laeuft-bereits";
/// How long the waiting link waits at most: below the 60 s after which
/// a proxy in front (nginx's `proxy_read_timeout`) gives up.
const WAIT_LIMIT: Duration = Duration::from_secs(45);
/// Seconds a run takes besides waiting for the statistics' next write.
const RUN_SECONDS: u64 = 5;

/// The report's formats for download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Markdown,
    Html,
    Json,
}

impl Format {
    const ALL: [Self; 3] = [Self::Markdown, Self::Html, Self::Json];

    fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Html => "html",
            Self::Json => "json",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Markdown => "Markdown",
            Self::Html => "HTML",
            Self::Json => "JSON",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Html => "text/html; charset=utf-8",
            Self::Json => "application/json",
        }
    }

    fn write(self, report: &Report) -> String {
        match self {
            Self::Markdown => report.to_markdown(),
            Self::Html => report.to_html(),
            Self::Json => report.to_json(),
        }
    }
}

/// The page and its downloads, in both languages.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router.route(PRIVACY_AUDIT.url(lang), get(show).post(start));
        for format in Format::ALL {
            router = router.route(
                &download_url(lang, format),
                get(
                    move |State(state): State<AppState>,
                          PageLang(page_lang): PageLang,
                          session: Option<CurrentSession>| {
                        download(state, page_lang, session, format)
                    },
                ),
            );
        }
    }
    router
}

/// The address of the latest report in `format`.
fn download_url(lang: Lang, format: Format) -> String {
    let name = match lang {
        Lang::De => "bericht",
        Lang::En => "report",
    };
    format!("{}/{name}.{}", PRIVACY_AUDIT.url(lang), format.extension())
}

async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    RawQuery(query): RawQuery,
) -> Result<Response<Body>, Stop> {
    let operator = Operator::page(&state, lang, session.as_ref())?;
    let site = state.site();
    let (runs, notice) = match query.as_deref() {
        Some(WAIT) => {
            let runs = state.audit_runs.finished(WAIT_LIMIT).await;
            let notice = runs
                .running
                .is_some()
                .then(|| site.text(lang, "CONSOLE.PRIVACY_AUDIT.STILL_RUNNING"));
            (runs, notice)
        }
        Some(ALREADY_RUNNING) => (
            state.audit_runs.state(),
            Some(site.text(lang, "CONSOLE.PRIVACY_AUDIT.ALREADY_RUNNING")),
        ),
        _ => (state.audit_runs.state(), None),
    };
    Ok(page(&state, lang, &operator, &runs, notice, None).await)
}

/// The form of the button: the session's CSRF token only.
#[derive(Debug, Deserialize)]
struct RunForm {
    csrf: Option<String>,
}

/// Starts a run (unless one is under way) and records it in the audit
/// trail under the operator's pseudonym; back to the page at once.
async fn start(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    Form(form): Form<RunForm>,
) -> Result<Response<Body>, Stop> {
    let operator = Operator::form(
        &state,
        lang,
        &headers,
        session.as_ref(),
        form.csrf.as_deref(),
    )?;
    let site = state.site();
    let here = PRIVACY_AUDIT.url(lang);
    let base = match audit_runs::loopback_url(state.config.bind) {
        Ok(base) => base,
        Err(e) => {
            tracing::error!(error = %e, bind = %state.config.bind, "privacy audit: no address to audit");
            let text = site.text(lang, "CONSOLE.PRIVACY_AUDIT.NOT_STARTED");
            let runs = state.audit_runs.state();
            let answer = page(&state, lang, &operator, &runs, None, Some(text)).await;
            return Ok(with_status(answer, StatusCode::INTERNAL_SERVER_ERROR));
        }
    };
    let by = operator.session.info.pseudonym.clone();
    let last_purge = crate::housekeeping::last_purge(state.store.as_ref()).await;
    if !state
        .audit_runs
        .start(state.config.clone(), base.clone(), &by, last_purge)
    {
        return Ok(see_other(&format!("{here}?{ALREADY_RUNNING}")));
    }
    if let Err(e) = state
        .audit
        .record(&operator.actor(), Action::AuditRun, base.as_str())
        .await
    {
        // The run goes on; the operator must know its record is missing.
        tracing::error!(error = %e, "privacy audit: the audit record was not written");
        let text = site.text(lang, "CONSOLE.PRIVACY_AUDIT.NOT_RECORDED");
        let runs = state.audit_runs.state();
        let answer = page(&state, lang, &operator, &runs, None, Some(text)).await;
        return Ok(with_status(answer, StatusCode::SERVICE_UNAVAILABLE));
    }
    Ok(see_other(here))
}

/// The latest report as a download in `format`; 404 before the first.
async fn download(
    state: AppState,
    lang: Lang,
    session: Option<CurrentSession>,
    format: Format,
) -> Result<Response<Body>, Stop> {
    Operator::page(&state, lang, session.as_ref())?;
    let report = match latest(&state).await {
        Ok(Some(report)) => report,
        Ok(None) => return Err(account::not_found(&state).into()),
        Err(error) => {
            return Ok(console_answer(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("The latest report cannot be read: {error}"),
                "text/plain; charset=utf-8",
            ));
        }
    };
    let mut response = console_answer(StatusCode::OK, format.write(&report), format.content_type());
    let disposition = format!(
        "attachment; filename=\"{}.{}\"",
        file_stem(&report.time),
        format.extension()
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// A download's name without extension: `numis-audit-2026-12-07-0900`
/// (UTC), or `numis-audit` when the report's time is no time.
fn file_stem(time: &str) -> String {
    match DateTime::parse_from_rfc3339(time) {
        Ok(time) => format!(
            "numis-audit-{}",
            time.with_timezone(&Utc).format("%Y-%m-%d-%H%M")
        ),
        Err(_) => "numis-audit".to_owned(),
    }
}

/// The latest report in the data directory, read off the async workers.
async fn latest(state: &AppState) -> Result<Option<Report>, String> {
    let data_dir = state.config.data_dir.clone();
    tokio::task::spawn_blocking(move || audit_runs::read_latest(&data_dir))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// The page: the run under way or the button, then the latest report.
async fn page(
    state: &AppState,
    lang: Lang,
    operator: &Operator<'_>,
    runs: &RunState,
    notice: Option<String>,
    error: Option<String>,
) -> Response<Body> {
    let site = state.site();
    let text = |key: &str| site.text(lang, key);
    let (report, unreadable) = match latest(state).await {
        Ok(report) => (report, None),
        Err(error) => {
            tracing::error!(error = %error, "privacy audit: the latest report was not read");
            (None, Some(error))
        }
    };
    let seconds = state.config.stats.flush_seconds + 1 + RUN_SECONDS;
    let running = runs.running.as_ref().map(|r| {
        json!({
            "since": {
                "datetime": r.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "text": r.since.format("%H:%M:%S UTC").to_string(),
            },
            "by": r.by,
        })
    });
    let downloads: Vec<Value> = Format::ALL
        .iter()
        .map(|f| json!({ "label": f.label(), "url": download_url(lang, *f) }))
        .collect();
    let here = PRIVACY_AUDIT.url(lang);
    let data = json!({
        "notice": notice,
        "error": error,
        "action": here,
        "wait_url": format!("{here}?{WAIT}"),
        "running": running,
        "failure": runs.failure,
        "duration": text("CONSOLE.PRIVACY_AUDIT.DURATION").replace("{seconds}", &seconds.to_string()),
        "wait_hint": text("CONSOLE.PRIVACY_AUDIT.WAIT_HINT")
            .replace("{seconds}", &seconds.to_string())
            .replace("{limit}", &WAIT_LIMIT.as_secs().to_string()),
        "report": report.as_ref().map(|r| view::report_data(lang, r, &text)),
        "unreadable": unreadable,
        "downloads": downloads,
    });
    render(
        state,
        lang,
        operator,
        ConsolePage::new(
            PRIVACY_AUDIT,
            "privacy_audit",
            "CONSOLE.PRIVACY_AUDIT.TITLE",
            data,
        ),
    )
}

fn with_status(mut response: Response<Body>, status: StatusCode) -> Response<Body> {
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_are_named_after_the_reports_time() {
        assert_eq!(
            file_stem("2026-12-07T09:05:41Z"),
            "numis-audit-2026-12-07-0905"
        );
        assert_eq!(file_stem("gestern"), "numis-audit");
        assert_eq!(
            download_url(Lang::De, Format::Markdown),
            "/verwaltung/datenschutzpruefung/bericht.md"
        );
        assert_eq!(
            download_url(Lang::En, Format::Json),
            "/en/admin/privacy-audit/report.json"
        );
    }
}
