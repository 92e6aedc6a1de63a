//! Passwords: which ones an account may have ([`PasswordPolicy`]), how
//! they are kept ([`PasswordHasher`]: Argon2id, PHC strings) and where the
//! hashing runs ([`PasswordWorkers`]: off the async runtime, a bounded
//! number at a time).
//!
//! Passwords are compared as Unicode NFKC, as NIST SP 800-63B §5.1.1.2
//! advises: a password typed with a composed `ü` on one keyboard and a
//! decomposed one on another is the same password. The policy counts
//! characters of that form, and the hasher hashes its UTF-8 bytes.
//!
//! ```
//! use numis_core::accounts::{PasswordError, PasswordHasher, PasswordPolicy, Pseudonym};
//!
//! let me = Pseudonym::parse("Heidschnucke").unwrap();
//! let policy = PasswordPolicy::default();
//! assert_eq!(policy.check("Passwort123", &me), Err(PasswordError::Common));
//! assert_eq!(policy.check("heidschnucke", &me), Err(PasswordError::SameAsPseudonym));
//! policy.check("Moorlilie am Steinhuder Meer", &me).unwrap();
//!
//! let hasher = PasswordHasher::new();
//! let phc = hasher.hash("Moorlilie am Steinhuder Meer").unwrap();
//! assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
//! assert!(hasher.verify("Moorlilie am Steinhuder Meer", &phc));
//! assert!(!hasher.verify("Moorlilie am Dümmer", &phc));
//! ```

mod hasher;
mod policy;
mod workers;

pub use hasher::{HashParams, PasswordHasher};
pub use policy::{MAX_CHARS, MIN_CHARS, PasswordPolicy};
pub use workers::PasswordWorkers;

/// Why a password was refused, or why hashing it failed.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum PasswordError {
    /// Fewer than [`MIN_CHARS`] characters.
    #[error("a password needs at least {MIN_CHARS} characters")]
    TooShort,
    /// More than [`MAX_CHARS`] characters: longer adds nothing but work.
    #[error("a password has at most {MAX_CHARS} characters")]
    TooLong,
    /// On numis' list of common passwords (compared without case).
    #[error("this password is one of the most common ones; choose another")]
    Common,
    /// The same as the account's pseudonym (compared as pseudonym keys).
    #[error("the password must not be the pseudonym")]
    SameAsPseudonym,
    /// Argon2 parameters outside what the algorithm accepts (a
    /// configuration error).
    #[error("invalid Argon2 parameters: {0}")]
    Params(argon2::Error),
    /// Argon2 failed to hash (it does not for valid parameters).
    #[error("password hashing failed: {0}")]
    Hashing(argon2::password_hash::Error),
    /// The operating system gave no randomness for a salt.
    #[error("no randomness for a password salt: {0}")]
    NoRandomness(getrandom::Error),
    /// The blocking task that hashed panicked or was cancelled at
    /// shutdown.
    #[error("the password worker stopped: {0}")]
    Worker(String),
}

impl PasswordError {
    /// True when the fault is ours (configuration, randomness, a worker),
    /// not the chosen password's.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Self::Params(_) | Self::Hashing(_) | Self::NoRandomness(_) | Self::Worker(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_the_users_and_worker_failures_are_ours() {
        assert!(!PasswordError::Common.is_failure());
        assert!(!PasswordError::TooShort.is_failure());
        assert!(PasswordError::Worker("panicked".into()).is_failure());
        assert_eq!(
            PasswordError::TooShort.to_string(),
            "a password needs at least 10 characters"
        );
    }
}
