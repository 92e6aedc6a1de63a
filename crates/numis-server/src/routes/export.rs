//! `POST /api/export`: an image (PNG) of the viewer's view with the
//! source notes drawn into it, for "Bild speichern". It is made on the
//! print workers, under their queue and time limit, while the client
//! waits: an image of a screen takes a fraction of a second.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::post;

use crate::caller;
use crate::download::private_download;
use crate::error::ApiError;
use crate::events::Event;
use crate::print::image::{ExportRequest, make_png};
use crate::print::today;
use crate::routes::print::{map_drawing, read_request, refused};
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
    let request: ExportRequest = read_request(body, "export request").await?;
    let limits = state.config.drawings.rules().limits;
    let spec = request.check(&limits).map_err(ApiError::bad_request)?;
    let caller = caller::of_request(&state.config, &headers, session.as_ref());
    let map = map_drawing(&state, &caller, &spec.content)?;
    let imprint = format!("{} · {}", state.site().config().title, today(spec.lang));
    let png = state
        .print_jobs
        .run_now(move |deadline| make_png(&map, &caller, &spec, &imprint, deadline))
        .await
        .map_err(refused)?
        .map_err(|reason| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, reason))?;
    state.events.count(Event::Print, Some("PNG"));
    Ok(private_download(png, "image/png", "karte.png"))
}
