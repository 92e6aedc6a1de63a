//! `/ows`: the OGC Web Map Service. Decodes the query string, lets
//! numis-map parse and answer it through the caller's catalogue view, and
//! wraps the answer in HTTP. Rendering and the render cache belong to
//! [`MapService`].

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use numis_cms::Lang;
use numis_core::accounts::AccountError;
use numis_map::render_key::RenderKey;
use numis_map::service::{self, Answer};
use numis_map::view::{Caller, VisibleLayer};
use numis_map::wms::{
    self, ExceptionCode, GetMapRequest, ImageTarget, Limits, Version, WmsError, WmsRequest,
};

use crate::caller;
use crate::client::{Peer, peer_address};
use crate::events::{Event, EventCounter};
use crate::map_service::MapService;
use crate::origin::public_base;
use crate::routes::ogcapi;
use crate::session::CurrentSession;
use crate::state::AppState;

/// `/ows` (and `/wms`, the name many clients try).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ows", get(ows))
        .route("/wms", get(ows))
}

async fn ows(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    peer: Peer,
) -> Response<Body> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    // While large sources load at start-up, the early map draws the rest.
    let (map, early) = match (state.map(), state.early_map()) {
        (Some(map), _) => (Some(map), false),
        (None, Some(early)) => (Some(early), true),
        (None, None) => (None, false),
    };
    let Some(map) = map else {
        if state.map_loading() {
            return still_loading(wms::exception_version(&pairs));
        }
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
    if early && !served_early(&map, &request) {
        return still_loading(version_of(&request));
    }
    let caller =
        match caller::of_ows_request(&state, &headers, session.as_ref(), peer_address(&peer)).await
        {
            Ok(caller) => caller,
            Err(error) => return credentials_refused(error, version_of(&request)),
        };
    count_request(&state.events, &map, &request, &caller);
    let identified = caller.operator || !caller.roles.is_empty();
    let mut response = answer(&state, &headers, map, request, caller).await;
    if identified {
        // What a caller with roles sees is theirs alone: no shared cache
        // may keep it for the next anonymous client.
        let headers = response.headers_mut();
        let private = headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.replace("public", "private"))
            .unwrap_or_else(|| "private, no-cache".to_owned());
        if let Ok(value) = HeaderValue::from_str(&private) {
            headers.insert(header::CACHE_CONTROL, value);
        }
    }
    response
}

/// Can the map without its large sources answer `request`? Not the
/// capabilities (they describe the whole service, and clients keep them),
/// nor a request naming a layer that waits, itself or in a group.
fn served_early(map: &MapService, request: &WmsRequest) -> bool {
    let waits = |names: &[String]| map.catalog.waits_for(names);
    match request {
        WmsRequest::GetCapabilities { .. } => false,
        WmsRequest::GetMap(request) => !waits(&request.layers),
        WmsRequest::GetFeatureInfo(request) => {
            !waits(&request.map.layers) && !waits(&request.query_layers)
        }
        WmsRequest::GetLegendGraphic(request) => !waits(std::slice::from_ref(&request.layer)),
    }
}

/// Counts the request (clause P1): per layer or group the caller can see,
/// under the operator's id; a name that does not exist for the caller is
/// user input and counts only as `wms.unknown_layer`, without it.
fn count_request(events: &EventCounter, map: &MapService, request: &WmsRequest, caller: &Caller) {
    events.count(Event::WmsRequest, Some(operation_of(request)));
    let (event, names): (Event, &[String]) = match request {
        WmsRequest::GetCapabilities { .. } => {
            events.count(Event::GetCapabilities, None);
            return;
        }
        WmsRequest::GetMap(request) => (Event::GetMap, &request.layers),
        WmsRequest::GetFeatureInfo(request) => (Event::GetFeatureInfo, &request.query_layers),
        WmsRequest::GetLegendGraphic(request) => (
            Event::GetLegendGraphic,
            std::slice::from_ref(&request.layer),
        ),
    };
    let view = map.catalog.view(caller);
    for name in names {
        if view.node(name).is_some() {
            events.count(event, Some(name));
        } else {
            events.count(Event::UnknownLayer, None);
        }
    }
}

/// The name of a request's operation, as the WMS spells it.
fn operation_of(request: &WmsRequest) -> &'static str {
    match request {
        WmsRequest::GetCapabilities { .. } => "GetCapabilities",
        WmsRequest::GetMap(_) => "GetMap",
        WmsRequest::GetFeatureInfo(_) => "GetFeatureInfo",
        WmsRequest::GetLegendGraphic(_) => "GetLegendGraphic",
    }
}

/// The WMS version a request speaks, for its exception document.
fn version_of(request: &WmsRequest) -> Version {
    match request {
        WmsRequest::GetCapabilities { version, .. } => *version,
        WmsRequest::GetMap(request) => request.version,
        WmsRequest::GetFeatureInfo(request) => request.map.version,
        WmsRequest::GetLegendGraphic(request) => request.version,
    }
}

/// Wrong HTTP Basic credentials: 401 with a Basic challenge, so that QGIS
/// and OWSLib ask for the password again; too many wrong ones: 429.
fn credentials_refused(error: AccountError, version: Version) -> Response<Body> {
    let (status, challenge) = match &error {
        AccountError::Throttled(_) => (StatusCode::TOO_MANY_REQUESTS, false),
        e if e.is_failure() => {
            tracing::error!(error = %e, "checking WMS credentials failed");
            (StatusCode::SERVICE_UNAVAILABLE, false)
        }
        _ => (StatusCode::UNAUTHORIZED, true),
    };
    let message = if error.is_failure() {
        "the accounts cannot be checked now; try again later".to_owned()
    } else {
        error.to_string()
    };
    let mut response = respond(
        Err(WmsError::new(ExceptionCode::NoApplicableCode, message)),
        version,
        None,
        false,
    );
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if challenge {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"numis\", charset=\"UTF-8\""),
        );
    }
    if let AccountError::Throttled(wait) = &error {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(wait.seconds()));
    }
    response
}

/// The answer to a parsed request for `caller`.
async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    map: Arc<MapService>,
    request: WmsRequest,
    caller: Caller,
) -> Response<Body> {
    match request {
        WmsRequest::GetCapabilities { version, language } => {
            let lang = Lang::from_query(language.as_deref()).as_str();
            let base = public_base(headers);
            let online = format!("{base}/ows");
            let map = map.clone();
            let answer = map
                .render(move |m| {
                    // Open layers link their features at /ogcapi (DataURL).
                    let data_url = |layer: &VisibleLayer<'_>| {
                        layer
                            .is_open_data()
                            .then(|| ogcapi::items_url(&base, layer.id()))
                    };
                    Ok(service::capabilities(
                        &m.catalog.view(&caller),
                        version,
                        lang,
                        &online,
                        &data_url,
                    ))
                })
                .await;
            respond(answer, version, None, false)
        }
        WmsRequest::GetMap(request) => get_map(state, map, request, caller).await,
        WmsRequest::GetFeatureInfo(request) => {
            let version = request.map.version;
            let answer = map
                .render(move |m| service::get_feature_info(&m.catalog.view(&caller), &request))
                .await;
            respond(answer, version, None, false)
        }
        WmsRequest::GetLegendGraphic(request) => {
            let version = request.version;
            let answer = map
                .render(move |m| service::get_legend(&m.catalog.view(&caller), &request))
                .await;
            respond(answer, version, None, true)
        }
    }
}

async fn get_map(
    state: &AppState,
    map: Arc<MapService>,
    request: GetMapRequest,
    caller: Caller,
) -> Response<Body> {
    let view = map.catalog.view(&caller);
    let key = RenderKey::new(&request, &view);
    // For the operator's monitor: the layers this request names, groups
    // expanded; none when a name is unknown (the answer says so).
    let named: Vec<String> = view
        .resolve(&request.layers)
        .map(|layers| layers.iter().map(|l| l.id().to_owned()).collect())
        .unwrap_or_default();
    let monitor = state.layer_monitor.clone();
    let named_ids = || named.iter().map(String::as_str);
    if let Some(image) = map.cached(&key) {
        monitor.request(named_ids(), true);
        return image_response(request.format.content_type(), image);
    }
    let version = request.version;
    let target = request.image_target();
    let render_monitor = monitor.clone();
    let answer = map
        .render(move |m| {
            let mut timings = Vec::new();
            let answer = service::get_map_timed(&m.catalog.view(&caller), &request, &mut timings);
            for timing in timings.iter().filter(|t| t.ok) {
                render_monitor.rendered(&timing.layer, timing.elapsed);
            }
            answer
        })
        .await;
    monitor.request(named_ids(), answer.is_ok());
    match answer {
        Ok(answer) => {
            let image = Bytes::from(answer.body);
            map.remember(key, image.clone());
            image_response(&answer.content_type, image)
        }
        Err(error) => respond(Err(error), version, target.as_ref(), false),
    }
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
/// The answer while the map loads at start-up: the service exception,
/// with 503 and a time to retry, so that clients and load balancers wait.
fn still_loading(version: Version) -> Response<Body> {
    let error = WmsError::new(
        ExceptionCode::NoApplicableCode,
        "the map is still loading; try again in a few seconds",
    );
    let answer = service::exception(&error, version, None);
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, answer.body).into_response();
    if let Ok(value) = HeaderValue::from_str(&answer.content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

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
