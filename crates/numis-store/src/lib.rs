//! Persistence for numis behind one trait per aggregate: [`Store`] for the
//! aggregated access statistics (clauses P1 and P2 of the specification:
//! counts per day, route template and status class, and nothing that
//! could identify a client), [`DrawingStore`] for the drawings (P4,
//! P7–P12) and [`AccountStore`] for "Mein NUMIS" (P3, P4, P5, L7, L8):
//! pseudonymous accounts with roles and voluntary profile fields,
//! one-time recovery codes, login sessions, password-reset links and
//! saved map views. The traits speak only in plain Rust types; one
//! implementation, [`SqlStore`], keeps them in a SQLite file in the data
//! directory (the default) or in a PostgreSQL database that any number of
//! numis instances share ([`StoreLocation`]).
//!
//! The store keeps what it is given. The rules of what may be stored, and
//! how (password hashing, pseudonym normalisation, token and code hashes,
//! session lifetimes), live in `numis-core`, not here. What the store
//! guarantees itself: secrets arrive and stay hashed (it has no column for
//! a password, session token, reset token or recovery code), and an
//! erased account leaves no trace in the SQLite files (`secure_delete`,
//! WAL truncated); on PostgreSQL its rows are deleted and their space
//! vacuumed at once.
//!
//! No HTTP here.

mod accounts;
mod audit;
mod drawings;
mod error;
mod shared;
mod sql;
mod stats;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use accounts::{
    AccountSummary, NewAccount, OwnedDrawings, PasswordReset, Profile, ProfileField, SavedView,
    StoredAccount, StoredSession,
};
pub use audit::AuditEntry;
pub use drawings::{DrawingOrder, DrawingReport, StoredDrawing};
pub use error::{Result, StoreError};
pub use shared::{LoginFailures, PrintJobStatus, StoredPrintJob};
pub use sql::{Backend, DATABASE_FILE, SqlStore, StoreLocation, TransferReport};
pub use stats::{AccessCount, EventCount, StatusClass};

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::NaiveDate;

/// The store's health, the access statistics and the anonymous event
/// counts. Implemented by [`SqlStore`], which also implements
/// [`DrawingStore`], [`AccountStore`] and [`AuditStore`].
#[async_trait]
pub trait Store: Send + Sync {
    /// Checks that the store answers (for `/healthz`).
    async fn ping(&self) -> Result<()>;

    /// Adds aggregated counts (summing into existing rows).
    async fn add_access_counts(&self, counts: &[AccessCount]) -> Result<()>;

    /// The counts of the days `from..=to`, ordered by day, route, class.
    async fn access_counts(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<AccessCount>>;

    /// Deletes the access and event counts of days before `before`;
    /// returns the rows deleted.
    async fn purge_access_counts(&self, before: NaiveDate) -> Result<u64>;

    /// Adds anonymous event counts (summing into existing rows).
    async fn add_event_counts(&self, counts: &[EventCount]) -> Result<()>;

    /// The event counts of the days `from..=to`, ordered by day, event,
    /// subject.
    async fn event_counts(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<EventCount>>;

    /// Claims the run of the daily `job` (the purge) for `day`: `true` for
    /// exactly one caller per job and day, however many instances ask at
    /// once, `false` for every other. Records `now` as its start.
    async fn claim_daily_run(&self, job: &str, day: NaiveDate, now: i64) -> Result<bool>;

    /// Records that the claimed run of `job` ended at `now`.
    async fn finish_daily_run(&self, job: &str, now: i64) -> Result<()>;

    /// The day the daily `job` last ran for, and when it started and
    /// ended (`None` while it runs or if it died).
    async fn last_daily_run(&self, job: &str) -> Result<Option<(NaiveDate, i64, Option<i64>)>>;
}

/// Print jobs, so that any instance answers a job's status and serves its
/// PDF. Implemented by [`SqlStore`].
#[async_trait]
pub trait PrintJobStore: Send + Sync {
    /// Stores the job, or replaces the one with the same `id_hash`.
    async fn save_print_job(&self, job: &StoredPrintJob) -> Result<()>;

    /// The job whose id has this hash.
    async fn print_job(&self, id_hash: &[u8]) -> Result<Option<StoredPrintJob>>;

    /// Deletes the jobs that finished before `finished_before`, and those
    /// left unfinished since before `stale_before` (their instance
    /// stopped); returns how many.
    async fn purge_print_jobs(&self, finished_before: i64, stale_before: i64) -> Result<u64>;
}

/// Failed logins per pseudonym, shared by the instances (the login
/// throttle). Keys are hashes the caller computed. Implemented by
/// [`SqlStore`].
#[async_trait]
pub trait LoginFailureStore: Send + Sync {
    /// The failures counted for `key_hash`.
    async fn login_failures(&self, key_hash: &[u8]) -> Result<Option<LoginFailures>>;

    /// Counts one failure at `now` and answers the failures in a row:
    /// counting starts again at 1 when the last failure was before
    /// `forget_before`. Atomic: failures at once on several instances
    /// are all counted.
    async fn add_login_failure(&self, key_hash: &[u8], now: i64, forget_before: i64)
    -> Result<u32>;

    /// Blocks logins for `key_hash` until `until`, unless they are blocked
    /// longer already.
    async fn block_logins(&self, key_hash: &[u8], until: i64) -> Result<()>;

    /// Forgets the failures of `key_hash` (after a successful login).
    async fn clear_login_failures(&self, key_hash: &[u8]) -> Result<()>;

    /// Forgets every key whose last failure was before `last_before` and
    /// that is not blocked beyond it; returns how many.
    async fn purge_login_failures(&self, last_before: i64) -> Result<u64>;
}

/// The drawings (clauses P4, P7–P12). Implemented by [`SqlStore`].
#[async_trait]
pub trait DrawingStore: Send + Sync {
    /// Stores a new drawing; it is durable when this returns.
    async fn insert_drawing(&self, drawing: &StoredDrawing) -> Result<()>;

    /// The drawing with this public id, expired or not.
    async fn drawing(&self, id: &str) -> Result<Option<StoredDrawing>>;

    /// Replaces title and features and sets the change and expiry times;
    /// `false` when no such drawing exists.
    async fn update_drawing(
        &self,
        id: &str,
        title: &str,
        features: &str,
        changed_at: i64,
        expires_at: i64,
    ) -> Result<bool>;

    /// Deletes a drawing and its reports; `false` when none existed.
    async fn delete_drawing(&self, id: &str) -> Result<bool>;

    /// Records an abuse report; `false` when no such drawing exists.
    async fn report_drawing(&self, id: &str, reported_at: i64, reason: &str) -> Result<bool>;

    /// The reports of one drawing, oldest first.
    async fn drawing_reports(&self, id: &str) -> Result<Vec<DrawingReport>>;

    /// Drawings for moderation, at most `limit`, in `order`.
    async fn list_drawings(&self, order: DrawingOrder, limit: u32) -> Result<Vec<StoredDrawing>>;

    /// Deletes every drawing that expired at or before `now`; returns how many.
    async fn purge_expired_drawings(&self, now: i64) -> Result<u64>;

    /// Binds the drawing `id` to `account_id` ("claim it with its edit
    /// link"): `true` when the drawing now belongs to the account, `false`
    /// when no such drawing exists or another account owns it. Claiming
    /// for an account that does not exist is an error.
    async fn claim_drawing(&self, id: &str, account_id: &str) -> Result<bool>;

    /// The drawings of one account, newest first.
    async fn drawings_of_owner(&self, account_id: &str) -> Result<Vec<StoredDrawing>>;

    /// Blocks the drawing `id` at `blocked_at`, or unblocks it with
    /// `None`; `false` when no such drawing exists.
    async fn set_drawing_blocked(&self, id: &str, blocked_at: Option<i64>) -> Result<bool>;

    /// Deletes the reports of the drawing `id` and sets its report count
    /// back to 0, in one transaction; `false` when no such drawing exists.
    async fn dismiss_drawing_reports(&self, id: &str) -> Result<bool>;

    /// The pseudonyms of the accounts owning the drawings `ids`, by
    /// drawing id: anonymous drawings are left out. Only the pseudonym
    /// leaves the accounts table this way, no profile field.
    async fn owner_pseudonyms(&self, ids: &[&str]) -> Result<HashMap<String, String>>;
}

/// The audit trail of moderation actions (clause P12). Implemented by
/// [`SqlStore`].
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends an entry; it is durable when this returns.
    async fn append_audit(&self, entry: &AuditEntry) -> Result<()>;

    /// The newest `limit` entries, newest first.
    async fn audit_entries(&self, limit: u32) -> Result<Vec<AuditEntry>>;

    /// Deletes the entries recorded before `before`; returns how many.
    async fn purge_audit(&self, before: i64) -> Result<u64>;
}

/// "Mein NUMIS": accounts, their roles, voluntary profile, second factor
/// and recovery codes, their sessions, password-reset links and saved map
/// views (clauses P3, P4,
/// P5, L7, L8). Implemented by [`SqlStore`].
///
/// Methods that change one account answer `false` when no such account
/// (or session, or view) exists. Times are Unix seconds (UTC), given by
/// the caller. Nothing here stores a password, a session or reset token
/// or a recovery code: only the hashes the caller computed.
#[async_trait]
pub trait AccountStore: Send + Sync {
    // --- Accounts -------------------------------------------------------

    /// Creates an account with no roles, no profile and no second factor;
    /// `last_seen_at` starts at `created_at`.
    /// [`StoreError::PseudonymTaken`] when another account has the same
    /// `pseudonym_key`.
    async fn create_account(&self, account: &NewAccount) -> Result<()>;

    /// The account with this id.
    async fn account(&self, id: &str) -> Result<Option<StoredAccount>>;

    /// The account with this normalised pseudonym (for login).
    async fn account_by_pseudonym_key(&self, pseudonym_key: &str) -> Result<Option<StoredAccount>>;

    /// Every account for the operator, by pseudonym key: no password hash,
    /// second factor or profile field leaves the store this way.
    async fn list_accounts(&self) -> Result<Vec<AccountSummary>>;

    /// Changes the pseudonym; [`StoreError::PseudonymTaken`] when another
    /// account has `pseudonym_key`.
    async fn set_pseudonym(&self, id: &str, pseudonym: &str, pseudonym_key: &str) -> Result<bool>;

    /// Replaces the password hash (a PHC string).
    async fn set_password_hash(&self, id: &str, password_hash: &str) -> Result<bool>;

    /// Blocks or unblocks the account. Its sessions stay: the caller ends
    /// them with [`Self::delete_sessions_of_account`].
    async fn set_blocked(&self, id: &str, blocked: bool) -> Result<bool>;

    /// Records a login or other use at `now` (retention, clause L8).
    async fn touch_account(&self, id: &str, now: i64) -> Result<bool>;

    /// Sets one voluntary profile field, or removes it with `None`; the
    /// other fields stay as they are.
    async fn set_profile_field(
        &self,
        id: &str,
        field: ProfileField,
        value: Option<&str>,
    ) -> Result<bool>;

    /// Whether this (operator) account may see other accounts' profile
    /// fields.
    async fn set_profile_access(&self, id: &str, allowed: bool) -> Result<bool>;

    /// Switches the second factor on with `secret` (in the caller's
    /// encoding) or off with `None`; either way the replay guard of
    /// [`Self::use_totp_step`] starts afresh.
    async fn set_totp_secret(&self, id: &str, secret: Option<&[u8]>) -> Result<bool>;

    /// Accepts the TOTP time step `step` once: `true` when it is later than
    /// every step accepted before (and records it), `false` for a replayed
    /// or older step or an unknown account. Atomic.
    async fn use_totp_step(&self, id: &str, step: i64) -> Result<bool>;

    /// Grants a role; `false` when the account does not exist. Granting a
    /// role held already changes nothing and answers `true`.
    async fn grant_role(&self, id: &str, role: &str) -> Result<bool>;

    /// Revokes a role; `false` when the account did not hold it.
    async fn revoke_role(&self, id: &str, role: &str) -> Result<bool>;

    /// Replaces all recovery codes of the account by these hashes (shown
    /// once at registration or regeneration; the codes are never stored).
    async fn replace_recovery_codes(&self, id: &str, code_hashes: &[Vec<u8>]) -> Result<bool>;

    /// Uses up the recovery code with this hash: `true` exactly once per
    /// code, `false` for an unknown or used code. Atomic.
    async fn use_recovery_code(&self, id: &str, code_hash: &[u8]) -> Result<bool>;

    /// How many unused recovery codes the account has.
    async fn recovery_codes_left(&self, id: &str) -> Result<u64>;

    /// Erases the account: every row of it (roles, recovery codes,
    /// sessions, reset links, views, the account) in one transaction, and
    /// its drawings as `drawings` says. Deleted content is overwritten, not only
    /// unlinked, and the SQLite backend truncates its write-ahead log
    /// afterwards, so no byte of it remains in the database files.
    /// `false` when no such account existed; [`StoreError::CheckpointBusy`]
    /// when the rows are gone but the log could not be truncated yet.
    async fn delete_account(&self, id: &str, drawings: OwnedDrawings) -> Result<bool>;

    /// Erases, as [`Self::delete_account`] with
    /// [`OwnedDrawings::KeepAnonymous`] would, every account last seen
    /// before `last_seen_before` (retention, clause L8); returns how many.
    async fn purge_inactive_accounts(&self, last_seen_before: i64) -> Result<u64>;

    /// Finishes an erasure that answered [`StoreError::CheckpointBusy`]:
    /// truncates the write-ahead log, so the erased bytes leave it too.
    /// The same error again when a reader still holds it.
    async fn truncate_log(&self) -> Result<()>;

    // --- Sessions -------------------------------------------------------

    /// Stores a new session. Fails when the account does not exist or the
    /// token hash or public id is taken.
    async fn create_session(&self, session: &StoredSession) -> Result<()>;

    /// The session with this token hash, as stored before this call, and
    /// records its use at `now` on the session and its account. To keep
    /// the lookup cheap the use is written only when the stored
    /// `last_seen_at` is a minute or more older than `now`. The caller
    /// decides whether the session has expired (from the returned
    /// `last_seen_at`, `created_at` and `expires_at`).
    async fn find_session(&self, token_hash: &[u8], now: i64) -> Result<Option<StoredSession>>;

    /// The sessions of an account, most recently used first.
    async fn sessions_of_account(&self, account_id: &str) -> Result<Vec<StoredSession>>;

    /// Ends the session with this token hash (logout).
    async fn delete_session(&self, token_hash: &[u8]) -> Result<bool>;

    /// Ends the account's session named by its public id ("end this
    /// session"); another account's session is never touched.
    async fn delete_session_by_public_id(&self, account_id: &str, public_id: &str) -> Result<bool>;

    /// Ends every session of the account except the one with token hash
    /// `except` (if given); returns how many ended.
    async fn delete_sessions_of_account(
        &self,
        account_id: &str,
        except: Option<&[u8]>,
    ) -> Result<u64>;

    /// Deletes the sessions that ended: those whose `expires_at` is at or
    /// before `now`, and the non-persistent ones last used before
    /// `idle_cutoff`. Returns how many.
    async fn purge_expired_sessions(&self, now: i64, idle_cutoff: i64) -> Result<u64>;

    /// How many sessions are stored (for metrics).
    async fn count_sessions(&self) -> Result<u64>;

    // --- Password-reset links ---------------------------------------------

    /// Stores a new reset link. Fails when the account does not exist or
    /// the token hash is taken.
    async fn create_password_reset(&self, reset: &PasswordReset) -> Result<()>;

    /// The reset link with this token hash if it still works at `now`
    /// (before its `expires_at`), without using it up.
    async fn password_reset(&self, token_hash: &[u8], now: i64) -> Result<Option<PasswordReset>>;

    /// Uses up the reset link with this token hash: answers it exactly
    /// once, and only while `now` is before its `expires_at`. The row is
    /// deleted either way, so a used or expired link never works again.
    /// Atomic: of two requests with one link, one gets it.
    async fn take_password_reset(
        &self,
        token_hash: &[u8],
        now: i64,
    ) -> Result<Option<PasswordReset>>;

    /// How many of the account's reset links still work at `now` (to
    /// limit the mails one account gets).
    async fn live_password_resets(&self, account_id: &str, now: i64) -> Result<u64>;

    /// Deletes every reset link of the account (after a password was
    /// set); returns how many.
    async fn delete_password_resets_of_account(&self, account_id: &str) -> Result<u64>;

    /// Deletes the reset links that expired at or before `now`; returns
    /// how many.
    async fn purge_expired_password_resets(&self, now: i64) -> Result<u64>;

    // --- Saved map views --------------------------------------------------

    /// Saves a view. Fails when the account does not exist or the id is
    /// taken.
    async fn create_view(&self, view: &SavedView) -> Result<()>;

    /// The account's view with this id; `None` for another account's view.
    async fn view(&self, account_id: &str, id: &str) -> Result<Option<SavedView>>;

    /// The account's views, by name.
    async fn views_of_account(&self, account_id: &str) -> Result<Vec<SavedView>>;

    /// Renames the account's view; `false` when the account has no such
    /// view.
    async fn rename_view(
        &self,
        account_id: &str,
        id: &str,
        name: &str,
        updated_at: i64,
    ) -> Result<bool>;

    /// Deletes the account's view; `false` when the account has no such
    /// view.
    async fn delete_view(&self, account_id: &str, id: &str) -> Result<bool>;
}
