//! The landing page, the conformance declaration and the API definition
//! (17-069r4, 7.2–7.4).

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Response};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::negotiate::Format;
use super::{GEOJSON, HTML, JSON, OPENAPI, Ogc, error::OgcError, link, openapi, params};
use crate::caller::RequestCaller;
use crate::events::Event;
use crate::routes::account::Stop;
use crate::state::AppState;

/// The conformance classes this API implements.
pub const CONFORMANCE: [&str; 5] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
];

/// Reads the request of a resource that takes only `f` and `lang`.
pub(super) fn plain_request(
    state: AppState,
    headers: &HeaderMap,
    query: Option<&str>,
    caller: numis_map::view::Caller,
    resource: &'static str,
) -> Result<Ogc, Stop> {
    let ogc = Ogc::new(state, headers, query, caller)?;
    if let Some(name) = params::unknown(&ogc.pairs, &params::COMMON) {
        let error = OgcError::bad_parameter(format!(
            "unknown parameter '{name}'; this resource reads only f and lang"
        ));
        return Err(ogc.fail(error).into());
    }
    ogc.state.events.count(Event::OgcApiRequest, Some(resource));
    Ok(ogc)
}

/// `/ogcapi`.
pub async fn landing(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    RequestCaller(caller): RequestCaller,
) -> Response<Body> {
    let ogc = match plain_request(state, &headers, query.as_deref(), caller, "landing") {
        Ok(ogc) => ogc,
        Err(answer) => return answer.into_response(),
    };
    let lang = ogc.lang.as_str();
    let service = &ogc.map.catalog.config.service;
    let title = service.title.get(lang).to_owned();
    let description = service.abstract_.get(lang).to_owned();
    let mut links = ogc.self_links("", JSON);
    links.extend([
        link(
            "service-desc",
            &ogc.url("/api", &[]),
            OPENAPI,
            "OpenAPI 3.0",
        ),
        link(
            "service-doc",
            &ogc.url("/api", &[("f", "html")]),
            HTML,
            "API (HTML)",
        ),
        link(
            "conformance",
            &ogc.url("/conformance", &[]),
            JSON,
            "Conformance",
        ),
        link(
            "http://www.opengis.net/def/rel/ogc/1.0/conformance",
            &ogc.url("/conformance", &[]),
            JSON,
            "Conformance",
        ),
        link("data", &ogc.url("/collections", &[]), JSON, "Collections"),
        link(
            "http://www.opengis.net/def/rel/ogc/1.0/data",
            &ogc.url("/collections", &[]),
            JSON,
            "Collections",
        ),
    ]);
    match ogc.format {
        Format::Json => ogc.json(
            &json!({ "title": title, "description": description, "links": links }),
            JSON,
        ),
        Format::Html => {
            let data = json!({
                "description": description,
                "collections": ogc.url("/collections", &[("f", "html")]),
                "conformance": ogc.url("/conformance", &[("f", "html")]),
                "api": ogc.url("/api", &[("f", "html")]),
                "api_json": ogc.url("/api", &[("f", "json")]),
                "json": ogc.url("", &[("f", "json")]),
                "base": ogc.url("", &[]),
            });
            ogc.html("", "landing", &title, data)
        }
    }
}

/// `/ogcapi/conformance`.
pub async fn conformance(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    RequestCaller(caller): RequestCaller,
) -> Response<Body> {
    let ogc = match plain_request(state, &headers, query.as_deref(), caller, "conformance") {
        Ok(ogc) => ogc,
        Err(answer) => return answer.into_response(),
    };
    match ogc.format {
        Format::Json => ogc.json(&json!({ "conformsTo": CONFORMANCE }), JSON),
        Format::Html => {
            let title = ogc.state.site().text(ogc.lang, "OGCAPI.CONFORMANCE");
            let data = json!({
                "classes": CONFORMANCE,
                "json": ogc.url("/conformance", &[("f", "json")]),
                "home": ogc.url("", &[("f", "html")]),
            });
            ogc.html("/conformance", "conformance", &title, data)
        }
    }
}

/// `/ogcapi/api`: the OpenAPI 3.0 definition of what this caller can
/// reach (restricted collections appear only for their role).
pub async fn api(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    RequestCaller(caller): RequestCaller,
) -> Response<Body> {
    let ogc = match plain_request(state, &headers, query.as_deref(), caller, "api") {
        Ok(ogc) => ogc,
        Err(answer) => return answer.into_response(),
    };
    let document: Value = openapi::document(&ogc);
    match ogc.format {
        Format::Json => ogc.json(&document, OPENAPI),
        Format::Html => {
            let title = ogc.state.site().text(ogc.lang, "OGCAPI.API");
            let paths: Vec<Value> = document["paths"]
                .as_object()
                .map(|paths| {
                    paths
                        .iter()
                        .map(|(path, item)| {
                            json!({ "path": path, "summary": item["get"]["summary"] })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let data = json!({
                "paths": paths,
                "json": ogc.url("/api", &[("f", "json")]),
                "home": ogc.url("", &[("f", "html")]),
                "geojson": GEOJSON,
            });
            ogc.html("/api", "api", &title, data)
        }
    }
}
