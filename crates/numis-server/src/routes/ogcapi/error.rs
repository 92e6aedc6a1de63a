//! The exceptions of the API (17-069r4, 7.5.1): a status and
//! `{"code", "description"}`; the HTML form is [`super::html::error`].

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use serde_json::json;

/// A refusal: its status, a code and what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OgcError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A short code (`InvalidParameterValue`, `NotFound` …).
    pub code: &'static str,
    /// What was wrong, for the client's user.
    pub description: String,
}

impl OgcError {
    /// 400: a parameter is unknown, repeated or has a bad value.
    pub fn bad_parameter(description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "InvalidParameterValue",
            description: description.into(),
        }
    }

    /// 404: no such collection or feature (for this caller).
    pub fn not_found(description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "NotFound",
            description: description.into(),
        }
    }

    /// 503: the map is still loading at start-up.
    pub fn loading() -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "ServiceUnavailable",
            description: "the map is still loading; try again in a few seconds".to_owned(),
        }
    }

    /// 406: `Accept` names nothing we serve.
    pub fn not_acceptable() -> Self {
        Self {
            status: StatusCode::NOT_ACCEPTABLE,
            code: "NotAcceptable",
            description: "this API answers in JSON (application/json, application/geo+json) \
                          or HTML (text/html)"
                .to_owned(),
        }
    }

    /// 500: the server failed; the cause is logged, not sent.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "OGC API request failed");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "ServerError",
            description: "internal error".to_owned(),
        }
    }

    /// The JSON answer.
    pub fn json(&self) -> Response<Body> {
        let body = json!({ "code": self.code, "description": self.description });
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}
