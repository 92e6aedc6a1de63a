//! "Mein NUMIS" accounts (clauses P3, P4, P5, L7, L8; issue 12): the
//! rules of an account, without storage and without HTTP.
//!
//! - [`pseudonym`]: what a pseudonym may be and the normalised key that
//!   makes it unique ([`Pseudonym`]).
//! - [`password`]: which passwords are accepted ([`PasswordPolicy`]), how
//!   they are hashed (Argon2id, [`PasswordHasher`]) and where
//!   ([`PasswordWorkers`]: off the async runtime, bounded).
//! - [`recovery`]: the ten one-time recovery codes ([`RecoveryCode`]).
//! - [`totp`]: the optional second factor ([`TotpSecret`], RFC 6238).
//! - [`session`]: session tokens, public session ids, CSRF tokens and
//!   lifetimes ([`SessionToken`], [`CsrfToken`], [`SessionPolicy`]).
//! - [`throttle`]: login throttling per pseudonym and per client
//!   ([`LoginThrottle`]).
//! - [`service`]: [`AccountService`], which joins these rules with the
//!   account store: registration, login, sessions, recovery (by code or
//!   by a link in a mail), second factor, profile, saved views, owned drawings, erasure, the
//!   operator's functions and the daily purge.
//!
//! Each function takes and returns plain values; the account store
//! (`numis-store`) keeps them, and the account service that joins both
//! answers with an [`AccountError`]. Secrets (passwords, codes, tokens)
//! are stored only as hashes, and their `Debug` output never shows them.

pub mod password;
pub mod pseudonym;
mod random;
pub mod recovery;
pub mod service;
pub mod session;
pub mod throttle;
pub mod totp;

use numis_store::StoreError;

pub use password::{HashParams, PasswordError, PasswordHasher, PasswordPolicy, PasswordWorkers};
pub use pseudonym::{Pseudonym, PseudonymError, search_key};
pub use recovery::{CODES_PER_ACCOUNT, RecoveryCode, RecoveryError};
pub use service::{
    AccountDetails, AccountRules, AccountService, Authenticated, DEFAULT_INACTIVE_DAYS,
    IssuedReset, LoggedIn, MAX_LIVE_RESETS, OPERATOR_RESET_VALIDITY_SECONDS, PersonalData, Purged,
    RESET_VALIDITY_SECONDS, Registered, ResetMail, ResetToken, SessionInfo, SessionListing,
    TotpSetup, valid_role,
};
pub use session::{CsrfToken, SessionError, SessionPolicy, SessionToken, new_session_id};
pub use throttle::{LoginThrottle, RetryAfter, ThrottleKey, ThrottleRules};
pub use totp::{DEFAULT_ISSUER, TotpError, TotpSecret};

/// Result alias of the account service.
pub type Result<T> = std::result::Result<T, AccountError>;

/// What can go wrong with an account. The refusals are written for the
/// person who sent the request; the failures on our side
/// ([`AccountError::is_failure`]) carry details for the log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// The pseudonym breaks a rule; the message says which.
    #[error(transparent)]
    Pseudonym(#[from] PseudonymError),
    /// Another account has this pseudonym (after normalisation).
    #[error("this pseudonym is taken")]
    PseudonymTaken,
    /// The new password breaks a rule, or hashing failed.
    #[error(transparent)]
    Password(#[from] PasswordError),
    /// Wrong pseudonym or wrong password: one message for both, so that
    /// nobody learns which pseudonyms exist.
    #[error("pseudonym or password is wrong")]
    WrongCredentials,
    /// The account was blocked by the operator.
    #[error("this account is blocked")]
    Blocked,
    /// Too many failed logins for this pseudonym or from this client.
    #[error(transparent)]
    Throttled(#[from] RetryAfter),
    /// The password was right and the account has a second factor: a
    /// code is needed to finish the login.
    #[error("enter the code of your authenticator app")]
    SecondFactorRequired,
    /// The second-factor code was malformed, wrong or used before.
    #[error(transparent)]
    SecondFactor(#[from] TotpError),
    /// The recovery code is malformed or none of the account's unused
    /// ones.
    #[error("this recovery code is not valid or was used already")]
    RecoveryCode,
    /// The password-reset link is malformed, unknown, used or expired
    /// (or its account was blocked meanwhile).
    #[error("this link is not valid, has expired or was used already")]
    ResetLink,
    /// No session for this token, or it ended (idle or absolute limit).
    #[error("you are not logged in")]
    NotLoggedIn,
    /// The request's CSRF token or origin does not belong to the
    /// session.
    #[error("the form is outdated or came from another site; reload the page")]
    CsrfMismatch,
    /// No account has this id or pseudonym (deleted meanwhile, or
    /// never). Login and recovery never answer this; they answer
    /// [`Self::WrongCredentials`] and [`Self::RecoveryCode`].
    #[error("no such account")]
    NotFound,
    /// A profile field, view name or map state is longer than allowed.
    #[error("the {what} is too long (at most {max})")]
    TooLong {
        /// What was too long.
        what: &'static str,
        /// The limit (characters, or bytes for a map state).
        max: usize,
    },
    /// A saved view needs a name.
    #[error("give the view a name")]
    EmptyName,
    /// The account has no saved view with this id.
    #[error("no such saved view")]
    NoSuchView,
    /// The drawing does not exist or belongs to another account.
    #[error("this drawing cannot be added to your drawings")]
    NotClaimable,
    /// A role name other than 1 to 64 ASCII letters, digits, `-`, `_`.
    #[error("a role is 1 to 64 letters, digits, '-' or '_'")]
    BadRole,
    /// The operating system gave no randomness for a secret.
    #[error("no randomness for an account secret: {0}")]
    NoRandomness(getrandom::Error),
    /// The store failed; nothing was changed.
    #[error("account store: {0}")]
    Store(#[from] StoreError),
}

impl From<SessionError> for AccountError {
    fn from(error: SessionError) -> Self {
        match error {
            SessionError::NoRandomness(e) => Self::NoRandomness(e),
        }
    }
}

impl From<RecoveryError> for AccountError {
    fn from(error: RecoveryError) -> Self {
        match error {
            RecoveryError::Malformed => Self::RecoveryCode,
            RecoveryError::NoRandomness(e) => Self::NoRandomness(e),
        }
    }
}

impl AccountError {
    /// True when the fault is ours (store, randomness, hashing, a damaged
    /// stored secret), not the request's: the details belong in the log,
    /// not in the answer.
    pub fn is_failure(&self) -> bool {
        match self {
            Self::Password(e) => e.is_failure(),
            Self::SecondFactor(e) => matches!(
                e,
                TotpError::BadSecret(_) | TotpError::Qr(_) | TotpError::NoRandomness(_)
            ),
            Self::NoRandomness(_) | Self::Store(_) => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn unknown_pseudonym_and_wrong_password_read_the_same() {
        // The service answers both with this one variant; its message
        // names neither.
        let message = AccountError::WrongCredentials.to_string();
        assert!(
            !message.contains("unknown") && !message.contains("exist"),
            "{message}"
        );
    }

    #[test]
    fn refusals_keep_their_module_messages() {
        assert_eq!(
            AccountError::from(PseudonymError::TooShort).to_string(),
            "a pseudonym needs at least 3 characters"
        );
        assert_eq!(
            AccountError::from(RetryAfter(Duration::from_secs(4))).to_string(),
            "too many failed logins; try again in 4 seconds"
        );
        assert!(matches!(
            AccountError::from(RecoveryError::Malformed),
            AccountError::RecoveryCode
        ));
    }

    #[test]
    fn store_and_hashing_failures_are_ours_and_refusals_are_not() {
        let full = AccountError::from(StoreError::DataDir {
            path: "var".into(),
            source: std::io::Error::other("No space left on device"),
        });
        assert!(full.is_failure());
        assert!(AccountError::from(PasswordError::Worker("panicked".into())).is_failure());
        assert!(!AccountError::from(PasswordError::Common).is_failure());
        assert!(!AccountError::from(TotpError::Wrong).is_failure());
        assert!(!AccountError::WrongCredentials.is_failure());
        assert!(!AccountError::PseudonymTaken.is_failure());
    }
}
