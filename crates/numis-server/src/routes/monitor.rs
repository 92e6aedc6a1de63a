//! `/api/admin/layers`: the operator's layer monitor as JSON. Per layer of
//! `map.toml`: its source (type and file, never credentials), features,
//! extent, data date, licence, access role, when and how fast its source
//! was loaded or why it could not be, and what the render path counted
//! since the server started (see [`crate::layer_monitor`]). Authorised
//! like the moderation routes ([`operator_only`]): the operator token or
//! the operator role.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use numis_core::drawings::rfc3339;
use numis_map::Crs;
use numis_map::catalog::SourceReport;
use numis_map::config::SourceConfig;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::json::{self, Caching};
use crate::layer_monitor::LayerMonitor;
use crate::routes::moderation::operator_only;
use crate::session::CurrentSession;
use crate::state::AppState;

/// `/api/admin/layers`.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/admin/layers", get(layers))
}

async fn layers(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: Option<CurrentSession>,
) -> Result<Response<Body>, ApiError> {
    operator_only(&state, &headers, session.as_ref())?;
    let body = match state.map() {
        Some(map) => {
            let layers: Vec<Value> = map
                .catalog
                .source_reports()
                .iter()
                .map(|report| layer_json(report, &state.layer_monitor))
                .collect();
            json!({ "map": true, "layers": layers })
        }
        None => json!({ "map": false, "layers": [] }),
    };
    Ok(json::answer(StatusCode::OK, &body, Caching::Never))
}

fn layer_json(report: &SourceReport<'_>, monitor: &LayerMonitor) -> Value {
    let config = report.config;
    let (features, extent, error) = match report.outcome {
        Ok(data) => {
            let extent = |crs: Crs| {
                data.extent(crs).map(|r| {
                    json!({
                        "crs": crs.code(),
                        "bbox": [r.min().x, r.min().y, r.max().x, r.max().y],
                    })
                })
            };
            // The map's native CRS and longitude/latitude (WGS84).
            let extent = json!({
                "native": extent(Crs::Utm32),
                "wgs84": extent(Crs::Crs84),
            });
            (Some(data.len()), extent, None)
        }
        Err(error) => (None, Value::Null, Some(error)),
    };
    let stats = monitor.stats(&config.id);
    json!({
        "id": config.id,
        "title": config.title.get("de"),
        "status": if error.is_some() { "error" } else { "ok" },
        "error": error,
        "source": source_json(&config.source),
        "features": features,
        "extent": extent,
        "data_date": config.data_date,
        "licence": { "id": config.licence.id, "url": config.licence.url },
        "access": config.access,
        "loaded_at": rfc3339(unix_seconds(report.loaded_at)),
        "load_ms": millis(report.load_time),
        "requests": stats.requests,
        "errors": stats.errors,
        "renders": stats.renders,
        "render_ms": {
            "p50": stats.p50.map(millis),
            "p99": stats.p99.map(millis),
        },
    })
}

/// The source's kind and file (relative to the site folder, as configured).
fn source_json(source: &SourceConfig) -> Value {
    match source {
        SourceConfig::Geojson { path } => json!({
            "type": "geojson",
            "path": path.display().to_string(),
        }),
        SourceConfig::Geopackage { path, layer } => json!({
            "type": "geopackage",
            "path": path.display().to_string(),
            "table": layer,
        }),
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn unix_seconds(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
