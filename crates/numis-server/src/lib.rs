//! The numis HTTP application, kept thin: it decodes requests, asks the
//! engine (`numis-map`), the pages (`numis-cms`) or a domain service
//! (`numis-core`), and encodes the answers. The rules themselves live
//! there, each in one place.
//!
//! - [`routes`]: one router per capability, all of the same shape
//!   (`pub fn router() -> Router<AppState>`): pages, assets, health and
//!   metrics, the WMS, the viewer, the catalogue JSON, drawings,
//!   moderation.
//! - [`middleware`]: what every answer passes: the access record (route
//!   template, status class, bytes — never the client), the security
//!   headers, compression.
//! - Shared pieces: [`state`] (what handlers reach), [`config`],
//!   [`map_service`] (the loaded map, its render cache and slots),
//!   [`caller`] (who asks), [`session`] and [`prefs`] (the only
//!   cookies: the login and the opt-in display preferences), [`error`]
//!   (the JSON API's one error answer), [`mail`] (password-reset links
//!   by SMTP), [`access`] (statistics counters), [`events`] (anonymous
//!   event counts), [`housekeeping`] (the
//!   background task), [`reload`], [`audit`] (`numis audit`) and
//!   [`audit_runs`] (the same, started from the console).
//!
//! No module imports one that imports it back (`tests/module_graph.rs`).
//! [`app`] assembles routers and middleware; [`serve`] binds and runs.

pub mod access;
pub mod audit;
pub mod audit_runs;
pub mod basic_auth;
pub mod cache;
pub mod caller;
pub mod check;
pub mod client;
pub mod config;
pub mod download;
pub mod error;
pub mod events;
pub mod external;
#[cfg(test)]
mod full_disk;
pub mod housekeeping;
pub mod json;
pub mod layer_monitor;
pub mod layer_report;
pub mod mail;
pub mod map_service;
pub mod metrics;
pub mod middleware;
pub mod open_data;
pub mod origin;
pub mod prefs;
pub mod print;
pub mod ratelimit;
pub mod reload;
pub mod routes;
pub mod session;
pub mod session_cache;
pub mod state;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware::from_fn_with_state;
use numis_cms::Site;
use numis_store::SqlStore;

pub use config::Config;
pub use state::AppState;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The site tree could not be loaded.
    #[error("site: {0}")]
    Site(#[from] numis_cms::CmsError),
    /// The store could not be opened.
    #[error("store: {0}")]
    Store(#[from] numis_store::StoreError),
    /// `[accounts.smtp]` is set but cannot send mail.
    #[error(transparent)]
    Mail(#[from] mail::MailConfigError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The configured address.
        addr: std::net::SocketAddr,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// The application with all routers and middleware, without a listener —
/// tests drive it with `oneshot`.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(routes::pages::router())
        .merge(routes::assets::router())
        .merge(routes::health::router())
        .merge(routes::ows::router())
        .merge(routes::ogcapi::router())
        .merge(routes::catalogue::router())
        .merge(routes::series::router())
        .merge(routes::drawings::router())
        .merge(routes::moderation::router())
        .merge(routes::monitor::router())
        .merge(routes::viewer::router())
        .merge(routes::account::router())
        .merge(routes::console::router())
        .merge(routes::me::router())
        .merge(routes::print::router())
        .merge(routes::export::router())
        .merge(routes::external::router())
        .merge(routes::external_wms::router())
        .merge(routes::data::router())
        .merge(routes::data_page::router())
        .fallback(routes::pages::page)
        .layer(from_fn_with_state(state.clone(), session::resolve))
        .layer(from_fn_with_state(
            state.clone(),
            middleware::access::record_access,
        ))
        .layer(from_fn_with_state(
            state.clone(),
            middleware::security::security_headers,
        ))
        // Outermost, so the access record counts the bytes of the answer
        // itself, whatever coding the client accepts.
        .layer(middleware::compression::layer())
        .with_state(state)
}

/// Loads site and store, listens, and serves until SIGTERM or Ctrl-C; then
/// lets in-flight requests finish and writes the last counters.
pub async fn serve(mut config: Config) -> Result<(), ServeError> {
    let site_dir = config.site_dir.clone();
    let accounts = config.accounts.enabled;
    let site = tokio::task::spawn_blocking(move || {
        Site::load(&site_dir).map(|s| s.with_accounts(accounts))
    })
    .await
    .map_err(|e| ServeError::Io(std::io::Error::other(e)))??;
    for problem in site.problems() {
        tracing::error!(problem = %problem, "site problem");
    }
    let location = config.store_location()?;
    let store = SqlStore::open(&location).await?;
    tracing::info!(store = %location.describe(), "store open");
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.bind,
            source,
        })?;
    let local = listener.local_addr()?;
    // The address actually listened on (port 0 lets the system choose):
    // the console's audit reaches the server through it.
    config.bind = local;
    let flush_every = Duration::from_secs(config.stats.flush_seconds.max(1));
    let retention_days = config.stats.retention_days;
    let state = AppState::new(config, site, None, Arc::new(store.clone()))?;

    let background = tokio::spawn(housekeeping::run_background(
        state.clone(),
        flush_every,
        retention_days,
    ));
    // The map loads while the server already answers: pages at once,
    // `/healthz` "loading" (503) until the map serves. The watcher starts
    // after it, so that no reload races the first load.
    state.start_loading_map();
    let watcher = tokio::spawn({
        let state = state.clone();
        async move {
            let site_dir = state.config.site_dir.clone();
            // Small sources first: their layers are drawn while a million
            // buildings load; the second load takes them over.
            let early = map_service::load_small_first(site_dir.clone(), &state.config.wms).await;
            let map = match early {
                Some(early) if !early.catalog.pending().is_empty() => {
                    let early = Arc::new(early);
                    state.set_early_map(Some(early.clone()));
                    map_service::load_map(site_dir, &state.config.wms, Some(early)).await
                }
                whole => whole,
            };
            state.map_loaded(map);
            reload::watch(state).await;
        }
    });
    tracing::info!("numis listening on http://{local}");

    // The peer address reaches only the in-memory creation limit of
    // drawings (see `ratelimit`); nothing logs or stores it.
    axum::serve(
        listener,
        app(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;

    background.abort();
    watcher.abort();
    if let Err(e) = state.access.flush(state.store.as_ref()).await {
        tracing::error!(error = %e, "last statistics not written");
    }
    if let Err(e) = state.events.flush(state.store.as_ref()).await {
        tracing::error!(error = %e, "last event counts not written");
    }
    store.close().await;
    tracing::info!("numis stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "Ctrl-C handler not installed");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "SIGTERM handler not installed");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down; finishing requests in flight");
}
