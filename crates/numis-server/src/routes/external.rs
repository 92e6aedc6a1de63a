//! Third parties' data for the viewer, fetched by numis so that the
//! citizen's browser never contacts the provider (P3): `GET
//! /api/external/file?url=…` loads a KML, KMZ, GPX or GeoJSON file from
//! the web and answers it as GeoJSON, read by the same reader, with the
//! same limits and sanitiser as an upload (P7, P11). Every request goes
//! through [`crate::external`]: public addresses only, bounded in time
//! and size.

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use numis_core::drawings::{ExportFormat, Upload};
use serde::Deserialize;

use crate::client::{Peer, peer_address};
use crate::error::ApiError;
use crate::events::Event;
use crate::external::fetch::{Expect, FetchError};
use crate::routes::drawings::download;
use crate::state::AppState;

/// `/api/external/…`.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/external/file", get(file))
}

#[derive(Deserialize)]
struct FileQuery {
    url: Option<String>,
}

async fn file(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(query): Query<FileQuery>,
) -> Result<Response<Body>, ApiError> {
    let url = query
        .url
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("give the file's address as ?url=…"))?;
    // Nobody may use the portal to flood another server.
    state
        .external_limit
        .admit(peer_address(&peer), &headers, "requests to other servers")?;
    let max_bytes = state.drawings.rules().limits.max_bytes;
    let fetched = state
        .fetcher
        .get(
            &url,
            Expect {
                max_bytes,
                // Files come as anything from application/gpx+xml to
                // application/octet-stream: the reader decides by content.
                content_types: &[],
            },
        )
        .await
        .map_err(fetch_error)?;
    let upload = Upload::new(&fetched.bytes, Some(&fetched.content_type));
    let text = state.drawings.convert(&upload, ExportFormat::GeoJson)?;
    if let Some(read) = upload.format() {
        state.events.count(Event::Import, Some(read.extension()));
    }
    Ok(download(text, ExportFormat::GeoJson, "datei"))
}

/// The answer for a fetch that failed: the sentence says why.
pub(crate) fn fetch_error(error: FetchError) -> ApiError {
    let status = match &error {
        FetchError::Refused(_) => StatusCode::BAD_REQUEST,
        FetchError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        FetchError::ContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        FetchError::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
        FetchError::TooManyRedirects
        | FetchError::BadRedirect
        | FetchError::Status(_)
        | FetchError::Network => StatusCode::BAD_GATEWAY,
    };
    ApiError::new(status, error.to_string())
}
