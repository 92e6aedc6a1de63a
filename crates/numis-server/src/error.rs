//! The one error answer of the JSON API: a status, `{"error": message}`
//! (plus a few documented members, such as `expired_at`), never cached.
//!
//! Refusals tell the client what was wrong. Failures on our side (a store
//! that fails, a stored drawing that cannot be read back) keep their cause
//! for the log and answer with a generic message, as in axum's
//! `examples/error-handling`: the client learns that it was us, not how.
//! Handlers return `Result<impl IntoResponse, ApiError>` and use `?` on
//! the domain errors, which convert here in one place each.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use numis_core::accounts::AccountError;
use numis_core::drawings::{DrawingError, rfc3339};
use numis_store::StoreError;
use serde_json::{Map, Value};

/// The cause of a failure: logged, never sent.
type Cause = Box<dyn std::error::Error + Send + Sync>;

/// An error answer of the JSON API. Boxed: it travels through every
/// handler's `Result`, which stays small.
#[derive(Debug)]
pub struct ApiError(Box<Answer>);

#[derive(Debug)]
struct Answer {
    status: StatusCode,
    message: String,
    members: Map<String, Value>,
    headers: HeaderMap,
    cause: Option<Cause>,
}

impl ApiError {
    /// `status` with `message` for the client.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self(Box::new(Answer {
            status,
            message: message.into(),
            members: Map::new(),
            headers: HeaderMap::new(),
            cause: None,
        }))
    }

    /// 400: the request is malformed; `message` says how to fix it.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401, asking for a bearer token.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
            .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
    }

    /// 403: not with these credentials.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 410: it was here and is gone for good.
    pub fn gone(message: impl Into<String>) -> Self {
        Self::new(StatusCode::GONE, message)
    }

    /// 413: the body is larger than this route reads.
    pub fn payload_too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, message)
    }

    /// 415: a content type this route does not read.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, message)
    }

    /// 429 with `Retry-After: retry_after_seconds`.
    pub fn too_many_requests(message: impl Into<String>, retry_after_seconds: u64) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, message)
            .with_header(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds))
    }

    /// A failure on our side: `cause` is logged, the client gets `status`
    /// and `message` only.
    pub fn failure(
        status: StatusCode,
        message: impl Into<String>,
        cause: impl Into<Cause>,
    ) -> Self {
        let mut error = Self::new(status, message);
        error.0.cause = Some(cause.into());
        error
    }

    /// 500 `internal error`; `cause` is logged.
    pub fn internal(cause: impl Into<Cause>) -> Self {
        Self::failure(StatusCode::INTERNAL_SERVER_ERROR, "internal error", cause)
    }

    /// 503 with `message` (say what the client may do); `cause` is logged.
    pub fn unavailable(message: impl Into<String>, cause: impl Into<Cause>) -> Self {
        Self::failure(StatusCode::SERVICE_UNAVAILABLE, message, cause)
    }

    /// Adds a member beside `error` in the body (e.g. `expired_at`).
    pub fn with_member(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.0.members.insert(name.to_owned(), value.into());
        self
    }

    /// Adds a header to the answer.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.0.headers.insert(name, value);
        self
    }

    /// The status answered.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The message the client reads.
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response<Body> {
        let Answer {
            status,
            message,
            members,
            headers: extra,
            cause,
        } = *self.0;
        if let Some(cause) = &cause {
            tracing::error!(status = status.as_u16(), error = %cause, "{message}");
        }
        let mut body = members;
        body.insert("error".to_owned(), Value::String(message));
        let mut response = (status, Value::Object(body).to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        // Errors depend on the moment (expired, limited, the store down).
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.extend(extra);
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self::unavailable("the store failed; nothing was changed", e)
    }
}

impl From<DrawingError> for ApiError {
    fn from(e: DrawingError) -> Self {
        let message = e.to_string();
        match e {
            DrawingError::NotFound => Self::not_found(message),
            DrawingError::Expired { at } => {
                Self::gone(message).with_member("expired_at", rfc3339(at))
            }
            DrawingError::Blocked => Self::gone(message),
            DrawingError::Forbidden => Self::forbidden(message),
            DrawingError::TooLarge { .. } => Self::payload_too_large(message),
            DrawingError::UnsupportedType { .. } => Self::unsupported_media_type(message),
            DrawingError::Unreadable(_) | DrawingError::Invalid(_) => Self::bad_request(message),
            DrawingError::Store(e) => e.into(),
            DrawingError::NoRandomness(_) => Self::unavailable("try again later", e),
            DrawingError::Unexportable(_) => Self::failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the drawing cannot be exported",
                e,
            ),
            // A refusal added to the service later: its own message, and a
            // 400 until it gets a status of its own here; a failure: 500.
            other if other.is_failure() => Self::internal(other),
            _ => Self::bad_request(message),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        let message = e.to_string();
        match e {
            AccountError::Store(e) => e.into(),
            other if other.is_failure() => Self::internal(other),
            AccountError::PseudonymTaken | AccountError::NotClaimable => {
                Self::new(StatusCode::CONFLICT, message)
            }
            AccountError::WrongCredentials
            | AccountError::NotLoggedIn
            | AccountError::SecondFactor(_) => Self::new(StatusCode::UNAUTHORIZED, message),
            AccountError::SecondFactorRequired => {
                Self::new(StatusCode::UNAUTHORIZED, message).with_member("second_factor", true)
            }
            AccountError::Blocked | AccountError::CsrfMismatch => Self::forbidden(message),
            AccountError::Throttled(wait) => Self::too_many_requests(message, wait.seconds()),
            AccountError::NotFound | AccountError::NoSuchView => Self::not_found(message),
            _ => Self::bad_request(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn answer(error: ApiError) -> (StatusCode, HeaderMap, Value) {
        let response = error.into_response();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 10_000).await.unwrap();
        (
            parts.status,
            parts.headers,
            serde_json::from_slice(&bytes).unwrap(),
        )
    }

    #[tokio::test]
    async fn an_error_is_json_that_is_never_cached() {
        let (status, headers, body) = answer(ApiError::not_found("no such drawing")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert_eq!(body, serde_json::json!({ "error": "no such drawing" }));
    }

    #[tokio::test]
    async fn a_failure_tells_the_client_nothing_of_its_cause() {
        let cause = StoreError::DataDir {
            path: "/srv/numis/var".into(),
            source: std::io::Error::other("No space left on device"),
        };
        let (status, _, body) = answer(ApiError::from(cause)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["error"], "the store failed; nothing was changed");
        assert!(!body.to_string().contains("srv"), "{body}");
        let (status, _, body) = answer(ApiError::internal("secret detail")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body, serde_json::json!({ "error": "internal error" }));
    }

    #[tokio::test]
    async fn an_expired_drawing_answers_gone_with_its_expiry() {
        let (status, _, body) = answer(DrawingError::Expired { at: 1_767_225_600 }.into()).await;
        assert_eq!(status, StatusCode::GONE);
        assert_eq!(body["expired_at"], "2026-01-01T00:00:00Z");
        assert_eq!(
            body["error"],
            "this drawing expired on 2026-01-01T00:00:00Z"
        );
    }

    #[test]
    fn every_refusal_of_the_drawings_service_has_its_status() {
        for (error, status) in [
            (DrawingError::NotFound, StatusCode::NOT_FOUND),
            (DrawingError::Forbidden, StatusCode::FORBIDDEN),
            (DrawingError::Blocked, StatusCode::GONE),
            (
                DrawingError::TooLarge { limit: 5 },
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            (
                DrawingError::UnsupportedType {
                    content_type: "text/html".into(),
                },
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
            (
                DrawingError::Unreadable(numis_formats::FormatError::Empty),
                StatusCode::BAD_REQUEST,
            ),
            (
                DrawingError::Invalid("the reason is empty".into()),
                StatusCode::BAD_REQUEST,
            ),
            (
                DrawingError::Unexportable(numis_formats::FormatError::Empty),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        ] {
            let message = error.to_string();
            let api = ApiError::from(error);
            assert_eq!(api.status(), status, "{message}");
            if status.is_client_error() {
                assert_eq!(api.message(), message, "refusals say why");
            }
        }
    }

    #[tokio::test]
    async fn too_many_requests_says_when_to_retry_and_unauthorized_how_to_authenticate() {
        let (status, headers, _) = answer(ApiError::too_many_requests("later", 42)).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers[header::RETRY_AFTER], "42");
        let (status, headers, _) = answer(ApiError::unauthorized("token")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
    }
}
