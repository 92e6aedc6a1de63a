//! Keeps the served site in step with its files: a change below the site
//! folder (or SIGHUP) loads the site anew and swaps it in; a change of
//! `map.toml` (or SIGHUP) also reloads the map and its data. A site that
//! fails to load keeps the previous one serving.

use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use numis_cms::Site;
use tokio::sync::mpsc;

use crate::state::AppState;

/// Edits arrive in bursts (an editor writes, renames, touches); wait this
/// long after the last event before reloading.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// Loads the map (`map.toml` and its data) again and swaps it in; the
/// render cache starts empty. Layers whose files did not change keep their
/// data: only changed sources are read, and memory does not double.
pub async fn reload_map(state: &AppState) {
    let root = state.site().root().to_owned();
    let map = crate::map_service::load_map(root, &state.config.wms, state.map()).await;
    state.replace_map(map);
    tracing::info!("map reloaded");
}

/// Loads the site again and swaps it in; logs the outcome.
pub async fn reload(state: &AppState) {
    let root = state.site().root().to_owned();
    let accounts = state.config.accounts.enabled;
    let loaded =
        tokio::task::spawn_blocking(move || Site::load(&root).map(|s| s.with_accounts(accounts)))
            .await;
    match loaded {
        Ok(Ok(site)) => {
            for problem in site.problems() {
                tracing::error!(problem = %problem, "site problem");
            }
            state.replace_site(site);
            tracing::info!("site reloaded");
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "site not reloaded; previous version keeps serving")
        }
        Err(e) => tracing::error!(error = %e, "site reload task failed"),
    }
}

/// Watches the site folder and listens for SIGHUP until the process ends.
pub async fn watch(state: AppState) {
    // `true` when the map must be reloaded too (map.toml or data changed,
    // or SIGHUP).
    let (tx, mut rx) = mpsc::unbounded_channel::<bool>();
    let watcher_tx = tx.clone();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && !event.kind.is_access()
        {
            let map = event
                .paths
                .iter()
                .any(|p| p.ends_with(numis_map::catalog::MAP_FILE));
            let _ = watcher_tx.send(map);
        }
    });
    let _watcher = match watcher {
        Ok(mut watcher) => match watcher.watch(state.site().root(), RecursiveMode::Recursive) {
            Ok(()) => Some(watcher),
            Err(e) => {
                tracing::warn!(error = %e, "site folder not watched; reload with SIGHUP");
                None
            }
        },
        Err(e) => {
            tracing::warn!(error = %e, "no file watcher; reload with SIGHUP");
            None
        }
    };
    spawn_sighup(tx);
    while let Some(mut map) = rx.recv().await {
        // Collapse a burst of events into one reload.
        while let Ok(Some(more)) = tokio::time::timeout(DEBOUNCE, rx.recv()).await {
            map |= more;
        }
        reload(&state).await;
        if map {
            reload_map(&state).await;
        }
    }
}

#[cfg(unix)]
fn spawn_sighup(tx: mpsc::UnboundedSender<bool>) {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::hangup()) {
        Ok(mut hangup) => {
            tokio::spawn(async move {
                while hangup.recv().await.is_some() {
                    tracing::info!("SIGHUP: reloading site");
                    if tx.send(true).is_err() {
                        break;
                    }
                }
            });
        }
        Err(e) => tracing::warn!(error = %e, "SIGHUP handler not installed"),
    }
}

#[cfg(not(unix))]
fn spawn_sighup(_tx: mpsc::UnboundedSender<bool>) {}
