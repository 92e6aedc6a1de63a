//! My drawings, saved views, the export of everything, and erasure.

use axum::Router;
use numis_cms::Lang;
use serde_json::{Value, json};

use crate::session::CurrentSession;
use crate::state::AppState;

/// The library pages.
pub fn router() -> Router<AppState> {
    Router::new()
}

/// What the overview (`/konto`) shows of the library, as
/// `page.data.library`.
pub async fn overview(_state: &AppState, _lang: Lang, _session: &CurrentSession) -> Value {
    json!({})
}
