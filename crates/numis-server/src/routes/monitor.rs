//! `/api/admin/layers`: the operator's layer monitor as JSON. Per layer of
//! `map.toml`: its source (type and file, never credentials), features,
//! extent, data date, licence, access role, when and how fast its source
//! was loaded or why it could not be, and what the render path counted
//! since the server started (see [`crate::layer_monitor`]). Authorised
//! like the moderation routes ([`operator_only`]): the operator token or
//! the operator role.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use numis_core::drawings::rfc3339;
use numis_map::Crs;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::json::{self, Caching};
use crate::layer_report::{LayerReport, NATIVE_CRS, layer_reports, millis};
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
    let body = match layer_reports(&state) {
        Some(reports) => {
            let layers: Vec<Value> = reports.iter().map(layer_json).collect();
            json!({ "map": true, "layers": layers })
        }
        None => json!({ "map": false, "layers": [] }),
    };
    Ok(json::answer(StatusCode::OK, &body, Caching::Never))
}

fn layer_json(report: &LayerReport) -> Value {
    let extent = |crs: Crs, bbox: Option<[f64; 4]>| {
        bbox.map(|bbox| json!({ "crs": crs.code(), "bbox": bbox }))
    };
    let extent = if report.error.is_some() {
        Value::Null
    } else {
        // The map's native CRS and longitude/latitude (WGS84).
        json!({
            "native": extent(NATIVE_CRS, report.extent_native),
            "wgs84": extent(Crs::Crs84, report.extent_wgs84),
        })
    };
    let stats = &report.stats;
    json!({
        "id": report.id,
        "title": report.title.get("de"),
        "status": if report.error.is_some() { "error" } else { "ok" },
        "error": report.error,
        "source": source_json(report),
        "features": report.features,
        "extent": extent,
        "data_date": report.data_date,
        "licence": { "id": report.licence_id, "url": report.licence_url },
        "access": report.access,
        "loaded_at": rfc3339(report.loaded_at),
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
fn source_json(report: &LayerReport) -> Value {
    let source = &report.source;
    match source.kind {
        "geopackage" => json!({
            "type": source.kind,
            "path": source.path,
            "table": source.table,
        }),
        _ => json!({ "type": source.kind, "path": source.path }),
    }
}
