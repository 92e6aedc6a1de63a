//! `/ows`: the OGC Web Map Service. Decodes the query string, lets
//! numis-map parse and answer it, and wraps the answer in HTTP. Rendering
//! runs on blocking threads, at most one per core at a time; repeated
//! GetMap requests are answered from a cache of rendered images.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use numis_map::catalog::Catalog;
use numis_map::render_key::RenderKey;
use numis_map::service::{self, Answer};
use numis_map::view::Caller;
use numis_map::wms::{
    self, ExceptionCode, GetMapRequest, ImageTarget, Limits, Version, WmsError, WmsRequest,
};
use quick_cache::sync::Cache;
use tokio::sync::Semaphore;

use numis_map::search::SearchIndex;

use crate::origin::public_base;
use crate::state::AppState;

/// The published map and what serving it needs.
pub struct MapService {
    /// Layers and service metadata.
    pub catalog: Catalog,
    cache: Option<Cache<RenderKey, Bytes, ImageWeight>>,
    render_slots: Semaphore,
    operator_token: Option<String>,
    /// The viewer's search over the catalogue.
    pub search: SearchIndex,
}

#[derive(Clone)]
struct ImageWeight;

impl quick_cache::Weighter<RenderKey, Bytes> for ImageWeight {
    fn weight(&self, key: &RenderKey, image: &Bytes) -> u64 {
        (key.weight() + image.len()) as u64
    }
}

impl MapService {
    /// Wraps a loaded catalog with a render cache as `[wms]` configures.
    pub fn new(catalog: Catalog, config: &crate::config::WmsConfig) -> Self {
        let cache = (config.render_cache && config.render_cache_mb > 0).then(|| {
            let bytes = config.render_cache_mb.saturating_mul(1024 * 1024);
            // Typical tiles are 20–80 KB.
            Cache::with_weighter((bytes / 40_000).max(16) as usize, bytes, ImageWeight)
        });
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let search = SearchIndex::build(&catalog);
        Self {
            catalog,
            search,
            cache,
            render_slots: Semaphore::new(cores),
            operator_token: config.operator_token.clone().filter(|t| !t.is_empty()),
        }
    }

    /// The operator token from `numis.toml`, if one is set.
    pub fn operator_token(&self) -> Option<&str> {
        self.operator_token.as_deref()
    }
}

/// `/ows` (and `/wms`, the name many clients try).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ows", get(ows))
        .route("/wms", get(ows))
}

/// Who asks: the operator when the request carries the operator token.
pub(crate) fn caller(headers: &HeaderMap, token: Option<&str>) -> Caller {
    Caller {
        roles: Vec::new(),
        operator: crate::json::is_operator(headers, token),
    }
}

async fn ows(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response<Body> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let Some(map) = state.map() else {
        let error = WmsError::new(
            ExceptionCode::NoApplicableCode,
            "this portal publishes no map service (no map.toml)",
        );
        return respond(Err(error), wms::exception_version(&pairs), None, false);
    };
    let limits = Limits::from_service(&map.catalog.config.service);
    let request = match wms::parse(&pairs, &limits) {
        Ok(request) => request,
        Err(rejection) => {
            return respond(
                Err(rejection.error),
                rejection.version,
                rejection.image_target.as_ref(),
                false,
            );
        }
    };
    let caller = caller(&headers, map.operator_token.as_deref());
    match request {
        WmsRequest::GetCapabilities { version, language } => {
            let lang = if language.as_deref() == Some("en") {
                "en"
            } else {
                "de"
            };
            let online = format!("{}/ows", public_base(&headers));
            let map = map.clone();
            let answer = render_blocking(&map, move |m| {
                Ok(service::capabilities(
                    &m.catalog.view(&caller),
                    version,
                    lang,
                    &online,
                ))
            })
            .await;
            respond(answer, version, None, false)
        }
        WmsRequest::GetMap(request) => get_map(map, request, caller).await,
        WmsRequest::GetFeatureInfo(request) => {
            let version = request.map.version;
            let answer = render_blocking(&map, move |m| {
                service::get_feature_info(&m.catalog.view(&caller), &request)
            })
            .await;
            respond(answer, version, None, false)
        }
        WmsRequest::GetLegendGraphic(request) => {
            let version = request.version;
            let answer = render_blocking(&map, move |m| {
                service::get_legend(&m.catalog.view(&caller), &request)
            })
            .await;
            respond(answer, version, None, true)
        }
    }
}

async fn get_map(map: Arc<MapService>, request: GetMapRequest, caller: Caller) -> Response<Body> {
    let key = RenderKey::new(&request, &map.catalog.view(&caller));
    if let Some(image) = map.cache.as_ref().and_then(|c| c.get(&key)) {
        return image_response(request.format.content_type(), image);
    }
    let version = request.version;
    let target = request.image_target();
    let answer = render_blocking(&map, move |m| {
        service::get_map(&m.catalog.view(&caller), &request)
    })
    .await;
    match answer {
        Ok(answer) => {
            let image = Bytes::from(answer.body);
            if let Some(cache) = &map.cache {
                cache.insert(key, image.clone());
            }
            image_response(&answer.content_type, image)
        }
        Err(error) => respond(Err(error), version, target.as_ref(), false),
    }
}

/// Runs CPU-bound work on a blocking thread, one per core at a time.
async fn render_blocking<F>(map: &Arc<MapService>, work: F) -> Result<Answer, WmsError>
where
    F: FnOnce(&MapService) -> Result<Answer, WmsError> + Send + 'static,
{
    let Ok(_slot) = map.render_slots.acquire().await else {
        return Err(WmsError::new(
            ExceptionCode::NoApplicableCode,
            "the server is shutting down",
        ));
    };
    let map = map.clone();
    tokio::task::spawn_blocking(move || work(&map))
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "WMS rendering failed");
            Err(WmsError::new(
                ExceptionCode::NoApplicableCode,
                "the request could not be answered",
            ))
        })
}

fn image_response(content_type: &str, image: Bytes) -> Response<Body> {
    let mut response = Response::new(Body::from(image));
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

/// WMS exceptions are answered with the exception document and status 200,
/// as OGC clients (QGIS, GDAL, OWSLib) expect (500 for the server's own
/// faults); INIMAGE/BLANK answer with an image.
fn respond(
    answer: Result<Answer, WmsError>,
    version: Version,
    target: Option<&ImageTarget>,
    image: bool,
) -> Response<Body> {
    match answer {
        Ok(answer) => {
            let mut response = Response::new(Body::from(answer.body));
            if let Ok(value) = HeaderValue::from_str(&answer.content_type) {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            if image {
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=300"),
                );
            }
            response
        }
        Err(error) => {
            let answer = service::exception(&error, version, target);
            // Faults of the server itself are 500 so that monitoring sees
            // them; the client's mistakes keep OGC's 200.
            let status = if error.code == ExceptionCode::NoApplicableCode {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::OK
            };
            let mut response = (status, answer.body).into_response();
            if let Ok(value) = HeaderValue::from_str(&answer.content_type) {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
    }
}
