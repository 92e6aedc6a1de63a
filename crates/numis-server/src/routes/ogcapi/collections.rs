//! `/collections` and `/collections/{id}` (17-069r4, 7.13–7.14; the CRS
//! members of 18-058r1, 6.2): the open layers the caller sees, with their
//! extent, CRSs, licence and source note.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Response};
use axum::response::IntoResponse;
use numis_map::Crs;
use numis_map::attribution::licence_short_name;
use numis_map::view::VisibleLayer;
use serde_json::{Value, json};

use super::crs::{CRS84, OFFERED, STORAGE};
use super::landing::plain_request;
use super::negotiate::Format;
use super::{GEOJSON, HTML, JSON, Ogc, link, segment};
use crate::caller::RequestCaller;
use crate::events::Event;
use crate::state::AppState;

/// `/ogcapi/collections`.
pub async fn collections(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    RequestCaller(caller): RequestCaller,
) -> Response<Body> {
    let ogc = match plain_request(state, &headers, query.as_deref(), caller, "collections") {
        Ok(ogc) => ogc,
        Err(answer) => return answer.into_response(),
    };
    let layers = ogc.collections();
    match ogc.format {
        Format::Json => {
            let list: Vec<Value> = layers.iter().map(|l| describe(&ogc, l)).collect();
            let body = json!({
                "links": ogc.self_links("/collections", JSON),
                "collections": list,
            });
            ogc.json(&body, JSON)
        }
        Format::Html => {
            let list: Vec<Value> = layers.iter().map(|l| html_data(&ogc, l)).collect();
            let title = ogc.state.site().text(ogc.lang, "OGCAPI.COLLECTIONS");
            let data = json!({
                "collections": list,
                "json": ogc.url("/collections", &[("f", "json")]),
                "home": ogc.url("", &[("f", "html")]),
            });
            ogc.html("/collections", "collections", &title, data)
        }
    }
}

/// `/ogcapi/collections/{id}`.
pub async fn collection(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    RequestCaller(caller): RequestCaller,
) -> Response<Body> {
    let ogc = match plain_request(state, &headers, query.as_deref(), caller, "collection") {
        Ok(ogc) => ogc,
        Err(answer) => return answer.into_response(),
    };
    let layer = match ogc.collection(&id) {
        Ok(layer) => layer,
        Err(error) => return ogc.fail(error),
    };
    ogc.state
        .events
        .count(Event::OgcApiCollection, Some(layer.id()));
    let path = format!("/collections/{}", segment(layer.id()));
    match ogc.format {
        Format::Json => {
            let mut body = describe(&ogc, &layer);
            if let Some(links) = body["links"].as_array_mut() {
                links.retain(|l| l["rel"] != "self");
                let mut own = ogc.self_links(&path, JSON);
                own.append(links);
                *links = own;
            }
            ogc.json(&body, JSON)
        }
        Format::Html => {
            let data = html_data(&ogc, &layer);
            let title = layer.title().get(ogc.lang.as_str()).to_owned();
            ogc.html(&path, "collection", &title, data)
        }
    }
}

/// The collection object of `layer`.
fn describe(ogc: &Ogc, layer: &VisibleLayer<'_>) -> Value {
    let lang = ogc.lang.as_str();
    let path = format!("/collections/{}", segment(layer.id()));
    let items = format!("{path}/items");
    let mut links = vec![
        link("self", &ogc.url(&path, &[]), JSON, layer.title().get(lang)),
        link(
            "items",
            &ogc.url(&items, &[]),
            GEOJSON,
            "Features (GeoJSON)",
        ),
        link(
            "items",
            &ogc.url(&items, &[("f", "html")]),
            HTML,
            "Features (HTML)",
        ),
    ];
    let licence = layer.licence();
    if !licence.url.is_empty() {
        let name = licence_short_name(&licence.id).unwrap_or(&licence.id);
        links.push(link("license", &licence.url, HTML, name));
    }
    if !layer.metadata_url().is_empty() {
        links.push(link("describedby", layer.metadata_url(), HTML, "Metadata"));
    }
    let mut extent = json!({});
    if let Some(bbox) = extent_crs84(layer) {
        extent["spatial"] = json!({ "bbox": [bbox], "crs": CRS84 });
    }
    json!({
        "id": layer.id(),
        "title": layer.title().get(lang),
        "description": layer.abstract_().get(lang),
        "attribution": layer.source_note(lang),
        "links": links,
        "extent": extent,
        "itemType": "feature",
        "crs": OFFERED.iter().map(|c| c.uri()).collect::<Vec<_>>(),
        "storageCrs": STORAGE.uri(),
    })
}

/// The extent in CRS84, widened to whole 1e-7 degrees so that rounding
/// never cuts a feature off.
fn extent_crs84(layer: &VisibleLayer<'_>) -> Option<[f64; 4]> {
    let rect = layer.extent(Crs::Crs84)?;
    let scale = 1e7;
    Some([
        (rect.min().x * scale).floor() / scale,
        (rect.min().y * scale).floor() / scale,
        (rect.max().x * scale).ceil() / scale,
        (rect.max().y * scale).ceil() / scale,
    ])
}

/// What the HTML pages show of `layer`.
fn html_data(ogc: &Ogc, layer: &VisibleLayer<'_>) -> Value {
    let lang = ogc.lang.as_str();
    let path = format!("/collections/{}", segment(layer.id()));
    let licence = layer.licence();
    let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    json!({
        "id": layer.id(),
        "title": layer.title().get(lang),
        "description": layer.abstract_().get(lang),
        "attribution": layer.source_note(lang),
        "licence": {
            "id": text(&licence.id),
            "name": licence_short_name(&licence.id).map(str::to_owned).or_else(|| text(&licence.id)),
            "url": text(&licence.url),
        },
        "data_date": text(layer.data_date()),
        "features": layer.feature_count(),
        "extent": extent_crs84(layer),
        "url": ogc.url(&path, &[("f", "html")]),
        "json": ogc.url(&path, &[("f", "json")]),
        "items": ogc.url(&format!("{path}/items"), &[("f", "html")]),
        "items_json": ogc.url(&format!("{path}/items"), &[("f", "json")]),
        "map": map_link(ogc, layer),
        "collections": ogc.url("/collections", &[("f", "html")]),
        "home": ogc.url("", &[("f", "html")]),
        "storage_crs": STORAGE.uri(),
        "crs": OFFERED.iter().map(|c| c.uri()).collect::<Vec<_>>(),
    })
}

/// The viewer showing `layer`, centred on its data.
pub(super) fn map_link(ogc: &Ogc, layer: &VisibleLayer<'_>) -> String {
    let mut url = format!(
        "{}?layers={}",
        numis_cms::map_url(ogc.lang),
        segment(layer.id())
    );
    if let Some(r) = layer.extent(Crs::Utm32) {
        let (x, y) = ((r.min().x + r.max().x) / 2.0, (r.min().y + r.max().y) / 2.0);
        url.push_str(&format!("&x={}&y={}", x.round(), y.round()));
    }
    url
}
