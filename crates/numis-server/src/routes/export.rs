//! `POST /api/export`: an image (PNG) of the viewer's view with the
//! source notes drawn into it, for "Bild speichern". It is made on the
//! print workers, under their queue and time limit, while the client
//! waits: an image of a screen takes a fraction of a second.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::routing::post;

use crate::caller;
use crate::error::ApiError;
use crate::events::Event;
use crate::print::image::{ExportRequest, make_png};
use crate::print::jobs::Refused;
use crate::routes::drawings::bounded;
use crate::routes::print::{MAX_SPEC_BYTES, today};
use crate::session::CurrentSession;
use crate::state::AppState;

/// `/api/export`.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/export", post(export))
}

async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    body: Body,
) -> Result<Response<Body>, ApiError> {
    let bytes = bounded(body, MAX_SPEC_BYTES as u64).await.ok_or_else(|| {
        ApiError::payload_too_large(format!(
            "the export request is larger than {MAX_SPEC_BYTES} bytes or was cut off"
        ))
    })?;
    let request: ExportRequest = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("the export request is not valid: {e}")))?;
    let limits = state.config.drawings.rules().limits;
    let spec = request.check(&limits).map_err(ApiError::bad_request)?;
    let caller = caller::of_request(&state.config, &headers, session.as_ref());
    let map = state
        .map()
        .ok_or_else(|| ApiError::not_found("this portal publishes no map to export"))?;
    map.catalog
        .view(&caller)
        .resolve(&spec.content.layer_ids())
        .map_err(|numis_map::view::ResolveError::NotDefined(name)| {
            ApiError::bad_request(format!("layer {name:?} does not exist"))
        })?;
    let imprint = format!("{} · {}", state.site().config().title, today(spec.lang));
    let png = state
        .print_jobs
        .run_now(move |deadline| make_png(&map, &caller, &spec, &imprint, deadline))
        .await
        .map_err(|refused| match refused {
            Refused::QueueFull | Refused::NoId => ApiError::too_many_requests(
                "every print worker is busy and the queue is full; try again in a minute",
                30,
            ),
        })?
        .map_err(|reason| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, reason))?;
    state.events.count(Event::Print, Some("PNG"));
    let mut response = Response::new(Body::from(png));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"karte.png\""),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
