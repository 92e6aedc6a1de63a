//! The audit trail of the operator's actions (clause P12): every action
//! taken on a drawing (delete, block, unblock, dismiss its reports), on an
//! account (grant or revoke a role, block, unblock, issue a reset link,
//! delete) and every run of `numis audit` started in the console is
//! recorded with its time, its actor and its object, and kept for
//! [`RETENTION_DAYS`]. The actor is an operator account's pseudonym, or
//! `token` for the operator token; never a client address.
//!
//! The object of a drawing action is the drawing's id; that of an account
//! action is the account's pseudonym (with the role, `Olga: editor`, for a
//! grant or revoke); that of an audit run is the address audited. Account
//! actions thus keep the pseudonym for two years, also after the account
//! itself was erased: who was blocked or deleted by whom must stay
//! traceable for that long.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use std::sync::Arc;
//! use numis_core::audit::{Action, Actor, AuditLog};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = numis_store::SqlStore::open_sqlite(dir.path()).await.unwrap();
//! let audit = AuditLog::new(Arc::new(store));
//! audit.record(&Actor::Token, Action::Block, "abc").await.unwrap();
//! let entries = audit.recent(10).await.unwrap();
//! assert_eq!((entries[0].actor.as_str(), entries[0].action.as_str()), ("token", "block"));
//! # });
//! ```

use std::sync::Arc;

pub use numis_store::{AuditEntry, AuditStore, StoreError};

use crate::drawings::Clock;

/// How long an entry is kept: two years.
pub const RETENTION_DAYS: i64 = 730;
/// Most entries one request reads.
pub const MAX_LIST: u32 = 1_000;

const SECONDS_PER_DAY: i64 = 86_400;

/// Who took an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// Whoever holds the operator token (`[operator] token`).
    Token,
    /// An account with the operator role, by its pseudonym.
    Account(String),
}

impl Actor {
    /// As recorded: the pseudonym, or `token`.
    pub fn name(&self) -> &str {
        match self {
            Self::Token => "token",
            Self::Account(pseudonym) => pseudonym,
        }
    }
}

/// An operator's action: on a drawing (the names moderation always
/// used) or on an account (`account.…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A drawing deleted by the operator.
    Delete,
    /// A drawing blocked.
    Block,
    /// A drawing's block lifted.
    Unblock,
    /// A drawing's reports dismissed.
    Dismiss,
    /// A role granted to an account.
    AccountGrant,
    /// A role revoked from an account.
    AccountRevoke,
    /// An account blocked.
    AccountBlock,
    /// An account's block lifted.
    AccountUnblock,
    /// A one-time reset link issued for an account.
    AccountReset,
    /// An account deleted by the operator.
    AccountDelete,
    /// `numis audit` run from the console (the privacy audit).
    AuditRun,
}

impl Action {
    /// As recorded.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delete => "delete",
            Self::Block => "block",
            Self::Unblock => "unblock",
            Self::Dismiss => "dismiss",
            Self::AccountGrant => "account.grant",
            Self::AccountRevoke => "account.revoke",
            Self::AccountBlock => "account.block",
            Self::AccountUnblock => "account.unblock",
            Self::AccountReset => "account.reset",
            Self::AccountDelete => "account.delete",
            Self::AuditRun => "audit.run",
        }
    }
}

/// The audit trail over a store. Cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    store: Arc<dyn AuditStore>,
    clock: Clock,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog").finish_non_exhaustive()
    }
}

impl AuditLog {
    /// The trail in `store`, on the system clock.
    pub fn new(store: Arc<dyn AuditStore>) -> Self {
        Self {
            store,
            clock: Arc::new(|| chrono::Utc::now().timestamp()),
        }
    }

    /// The same trail reading the time (Unix seconds) from `clock`.
    pub fn with_clock(self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Self {
            clock: Arc::new(clock),
            ..self
        }
    }

    /// Records that `actor` took `action` on `object` now.
    pub async fn record(
        &self,
        actor: &Actor,
        action: Action,
        object: &str,
    ) -> Result<(), StoreError> {
        self.store
            .append_audit(&AuditEntry {
                at: (self.clock)(),
                actor: actor.name().to_owned(),
                action: action.as_str().to_owned(),
                object: object.to_owned(),
            })
            .await
    }

    /// The newest entries, newest first; `limit` is held to
    /// 1..=[`MAX_LIST`].
    pub async fn recent(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.store.audit_entries(limit.clamp(1, MAX_LIST)).await
    }

    /// Deletes the entries older than [`RETENTION_DAYS`]; returns how many.
    pub async fn purge_expired(&self) -> Result<u64, StoreError> {
        let cutoff = (self.clock)() - RETENTION_DAYS * SECONDS_PER_DAY;
        self.store.purge_audit(cutoff).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicI64, Ordering};

    use numis_store::SqlStore;

    use super::*;

    #[tokio::test]
    async fn actions_are_recorded_newest_first_and_purged_after_two_years() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqlStore::open_sqlite(dir.path()).await.unwrap();
        let clock = Arc::new(AtomicI64::new(1_000_000_000));
        let time = clock.clone();
        let audit = AuditLog::new(Arc::new(store)).with_clock(move || time.load(Ordering::SeqCst));
        audit
            .record(&Actor::Token, Action::Block, "d1")
            .await
            .unwrap();
        clock.fetch_add(SECONDS_PER_DAY, Ordering::SeqCst);
        audit
            .record(&Actor::Account("Olga".into()), Action::Delete, "d1")
            .await
            .unwrap();
        let entries = audit.recent(0).await.unwrap();
        assert_eq!(entries.len(), 1, "a limit of 0 shows one");
        assert_eq!(
            entries[0],
            AuditEntry {
                at: 1_000_000_000 + SECONDS_PER_DAY,
                actor: "Olga".into(),
                action: "delete".into(),
                object: "d1".into(),
            }
        );

        clock.fetch_add(RETENTION_DAYS * SECONDS_PER_DAY - 1, Ordering::SeqCst);
        assert_eq!(
            audit.purge_expired().await.unwrap(),
            1,
            "two years and a day"
        );
        let left = audit.recent(10).await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].actor, "Olga", "a day short of two years: kept");
    }

    #[test]
    fn actions_and_actors_are_named_as_recorded() {
        let names: Vec<&str> = [
            Action::Delete,
            Action::Block,
            Action::Unblock,
            Action::Dismiss,
            Action::AccountGrant,
            Action::AccountRevoke,
            Action::AccountBlock,
            Action::AccountUnblock,
            Action::AccountReset,
            Action::AccountDelete,
            Action::AuditRun,
        ]
        .into_iter()
        .map(Action::as_str)
        .collect();
        assert_eq!(
            names,
            [
                "delete",
                "block",
                "unblock",
                "dismiss",
                "account.grant",
                "account.revoke",
                "account.block",
                "account.unblock",
                "account.reset",
                "account.delete",
                "audit.run"
            ]
        );
        assert_eq!(Actor::Token.name(), "token");
        assert_eq!(Actor::Account("Olga".into()).name(), "Olga");
    }
}
