//! `/collections/{id}/items` and `/collections/{id}/items/{featureId}`
//! (17-069r4, 7.15–7.16; 18-058r1, 6.3–6.4): the features of an open
//! layer as GeoJSON or an HTML table, selected by `bbox` and property
//! filters, paged by `limit` and `offset`, in the CRS of `crs`.
//!
//! The work is done on the blocking pool: a page of ten thousand
//! municipalities is a few megabytes of JSON.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Response};
use axum::response::IntoResponse;
use geo::{BoundingRect, Intersects};
use numis_map::Crs;
use numis_map::view::{DataFeature, VisibleLayer};
use serde_json::{Map, Value, json};

use super::collections::map_link;
use super::crs::OgcCrs;
use super::error::OgcError;
use super::negotiate::Format;
use super::params::{self, ItemsQuery};
use super::{GEOJSON, JSON, Ogc, geojson, link, segment};
use crate::caller::RequestCaller;
use crate::events::Event;
use crate::state::AppState;

/// `/ogcapi/collections/{id}/items`.
pub async fn items(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    RequestCaller(caller): RequestCaller,
) -> Response<Body> {
    let ogc = match Ogc::new(state, &headers, query.as_deref(), caller) {
        Ok(ogc) => ogc,
        Err(answer) => return answer.into_response(),
    };
    blocking(move || items_page(&ogc, &id)).await
}

/// `/ogcapi/collections/{id}/items/{featureId}`.
pub async fn feature(
    State(state): State<AppState>,
    Path((id, feature_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    RequestCaller(caller): RequestCaller,
) -> Response<Body> {
    let ogc = match Ogc::new(state, &headers, query.as_deref(), caller) {
        Ok(ogc) => ogc,
        Err(answer) => return answer.into_response(),
    };
    blocking(move || feature_page(&ogc, &id, &feature_id)).await
}

async fn blocking(work: impl FnOnce() -> Response<Body> + Send + 'static) -> Response<Body> {
    match tokio::task::spawn_blocking(work).await {
        Ok(response) => response,
        Err(e) => OgcError::internal(&e).json(),
    }
}

fn items_page(ogc: &Ogc, id: &str) -> Response<Body> {
    let layer = match ogc.collection(id) {
        Ok(layer) => layer,
        Err(error) => return ogc.fail(error),
    };
    let queryable: Vec<&str> = layer.public_fields().map(|f| f.field.as_str()).collect();
    let query = match ItemsQuery::parse(&ogc.pairs, &queryable) {
        Ok(query) => query,
        Err(message) => return ogc.fail(OgcError::bad_parameter(message)),
    };
    ogc.state.events.count(Event::OgcApiItems, Some(layer.id()));
    let matched = select(&layer, &query);
    let page: Vec<usize> = matched
        .iter()
        .copied()
        .skip(query.offset)
        .take(query.limit)
        .collect();
    let path = format!("/collections/{}/items", segment(layer.id()));
    let mut links = ogc.self_links(&path, GEOJSON);
    let json_or_html = match ogc.format {
        Format::Json => "json",
        Format::Html => "html",
    };
    let page_url = |offset: usize| {
        let offset = offset.to_string();
        let mut query = ogc.kept_pairs(&["offset"]);
        query.push(("offset", &offset));
        query.push(("f", json_or_html));
        ogc.url(&path, &query)
    };
    let media = match ogc.format {
        Format::Json => GEOJSON,
        Format::Html => super::HTML,
    };
    let next =
        (query.offset + page.len() < matched.len()).then(|| page_url(query.offset + page.len()));
    let prev = (query.offset > 0).then(|| page_url(query.offset.saturating_sub(query.limit)));
    if let Some(next) = &next {
        links.push(link("next", next, media, "Next page"));
    }
    if let Some(prev) = &prev {
        links.push(link("prev", prev, media, "Previous page"));
    }
    let collection = format!("/collections/{}", segment(layer.id()));
    links.push(link(
        "collection",
        &ogc.url(&collection, &[]),
        JSON,
        layer.title().get(ogc.lang.as_str()),
    ));
    match ogc.format {
        Format::Json => {
            let features: Vec<Value> = page
                .iter()
                .filter_map(|&i| feature_json(&layer, i, query.crs, None))
                .collect();
            let body = json!({
                "type": "FeatureCollection",
                "timeStamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "numberMatched": matched.len(),
                "numberReturned": features.len(),
                "features": features,
                "links": links,
            });
            with_crs(ogc.json(&body, GEOJSON), query.crs)
        }
        Format::Html => {
            let columns = layer.property_names();
            // A field's label from map.toml where it has one, else its name.
            let headers: Vec<String> = columns
                .iter()
                .map(|name| {
                    layer
                        .public_fields()
                        .find(|f| f.field == *name)
                        .map(|f| f.label.get(ogc.lang.as_str()))
                        .filter(|label| !label.is_empty())
                        .unwrap_or(name)
                        .to_owned()
                })
                .collect();
            let rows: Vec<Value> = page
                .iter()
                .filter_map(|&i| layer.data_feature(i))
                .map(|f| {
                    let values: Vec<String> = columns.iter().map(|c| text(f.property(c))).collect();
                    json!({
                        "id": f.id,
                        "url": ogc.url(&format!("{path}/{}", segment(&f.id)), &[("f", "html")]),
                        "values": values,
                    })
                })
                .collect();
            let data = json!({
                "collection": {
                    "id": layer.id(),
                    "title": layer.title().get(ogc.lang.as_str()),
                    "url": ogc.url(&collection, &[("f", "html")]),
                    "attribution": layer.source_note(ogc.lang.as_str()),
                },
                "columns": headers,
                "rows": rows,
                "matched": matched.len(),
                "first": if page.is_empty() { 0 } else { query.offset + 1 },
                "last": query.offset + page.len(),
                "next": next,
                "prev": prev,
                "json": links.iter().find(|l| l["type"] == GEOJSON).map(|l| l["href"].clone()),
                "map": map_link(ogc, &layer),
                "collections": ogc.url("/collections", &[("f", "html")]),
                "home": ogc.url("", &[("f", "html")]),
            });
            let title = layer.title().get(ogc.lang.as_str()).to_owned();
            with_crs(ogc.html(&path, "items", &title, data), query.crs)
        }
    }
}

fn feature_page(ogc: &Ogc, id: &str, feature_id: &str) -> Response<Body> {
    let layer = match ogc.collection(id) {
        Ok(layer) => layer,
        Err(error) => return ogc.fail(error),
    };
    if let Some(name) = params::unknown(&ogc.pairs, &params::FEATURE) {
        return ogc.fail(OgcError::bad_parameter(format!(
            "unknown parameter '{name}'; a feature reads only f, lang and crs"
        )));
    }
    let crs = match params::output_crs(&ogc.pairs) {
        Ok(crs) => crs,
        Err(message) => return ogc.fail(OgcError::bad_parameter(message)),
    };
    let Some(feature) = layer.data_features().find(|f| f.id == feature_id) else {
        return ogc.fail(OgcError::not_found(format!(
            "no feature '{feature_id}' in collection '{id}'"
        )));
    };
    ogc.state
        .events
        .count(Event::OgcApiFeature, Some(layer.id()));
    let collection = format!("/collections/{}", segment(layer.id()));
    let path = format!("{collection}/items/{}", segment(&feature.id));
    let mut links = ogc.self_links(&path, GEOJSON);
    links.push(link(
        "collection",
        &ogc.url(&collection, &[]),
        JSON,
        layer.title().get(ogc.lang.as_str()),
    ));
    match ogc.format {
        Format::Json => match feature_json(&layer, feature.index, crs, Some(links)) {
            Some(body) => with_crs(ogc.json(&body, GEOJSON), crs),
            None => ogc.fail(OgcError::not_found(format!("no feature '{feature_id}'"))),
        },
        Format::Html => {
            let properties: Vec<Value> = feature
                .properties()
                .map(|(name, value)| json!({ "name": name, "value": text(Some(value)) }))
                .collect();
            let geometry_type = layer
                .geometry(Crs::Utm32, feature.index)
                .map(|g| geometry_type(&g))
                .unwrap_or_default();
            let mut map = map_link(ogc, &layer);
            if let Some(r) = layer
                .geometry(Crs::Utm32, feature.index)
                .and_then(|g| g.bounding_rect())
            {
                let (x, y) = ((r.min().x + r.max().x) / 2.0, (r.min().y + r.max().y) / 2.0);
                map = format!(
                    "{}?layers={}&x={}&y={}&marker={},{}",
                    numis_cms::map_url(ogc.lang),
                    segment(layer.id()),
                    x.round(),
                    y.round(),
                    x.round(),
                    y.round()
                );
            }
            let data = json!({
                "id": feature.id,
                "collection": {
                    "id": layer.id(),
                    "title": layer.title().get(ogc.lang.as_str()),
                    "url": ogc.url(&collection, &[("f", "html")]),
                    "items": ogc.url(&format!("{collection}/items"), &[("f", "html")]),
                    "attribution": layer.source_note(ogc.lang.as_str()),
                },
                "properties": properties,
                "geometry_type": geometry_type,
                "map": map,
                "json": ogc.url(&path, &[("f", "json")]),
                "collections": ogc.url("/collections", &[("f", "html")]),
                "home": ogc.url("", &[("f", "html")]),
            });
            let title = format!("{} – {}", layer.title().get(ogc.lang.as_str()), feature.id);
            ogc.html(&path, "feature", &title, data)
        }
    }
}

/// The positions of the features `query` selects, in source order: those
/// whose geometry meets the bbox, then those whose properties match.
fn select(layer: &VisibleLayer<'_>, query: &ItemsQuery) -> Vec<usize> {
    let candidates: Vec<usize> = match query.bbox {
        Some((crs, area)) => {
            let engine = crs.engine();
            layer
                .data_features_in(engine, area)
                .into_iter()
                // The index knows envelopes; the standard asks whether the
                // geometry itself meets the box.
                .filter(|&i| {
                    layer
                        .geometry(engine, i)
                        .is_some_and(|g| g.intersects(&area))
                })
                .collect()
        }
        None => (0..layer.feature_count()).collect(),
    };
    if query.filters.is_empty() {
        return candidates;
    }
    candidates
        .into_iter()
        .filter(|&i| {
            layer
                .data_feature(i)
                .is_some_and(|f| matches_filters(&f, &query.filters))
        })
        .collect()
}

/// Does each filtered property, written as text, equal its value?
fn matches_filters(feature: &DataFeature<'_>, filters: &[(String, String)]) -> bool {
    filters.iter().all(|(name, wanted)| {
        feature
            .property(name)
            .is_some_and(|value| !value.is_null() && text(Some(value)) == *wanted)
    })
}

/// A property value as text: strings as they are, null as nothing.
fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Feature `index` as a GeoJSON feature in `crs`, with `links` if given.
fn feature_json(
    layer: &VisibleLayer<'_>,
    index: usize,
    crs: OgcCrs,
    links: Option<Vec<Value>>,
) -> Option<Value> {
    let feature = layer.data_feature(index)?;
    let geometry = layer.geometry(crs.engine(), index)?;
    let properties: Map<String, Value> = feature
        .properties()
        .map(|(name, value)| (name.to_owned(), value.clone()))
        .collect();
    let mut value = json!({
        "type": "Feature",
        "id": feature_id(&feature.id),
        "geometry": geojson::geometry(&geometry, crs),
        "properties": properties,
    });
    if let Some(links) = links {
        value["links"] = Value::Array(links);
    }
    Some(value)
}

/// An id that is a plain whole number is written as one, so that clients
/// (GDAL) can use it as the feature's number; others stay strings.
fn feature_id(id: &str) -> Value {
    match id.parse::<u64>() {
        Ok(n) if n.to_string() == id => Value::from(n),
        _ => Value::from(id),
    }
}

fn geometry_type(geometry: &geo::Geometry<f64>) -> &'static str {
    use geo::Geometry as G;
    match geometry {
        G::Point(_) => "Point",
        G::MultiPoint(_) => "MultiPoint",
        G::Line(_) | G::LineString(_) => "LineString",
        G::MultiLineString(_) => "MultiLineString",
        G::Polygon(_) | G::Rect(_) | G::Triangle(_) => "Polygon",
        G::MultiPolygon(_) => "MultiPolygon",
        G::GeometryCollection(_) => "GeometryCollection",
    }
}

/// Adds `Content-Crs` (18-058r1, 6.4.2): the CRS of the coordinates.
fn with_crs(mut response: Response<Body>, crs: OgcCrs) -> Response<Body> {
    if response.status().is_success()
        && let Ok(value) = HeaderValue::from_str(&format!("<{}>", crs.uri()))
    {
        response.headers_mut().insert("content-crs", value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_number_ids_are_numbers_and_others_strings() {
        assert_eq!(feature_id("12"), json!(12));
        assert_eq!(feature_id("012"), json!("012"));
        assert_eq!(feature_id("DENI-03"), json!("DENI-03"));
    }

    #[test]
    fn values_compare_as_text() {
        assert_eq!(text(Some(&json!("Celle"))), "Celle");
        assert_eq!(text(Some(&json!(42))), "42");
        assert_eq!(text(Some(&json!(true))), "true");
        assert_eq!(text(Some(&Value::Null)), "");
    }
}
