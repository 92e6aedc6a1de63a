//! `/verwaltung/ebenen` (`/en/admin/layers`): the layer monitor as a page.
//! Per layer of `map.toml` what [`crate::layer_report`] reads (the same as
//! `/api/admin/layers`): source, features, extent, data date, licence,
//! access, loading and what the render path counted since the server
//! started. A layer whose source could not be loaded comes first, marked
//! with the word "Fehler" and its message, not by colour alone.
//!
//! Below, the GetMap and GetFeatureInfo requests per layer over a chosen
//! period (`?zeitraum=7|30|365`), from the stored anonymous event counters;
//! the counts still pending in memory are written first, so the table
//! includes every request up to the moment the page was opened.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{Response, StatusCode};
use axum::routing::get;
use chrono::{DateTime, Days, NaiveDate, Utc};
use numis_cms::Lang;
use serde::Deserialize;
use serde_json::{Value, json};

use super::dashboard::chart::{long_day, number};
use super::{ConsolePage, LAYERS, Operator, render};
use crate::layer_report::{LayerReport, NATIVE_CRS, layer_reports, millis, unix_seconds};
use crate::routes::account::{PageLang, Stop};
use crate::session::CurrentSession;
use crate::state::AppState;

/// The periods offered for the request counts, in days, and the default.
const PERIODS: [u64; 3] = [7, 30, 365];
const DEFAULT_DAYS: u64 = 30;
/// The stored events counted per layer, and their column keys.
const GET_MAP: &str = "wms.getmap";
const GET_FEATURE_INFO: &str = "wms.getfeatureinfo";

/// `/verwaltung/ebenen` and `/en/admin/layers`.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router.route(LAYERS.url(lang), get(show));
    }
    router
}

/// The page's query: the period of the request counts.
#[derive(Debug, Default, Deserialize)]
struct LayersQuery {
    /// `7`, `30` or `365` (days up to today).
    zeitraum: Option<String>,
}

/// The days of `zeitraum`, or `None` for a value that is not offered.
fn period_days(zeitraum: Option<&str>) -> Option<u64> {
    match zeitraum {
        None | Some("") => Some(DEFAULT_DAYS),
        Some(value) => value.parse().ok().filter(|d| PERIODS.contains(d)),
    }
}

/// GetMap and GetFeatureInfo requests per subject (layer or group id).
type RequestCounts = HashMap<String, [u64; 2]>;

async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    Query(query): Query<LayersQuery>,
) -> Result<Response<Body>, Stop> {
    let operator = Operator::page(&state, lang, session.as_ref())?;
    let site = state.site();
    let (days, error) = match period_days(query.zeitraum.as_deref()) {
        Some(days) => (days, None),
        None => (
            DEFAULT_DAYS,
            Some(site.text(lang, "CONSOLE.LAYERS.BAD_PERIOD")),
        ),
    };
    let to = Utc::now().date_naive();
    let from = to - Days::new(days - 1);
    let counts = match request_counts(&state, from, to).await {
        Ok(counts) => Some(counts),
        Err(e) => {
            tracing::error!(error = %e, "layer monitor: request counts not read");
            None
        }
    };
    let mut reports = layer_reports(&state);
    if let Some(reports) = reports.as_mut() {
        // Broken sources first; otherwise the order of map.toml.
        reports.sort_by_key(|r| r.error.is_none());
    }
    let data = page_data(
        &state,
        lang,
        reports.as_deref(),
        counts.as_ref(),
        (days, from, to),
        error.clone(),
    );
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(render(
        &state,
        lang,
        &operator,
        ConsolePage::new(LAYERS, "layers", "CONSOLE.LAYERS.TITLE", data).with_status(status),
    ))
}

/// Writes the pending counts, then adds up GetMap and GetFeatureInfo per
/// subject over `from..=to`.
async fn request_counts(
    state: &AppState,
    from: NaiveDate,
    to: NaiveDate,
) -> numis_store::Result<RequestCounts> {
    let store = state.store.as_ref();
    // A failed write keeps the counts pending; the page shows what the
    // store has.
    if let Err(e) = state.access.flush(store).await {
        tracing::warn!(error = %e, "layer monitor: access counts not written yet");
    }
    if let Err(e) = state.events.flush(store).await {
        tracing::warn!(error = %e, "layer monitor: event counts not written yet");
    }
    let mut counts = RequestCounts::new();
    for row in store.event_counts(from, to).await? {
        let column = match row.event.as_str() {
            GET_MAP => 0,
            GET_FEATURE_INFO => 1,
            _ => continue,
        };
        counts.entry(row.subject).or_default()[column] += row.count;
    }
    Ok(counts)
}

/// What the template shows.
fn page_data(
    state: &AppState,
    lang: Lang,
    reports: Option<&[LayerReport]>,
    counts: Option<&RequestCounts>,
    (days, from, to): (u64, NaiveDate, NaiveDate),
    error: Option<String>,
) -> Value {
    let site = state.site();
    let text = |key: &str| site.text(lang, key);
    let reports = reports.unwrap_or_default();
    let layers: Vec<Value> = reports.iter().map(|r| layer_data(state, lang, r)).collect();
    let requests: Option<Vec<Value>> = counts.map(|counts| {
        reports
            .iter()
            .map(|r| {
                let [get_map, get_feature_info] = counts.get(&r.id).copied().unwrap_or_default();
                json!({
                    "id": r.id,
                    "title": r.title.get(lang.as_str()),
                    "get_map": number(lang, get_map),
                    "get_feature_info": number(lang, get_feature_info),
                })
            })
            .collect()
    });
    let options: Vec<Value> = PERIODS
        .iter()
        .map(|d| {
            json!({
                "value": d.to_string(),
                "label": text(&format!("CONSOLE.LAYERS.LAST_{d}")),
                "selected": *d == days,
            })
        })
        .collect();
    let started = unix_seconds(state.layer_monitor.started_at());
    json!({
        "error": error,
        "map": state.map().is_some(),
        "layer_count": reports.len(),
        "failed_count": reports.iter().filter(|r| r.error.is_some()).count(),
        "started": time_data(lang, started),
        "layers": layers,
        "period": {
            "options": options,
            "from": from.to_string(),
            "to": to.to_string(),
            "from_text": long_day(lang, from),
            "to_text": long_day(lang, to),
        },
        "counts_unavailable": requests.is_none(),
        "requests": requests,
    })
}

/// One layer's card.
fn layer_data(state: &AppState, lang: Lang, report: &LayerReport) -> Value {
    let site = state.site();
    let stats = &report.stats;
    let source_kind = match report.source.kind {
        "geopackage" => "GeoPackage",
        _ => "GeoJSON",
    };
    let access = if report.is_public() {
        site.text(lang, "CONSOLE.LAYERS.PUBLIC")
    } else {
        report.access.clone()
    };
    let data_date = NaiveDate::parse_from_str(&report.data_date, "%Y-%m-%d")
        .ok()
        .map(|d| json!({ "datetime": d.to_string(), "text": long_day(lang, d) }));
    json!({
        "id": report.id,
        "title": report.title.get(lang.as_str()),
        "error": report.error,
        "source": {
            "kind": source_kind,
            "path": report.source.path,
            "table": report.source.table,
        },
        "features": report.features.map(|n| number(lang, n as u64)),
        "extent": report.extent_native.map(|bbox| json!({
            "crs": NATIVE_CRS.code(),
            "text": extent_text(lang, bbox),
        })),
        "data_date": data_date,
        "data_date_raw": report.data_date,
        "licence": { "id": report.licence_id, "url": report.licence_url },
        "public": report.is_public(),
        "access": access,
        "loaded": time_data(lang, report.loaded_at),
        "load_time": milliseconds(lang, millis(report.load_time)),
        "requests": number(lang, stats.requests),
        "errors": number(lang, stats.errors),
        "has_errors": stats.errors > 0,
        "renders": number(lang, stats.renders),
        "p50": stats.p50.map(|d| milliseconds(lang, millis(d))),
        "p99": stats.p99.map(|d| milliseconds(lang, millis(d))),
    })
}

/// A moment as `<time>` wants it: the machine-readable value and the text
/// (day and minute, UTC).
fn time_data(lang: Lang, seconds: i64) -> Value {
    let Some(time) = DateTime::<Utc>::from_timestamp(seconds, 0) else {
        return Value::Null;
    };
    json!({
        "datetime": time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "text": format!("{}, {} UTC", long_day(lang, time.date_naive()), time.format("%H:%M")),
    })
}

/// The extent rounded to whole units of the native CRS (metres):
/// `548.123, 5.788.456 – 601.000, 5.800.000`.
fn extent_text(lang: Lang, [min_x, min_y, max_x, max_y]: [f64; 4]) -> String {
    let n = |v: f64| {
        let rounded = v.round();
        let digits = number(lang, rounded.abs() as u64);
        if rounded < 0.0 {
            format!("−{digits}")
        } else {
            digits
        }
    };
    format!("{}, {} – {}, {}", n(min_x), n(min_y), n(max_x), n(max_y))
}

/// Milliseconds with up to two decimals in the language's notation:
/// `0,32 ms`, `1.234 ms`.
fn milliseconds(lang: Lang, ms: f64) -> String {
    if ms >= 100.0 {
        return format!("{} ms", number(lang, ms.round() as u64));
    }
    let places = if ms >= 10.0 { 1 } else { 2 };
    let text = format!("{ms:.places$}");
    match lang {
        Lang::De => format!("{} ms", text.replace('.', ",")),
        Lang::En => format!("{text} ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_offered_periods_are_read() {
        assert_eq!(period_days(None), Some(30));
        assert_eq!(period_days(Some("")), Some(30));
        assert_eq!(period_days(Some("7")), Some(7));
        assert_eq!(period_days(Some("365")), Some(365));
        assert_eq!(period_days(Some("8")), None);
        assert_eq!(period_days(Some("-1")), None);
        assert_eq!(period_days(Some("eigener")), None);
    }

    #[test]
    fn extents_are_rounded_to_whole_metres() {
        assert_eq!(
            extent_text(Lang::De, [548_123.4, 5_788_456.6, 601_000.0, -12.5]),
            "548.123, 5.788.457 – 601.000, −13"
        );
        assert_eq!(
            extent_text(Lang::En, [1.0, 2.0, 3_000.0, 4_000.0]),
            "1, 2 – 3,000, 4,000"
        );
    }

    #[test]
    fn milliseconds_have_the_languages_decimal_mark() {
        assert_eq!(milliseconds(Lang::De, 0.32), "0,32 ms");
        assert_eq!(milliseconds(Lang::En, 0.32), "0.32 ms");
        assert_eq!(milliseconds(Lang::De, 40.96), "41,0 ms");
        assert_eq!(milliseconds(Lang::De, 1234.4), "1.234 ms");
    }
}
