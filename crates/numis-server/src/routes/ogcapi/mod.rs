//! `/ogcapi`: OGC API – Features, Part 1 Core (OGC 17-069r4) with the
//! GeoJSON, HTML and OpenAPI 3.0 classes, and Part 2 CRS (OGC 18-058r1).
//!
//! A collection is a layer the caller's catalogue view shows (clause L7:
//! a restricted layer exists only for its role, and for everyone else is
//! as unknown as a name never configured) **and** whose data are open
//! ([`VisibleLayer::is_open_data`], clause L5). Features carry every
//! property but the layer's personal ones (clause L3) — the view offers
//! no way to reach those.
//!
//! - [`landing`]: the landing page, `/conformance` and `/api` (the OpenAPI
//!   definition, built from the collections the caller sees);
//! - [`collections`]: `/collections` and `/collections/{id}`;
//! - [`items`]: `/collections/{id}/items` and `…/items/{featureId}`;
//! - [`params`], [`crs`], [`negotiate`]: the request, checked once;
//! - [`geojson`], [`html`]: the two encodings; [`error`]: the exceptions.

mod collections;
mod crs;
mod error;
mod geojson;
mod html;
mod items;
mod landing;
mod negotiate;
mod openapi;
mod params;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use numis_cms::Lang;
use numis_map::view::{Caller, CatalogView, VisibleLayer};
use serde_json::{Value, json};

use self::error::OgcError;
use self::negotiate::{Format, FormatError, lang_of};
use crate::map_service::MapService;
use crate::origin::public_base;
use crate::routes::account::Stop;
use crate::state::AppState;

/// Where the API lives.
pub const ROOT: &str = "/ogcapi";

/// Media types of the answers.
const JSON: &str = "application/json";
const GEOJSON: &str = "application/geo+json";
const HTML: &str = "text/html";
const OPENAPI: &str = "application/vnd.oai.openapi+json;version=3.0";

/// Every `/ogcapi` resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(ROOT, get(landing::landing))
        .route("/ogcapi/", get(landing::landing))
        .route("/ogcapi/conformance", get(landing::conformance))
        .route("/ogcapi/api", get(landing::api))
        .route("/ogcapi/collections", get(collections::collections))
        .route("/ogcapi/collections/{id}", get(collections::collection))
        .route("/ogcapi/collections/{id}/items", get(items::items))
        .route(
            "/ogcapi/collections/{id}/items/{feature}",
            get(items::feature),
        )
}

/// One request to the API: what it asks for, who asks, and the map.
pub(super) struct Ogc {
    state: AppState,
    map: Arc<MapService>,
    caller: Caller,
    format: Format,
    lang: Lang,
    /// `http://host/ogcapi`, for absolute links.
    base: String,
    /// The query's parameters, in order.
    pairs: Vec<(String, String)>,
}

impl Ogc {
    /// Reads the request; the error is the answer to send, boxed (400 for an
    /// unknown `f`, 406 for an `Accept` we cannot serve, 404 without map).
    fn new(
        state: AppState,
        headers: &HeaderMap,
        query: Option<&str>,
        caller: Caller,
    ) -> Result<Self, Stop> {
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                .into_owned()
                .collect();
        let f = params::single(&pairs, "f")
            .map_err(|e| Stop::from(OgcError::bad_parameter(e).json()))?;
        let format = Format::of(f, headers).map_err(|e| {
            Stop::from(match e {
                FormatError::Unknown(f) => {
                    OgcError::bad_parameter(format!("f must be json or html (got '{f}')")).json()
                }
                FormatError::NotAcceptable => OgcError::not_acceptable().json(),
            })
        })?;
        let lang_param = params::single(&pairs, "lang").ok().flatten();
        let lang = lang_of(lang_param, headers);
        let Some(map) = state.map() else {
            let error = if state.map_loading() {
                OgcError::loading()
            } else {
                OgcError::not_found("this portal publishes no map data")
            };
            return Err(error.json().into());
        };
        Ok(Self {
            base: format!("{}{ROOT}", public_base(headers)),
            state,
            map,
            caller,
            format,
            lang,
            pairs,
        })
    }

    /// The catalogue as the caller sees it.
    fn view(&self) -> CatalogView<'_> {
        self.map.catalog.view(&self.caller)
    }

    /// The collection `id`: a layer the caller sees whose data are open;
    /// anything else is 404, the same for all (clause L7).
    fn collection(&self, id: &str) -> Result<VisibleLayer<'_>, OgcError> {
        self.view()
            .layer(id)
            .filter(VisibleLayer::is_open_data)
            .ok_or_else(|| OgcError::not_found(format!("no collection '{id}'")))
    }

    /// The collections the caller may read, in configuration order.
    fn collections(&self) -> Vec<VisibleLayer<'_>> {
        self.view().layers().filter(|l| l.is_open_data()).collect()
    }

    /// The absolute URL of `path` (below `/ogcapi`) with `query` pairs.
    fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = format!("{}{path}", self.base);
        if !query.is_empty() {
            let mut serializer = form_urlencoded::Serializer::new(String::new());
            for (name, value) in query {
                serializer.append_pair(name, value);
            }
            url.push('?');
            url.push_str(&serializer.finish());
        }
        url
    }

    /// This request's parameters but `f` and those in `except`, for links
    /// to the same resource in another format or page.
    fn kept_pairs(&self, except: &[&str]) -> Vec<(&str, &str)> {
        self.pairs
            .iter()
            .filter(|(n, _)| n != "f" && !except.contains(&n.as_str()))
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    /// `self` and `alternate` links of the resource at `path` with the
    /// request's own parameters, `json_type` being its JSON media type.
    fn self_links(&self, path: &str, json_type: &str) -> Vec<Value> {
        let mut as_json = self.kept_pairs(&[]);
        as_json.push(("f", "json"));
        let mut as_html = self.kept_pairs(&[]);
        as_html.push(("f", "html"));
        let (json_rel, html_rel) = match self.format {
            Format::Json => ("self", "alternate"),
            Format::Html => ("alternate", "self"),
        };
        vec![
            link(json_rel, &self.url(path, &as_json), json_type, "JSON"),
            link(html_rel, &self.url(path, &as_html), HTML, "HTML"),
        ]
    }

    /// A JSON answer of type `content_type`.
    fn json(&self, value: &Value, content_type: &'static str) -> Response<Body> {
        let mut response = (StatusCode::OK, value.to_string()).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        self.finish(response)
    }

    /// An HTML page: `template` under `ogcapi/` with `data`, titled
    /// `title`, in the request's language; `path` is the resource's.
    fn html(&self, path: &str, template: &str, title: &str, data: Value) -> Response<Body> {
        let response = html::render(self, path, template, title, data);
        self.finish(response)
    }

    /// The answer to a refusal, in the request's format.
    fn fail(&self, error: OgcError) -> Response<Body> {
        match self.format {
            Format::Json => error.json(),
            Format::Html => html::error(self, &error),
        }
    }

    /// Caching and negotiation headers of every successful answer. What a
    /// caller with roles sees is theirs alone: no shared cache keeps it.
    fn finish(&self, mut response: Response<Body>) -> Response<Body> {
        let identified = self.caller.operator || !self.caller.roles.is_empty();
        let headers = response.headers_mut();
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if identified {
                "private, no-cache"
            } else {
                "no-cache"
            }),
        );
        headers.insert(
            header::VARY,
            HeaderValue::from_static("Accept, Accept-Language, Authorization, Cookie"),
        );
        response
    }
}

/// The features of collection `id` as GeoJSON, below `base`
/// (`http://host`): the WMS capabilities link open layers' data here.
pub fn items_url(base: &str, id: &str) -> String {
    format!("{base}{ROOT}/collections/{}/items", segment(id))
}

/// A link object (17-069r4, 7.2).
fn link(rel: &str, href: &str, media_type: &str, title: &str) -> Value {
    json!({ "rel": rel, "href": href, "type": media_type, "title": title })
}

/// A path segment with everything but unreserved characters escaped.
fn segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
