//! Housekeeping, one task for everything the server does on its own:
//! writing the statistics counters, forgetting idle clients of the creation
//! limit and the login throttle, and the daily purges that enforce every
//! retention rule (clause P1's statistics retention, clause P8's drawing
//! expiry, clause P12's two years of audit trail, clause L8's sessions and
//! unused accounts).
//!
//! Several instances on one store each write their own counters (the
//! store adds them up) and each purge their finished print jobs, but the
//! daily purge runs once a day on whichever instance claims it in the
//! store first.

use std::time::Duration;

use chrono::{NaiveDate, Utc};

use crate::access::purge;
use crate::audit::LastPurge;
use crate::state::AppState;

/// The daily purge's name in the store's record of daily runs.
pub const DAILY_PURGE: &str = "purge";

/// What `store` recorded of the daily purge, for `numis audit` (P8).
pub async fn last_purge(store: &dyn numis_store::Store) -> LastPurge {
    match store.last_daily_run(DAILY_PURGE).await {
        Ok(None) => LastPurge::Never,
        Ok(Some((_, _, Some(at)))) => LastPurge::Finished { at },
        Ok(Some((_, started, None))) => LastPurge::Unfinished { started },
        Err(e) => {
            tracing::warn!(error = %e, "the record of the daily purge could not be read");
            LastPurge::NotRead
        }
    }
}

/// Writes counters every `every` and purges counts older than
/// `retention_days` once a day, until the process ends.
pub async fn run_background(state: AppState, every: Duration, retention_days: u32) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_purge: Option<NaiveDate> = None;
    loop {
        ticker.tick().await;
        if let Err(e) = state.access.flush(state.store.as_ref()).await {
            tracing::warn!(error = %e, "statistics not written; will retry");
        }
        if let Err(e) = state.events.flush(state.store.as_ref()).await {
            tracing::warn!(error = %e, "event counts not written; will retry");
        }
        // Clients whose creation allowance is full again are forgotten,
        // and so are the failed logins that no longer delay anybody.
        state.creation_limit.forget_quiet_clients();
        state.external_limit.forget_quiet_clients();
        state.external_map_limit.forget_quiet_clients();
        state.accounts.throttle().forget_idle();
        // An erasure that a reader kept from truncating the log is
        // finished as soon as the reader lets go.
        match state.accounts.finish_erasures().await {
            Ok(true) => tracing::info!("erasure finished: write-ahead log truncated"),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "erasure still waits for the log truncation"),
        }
        match state.print_jobs.purge().await {
            Ok(n) if n > 0 => tracing::debug!(jobs = n, "finished print jobs purged"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "print job purge failed"),
        }
        let today = Utc::now().date_naive();
        if last_purge != Some(today) {
            match state
                .store
                .claim_daily_run(DAILY_PURGE, today, Utc::now().timestamp())
                .await
            {
                Ok(true) => {
                    purge_daily(&state, today, retention_days).await;
                    if let Err(e) = state
                        .store
                        .finish_daily_run(DAILY_PURGE, Utc::now().timestamp())
                        .await
                    {
                        tracing::warn!(error = %e, "end of the daily purge not recorded");
                    }
                }
                Ok(false) => tracing::debug!("today's purge runs on another instance"),
                // Tried again at the next tick.
                Err(e) => {
                    tracing::warn!(error = %e, "daily purge not claimed; will retry");
                    continue;
                }
            }
            last_purge = Some(today);
        }
    }
}

/// Every retention rule's purge, once a day.
async fn purge_daily(state: &AppState, today: NaiveDate, retention_days: u32) {
    match purge(state.store.as_ref(), today, retention_days).await {
        Ok(n) if n > 0 => tracing::info!(rows = n, "expired statistics purged"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "statistics purge failed"),
    }
    // Clause P8: expired drawings go the same day.
    match state.drawings.purge_expired().await {
        Ok(n) if n > 0 => tracing::info!(drawings = n, "expired drawings purged"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "drawing purge failed"),
    }
    // Clause P12: the audit trail is kept two years.
    match state.audit.purge_expired().await {
        Ok(n) if n > 0 => tracing::info!(entries = n, "old audit entries purged"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "audit purge failed"),
    }
    // Clause L8: ended sessions, expired reset links, and
    // accounts unused for `[accounts] inactive_days`, go the same
    // day.
    match state.accounts.purge(Utc::now().timestamp()).await {
        Ok(purged) if !purged.is_empty() => {
            tracing::info!(
                sessions = purged.sessions,
                resets = purged.resets,
                accounts = purged.accounts,
                "ended sessions, expired reset links and unused accounts purged"
            );
        }
        Ok(_) => {}
        // A busy checkpoint after an erasure is tried again
        // tomorrow; the rows themselves are gone already.
        Err(e) => tracing::warn!(error = %e, "account purge failed"),
    }
}
