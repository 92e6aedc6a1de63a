//! Security headers on every response, and the guarantee that no public
//! response sets a cookie (clause P5).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Response, header};
use axum::middleware::Next;

use crate::session::AccountCookie;
use crate::state::AppState;

/// No inline script or style, nothing from another origin, framing only by
/// ourselves (the embed route will relax `frame-ancestors` for itself).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
form-action 'self'; frame-ancestors 'self'";

/// Browser features a map portal's content pages never need.
pub const PERMISSIONS_POLICY: &str = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), \
magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()";

/// Middleware: adds the security headers and strips any `Set-Cookie` from
/// public responses: only answers the accounts marked
/// ([`AccountCookie`]: login, logout, an ended session, the opt-in
/// preferences) may set one.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response<Body> {
    let mut response = next.run(request).await;
    let from_accounts = response.extensions().get::<AccountCookie>().is_some();
    let headers = response.headers_mut();
    if !from_accounts && headers.remove(header::SET_COOKIE).is_some() {
        tracing::error!("a public response tried to set a cookie; removed");
    }
    let set = |headers: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        CONTENT_SECURITY_POLICY,
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(
        headers,
        header::REFERRER_POLICY,
        "strict-origin-when-cross-origin",
    );
    set(
        headers,
        HeaderName::from_static("permissions-policy"),
        PERMISSIONS_POLICY,
    );
    // X-Frame-Options for browsers without `frame-ancestors`; a response
    // that lets any site frame it (the embed) must not forbid it here.
    let framable_anywhere = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|csp| csp.contains("frame-ancestors *"));
    if !framable_anywhere {
        set(headers, header::X_FRAME_OPTIONS, "SAMEORIGIN");
    }
    if state.config.security.hsts
        && let Ok(value) = HeaderValue::from_str(&format!(
            "max-age={}; includeSubDomains",
            state.config.security.hsts_max_age
        ))
    {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, value);
    }
    response
}
