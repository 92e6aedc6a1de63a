//! JSON success answers and bearer tokens, shared by the API routers.
//! Error answers are [`crate::error::ApiError`]'s.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use subtle::ConstantTimeEq;

use crate::error::ApiError;

/// How a JSON answer may be cached.
#[derive(Debug, Clone, Copy)]
pub enum Caching {
    /// Browsers keep it but ask again (catalogue, search).
    Revalidate,
    /// Never kept (drawings, moderation: they change and may be private).
    Never,
}

/// An `application/json` answer.
pub fn answer<T: Serialize + ?Sized>(
    status: StatusCode,
    body: &T,
    caching: Caching,
) -> Response<Body> {
    let text = match serde_json::to_string(body) {
        Ok(text) => text,
        // Only maps with non-string keys fail; none of ours have them.
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let mut response = (status, text).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let cache = match caching {
        Caching::Revalidate => "no-cache",
        Caching::Never => "no-store",
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// The token of `Authorization: Bearer <token>`, if sent.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Does the request carry the operator token? Compared in constant time,
/// so answer times tell nothing about the token; never with none set.
pub fn is_operator(headers: &HeaderMap, token: Option<&str>) -> bool {
    match (token.filter(|t| !t.is_empty()), bearer(headers)) {
        (Some(token), Some(presented)) => presented.as_bytes().ct_eq(token.as_bytes()).into(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn only_the_configured_operator_token_counts() {
        assert!(is_operator(&with("Bearer geheim"), Some("geheim")));
        assert!(!is_operator(&with("Bearer geheim2"), Some("geheim")));
        assert!(!is_operator(&with("Basic geheim"), Some("geheim")));
        assert!(!is_operator(&HeaderMap::new(), Some("geheim")));
        assert!(
            !is_operator(&with("Bearer "), Some("")),
            "an empty token is no token"
        );
        assert!(!is_operator(&with("Bearer x"), None));
    }
}
