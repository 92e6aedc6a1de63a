//! Static files of the theme under `/assets/`: the site's `assets/` folder
//! first, then the default theme's files built into the binary, so a page
//! tree without assets still looks right and nothing is ever fetched from
//! another origin.

use std::path::{Component, Path};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, Response, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::cache::cacheable;
use crate::state::AppState;

/// Files of the default theme.
const BUILTIN: &[(&str, &[u8])] = &[
    (
        "numis.css",
        include_bytes!("../../../../site/assets/numis.css"),
    ),
    (
        "favicon.svg",
        include_bytes!("../../../../site/assets/favicon.svg"),
    ),
];

/// Asset files larger than this are not served from memory.
const MAX_ASSET_BYTES: u64 = 32 * 1024 * 1024;

/// `/assets/{*file}`.
pub fn router() -> Router<AppState> {
    Router::new().route("/assets/{*file}", get(asset))
}

async fn asset(
    State(state): State<AppState>,
    UrlPath(file): UrlPath<String>,
    headers: HeaderMap,
) -> Response<Body> {
    let relative = Path::new(&file);
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    let content_type = content_type(relative);
    let path = state.site().root().join("assets").join(relative);
    let on_disk = tokio::fs::metadata(&path)
        .await
        .ok()
        .filter(|m| m.is_file() && m.len() <= MAX_ASSET_BYTES);
    if let Some(meta) = on_disk {
        match tokio::fs::read(&path).await {
            Ok(bytes) => return cacheable(&headers, content_type, bytes, meta.modified().ok()),
            Err(e) => tracing::warn!(error = %e, "asset cannot be read"),
        }
    }
    match BUILTIN.iter().find(|(name, _)| *name == file) {
        Some((_, bytes)) => cacheable(&headers, content_type, *bytes, None),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("json") => "application/json",
        Some("txt") => "text/plain; charset=utf-8",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}
