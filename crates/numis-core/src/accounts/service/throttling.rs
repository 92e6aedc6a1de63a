//! The login throttle as the service uses it. Failures per client are
//! counted in this process's memory ([`crate::accounts::LoginThrottle`]).
//! Failures per pseudonym are counted there too, or, when the service was
//! given a shared store ([`AccountService::with_shared_failures`]), in
//! the store: behind a load balancer every instance then sees every
//! failure for a pseudonym, and an attacker gets the free tries once,
//! not once per instance. A client is never known to the store.
//!
//! The store knows a pseudonym by the SHA-256 of its normalised key, so
//! that the names people mistyped do not stand in the table in clear.

use std::time::Duration;

use sha2::{Digest, Sha256};

use super::AccountService;
use crate::accounts::throttle::{RetryAfter, ThrottleKey};
use crate::accounts::{AccountError, Result};

impl AccountService {
    /// May a login for every key of `keys` be tried now? Otherwise the
    /// longest wait.
    pub(super) async fn throttle_check(&self, keys: &[ThrottleKey]) -> Result<()> {
        let Some(store) = &self.shared_failures else {
            return Ok(self.throttle.check_all(keys)?);
        };
        let (shared, local): (Vec<_>, Vec<_>) = keys.iter().cloned().partition(is_pseudonym);
        let mut longest = self.throttle.check_all(&local).err();
        let now = self.now();
        for key in &shared {
            let failures = store.login_failures(&shared_key(key)).await?;
            // The store counts whole seconds: a block until second
            // `until` lasts to its end, so that a failure late in a second
            // never waits less than the rules say (at most a second more).
            if let Some(until) = failures.and_then(|f| f.blocked_until)
                && until >= now
            {
                let wait = RetryAfter(Duration::from_secs(until.abs_diff(now) + 1));
                longest = longest.into_iter().chain([wait]).max_by_key(|w| w.0);
            }
        }
        longest.map_or(Ok(()), |wait| Err(AccountError::Throttled(wait)))
    }

    /// Counts a failed login for every key of `keys`.
    pub(super) async fn throttle_failure(&self, keys: &[ThrottleKey]) {
        for key in keys {
            match (&self.shared_failures, key) {
                (Some(store), ThrottleKey::Pseudonym(_)) => {
                    let now = self.now();
                    let forget = seconds(self.throttle.rules().forget_after);
                    let hash = shared_key(key);
                    let counted = async {
                        let failures = store
                            .add_login_failure(&hash, now, now.saturating_sub(forget))
                            .await?;
                        if let Some(delay) = self.throttle.rules().delay_after(failures) {
                            store
                                .block_logins(&hash, now.saturating_add(seconds(delay)))
                                .await?;
                        }
                        Ok::<_, numis_store::StoreError>(())
                    };
                    // The login has failed either way; a failure that could
                    // not be counted is logged, not shown to the citizen.
                    if let Err(e) = counted.await {
                        tracing::warn!(error = %e, "failed login not counted in the store");
                    }
                }
                _ => self.throttle.record_failure(key),
            }
        }
    }

    /// A successful login: every key of `keys` starts again with free
    /// failures.
    pub(super) async fn throttle_success(&self, keys: &[ThrottleKey]) {
        for key in keys {
            match (&self.shared_failures, key) {
                (Some(store), ThrottleKey::Pseudonym(_)) => {
                    if let Err(e) = store.clear_login_failures(&shared_key(key)).await {
                        tracing::warn!(error = %e, "login failures not cleared in the store");
                    }
                }
                _ => self.throttle.record_success(key),
            }
        }
    }

    /// Forgets the shared failures that no longer delay anybody (daily,
    /// with the other purges); 0 without a shared store.
    pub(super) async fn purge_shared_failures(&self, now: i64) -> Result<u64> {
        let Some(store) = &self.shared_failures else {
            return Ok(0);
        };
        let forget = seconds(self.throttle.rules().forget_after);
        Ok(store
            .purge_login_failures(now.saturating_sub(forget))
            .await?)
    }
}

fn is_pseudonym(key: &ThrottleKey) -> bool {
    matches!(key, ThrottleKey::Pseudonym(_))
}

/// What the store knows a pseudonym's failures by.
fn shared_key(key: &ThrottleKey) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(b"numis login failures\0");
    if let ThrottleKey::Pseudonym(pseudonym_key) = key {
        hasher.update(pseudonym_key.as_bytes());
    }
    hasher.finalize().to_vec()
}

/// Whole seconds, rounded up.
fn seconds(duration: Duration) -> i64 {
    let whole = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    i64::try_from(whole).unwrap_or(i64::MAX)
}
