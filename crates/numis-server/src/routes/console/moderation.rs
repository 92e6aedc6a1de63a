//! Placeholder of a console section; its page fills it.

use axum::Router;

use crate::state::AppState;

/// The section's routes.
pub fn router() -> Router<AppState> {
    Router::new()
}
