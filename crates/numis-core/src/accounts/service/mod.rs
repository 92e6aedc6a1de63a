//! The account service: the rules of [`super`] joined with the account
//! store. [`AccountService`] owns registration, login (throttled, no
//! enumeration, optional second factor), sessions, password changes and
//! recovery (by code or by a link in a mail), the second factor, the voluntary profile, saved views, the
//! binding of drawings to accounts, erasure, the operator's functions and
//! the daily purge. No HTTP and no cookies: the server sets the cookie
//! from [`LoggedIn::token`] and checks CSRF with [`SessionInfo::csrf`].
//!
//! Every secret arrives and leaves as a value the caller shows once
//! (recovery codes, the session token); the store sees only hashes.

mod citizen;
mod login;
mod operator;
mod reset;
#[cfg(test)]
mod tests;
mod throttling;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use numis_store::{AccountStore, DrawingStore, LoginFailureStore, StoreError, StoredAccount};

use super::{
    AccountError, LoginThrottle, PasswordPolicy, PasswordWorkers, Pseudonym, Result, SessionPolicy,
};
use crate::drawings::Clock;

pub use citizen::{
    MAX_PROFILE_CHARS, MAX_VIEW_NAME_CHARS, MAX_VIEW_STATE_BYTES, PersonalData, TotpSetup,
};
pub use login::{Authenticated, LoggedIn, Registered, SessionInfo, SessionListing};
pub use operator::{
    AccountDetails, IssuedReset, MAX_ROLE_CHARS, OPERATOR_RESET_VALIDITY_SECONDS, valid_role,
};
pub use reset::{MAX_LIVE_RESETS, RESET_VALIDITY_SECONDS, ResetMail, ResetToken};

/// Seconds of a day.
const DAY: i64 = 86_400;

/// [`AccountRules::inactive_days`] default: two years (clause L8).
pub const DEFAULT_INACTIVE_DAYS: u32 = 730;

/// What a deployment decides about accounts (`[accounts]` in
/// `numis.toml`).
#[derive(Debug, Clone)]
pub struct AccountRules {
    /// Which passwords are accepted.
    pub password: PasswordPolicy,
    /// Session lifetimes. [default: 2 h idle, 12 h at most, 30 days
    /// remembered]
    pub session: SessionPolicy,
    /// Accounts not seen for this many days are erased by the daily
    /// purge (their drawings stay, anonymous). [default: 730]
    pub inactive_days: u32,
    /// The name an authenticator app lists the account under.
    /// [default: "numis"]
    pub totp_issuer: String,
}

impl Default for AccountRules {
    fn default() -> Self {
        Self {
            password: PasswordPolicy::default(),
            session: SessionPolicy::default(),
            inactive_days: DEFAULT_INACTIVE_DAYS,
            totp_issuer: super::DEFAULT_ISSUER.to_owned(),
        }
    }
}

/// What one [`AccountService::purge`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Ended sessions.
    pub sessions: u64,
    /// Expired password-reset links.
    pub resets: u64,
    /// Accounts unused for too long.
    pub accounts: u64,
}

impl Purged {
    /// Whether anything was deleted.
    pub fn is_empty(&self) -> bool {
        self.sessions + self.resets + self.accounts == 0
    }
}

/// The accounts service. Cheap to clone; clones share the throttle and
/// the password workers.
#[derive(Clone)]
pub struct AccountService {
    accounts: Arc<dyn AccountStore>,
    drawings: Arc<dyn DrawingStore>,
    workers: PasswordWorkers,
    throttle: Arc<LoginThrottle>,
    /// Failed logins per pseudonym shared by several instances (see
    /// [`throttling`]); `None`: counted in `throttle`.
    shared_failures: Option<Arc<dyn LoginFailureStore>>,
    rules: AccountRules,
    clock: Clock,
    /// An erasure whose log truncation is still to do.
    erasure_pending: Arc<AtomicBool>,
}

impl std::fmt::Debug for AccountService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountService")
            .field("rules", &self.rules)
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

impl AccountService {
    /// The service over `store` (accounts and the drawings they own),
    /// hashing with `workers`, under `rules`, with a default
    /// [`LoginThrottle`], on the system clock.
    pub fn new<S>(store: Arc<S>, workers: PasswordWorkers, rules: AccountRules) -> Self
    where
        S: AccountStore + DrawingStore + 'static,
    {
        Self {
            accounts: store.clone(),
            drawings: store,
            workers,
            throttle: Arc::new(LoginThrottle::default()),
            shared_failures: None,
            rules,
            clock: Arc::new(|| chrono::Utc::now().timestamp()),
            erasure_pending: Arc::default(),
        }
    }

    /// The same service counting failed logins in `throttle`.
    pub fn with_throttle(self, throttle: LoginThrottle) -> Self {
        Self {
            throttle: Arc::new(throttle),
            ..self
        }
    }

    /// The same service counting failed logins per pseudonym in `store`,
    /// shared with every other instance on it (see [`throttling`]).
    pub fn with_shared_failures(self, store: Arc<dyn LoginFailureStore>) -> Self {
        Self {
            shared_failures: Some(store),
            ..self
        }
    }

    /// The same service reading the time (Unix seconds) from `clock`.
    pub fn with_clock(self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Self {
            clock: Arc::new(clock),
            ..self
        }
    }

    /// The rules in force.
    pub fn rules(&self) -> &AccountRules {
        &self.rules
    }

    /// The login throttle (the server's housekeeping calls
    /// [`LoginThrottle::forget_idle`]).
    pub fn throttle(&self) -> &LoginThrottle {
        &self.throttle
    }

    fn now(&self) -> i64 {
        (self.clock)()
    }

    /// The account `id`, or [`AccountError::NotFound`].
    async fn account(&self, id: &str) -> Result<StoredAccount> {
        self.accounts
            .account(id)
            .await?
            .ok_or(AccountError::NotFound)
    }

    /// The account with this pseudonym (as typed), or
    /// [`AccountError::NotFound`].
    async fn account_by_pseudonym(&self, pseudonym: &str) -> Result<StoredAccount> {
        let key = Pseudonym::parse(pseudonym).map_err(|_| AccountError::NotFound)?;
        self.accounts
            .account_by_pseudonym_key(key.key())
            .await?
            .ok_or(AccountError::NotFound)
    }

    /// Checks `password` against the account's hash; a wrong one is
    /// [`AccountError::WrongCredentials`].
    async fn check_password(&self, account: &StoredAccount, password: &str) -> Result<()> {
        let right = self
            .workers
            .verify(password.to_owned(), Some(account.password_hash.clone()))
            .await?;
        if right {
            Ok(())
        } else {
            Err(AccountError::WrongCredentials)
        }
    }

    /// Checks a new password against the policy for this pseudonym and
    /// hashes it.
    async fn new_password_hash(&self, pseudonym: &str, password: &str) -> Result<String> {
        let pseudonym = Pseudonym::parse(pseudonym)?;
        self.rules.password.check(password, &pseudonym)?;
        Ok(self.workers.hash(password.to_owned()).await?)
    }

    /// Daily housekeeping at `now` (clause L8): deletes the ended
    /// sessions and expired reset links, then erases the accounts not
    /// seen for [`AccountRules::inactive_days`] (their drawings stay,
    /// anonymous).
    pub async fn purge(&self, now: i64) -> Result<Purged> {
        let sessions = self
            .accounts
            .purge_expired_sessions(now, self.rules.session.idle_cutoff(now))
            .await?;
        let resets = self.accounts.purge_expired_password_resets(now).await?;
        let cutoff = now.saturating_sub(i64::from(self.rules.inactive_days) * DAY);
        // Erased but with the log not yet truncated: counted as none here,
        // finished by `finish_erasures`.
        let accounts = self.erased(self.accounts.purge_inactive_accounts(cutoff).await, 0)?;
        self.purge_shared_failures(now).await?;
        Ok(Purged {
            sessions,
            resets,
            accounts,
        })
    }
}

impl AccountService {
    /// The outcome of an erasure in the store: when its rows are gone but
    /// the write-ahead log could not be truncated yet
    /// ([`StoreError::CheckpointBusy`]), the erasure succeeded for the
    /// citizen (`busy_value`), and [`Self::finish_erasures`] truncates
    /// the log later.
    fn erased<T>(&self, outcome: numis_store::Result<T>, busy_value: T) -> Result<T> {
        match outcome {
            Err(StoreError::CheckpointBusy) => {
                self.erasure_pending.store(true, Ordering::SeqCst);
                tracing::warn!("erased rows wait for the log truncation; retried by housekeeping");
                Ok(busy_value)
            }
            other => Ok(other?),
        }
    }

    /// Truncates the write-ahead log if an erasure left it untruncated
    /// (the server's housekeeping calls this every few seconds). `true`
    /// when there was one to finish.
    pub async fn finish_erasures(&self) -> Result<bool> {
        if !self.erasure_pending.load(Ordering::SeqCst) {
            return Ok(false);
        }
        self.accounts.truncate_log().await?;
        self.erasure_pending.store(false, Ordering::SeqCst);
        Ok(true)
    }
}

/// A fresh random id (128 bits, URL-safe) for an account or a view.
fn new_id() -> Result<String> {
    Ok(super::new_session_id()?)
}

/// The store's "pseudonym taken" as the service's.
fn taken(error: StoreError) -> AccountError {
    match error {
        StoreError::PseudonymTaken => AccountError::PseudonymTaken,
        other => AccountError::Store(other),
    }
}
