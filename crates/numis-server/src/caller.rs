//! Who asks: the roles a request carries, decided in one place. Today that
//! is the operator token (`[operator] token`, sent as `Authorization:
//! Bearer …`); accounts with roles and HTTP Basic credentials on `/ows`
//! will add theirs here. What a caller may then see is decided by
//! `numis_map::Catalog::view`, nowhere in the server.

use axum::http::HeaderMap;
use numis_map::view::Caller;

use crate::config::Config;
use crate::json::is_operator;

/// The caller of a request.
pub fn of_request(config: &Config, headers: &HeaderMap) -> Caller {
    Caller {
        roles: Vec::new(),
        operator: is_operator(headers, config.operator_token()),
    }
}
