//! The viewer's JSON endpoints: the layer catalogue (`/api/layers`), the
//! search (`/api/search`), measured values (`/api/measurements/…`) and QR
//! codes for share links (`/api/qr`). All public, none sets a cookie.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use numis_map::attribution::{licence_short_name, source_note};
use numis_map::catalog::{Caller, Catalog, Layer};
use numis_map::config::GroupConfig;
use numis_map::search::Target;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::json::{self, Caching};
use crate::ows::{MapService, caller};
use crate::state::AppState;

/// The scales the viewer offers; its view snaps to them.
pub const VIEWER_SCALES: [u32; 9] = [
    5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_000_000,
];
/// Longest text a QR code is made of.
const MAX_QR_BYTES: usize = 2_000;
/// Deepest group nesting the tree follows (configurations are checked for
/// cycles only by this bound).
const MAX_TREE_DEPTH: usize = 8;

/// `/api/layers`, `/api/search`, `/api/measurements/{layer}/{key}`, `/api/qr`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/layers", get(layers))
        .route("/api/search", get(search))
        .route("/api/measurements/{layer}/{key}", get(measurements))
        .route("/api/qr", get(qr))
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

fn lang_of(lang: Option<&str>) -> &'static str {
    if lang == Some("en") { "en" } else { "de" }
}

fn json_response(status: StatusCode, value: &Value) -> Response<Body> {
    // Answers change when the site is reloaded; let browsers revalidate.
    json::answer(status, value, Caching::Revalidate)
}

fn no_map() -> Response<Body> {
    json_response(
        StatusCode::NOT_FOUND,
        &json!({ "error": "this portal publishes no map" }),
    )
}

fn legend_url(id: &str, lang: &str) -> String {
    format!(
        "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER={id}&FORMAT=image%2Fpng&SLD_VERSION=1.1.0&LANGUAGE={lang}"
    )
}

async fn layers(
    State(state): State<AppState>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response<Body> {
    let Some(map) = state.map() else {
        return no_map();
    };
    let lang = lang_of(query.lang.as_deref());
    let caller = caller(&headers, map.operator_token());
    json_response(StatusCode::OK, &catalogue(&map, &caller, lang))
}

/// The viewer's view of the catalogue: base maps, tree, layers.
fn catalogue(map: &MapService, caller: &Caller, lang: &str) -> Value {
    let catalog = &map.catalog;
    let viewer = &catalog.config.viewer;
    let visible_layers: Vec<&Layer> = catalog
        .layers
        .iter()
        .filter(|l| caller.may_see(&l.config.access))
        .collect();
    let all_layers = visible_layers
        .iter()
        .filter_map(|l| l.data.extent(numis_map::Crs::Utm32))
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
    let basemaps: Vec<Value> = viewer
        .basemaps
        .iter()
        .filter_map(|id| {
            let members = member_layers(catalog, id, caller, 0);
            if members.is_empty() {
                return None;
            }
            let title = catalog
                .group(id)
                .map(|g| g.title.get(lang).to_owned())
                .or_else(|| {
                    catalog
                        .layer(id, caller)
                        .map(|l| l.config.title.get(lang).to_owned())
                })?;
            let mut attribution: Vec<String> = Vec::new();
            for layer in &members {
                let note = source_note(&layer.config, lang);
                if !note.is_empty() && !attribution.contains(&note) {
                    attribution.push(note);
                }
            }
            let queryable: Vec<&str> = members
                .iter()
                .filter(|l| !l.config.queryable.is_empty())
                .map(|l| l.config.id.as_str())
                .collect();
            Some(json!({
                "id": id,
                "title": title,
                "wms": "/ows",
                "layers": id,
                "attribution": attribution,
                "queryable_layers": queryable,
            }))
        })
        .collect();
    let external = viewer.external_basemaps.iter().map(|b| {
        json!({
            "id": b.id,
            "title": b.title.get(lang),
            "wms": b.url,
            "layers": b.layers,
            "attribution": [b.attribution.get(lang)],
            "queryable_layers": [],
        })
    });
    let basemaps: Vec<Value> = basemaps.into_iter().chain(external).collect();
    let tree: Vec<Value> = viewer
        .tree
        .iter()
        .filter_map(|id| tree_node(catalog, id, caller, lang, 0))
        .collect();
    let layers: serde_json::Map<String, Value> = visible_layers
        .iter()
        .map(|layer| {
            (
                layer.config.id.clone(),
                layer_json(layer, lang, viewer.visible.contains(&layer.config.id)),
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

fn layer_json(layer: &Layer, lang: &str, visible: bool) -> Value {
    let config = &layer.config;
    let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let fields: Vec<Value> = config
        .queryable
        .iter()
        .filter(|f| !config.personal.contains(&f.field))
        .map(|f| {
            let label = f.label.get(lang);
            json!({ "field": f.field, "label": if label.is_empty() { &f.field } else { label } })
        })
        .collect();
    json!({
        "id": config.id,
        "title": config.title.get(lang),
        "abstract": config.abstract_.get(lang),
        "licence": {
            "id": text(&config.licence.id),
            "name": licence_short_name(&config.licence.id).map(str::to_owned).or_else(|| text(&config.licence.id)),
            "url": text(&config.licence.url),
        },
        "attribution": source_note(config, lang),
        "modified": config.modified,
        "data_date": text(&config.data_date),
        "metadata_url": text(&config.metadata_url),
        "queryable": !fields.is_empty(),
        "fields": fields,
        "legend_url": legend_url(&config.id, lang),
        "min_scale": config.min_scale,
        "max_scale": config.max_scale,
        "visible": visible,
        "measurements": config.measurements.is_some(),
        "measurement_key": config.measurements.as_ref().map(|m| m.key.clone()),
    })
}

/// A folder (group) with its members, or a layer; `None` for what the
/// caller may not see or a folder left empty.
fn tree_node(
    catalog: &Catalog,
    id: &str,
    caller: &Caller,
    lang: &str,
    depth: usize,
) -> Option<Value> {
    if let Some(layer) = catalog.layer(id, caller) {
        return Some(json!({ "type": "layer", "id": layer.config.id }));
    }
    let group: &GroupConfig = catalog.group(id)?;
    if depth >= MAX_TREE_DEPTH {
        return None;
    }
    let children: Vec<Value> = group
        .members
        .iter()
        .filter_map(|m| tree_node(catalog, m, caller, lang, depth + 1))
        .collect();
    (!children.is_empty()).then(|| {
        json!({ "type": "folder", "id": group.id, "title": group.title.get(lang), "children": children })
    })
}

/// Every layer in `id` (a layer or a group, recursively) the caller sees.
fn member_layers<'a>(
    catalog: &'a Catalog,
    id: &str,
    caller: &Caller,
    depth: usize,
) -> Vec<&'a Layer> {
    if let Some(layer) = catalog.layer(id, caller) {
        return vec![layer];
    }
    match catalog.group(id) {
        Some(group) if depth < MAX_TREE_DEPTH => group
            .members
            .iter()
            .flat_map(|m| member_layers(catalog, m, caller, depth + 1))
            .collect(),
        _ => Vec::new(),
    }
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    lang: Option<String>,
}

async fn search(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
    headers: HeaderMap,
) -> Response<Body> {
    let Some(map) = state.map() else {
        return no_map();
    };
    let lang = lang_of(query.lang.as_deref());
    let caller = caller(&headers, map.operator_token());
    let hits = map
        .search
        .search(query.q.as_deref().unwrap_or_default(), lang, &caller);
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
    json_response(StatusCode::OK, &json!({ "results": results }))
}

async fn measurements(
    State(state): State<AppState>,
    Path((layer_id, key)): Path<(String, String)>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response<Body> {
    let Some(map) = state.map() else {
        return no_map();
    };
    let lang = lang_of(query.lang.as_deref());
    let caller = caller(&headers, map.operator_token());
    let not_found = |what: &str| json_response(StatusCode::NOT_FOUND, &json!({ "error": what }));
    let Some(layer) = map.catalog.layer(&layer_id, &caller) else {
        return not_found("no such layer");
    };
    let (Some(config), Some(measured)) = (&layer.config.measurements, &layer.measurements) else {
        return not_found("this layer has no measurements");
    };
    // A feature without values is no error: the viewer shows none.
    let latest = measured.latest(&key).unwrap_or_default();
    let values: Vec<Value> = latest
        .iter()
        .map(|v| {
            let label = config
                .parameters
                .get(&v.parameter)
                .map(|t| t.get(lang).to_owned())
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| v.parameter.clone());
            json!({
                "parameter": v.parameter,
                "label": label,
                "unit": v.unit,
                "date": v.date,
                "value": v.value,
            })
        })
        .collect();
    json_response(StatusCode::OK, &json!({ "key": key, "values": values }))
}

#[derive(Deserialize)]
struct QrQuery {
    text: Option<String>,
}

async fn qr(Query(query): Query<QrQuery>) -> Response<Body> {
    let text = query.text.unwrap_or_default();
    if text.is_empty() || text.len() > MAX_QR_BYTES {
        return json_response(
            StatusCode::BAD_REQUEST,
            &json!({ "error": format!("text must be 1 to {MAX_QR_BYTES} bytes") }),
        );
    }
    let code =
        match qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M) {
            Ok(code) => code,
            Err(e) => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    &json!({ "error": format!("no QR code for this text: {e}") }),
                );
            }
        };
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
    response
}
