//! `/api/series/{layer}`: the stations of a layer with measurements;
//! `/api/series/{layer}/{station}`: the values measured at a station of a
//! layer with `[layer.measurements]`, as JSON for the charts or as CSV to
//! download, with the layer's source note and licence (clause L1) and the
//! configured limit values. Public, no cookie; a restricted layer is
//! found only by those who may see it. The values come from a table or
//! database, or from a SensorThings API through the safe fetcher
//! ([`super::catalogue::read_station`]).

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, Response, StatusCode, header};
use axum::routing::get;
use numis_map::attribution::licence_short_name;
use numis_map::series::{Period, Series};
use serde::Deserialize;
use serde_json::{Value, json};

use super::catalogue::{Wanted, lang_of, measured_layer, published, read_station};
use crate::caller::RequestCaller;
use crate::error::ApiError;
use crate::json::{self, Caching};
use crate::state::AppState;

/// `/api/series/{layer}` and `/api/series/{layer}/{station}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/series/{layer}", get(stations))
        .route("/api/series/{layer}/{station}", get(series))
}

/// The layer's stations, key and name, to choose from.
async fn stations(
    State(state): State<AppState>,
    Path(layer_id): Path<String>,
    RequestCaller(caller): RequestCaller,
) -> Result<Response<Body>, ApiError> {
    let map = published(&state)?;
    let view = map.catalog.view(&caller);
    let (layer, _, _) = measured_layer(&view, &layer_id)?;
    let stations: Vec<Value> = layer
        .stations()
        .into_iter()
        .map(|s| {
            // Whole metres: enough to mark a station on the map.
            let at = s.at.map(|(x, y)| [x.round(), y.round()]);
            json!({ "station": s.key, "name": s.name, "at": at })
        })
        .collect();
    Ok(json::answer(
        StatusCode::OK,
        &json!({ "layer": layer_id, "stations": stations }),
        Caching::Revalidate,
    ))
}

#[derive(Deserialize)]
struct SeriesQuery {
    /// Parameter codes, comma-separated; all when missing.
    parameter: Option<String>,
    from: Option<String>,
    to: Option<String>,
    lang: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

async fn series(
    State(state): State<AppState>,
    Path((layer_id, station)): Path<(String, String)>,
    Query(query): Query<SeriesQuery>,
    RequestCaller(caller): RequestCaller,
) -> Result<Response<Body>, ApiError> {
    let csv = match query.format.as_deref().unwrap_or("json") {
        "json" => false,
        "csv" => true,
        other => {
            return Err(ApiError::bad_request(format!(
                "format {other:?} is not offered: json or csv"
            )));
        }
    };
    let period =
        Period::parse(query.from.as_deref(), query.to.as_deref()).map_err(ApiError::bad_request)?;
    let parameters: Vec<String> = query
        .parameter
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    let map = published(&state)?;
    let lang = lang_of(query.lang.as_deref());
    let source = {
        let view = map.catalog.view(&caller);
        measured_layer(&view, &layer_id)?.2.source().clone()
    };
    let wanted = Wanted::Series {
        parameters: parameters.clone(),
        period: period.clone(),
    };
    let found = read_station(&state, source, &station, wanted)
        .await?
        .ok_or_else(|| ApiError::not_found("no values for this station"))?;
    if let Some(missing) = parameters
        .iter()
        .find(|p| !found.iter().any(|s| &s.parameter == *p))
    {
        return Err(ApiError::not_found(format!(
            "no values of {missing:?} at this station"
        )));
    }
    let view = map.catalog.view(&caller);
    let (layer, config, _) = measured_layer(&view, &layer_id)?;
    let source = layer.source_note(lang);
    let licence = layer.licence();
    if csv {
        return Ok(csv_answer(
            &layer_id,
            &station,
            &found,
            &source,
            &licence.id,
        ));
    }
    let (from, to) = period.bounds();
    let series: Vec<Value> = found
        .iter()
        .map(|s| {
            let limit = config
                .limits
                .get(&s.parameter)
                .map(|l| json!({ "value": l.value, "label": l.label.get(lang) }));
            let points: Vec<Value> = s
                .points
                .iter()
                .map(|p| json!({ "date": p.date, "value": p.value }))
                .collect();
            json!({
                "parameter": s.parameter,
                "label": config.label(&s.parameter, lang),
                "unit": s.unit,
                "limit": limit,
                "points": points,
            })
        })
        .collect();
    Ok(json::answer(
        StatusCode::OK,
        &json!({
            "layer": layer_id,
            "station": station,
            "from": from,
            "to": to,
            "source": source,
            "licence": {
                "id": licence.id,
                "name": licence_short_name(&licence.id),
                "url": licence.url,
            },
            "series": series,
        }),
        Caching::Revalidate,
    ))
}

/// The values as CSV, one row each, every row with the source note and
/// licence so that no copy of the file loses them.
fn csv_answer(
    layer: &str,
    station: &str,
    series: &[Series],
    source: &str,
    licence: &str,
) -> Response<Body> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut rows = vec![
        [
            "station",
            "parameter",
            "unit",
            "date",
            "value",
            "source",
            "licence",
        ]
        .map(str::to_owned),
    ];
    for s in series {
        for p in &s.points {
            rows.push([
                station.to_owned(),
                s.parameter.clone(),
                s.unit.clone(),
                p.date.clone(),
                p.value.to_string(),
                source.to_owned(),
                licence.to_owned(),
            ]);
        }
    }
    // Writing to memory fails only on a broken record, which cannot be.
    let written = rows.iter().try_for_each(|r| writer.write_record(r));
    let body = writer.into_inner().unwrap_or_default();
    let mut response = Response::new(Body::from(if written.is_ok() { body } else { Vec::new() }));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let name: String = format!("{layer}-{station}.csv")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
