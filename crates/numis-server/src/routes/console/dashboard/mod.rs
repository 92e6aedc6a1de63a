//! `/verwaltung`: the statistics dashboard (clauses P1, P2). It shows,
//! for a chosen period, what the anonymous counters add up to: a line
//! chart of the daily use and one of requests and errors, ranked tables
//! (pages, layers, WMS operations, downloads, routes with their status
//! classes and bytes), and every chart's and table's numbers as a table
//! and a CSV download (`?csv=<table>`).
//!
//! Before it reads the store, the dashboard writes the counts still
//! pending in memory, so that it shows everything counted up to the
//! moment it was opened.

pub(super) mod chart;
mod report;
mod tables;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, Response, StatusCode, header};
use axum::routing::get;
use chrono::{Days, NaiveDate, Utc};
use numis_cms::Lang;
use serde::Deserialize;
use serde_json::{Value, json};

use self::chart::{Line, line_chart, number};
use self::report::{Period, Report, USAGE_SERIES, share};
use self::tables::{Table, tables};
use super::{ConsolePage, DASHBOARD, Operator, console_answer, render};
use crate::routes::account::{PageLang, Stop};
use crate::session::CurrentSession;
use crate::state::AppState;

/// The periods offered, in days, and the one shown first.
const PERIODS: [u64; 3] = [7, 30, 365];
const DEFAULT_DAYS: u64 = 30;
/// The longest custom period: three years (statistics are kept two by
/// default).
const MAX_DAYS: u64 = 3 * 366;
/// The value of `zeitraum` for a period of the operator's choosing.
const CUSTOM: &str = "eigener";

/// `/verwaltung` and `/en/admin`.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router.route(DASHBOARD.url(lang), get(show));
    }
    router
}

/// The dashboard's query: the period, and a table to download.
#[derive(Debug, Default, Deserialize)]
struct DashboardQuery {
    /// `7`, `30`, `365` or `eigener`.
    zeitraum: Option<String>,
    /// First day of a custom period (`2026-11-01`).
    von: Option<String>,
    /// Last day of a custom period.
    bis: Option<String>,
    /// A table's id: answer it as CSV instead of the page.
    csv: Option<String>,
}

/// The period asked for: its choice (`7` … `eigener`) and days.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Chosen {
    choice: String,
    period: Period,
}

/// Why a period cannot be shown, as a translation key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PeriodError(&'static str);

/// Reads the period of `query` relative to `today`.
fn chosen(query: &DashboardQuery, today: NaiveDate) -> Result<Chosen, PeriodError> {
    let last_days = |days: u64| Chosen {
        choice: days.to_string(),
        period: Period {
            from: today - Days::new(days - 1),
            to: today,
        },
    };
    match query.zeitraum.as_deref() {
        None | Some("") => Ok(last_days(DEFAULT_DAYS)),
        Some(CUSTOM) => {
            let day = |text: Option<&String>| {
                text.and_then(|t| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok())
                    .ok_or(PeriodError("CONSOLE.STATS.BAD_DATE"))
            };
            let from = day(query.von.as_ref())?;
            let to = day(query.bis.as_ref())?;
            if from > to {
                return Err(PeriodError("CONSOLE.STATS.FROM_AFTER_TO"));
            }
            if to > today {
                return Err(PeriodError("CONSOLE.STATS.IN_FUTURE"));
            }
            if (to - from).num_days() >= i64::try_from(MAX_DAYS).unwrap_or(i64::MAX) {
                return Err(PeriodError("CONSOLE.STATS.TOO_LONG"));
            }
            Ok(Chosen {
                choice: CUSTOM.to_owned(),
                period: Period { from, to },
            })
        }
        Some(other) => other
            .parse::<u64>()
            .ok()
            .filter(|d| PERIODS.contains(d))
            .map(last_days)
            .ok_or(PeriodError("CONSOLE.STATS.BAD_PERIOD")),
    }
}

async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    Query(query): Query<DashboardQuery>,
) -> Result<Response<Body>, Stop> {
    let operator = Operator::page(&state, lang, session.as_ref())?;
    let site = state.site();
    let today = Utc::now().date_naive();
    let (chosen, error) = match chosen(&query, today) {
        Ok(chosen) => (chosen, None),
        Err(PeriodError(key)) => {
            let fallback = chosen(&DashboardQuery::default(), today).map_err(|_| {
                Stop::from(console_answer(StatusCode::BAD_REQUEST, "", "text/plain"))
            })?;
            (fallback, Some(site.text(lang, key)))
        }
    };
    let report = match read_report(&state, chosen.period).await {
        Ok(report) => report,
        Err(e) => {
            tracing::error!(error = %e, "dashboard: statistics not read");
            let data = json!({ "error": site.text(lang, "CONSOLE.STATS.UNAVAILABLE") });
            return Ok(render(
                &state,
                lang,
                &operator,
                ConsolePage::new(DASHBOARD, "dashboard", "CONSOLE.STATS.TITLE", data)
                    .with_status(StatusCode::SERVICE_UNAVAILABLE),
            ));
        }
    };
    let layer_titles = layer_titles(&state, lang);
    let all = tables(&site, lang, &report, &layer_titles);
    if let Some(id) = query.csv.as_deref() {
        if error.is_some() {
            return Ok(console_answer(
                StatusCode::BAD_REQUEST,
                error.unwrap_or_default(),
                "text/plain; charset=utf-8",
            ));
        }
        return Ok(match all.iter().find(|t| t.id == id) {
            Some(table) => csv_answer(table, chosen.period),
            None => console_answer(
                StatusCode::NOT_FOUND,
                "no such table",
                "text/plain; charset=utf-8",
            ),
        });
    }
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let data = page_data(&state, lang, &chosen, &report, &all, error);
    Ok(render(
        &state,
        lang,
        &operator,
        ConsolePage::new(DASHBOARD, "dashboard", "CONSOLE.STATS.TITLE", data).with_status(status),
    ))
}

/// Writes the pending counts, then reads the period's.
async fn read_report(state: &AppState, period: Period) -> numis_store::Result<Report> {
    let store = state.store.as_ref();
    // A failed write keeps the counts pending; the page shows what the
    // store has.
    if let Err(e) = state.access.flush(store).await {
        tracing::warn!(error = %e, "dashboard: access counts not written yet");
    }
    if let Err(e) = state.events.flush(store).await {
        tracing::warn!(error = %e, "dashboard: event counts not written yet");
    }
    let access = store.access_counts(period.from, period.to).await?;
    let events = store.event_counts(period.from, period.to).await?;
    Ok(Report::new(period, &access, &events))
}

/// The titles of the map's layers and groups by id, in `lang`.
fn layer_titles(state: &AppState, lang: Lang) -> Vec<(String, String)> {
    let Some(map) = state.map() else {
        return Vec::new();
    };
    let config = &map.catalog.config;
    config
        .groups
        .iter()
        .map(|g| (g.id.clone(), g.title.get(lang.as_str()).to_owned()))
        .chain(
            config
                .layers
                .iter()
                .map(|l| (l.id.clone(), l.title.get(lang.as_str()).to_owned())),
        )
        .collect()
}

/// What the template shows.
fn page_data(
    state: &AppState,
    lang: Lang,
    chosen: &Chosen,
    report: &Report,
    all: &[Table],
    error: Option<String>,
) -> Value {
    let site = state.site();
    let days = report.period.days();
    let text = |key: &str| site.text(lang, key);
    let usage_lines: Vec<Line<'_>> = USAGE_SERIES
        .iter()
        .enumerate()
        .map(|(i, _)| Line {
            class: SERIES_CLASSES[i],
            values: report.usage.iter().map(|day| day[i]).collect(),
        })
        .collect();
    let request_lines = [
        Line {
            class: SERIES_CLASSES[0],
            values: report.requests.iter().map(|r| r.0).collect(),
        },
        Line {
            class: SERIES_CLASSES[3],
            values: report.requests.iter().map(|r| r.1).collect(),
        },
    ];
    let legend = |keys: &[&str], classes: &[&str]| -> Vec<Value> {
        keys.iter()
            .zip(classes)
            .map(|(k, c)| json!({ "label": text(k), "class": c }))
            .collect()
    };
    let charts = json!([
        {
            "id": "nutzung",
            "title": text("CONSOLE.STATS.USAGE_CHART"),
            "svg": line_chart("nutzung", &text("CONSOLE.STATS.USAGE_CHART"), lang, &days, &usage_lines),
            "legend": legend(&USAGE_KEYS, &SERIES_CLASSES),
            "table": "tage",
        },
        {
            "id": "anfragen",
            "title": text("CONSOLE.STATS.REQUESTS_CHART"),
            "svg": line_chart("anfragen", &text("CONSOLE.STATS.REQUESTS_CHART"), lang, &days, &request_lines),
            "legend": legend(&["CONSOLE.STATS.REQUESTS", "CONSOLE.STATS.ERRORS"], &[SERIES_CLASSES[0], SERIES_CLASSES[3]]),
            "table": "anfragen",
        },
    ]);
    let map_views = report.total("map.view");
    let embeds = report.total("embed.view");
    let percent = |p: Option<f64>| p.map_or_else(|| "–".to_owned(), |p| tables::percent(lang, p));
    let tiles = json!([
        { "label": text("CONSOLE.STATS.PAGE_VIEWS"), "value": number(lang, report.total("page.view")) },
        { "label": text("CONSOLE.STATS.MAP_VIEWS"), "value": number(lang, map_views) },
        { "label": text("CONSOLE.STATS.EMBED_VIEWS"), "value": number(lang, embeds),
          "hint": format!("{} {}", percent(share(embeds, map_views + embeds)), text("CONSOLE.STATS.EMBED_SHARE")) },
        { "label": text("CONSOLE.STATS.MAP_IMAGES"), "value": number(lang, wms_getmap_requests(report)) },
        { "label": text("CONSOLE.STATS.SEARCHES"), "value": number(lang, report.total("search")) },
        { "label": text("CONSOLE.STATS.DRAWINGS_CREATED"), "value": number(lang, report.total("drawing.create")) },
        { "label": text("CONSOLE.STATS.REQUESTS"), "value": number(lang, report.all_requests()),
          "hint": format!("{} {}", tables::bytes(lang, report.bytes()), text("CONSOLE.STATS.SENT")) },
        { "label": text("CONSOLE.STATS.ERROR_RATE"), "value": percent(share(report.error_requests(), report.all_requests())),
          "hint": format!("{} {}", number(lang, report.error_requests()), text("CONSOLE.STATS.ERRORS_4XX_5XX")) },
    ]);
    let options: Vec<Value> = PERIODS
        .iter()
        .map(|d| {
            json!({
                "value": d.to_string(),
                "label": text(&format!("CONSOLE.STATS.LAST_{d}")),
                "selected": chosen.choice == d.to_string(),
            })
        })
        .chain(std::iter::once(json!({
            "value": CUSTOM,
            "label": text("CONSOLE.STATS.CUSTOM"),
            "selected": chosen.choice == CUSTOM,
        })))
        .collect();
    let query = period_query(chosen);
    let tables: Vec<Value> = all
        .iter()
        .map(|t| {
            let mut value = t.to_json(lang);
            value["csv_url"] = Value::from(format!("{}?{query}&csv={}", DASHBOARD.url(lang), t.id));
            value
        })
        .collect();
    json!({
        "error": error,
        "period": {
            "options": options,
            "from": report.period.from.to_string(),
            "to": report.period.to.to_string(),
            "from_text": chart::long_day(lang, report.period.from),
            "to_text": chart::long_day(lang, report.period.to),
            "days": days.len(),
        },
        "retention_days": state.config.stats.retention_days,
        "tiles": tiles,
        "charts": charts,
        "tables": tables,
    })
}

/// GetMap requests (not layers drawn: one request may draw several).
fn wms_getmap_requests(report: &Report) -> u64 {
    report
        .wms_operations
        .iter()
        .find(|r| r.name == "GetMap")
        .map_or(0, |r| r.counts[0])
}

/// The classes of the chart's lines, and the translation keys of the
/// usage chart's lines.
const SERIES_CLASSES: [&str; 4] = ["series-0", "series-1", "series-2", "series-3"];
const USAGE_KEYS: [&str; 4] = [
    "CONSOLE.STATS.PAGE_VIEWS",
    "CONSOLE.STATS.MAP_VIEWS",
    "CONSOLE.STATS.EMBED_VIEWS",
    "CONSOLE.STATS.LAYER_IMAGES",
];

/// The query that shows `chosen` again.
fn period_query(chosen: &Chosen) -> String {
    if chosen.choice == CUSTOM {
        format!(
            "zeitraum={CUSTOM}&von={}&bis={}",
            chosen.period.from, chosen.period.to
        )
    } else {
        format!("zeitraum={}", chosen.choice)
    }
}

/// A table as a CSV download, named after it and the period.
fn csv_answer(table: &Table, period: Period) -> Response<Body> {
    match table.to_csv() {
        Ok(bytes) => {
            let mut response = console_answer(StatusCode::OK, bytes, "text/csv; charset=utf-8");
            let name = format!(
                "attachment; filename=\"numis-{}-{}-{}.csv\"",
                table.id, period.from, period.to
            );
            if let Ok(value) = HeaderValue::from_str(&name) {
                response
                    .headers_mut()
                    .insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "dashboard: CSV not written");
            console_answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the CSV could not be written",
                "text/plain; charset=utf-8",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn query(zeitraum: Option<&str>, von: Option<&str>, bis: Option<&str>) -> DashboardQuery {
        DashboardQuery {
            zeitraum: zeitraum.map(Into::into),
            von: von.map(Into::into),
            bis: bis.map(Into::into),
            csv: None,
        }
    }

    #[test]
    fn the_offered_periods_end_today_and_thirty_days_is_the_default() {
        let today = day("2026-12-06");
        let last = |q| chosen(&q, today).unwrap().period;
        assert_eq!(last(query(None, None, None)).from, day("2026-11-07"));
        assert_eq!(last(query(Some("7"), None, None)).from, day("2026-11-30"));
        assert_eq!(last(query(Some("365"), None, None)).from, day("2025-12-07"));
        assert_eq!(last(query(Some("7"), None, None)).to, today);
    }

    #[test]
    fn a_custom_period_is_checked() {
        let today = day("2026-12-06");
        let ok = chosen(
            &query(Some(CUSTOM), Some("2026-11-01"), Some("2026-11-30")),
            today,
        )
        .unwrap();
        assert_eq!(ok.period.days().len(), 30);
        let err = |q| chosen(&q, today).unwrap_err().0;
        assert_eq!(
            err(query(Some(CUSTOM), Some("gestern"), Some("2026-11-30"))),
            "CONSOLE.STATS.BAD_DATE"
        );
        assert_eq!(
            err(query(Some(CUSTOM), Some("2026-11-30"), Some("2026-11-01"))),
            "CONSOLE.STATS.FROM_AFTER_TO"
        );
        assert_eq!(
            err(query(Some(CUSTOM), Some("2026-12-01"), Some("2026-12-07"))),
            "CONSOLE.STATS.IN_FUTURE"
        );
        assert_eq!(
            err(query(Some(CUSTOM), Some("2020-01-01"), Some("2026-12-01"))),
            "CONSOLE.STATS.TOO_LONG"
        );
        assert_eq!(
            err(query(Some("14"), None, None)),
            "CONSOLE.STATS.BAD_PERIOD"
        );
    }
}
