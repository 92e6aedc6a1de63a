//! The origin clients used to reach us, for absolute URLs in documents
//! that need them (sitemap, WMS capabilities).

use axum::http::{HeaderMap, header};

/// `http://host[:port]` from the request's Host header; characters outside
/// a host name are refused so that a forged header cannot inject markup.
pub fn public_base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}
