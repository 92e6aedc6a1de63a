//! The viewer's JSON endpoints: the layer catalogue (`/api/layers`), the
//! source notes of a map (`/api/attribution`), the search (`/api/search`),
//! measured values (`/api/measurements/…`) and QR codes for share links
//! (`/api/qr`). All public, none sets a cookie.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use numis_cms::Lang;
use numis_map::attribution::{MAX_NOTE_LAYERS, combined_notes, licence_short_name, map_notes};
use numis_map::config::MeasurementsConfig;
use numis_map::measurements::{Measurements, Source, latest_of};
use numis_map::search::Target;
use numis_map::series::sensorthings::SensorThingsError;
use numis_map::series::{Period, Series, SeriesError};
use numis_map::view::{Caller, CatalogView, Node, VisibleLayer};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::caller::RequestCaller;
use crate::error::ApiError;
use crate::events::Event;
use crate::external::fetch::FetchError;
use crate::external::sensorthings::{self, ServiceError};
use crate::json::{self, Caching};
use crate::map_service::MapService;
use crate::state::AppState;

/// The scales the viewer offers; its view snaps to them.
pub const VIEWER_SCALES: [u32; 9] = [
    5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_000_000,
];
/// Longest text a QR code is made of.
const MAX_QR_BYTES: usize = 2_000;

/// `/api/layers`, `/api/attribution`, `/api/search`,
/// `/api/measurements/{layer}/{key}`, `/api/qr`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/layers", get(layers))
        .route("/api/attribution", get(attribution))
        .route("/api/search", get(search))
        .route("/api/measurements/{layer}/{key}", get(measurements))
        .route("/api/qr", get(qr))
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

pub(crate) fn lang_of(lang: Option<&str>) -> &'static str {
    Lang::from_query(lang).as_str()
}

/// A catalogue answer: it changes when the site is reloaded, so browsers
/// keep it but ask again.
fn ok(value: &Value) -> Result<Response<Body>, ApiError> {
    Ok(json::answer(StatusCode::OK, value, Caching::Revalidate))
}

/// The published map, or 404 when the site has none.
pub(crate) fn published(state: &AppState) -> Result<std::sync::Arc<MapService>, ApiError> {
    state
        .map()
        .ok_or_else(|| ApiError::not_found("this portal publishes no map"))
}

fn legend_url(id: &str, lang: &str) -> String {
    format!(
        "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER={id}&FORMAT=image%2Fpng&SLD_VERSION=1.1.0&LANGUAGE={lang}"
    )
}

async fn layers(
    State(state): State<AppState>,
    Query(query): Query<LangQuery>,
    RequestCaller(caller): RequestCaller,
) -> Result<Response<Body>, ApiError> {
    let map = published(&state)?;
    let lang = lang_of(query.lang.as_deref());
    ok(&catalogue(&map, &caller, lang))
}

/// The base maps the viewer offers `caller`, as (id, title in `lang`), in
/// the order of its base-map switcher (`basemaps` of `/api/layers`): for
/// the display preferences of "Mein NUMIS".
pub fn base_maps(map: &MapService, caller: &Caller, lang: &str) -> Vec<(String, String)> {
    let view = map.catalog.view(caller);
    let viewer = &map.catalog.config.viewer;
    let own: Vec<(String, String)> = view
        .tree(viewer.basemaps.iter().map(String::as_str))
        .iter()
        .map(|node| match node {
            Node::Layer(layer) => (layer.id().to_owned(), layer.title().get(lang).to_owned()),
            Node::Group { group, .. } => (group.id.clone(), group.title.get(lang).to_owned()),
        })
        .collect();
    let external = viewer
        .external_basemaps
        .iter()
        .map(|b| (b.id.clone(), b.title.get(lang).to_owned()));
    own.into_iter().chain(external).collect()
}

/// The viewer's view of the catalogue: base maps, tree, layers — all as
/// the caller's view of the catalogue shows them.
fn catalogue(map: &MapService, caller: &Caller, lang: &str) -> Value {
    let view = map.catalog.view(caller);
    let viewer = &map.catalog.config.viewer;
    let visible_layers: Vec<VisibleLayer<'_>> = view.layers().collect();
    let all_layers = visible_layers
        .iter()
        .filter_map(|l| l.extent(numis_map::Crs::Utm32))
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
        .reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        });
    let extent = viewer.home.or(all_layers);
    let basemaps: Vec<Value> = view
        .tree(viewer.basemaps.iter().map(String::as_str))
        .into_iter()
        .map(|node| {
            let (id, title) = match &node {
                Node::Layer(layer) => (layer.id(), layer.title().get(lang)),
                Node::Group { group, .. } => (group.id.as_str(), group.title.get(lang)),
            };
            let members = node.layers();
            let attribution = combined_notes(members.iter().copied(), [], lang);
            let queryable: Vec<&str> = members
                .iter()
                .filter(|l| l.is_queryable())
                .map(|l| l.id())
                .collect();
            json!({
                "id": id,
                "title": title,
                "wms": "/ows",
                "layers": id,
                "attribution": attribution,
                "queryable_layers": queryable,
            })
        })
        .collect();
    let external = viewer.external_basemaps.iter().map(|b| {
        json!({
            "id": b.id,
            "title": b.title.get(lang),
            "wms": b.url,
            "layers": b.layers,
            "attribution": combined_notes([], [b], lang),
            "queryable_layers": [],
        })
    });
    let basemaps: Vec<Value> = basemaps.into_iter().chain(external).collect();
    let tree: Vec<Value> = view
        .tree(viewer.tree.iter().map(String::as_str))
        .iter()
        .map(|node| tree_json(node, lang))
        .collect();
    let layers: serde_json::Map<String, Value> = visible_layers
        .iter()
        .map(|layer| {
            (
                layer.id().to_owned(),
                layer_json(layer, lang, viewer.visible.iter().any(|v| v == layer.id())),
            )
        })
        .collect();
    json!({
        "crs": "EPSG:25832",
        "extent": extent,
        "wms": "/ows",
        "scales": VIEWER_SCALES,
        "basemaps": basemaps,
        "tree": tree,
        "layers": layers,
    })
}

fn layer_json(layer: &VisibleLayer<'_>, lang: &str, visible: bool) -> Value {
    let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let fields: Vec<Value> = layer
        .public_fields()
        .map(|f| {
            let label = f.label.get(lang);
            json!({ "field": f.field, "label": if label.is_empty() { &f.field } else { label } })
        })
        .collect();
    let licence = layer.licence();
    json!({
        "id": layer.id(),
        "title": layer.title().get(lang),
        "abstract": layer.abstract_().get(lang),
        "licence": {
            "id": text(&licence.id),
            "name": licence_short_name(&licence.id).map(str::to_owned).or_else(|| text(&licence.id)),
            "url": text(&licence.url),
        },
        "attribution": layer.source_note(lang),
        "modified": layer.modified(),
        "data_date": text(layer.data_date()),
        "metadata_url": text(layer.metadata_url()),
        "queryable": !fields.is_empty(),
        "fields": fields,
        "legend_url": legend_url(layer.id(), lang),
        "min_scale": layer.min_scale(),
        "max_scale": layer.max_scale(),
        "visible": visible,
        "measurements": layer.measurement_key().is_some(),
        "measurement_key": layer.measurement_key(),
    })
}

/// A folder (group) with its visible members, or a layer.
fn tree_json(node: &Node<'_>, lang: &str) -> Value {
    match node {
        Node::Layer(layer) => json!({ "type": "layer", "id": layer.id() }),
        Node::Group { group, children } => {
            let children: Vec<Value> = children.iter().map(|c| tree_json(c, lang)).collect();
            json!({ "type": "folder", "id": group.id, "title": group.title.get(lang), "children": children })
        }
    }
}

#[derive(Deserialize)]
struct AttributionQuery {
    layers: Option<String>,
    base: Option<String>,
    lang: Option<String>,
}

/// The source notes of a map showing the base map `base` and `layers`
/// (comma-separated ids), as the caller may see them: ids of nothing the
/// caller can see are ignored.
async fn attribution(
    State(state): State<AppState>,
    Query(query): Query<AttributionQuery>,
    RequestCaller(caller): RequestCaller,
) -> Result<Response<Body>, ApiError> {
    let map = published(&state)?;
    let names: Vec<&str> = query
        .layers
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if names.len() > MAX_NOTE_LAYERS {
        return Err(ApiError::bad_request(format!(
            "layers names {} ids; at most {MAX_NOTE_LAYERS} are allowed",
            names.len()
        )));
    }
    let base = query
        .base
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty() && *b != "none");
    let lang = lang_of(query.lang.as_deref());
    let notes = map_notes(&map.catalog.view(&caller), base, &names, lang);
    ok(&json!({ "notes": notes }))
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    lang: Option<String>,
}

async fn search(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
    RequestCaller(caller): RequestCaller,
) -> Result<Response<Body>, ApiError> {
    let map = published(&state)?;
    let lang = lang_of(query.lang.as_deref());
    // Only that a search happened; the term is never kept (clause P1).
    state.events.count(Event::Search, None);
    let hits = map.search.search(
        query.q.as_deref().unwrap_or_default(),
        lang,
        &map.catalog.view(&caller),
    );
    let results: Vec<Value> = hits
        .into_iter()
        .map(|hit| {
            let (x, y, bbox, layer) = match hit.target {
                Target::Feature { at, bbox } => (Some(at.0), Some(at.1), bbox, None),
                Target::Layer(id) => (None, None, None, Some(id)),
            };
            json!({
                "kind": hit.kind,
                "kind_label": hit.kind_label,
                "label": hit.label,
                "detail": hit.detail,
                "x": x,
                "y": y,
                "bbox": bbox,
                "layer": layer,
            })
        })
        .collect();
    ok(&json!({ "results": results }))
}

async fn measurements(
    State(state): State<AppState>,
    Path((layer_id, key)): Path<(String, String)>,
    Query(query): Query<LangQuery>,
    RequestCaller(caller): RequestCaller,
) -> Result<Response<Body>, ApiError> {
    let map = published(&state)?;
    let lang = lang_of(query.lang.as_deref());
    let source = {
        let view = map.catalog.view(&caller);
        measured_layer(&view, &layer_id)?.2.source().clone()
    };
    // A feature without values is no error: the viewer shows none.
    let latest = read_station(&state, source, &key, Wanted::Latest)
        .await?
        .map(|series| latest_of(&series))
        .unwrap_or_default();
    let view = map.catalog.view(&caller);
    let (_, config, _) = measured_layer(&view, &layer_id)?;
    let values: Vec<Value> = latest
        .iter()
        .map(|v| {
            json!({
                "parameter": v.parameter,
                "label": config.label(&v.parameter, lang),
                "unit": v.unit,
                "date": v.date,
                "value": v.value,
            })
        })
        .collect();
    ok(&json!({ "key": key, "values": values }))
}

/// What a route reads of a station.
pub(crate) enum Wanted {
    /// The newest value of each parameter (as series of one point each,
    /// or whole series whose last point is the newest).
    Latest,
    /// The series of `parameters` (all when empty) within `period`.
    Series {
        parameters: Vec<String>,
        period: Period,
    },
}

/// The series of `station` from a layer's measurements `source`; `None`
/// when it knows no such station. The one branch between the sources: a
/// table or database is read on a blocking thread (a database waits for
/// its answer, which must not hold up a thread of the async runtime); a
/// SensorThings API is fetched through the safe fetcher.
pub(crate) async fn read_station(
    state: &AppState,
    source: Source,
    station: &str,
    wanted: Wanted,
) -> Result<Option<Vec<Series>>, ApiError> {
    match source {
        Source::Local(local) => {
            let station = station.to_owned();
            tokio::task::spawn_blocking(move || {
                let (parameters, period) = match wanted {
                    Wanted::Latest => (Vec::new(), Period::all()),
                    Wanted::Series { parameters, period } => (parameters, period),
                };
                let asked: Vec<&str> = parameters.iter().map(String::as_str).collect();
                local.series(&station, &asked, &period)
            })
            .await
            .map_err(ApiError::internal)?
            .map_err(unreadable)
        }
        Source::SensorThings(service) => {
            let reading = match &wanted {
                Wanted::Latest => service.latest(station),
                Wanted::Series { parameters, period } => {
                    let asked: Vec<&str> = parameters.iter().map(String::as_str).collect();
                    service.series(station, &asked, period)
                }
            };
            sensorthings::read(&state.fetcher, &service, reading)
                .await
                .map_err(service_failed)
        }
    }
}

/// The layer `id` as the caller sees it, with its measurements; 404 for
/// a layer they do not see or one without measurements.
pub(crate) fn measured_layer<'a>(
    view: &CatalogView<'a>,
    id: &str,
) -> Result<(VisibleLayer<'a>, &'a MeasurementsConfig, &'a Measurements), ApiError> {
    let layer = view
        .layer(id)
        .ok_or_else(|| ApiError::not_found("no such layer"))?;
    let (config, measured) = layer
        .measurements()
        .ok_or_else(|| ApiError::not_found("this layer has no measurements"))?;
    Ok((layer, config, measured))
}

/// A measurements source that cannot answer (a database away or slow).
pub(crate) fn unreadable(error: SeriesError) -> ApiError {
    ApiError::unavailable("the measurements cannot be read at the moment", error)
}

/// A SensorThings API that gave no series: 504 when it took too long,
/// 503 when the portal's rules refuse its address, 502 when it failed or
/// answered what cannot be read — each saying that the measurement
/// service failed and why, never what it sent; 400 when the answer would
/// hold more values than the layer allows. The cause is logged, nothing
/// about the client.
pub(crate) fn service_failed(error: ServiceError) -> ApiError {
    let status = match &error {
        ServiceError::Protocol(SensorThingsError::TooManyObservations(_)) => {
            return ApiError::bad_request(error.to_string());
        }
        ServiceError::Timeout(_) | ServiceError::Fetch(FetchError::Timeout(_)) => {
            StatusCode::GATEWAY_TIMEOUT
        }
        ServiceError::Fetch(FetchError::Refused(_)) => StatusCode::SERVICE_UNAVAILABLE,
        ServiceError::Fetch(_) | ServiceError::Protocol(_) => StatusCode::BAD_GATEWAY,
    };
    let message = format!("the measurement service failed: {error}");
    ApiError::failure(status, message, error)
}

#[derive(Deserialize)]
struct QrQuery {
    text: Option<String>,
}

async fn qr(Query(query): Query<QrQuery>) -> Result<Response<Body>, ApiError> {
    let text = query.text.unwrap_or_default();
    if text.is_empty() || text.len() > MAX_QR_BYTES {
        return Err(ApiError::bad_request(format!(
            "text must be 1 to {MAX_QR_BYTES} bytes"
        )));
    }
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| ApiError::bad_request(format!("no QR code for this text: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let mut response = svg.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    Ok(response)
}
