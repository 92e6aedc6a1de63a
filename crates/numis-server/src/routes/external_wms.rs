//! Another authority's WMS in the viewer, through numis so that the
//! citizen's browser never contacts the provider (P3, P7):
//!
//! - `GET /api/external/wms/capabilities?url=…&lang=de|en`: the service's
//!   capabilities as JSON (title, provider, fees, access constraints,
//!   formats, named layers with CRSs, attribution, legend, extent);
//! - `GET /api/external/wms/map?url=…&<GetMap parameters>`: a map image,
//!   asked for by OpenLayers' `ImageWMS` with the service URL in `url`;
//! - `GET /api/external/wms/legend?url=…&layer=…`: a layer's legend, from
//!   the LegendURL of the capabilities (never an address from the client)
//!   or the service's GetLegendGraphic.
//!
//! numis builds every request to the provider itself (see
//! [`crate::external::wms_request`]) and sends it through the safe
//! fetcher; nothing of the client's request goes along.
//!
//! Rate limits: whatever is answered from the cache is free. A
//! capabilities or legend fetch counts against the per-client budget of
//! requests to other servers (`requests_per_hour`); a map image fetch
//! against a separate, larger budget (`map_requests_per_hour`), because
//! a panning user asks for one image per view and layer.

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::routing::get;
use serde::Deserialize;
use url::Url;

use crate::client::{Peer, peer_address};
use crate::config::ExternalMode;
use crate::error::ApiError;
use crate::events::Event;
use crate::external::capabilities::Capabilities;
use crate::external::fetch::FetchError;
use crate::external::target::Refusal;
use crate::external::wms_proxy::{self, IMAGE_TTL, Image, WmsProxyError};
use crate::external::wms_request::{GetMap, service_url};
use crate::json::{Caching, answer};
use crate::ratelimit::ClientLimit;
use crate::routes::external::fetch_error;
use crate::state::AppState;

/// `/api/external/wms/…`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/external/wms/capabilities", get(capabilities))
        .route("/api/external/wms/map", get(map))
        .route("/api/external/wms/legend", get(legend))
}

#[derive(Deserialize)]
struct CapabilitiesQuery {
    url: Option<String>,
    lang: Option<String>,
}

#[derive(Deserialize)]
struct LegendQuery {
    url: Option<String>,
    layer: Option<String>,
}

async fn capabilities(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(query): Query<CapabilitiesQuery>,
) -> Result<Response<Body>, ApiError> {
    let service = checked_service(&state, query.url.as_deref())?;
    // The answer is the provider's own text whatever the language; the
    // parameter is checked so that a wrong one is told, not ignored.
    if query
        .lang
        .as_deref()
        .is_some_and(|l| !matches!(l, "de" | "en"))
    {
        return Err(ApiError::bad_request("lang must be de or en"));
    }
    let caps = capabilities_of(&state, &service, peer, &headers).await?;
    state.events.count(Event::ExternalCapabilities, None);
    Ok(answer(StatusCode::OK, caps.as_ref(), Caching::Revalidate))
}

async fn map(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response<Body>, ApiError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let url = pairs
        .iter()
        .find(|(name, _)| name == "url")
        .map(|(_, value)| value.as_str());
    let service = checked_service(&state, url)?;
    let get_map = GetMap::from_pairs(&pairs).map_err(ApiError::bad_request)?;
    let provider_url = get_map.provider_url(&service);
    let budget = Budget {
        limit: &state.external_map_limit,
        what: "map images from other servers",
    };
    let image = image_of(&state, &provider_url, budget, peer, &headers).await?;
    state.events.count(Event::ExternalMap, None);
    Ok(image_answer(image))
}

async fn legend(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(query): Query<LegendQuery>,
) -> Result<Response<Body>, ApiError> {
    let service = checked_service(&state, query.url.as_deref())?;
    let layer = query
        .layer
        .filter(|l| !l.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("give the layer's name as &layer=…"))?;
    let caps = capabilities_of(&state, &service, peer, &headers).await?;
    let legend_url = wms_proxy::legend_url(&caps, &service, &layer).map_err(proxy_error)?;
    let budget = Budget {
        limit: &state.external_limit,
        what: "requests to other servers",
    };
    let image = image_of(&state, &legend_url, budget, peer, &headers).await?;
    state.events.count(Event::ExternalLegend, None);
    Ok(image_answer(image))
}

/// The service URL of the request, checked by the operator's rules
/// before anything is fetched: 403 when the feature is off, 400 when the
/// address is refused.
fn checked_service(state: &AppState, url: Option<&str>) -> Result<Url, ApiError> {
    if state.config.external.mode == ExternalMode::Off {
        return Err(off());
    }
    let text = url
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("give the service's address as ?url=…"))?;
    let service = service_url(text)
        .ok_or_else(|| ApiError::bad_request(Refusal::NotAUrl(shorten(text)).to_string()))?;
    match state.fetcher.rules().check(service.as_str()) {
        Ok(_) => Ok(service),
        Err(Refusal::Off) => Err(off()),
        Err(refusal) => Err(ApiError::bad_request(refusal.to_string())),
    }
}

fn off() -> ApiError {
    ApiError::forbidden(Refusal::Off.to_string())
}

fn shorten(text: &str) -> String {
    text.chars().take(80).collect()
}

/// The capabilities of `service`, from the cache or fetched (counted
/// against the client's budget of requests to other servers).
async fn capabilities_of(
    state: &AppState,
    service: &Url,
    peer: Peer,
    headers: &HeaderMap,
) -> Result<std::sync::Arc<Capabilities>, ApiError> {
    if let Some(caps) = state.wms_proxy.cached_capabilities(service) {
        return Ok(caps);
    }
    state
        .external_limit
        .admit(peer_address(&peer), headers, "requests to other servers")?;
    state
        .wms_proxy
        .fetch_capabilities(&state.fetcher, service)
        .await
        .map_err(proxy_error)
}

/// Which per-client budget a fetch counts against, and its name in the
/// 429's sentence.
struct Budget<'a> {
    limit: &'a ClientLimit,
    what: &'static str,
}

/// The image at `url`, from the cache (free) or fetched (counted against
/// `budget`).
async fn image_of(
    state: &AppState,
    url: &Url,
    budget: Budget<'_>,
    peer: Peer,
    headers: &HeaderMap,
) -> Result<Image, ApiError> {
    if let Some(image) = state.wms_proxy.cached_image(url) {
        return Ok(image);
    }
    budget
        .limit
        .admit(peer_address(&peer), headers, budget.what)?;
    state
        .wms_proxy
        .fetch_image(&state.fetcher, url)
        .await
        .map_err(proxy_error)
}

/// An image answer: labelled by its signature, never sniffed, kept by
/// browsers as briefly as by numis.
fn image_answer(image: Image) -> Response<Body> {
    let mut response = Response::new(Body::from(image.bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(image.content_type),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("public, max-age={}", IMAGE_TTL.as_secs())) {
        headers.insert(header::CACHE_CONTROL, value);
    }
    response
}

/// The answer for a failed WMS request: the provider's faults are 502
/// with their reason, refusals 400, a missing layer or legend 404.
fn proxy_error(error: WmsProxyError) -> ApiError {
    match error {
        WmsProxyError::Fetch(FetchError::ContentType(sent)) => ApiError::new(
            StatusCode::BAD_GATEWAY,
            format!("the map service sent {sent:?}, not what was asked for"),
        ),
        WmsProxyError::Fetch(fetch) => fetch_error(fetch),
        WmsProxyError::UnknownLayer(_) | WmsProxyError::NoLegend(_) => {
            ApiError::new(StatusCode::NOT_FOUND, error.to_string())
        }
        WmsProxyError::Provider(_) | WmsProxyError::Capabilities(_) | WmsProxyError::NotAnImage => {
            ApiError::new(StatusCode::BAD_GATEWAY, error.to_string())
        }
    }
}
