//! Profile, password, recovery codes, second factor and sessions.

use axum::Router;
use numis_cms::Lang;
use serde_json::{Value, json};

use crate::session::CurrentSession;
use crate::state::AppState;

/// The settings pages.
pub fn router() -> Router<AppState> {
    Router::new()
}

/// What the overview (`/konto`) shows of the settings, as
/// `page.data.security`.
pub async fn overview(_state: &AppState, _lang: Lang, _session: &CurrentSession) -> Value {
    json!({})
}
