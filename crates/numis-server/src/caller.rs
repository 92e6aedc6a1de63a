//! Who asks: the roles a request carries, decided in one place. They come
//! from the operator token (`[operator] token`, sent as `Authorization:
//! Bearer …`), from the account of the session cookie, and on `/ows` from
//! an account's HTTP Basic credentials. The account role `operator` is
//! the operator. What a caller may then see is decided by
//! `numis_map::Catalog::view`, nowhere in the server.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use numis_core::accounts::AccountError;
use numis_map::view::Caller;

use crate::basic_auth::Credentials;
use crate::config::Config;
use crate::json::is_operator;
use crate::session::CurrentSession;
use crate::state::AppState;

/// The account role that is the operator: moderation, every restricted
/// layer, the console.
pub const OPERATOR_ROLE: &str = "operator";

/// The caller of a request, from the operator token and the session.
pub fn of_request(
    config: &Config,
    headers: &HeaderMap,
    session: Option<&CurrentSession>,
) -> Caller {
    let roles = session.map(|s| s.info.roles.clone()).unwrap_or_default();
    caller(config, headers, roles)
}

/// The caller of a WMS request: as [`of_request`], plus the account of
/// HTTP Basic credentials. Wrong credentials are an error (the client
/// answers 401 and asks again), not an anonymous caller.
pub async fn of_ows_request(
    state: &AppState,
    headers: &HeaderMap,
    session: Option<&CurrentSession>,
    peer: Option<&ConnectInfo<SocketAddr>>,
) -> Result<Caller, AccountError> {
    let Some(credentials) = Credentials::of(headers) else {
        return Ok(of_request(&state.config, headers, session));
    };
    if !state.config.accounts.enabled {
        return Err(AccountError::WrongCredentials);
    }
    let credentials = credentials.map_err(|()| AccountError::WrongCredentials)?;
    let account = state
        .basic_auth
        .check(&state.accounts, &state.clients, &credentials, peer, headers)
        .await?;
    Ok(caller(&state.config, headers, account.roles))
}

fn caller(config: &Config, headers: &HeaderMap, roles: Vec<String>) -> Caller {
    let operator =
        is_operator(headers, config.operator_token()) || roles.iter().any(|r| r == OPERATOR_ROLE);
    Caller { roles, operator }
}

/// Extractor: the [`Caller`] of a request from the operator token and the
/// session (not HTTP Basic, which only `/ows` reads).
#[derive(Debug, Clone)]
pub struct RequestCaller(pub Caller);

impl axum::extract::FromRequestParts<AppState> for RequestCaller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = parts.extensions.get::<CurrentSession>();
        Ok(Self(of_request(&state.config, &parts.headers, session)))
    }
}
