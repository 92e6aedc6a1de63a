//! Validators for static and page responses: a strong ETag from the body's
//! hash, `Last-Modified` from the source file, and 304 answers to
//! conditional requests.

use std::time::SystemTime;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;

/// A strong ETag for `body`.
pub fn etag(body: &[u8]) -> String {
    format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(body))
}

/// Builds a 200 response with validators, or a 304 when the request's
/// `If-None-Match` / `If-Modified-Since` already matches.
pub fn cacheable(
    request_headers: &HeaderMap,
    content_type: &'static str,
    body: impl Into<Body> + AsRef<[u8]>,
    modified: Option<SystemTime>,
) -> Response<Body> {
    let tag = etag(body.as_ref());
    let last_modified = modified.map(httpdate::fmt_http_date);
    let not_modified = match request_headers.get(header::IF_NONE_MATCH) {
        Some(_) => if_none_match(request_headers, &tag),
        None => match (
            request_headers
                .get(header::IF_MODIFIED_SINCE)
                .and_then(|v| v.to_str().ok()),
            modified,
        ) {
            (Some(since), Some(modified)) => httpdate::parse_http_date(since)
                .map(|since| truncate_to_seconds(modified) <= since)
                .unwrap_or(false),
            _ => false,
        },
    };
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(body.into());
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        r
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        headers.insert(header::ETAG, v);
    }
    if let Some(v) = last_modified.and_then(|d| HeaderValue::from_str(&d).ok()) {
        headers.insert(header::LAST_MODIFIED, v);
    }
    // Revalidate on each use: content pages change when the operator edits them.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Does the request's `If-None-Match` name `tag` (or `*`)? Then the
/// client holds the answer already.
pub fn if_none_match(request_headers: &HeaderMap, tag: &str) -> bool {
    request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|candidates| {
            candidates
                .split(',')
                .any(|c| c.trim() == tag || c.trim() == "*")
        })
}

fn truncate_to_seconds(time: SystemTime) -> SystemTime {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(d.as_secs()),
        Err(_) => time,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matching_etag_answers_not_modified() {
        let first = cacheable(&HeaderMap::new(), "text/plain", "hello", None);
        assert_eq!(first.status(), StatusCode::OK);
        let tag = first.headers()[header::ETAG].clone();
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, tag);
        assert_eq!(
            cacheable(&headers, "text/plain", "hello", None).status(),
            StatusCode::NOT_MODIFIED
        );
        assert_eq!(
            cacheable(&headers, "text/plain", "changed", None).status(),
            StatusCode::OK
        );
    }

    #[test]
    fn an_unchanged_file_answers_not_modified_since() {
        let modified = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_MODIFIED_SINCE,
            HeaderValue::from_str(&httpdate::fmt_http_date(modified)).unwrap(),
        );
        assert_eq!(
            cacheable(&headers, "text/plain", "x", Some(modified)).status(),
            StatusCode::NOT_MODIFIED
        );
    }
}
