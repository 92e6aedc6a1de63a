//! The session cookie of "Mein NUMIS", the only cookie numis sets without
//! being asked for a preference (clause P5): written at login, read by
//! [`resolve`] on every request, removed at logout. Public pages work
//! without it; nobody who never logs in ever holds one.
//!
//! The cookie is `HttpOnly`, `SameSite=Lax` and `Path=/`; with
//! `[security] tls` it is also `Secure` and named with the `__Host-`
//! prefix, so no subdomain and no plain-HTTP page can set or read it.
//! Only a remembered session ("Angemeldet bleiben") gets a `Max-Age`.
//!
//! Cross-site request forgery: a request that changes something and
//! carries a session must come from our own origin (the `Origin` header,
//! or `Sec-Fetch-Site` where no origin is sent) and must carry the
//! session's CSRF token, in the `X-CSRF-Token` header (API) or the `csrf`
//! form field (checked by the form handlers, which read the body).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{OptionalFromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, Response, header};
use axum::middleware::Next;
use axum::response::IntoResponse;
use cookie::{Cookie, SameSite};
use numis_core::accounts::{LoggedIn, SessionInfo};

use crate::config::Config;
use crate::error::ApiError;
use crate::session_cache::SessionCache;
use crate::state::AppState;

/// The cookie's name over plain HTTP.
pub const COOKIE: &str = "numis_session";
/// The cookie's name with `[security] tls`.
pub const SECURE_COOKIE: &str = "__Host-numis_session";
/// The header in which API requests carry the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Marks an answer whose `Set-Cookie` comes from the accounts (login,
/// logout, preferences): the only answers whose cookies the security
/// middleware lets pass (clause P5).
#[derive(Debug, Clone, Copy)]
pub struct AccountCookie;

/// Adds the cookie `value` to `response` and marks it as the accounts'.
pub fn set_cookie(response: &mut Response<Body>, value: HeaderValue) {
    response.headers_mut().append(header::SET_COOKIE, value);
    response.extensions_mut().insert(AccountCookie);
}

/// The session of the request, put into its extensions by [`resolve`].
#[derive(Debug, Clone)]
pub struct CurrentSession {
    /// Whose session it is.
    pub info: Arc<SessionInfo>,
    /// The cookie's value (to log out, or keep this session when ending
    /// the others).
    pub token: Arc<str>,
}

impl CurrentSession {
    /// Does the form field `presented` carry this session's CSRF token?
    pub fn csrf_matches(&self, presented: Option<&str>) -> bool {
        self.info.csrf.matches(presented)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for CurrentSession {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<CurrentSession>().cloned())
    }
}

/// The cookie name in force.
pub fn cookie_name(config: &Config) -> &'static str {
    if config.security.tls {
        SECURE_COOKIE
    } else {
        COOKIE
    }
}

/// The session token the request's cookie carries, if any.
pub fn token_of(config: &Config, headers: &HeaderMap) -> Option<String> {
    let name = cookie_name(config);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// The `Set-Cookie` value that starts `session` in the browser.
pub fn start_cookie(config: &Config, session: &LoggedIn) -> Option<HeaderValue> {
    let policy = config.accounts.rules().session;
    let mut cookie = base_cookie(config, session.token.as_str().to_owned());
    if let Some(age) = policy.cookie_max_age(session.persistent) {
        let seconds = i64::try_from(age.as_secs()).unwrap_or(i64::MAX);
        cookie.set_max_age(cookie::time::Duration::seconds(seconds));
    }
    HeaderValue::from_str(&cookie.to_string()).ok()
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn end_cookie(config: &Config) -> HeaderValue {
    let mut cookie = base_cookie(config, String::new());
    cookie.make_removal();
    HeaderValue::from_str(&cookie.to_string())
        .unwrap_or_else(|_| HeaderValue::from_static("numis_session=; Max-Age=0; Path=/"))
}

fn base_cookie(config: &Config, value: String) -> Cookie<'static> {
    let mut cookie = Cookie::new(cookie_name(config), value);
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_path("/");
    cookie.set_secure(config.security.tls);
    cookie
}

/// Middleware: finds the request's session, refuses forged requests that
/// carry one, and removes a cookie whose session has ended.
pub async fn resolve(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response<Body> {
    let Some(token) = token_of(&state.config, request.headers()) else {
        return next.run(request).await;
    };
    let key = SessionCache::key(&token);
    // A hit is not put back: an entry lives `TTL` from its lookup in the
    // store, however often it is used, so that what another process or
    // instance changed (a logout, a block) takes effect within `TTL`.
    let info = match state.session_cache.get(&key) {
        Some(info) => Some(info),
        None => match state.accounts.session(&token).await {
            Ok(found) => {
                let found = found.map(Arc::new);
                if let Some(info) = &found {
                    state.session_cache.put(key, info.clone());
                }
                found
            }
            Err(e) => return ApiError::from(e).into_response(),
        },
    };
    let Some(info) = info else {
        // An ended session: the request goes on as anonymous, and the
        // browser forgets the cookie.
        let mut response = next.run(request).await;
        if !response.headers().contains_key(header::SET_COOKIE) {
            set_cookie(&mut response, end_cookie(&state.config));
        }
        return response;
    };
    let session = CurrentSession {
        info,
        token: token.into(),
    };
    if changes_state(request.method()) {
        if !same_origin(request.headers()) {
            return forbidden("this request came from another site");
        }
        let api = request.uri().path().starts_with("/api/");
        if api {
            let presented = request
                .headers()
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok());
            if !session.csrf_matches(presented) {
                return forbidden(
                    "the X-CSRF-Token header is missing or outdated; reload the page",
                );
            }
        }
    }
    let changes = changes_state(request.method());
    let account = session.info.account_id.clone();
    request.extensions_mut().insert(session);
    let mut response = next.run(request).await;
    if changes {
        // Logout, a new password, ended sessions, erasure …: the next
        // request of this account reads the store again.
        state.session_cache.forget_account(&account);
    }
    keep_private(response.headers_mut());
    response
}

/// An answer to a logged-in request may show what only this account
/// sees: no shared cache may keep it. `public` becomes `private`; an
/// answer without caching rules gets `private, no-cache`.
fn keep_private(headers: &mut HeaderMap) {
    let current = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok());
    let private = match current {
        None => "private, no-cache".to_owned(),
        Some(v) if v.contains("private") || v.contains("no-store") => return,
        Some(v) if v.contains("public") => v.replace("public", "private"),
        Some(v) => format!("private, {v}"),
    };
    if let Ok(value) = HeaderValue::from_str(&private) {
        headers.insert(header::CACHE_CONTROL, value);
    }
}

fn forbidden(message: &str) -> Response<Body> {
    ApiError::forbidden(message).into_response()
}

/// Methods that may change something.
fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Did the request come from a page of ours? The `Origin` header must
/// name our host; a browser that sends none tells with `Sec-Fetch-Site`.
/// A request with neither comes from no browser (curl, scripts), which
/// cannot be tricked into sending it: the CSRF token still has to match.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if let Some(origin) = headers.get(header::ORIGIN) {
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        let authority = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        return matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h));
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => matches!(site, "same-origin" | "none"),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn only_our_own_origin_passes() {
        let host = ("host", "numis.example:8080");
        assert!(same_origin(&headers(&[
            host,
            ("origin", "http://numis.example:8080")
        ])));
        assert!(same_origin(&headers(&[
            host,
            ("origin", "https://NUMIS.example:8080")
        ])));
        assert!(!same_origin(&headers(&[
            host,
            ("origin", "http://evil.example")
        ])));
        assert!(!same_origin(&headers(&[host, ("origin", "null")])));
        assert!(!same_origin(&headers(&[
            host,
            ("origin", "http://numis.example:8080.evil")
        ])));
        assert!(!same_origin(&headers(&[
            host,
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(!same_origin(&headers(&[
            host,
            ("sec-fetch-site", "same-site")
        ])));
        assert!(same_origin(&headers(&[
            host,
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(
            same_origin(&headers(&[host])),
            "no browser: the token decides"
        );
    }

    #[test]
    fn the_cookie_is_read_among_others_and_only_by_its_name() {
        let config = Config::default();
        let h = headers(&[("cookie", "a=1; numis_session=abc; b=2")]);
        assert_eq!(token_of(&config, &h).as_deref(), Some("abc"));
        let mut tls = Config::default();
        tls.security.tls = true;
        assert_eq!(
            token_of(&tls, &h),
            None,
            "over TLS only the __Host- name counts"
        );
        let h = headers(&[("cookie", "__Host-numis_session=xyz")]);
        assert_eq!(token_of(&tls, &h).as_deref(), Some("xyz"));
    }

    #[test]
    fn the_removal_expires_the_cookie_with_the_same_attributes() {
        let mut config = Config::default();
        config.security.tls = true;
        let value = end_cookie(&config);
        let text = value.to_str().unwrap();
        assert!(text.starts_with("__Host-numis_session=;"), "{text}");
        for part in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure", "Max-Age=0"] {
            assert!(text.contains(part), "{part} in {text}");
        }
    }
}
