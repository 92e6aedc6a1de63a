//! Argon2id password hashes as PHC strings
//! (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), and the equal-cost
//! verification for logins whose pseudonym does not exist.
//!
//! The parameters are OWASP's first recommendation for Argon2id (password
//! storage cheat sheet): 19 MiB of memory, 2 passes, 1 lane. Each stored
//! hash carries its own parameters, so hashes made under other parameters
//! keep verifying; [`PasswordHasher::needs_rehash`] tells the service when
//! to store a fresh one after a successful login.

use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use unicode_normalization::UnicodeNormalization as _;

use super::PasswordError;
use crate::accounts::random::random_bytes;

/// Bytes of a salt (128 bits, as RFC 9106 recommends).
const SALT_BYTES: usize = 16;

/// The salt of the stand-in hash that [`PasswordHasher::dummy_verify`]
/// checks against. It is no secret: no password was ever hashed with it.
const DUMMY_SALT: &str = "bnVtaXMtbm8tYWNjb3VudA";
/// The output of that stand-in hash: 32 zero bytes, which Argon2id gives
/// for no password anyone can find.
const DUMMY_OUTPUT: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    /// Memory in KiB. [default: 19456, i.e. 19 MiB]
    pub memory_kib: u32,
    /// Passes over the memory. [default: 2]
    pub iterations: u32,
    /// Lanes. [default: 1]
    pub parallelism: u32,
}

impl HashParams {
    /// OWASP's recommendation (m=19456 KiB, t=2, p=1).
    pub const OWASP: Self = Self {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };
}

impl Default for HashParams {
    fn default() -> Self {
        Self::OWASP
    }
}

/// Hashes and verifies passwords with Argon2id. Each call costs the full
/// work factor on the calling thread; from async code use
/// [`super::PasswordWorkers`].
#[derive(Clone)]
pub struct PasswordHasher {
    argon2: Argon2<'static>,
    params: HashParams,
    /// A PHC string with this hasher's parameters and a fixed salt, to
    /// verify against when there is no account.
    dummy: String,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl PasswordHasher {
    /// A hasher with [`HashParams::OWASP`].
    pub fn new() -> Self {
        // OWASP's parameters are within Argon2's bounds; `with_params`
        // only fails for values a configuration could give.
        match Self::with_params(HashParams::OWASP) {
            Ok(hasher) => hasher,
            Err(_) => unreachable!("OWASP's Argon2id parameters are valid"),
        }
    }

    /// A hasher with other parameters (a benchmark's, or a deployment's
    /// after measuring).
    pub fn with_params(params: HashParams) -> Result<Self, PasswordError> {
        let argon_params = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(PasswordError::Params)?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params);
        let dummy = format!(
            "$argon2id$v=19$m={},t={},p={}${DUMMY_SALT}${DUMMY_OUTPUT}",
            params.memory_kib, params.iterations, params.parallelism
        );
        Ok(Self {
            argon2,
            params,
            dummy,
        })
    }

    /// The parameters new hashes are made with.
    pub fn params(&self) -> HashParams {
        self.params
    }

    /// A PHC string of `password` (NFKC) with a fresh random salt.
    pub fn hash(&self, password: &str) -> Result<String, PasswordError> {
        let salt_bytes = random_bytes::<SALT_BYTES>().map_err(PasswordError::NoRandomness)?;
        let salt = SaltString::encode_b64(&salt_bytes).map_err(PasswordError::Hashing)?;
        let normalised: String = password.nfkc().collect();
        self.argon2
            .hash_password(normalised.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(PasswordError::Hashing)
    }

    /// Is `password` the one hashed in `phc`? False, too, for a PHC string
    /// that cannot be read (logged: it means a damaged store).
    pub fn verify(&self, password: &str, phc: &str) -> bool {
        let Ok(hash) = PasswordHash::new(phc) else {
            tracing::error!("a stored password hash is no PHC string");
            return false;
        };
        let normalised: String = password.nfkc().collect();
        self.argon2
            .verify_password(normalised.as_bytes(), &hash)
            .is_ok()
    }

    /// Does the work of one [`Self::verify`] with this hasher's parameters
    /// and answers false: the path of a login whose pseudonym has no
    /// account, so that it takes as long as a wrong password and nobody
    /// can tell from the time which pseudonyms exist.
    pub fn dummy_verify(&self, password: &str) -> bool {
        // Verifying cannot succeed: the stand-in output is no password's.
        // The result is still returned rather than a literal `false`, so
        // that the work cannot be optimised away.
        self.verify(password, &self.dummy)
    }

    /// Was `phc` made with other parameters or another algorithm than
    /// this hasher's? Then, after a successful login, the service stores
    /// a fresh hash of the password just verified.
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let Ok(hash) = PasswordHash::new(phc) else {
            return true;
        };
        let same_params = Params::try_from(&hash).is_ok_and(|params| {
            params.m_cost() == self.params.memory_kib
                && params.t_cost() == self.params.iterations
                && params.p_cost() == self.params.parallelism
        });
        hash.algorithm != argon2::ARGON2ID_IDENT
            || hash.version != Some(Version::V0x13.into())
            || !same_params
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_no_other() {
        let hasher = PasswordHasher::new();
        let phc = hasher.hash("Deichgraf-Hauke-Haien").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(hasher.verify("Deichgraf-Hauke-Haien", &phc));
        assert!(
            !hasher.verify("deichgraf-hauke-haien", &phc),
            "case matters"
        );
        assert!(!hasher.verify("", &phc));
        assert!(!hasher.verify("Deichgraf-Hauke-Haien", "not a PHC string"));
        assert!(!hasher.needs_rehash(&phc));
    }

    #[test]
    fn two_hashes_of_one_password_differ_by_their_salt() {
        let hasher = PasswordHasher::with_params(HashParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap();
        assert_ne!(
            hasher.hash("gleich gleich").unwrap(),
            hasher.hash("gleich gleich").unwrap()
        );
    }

    #[test]
    fn composed_and_decomposed_umlauts_are_one_password() {
        let hasher = PasswordHasher::with_params(HashParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap();
        let phc = hasher.hash("Grünkohl mit Pinkel").unwrap();
        assert!(hasher.verify("Gru\u{308}nkohl mit Pinkel", &phc));
    }

    #[test]
    fn hashes_of_other_parameters_still_verify_but_ask_for_a_rehash() {
        let cheap = PasswordHasher::with_params(HashParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap();
        let old = cheap.hash("Altes Land im Frühling").unwrap();
        let current = PasswordHasher::new();
        assert!(current.verify("Altes Land im Frühling", &old));
        assert!(current.needs_rehash(&old));
        assert!(current.needs_rehash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$AAAA"));
        assert!(current.needs_rehash("garbage"));
    }

    #[test]
    fn invalid_parameters_are_refused() {
        let zero = HashParams {
            memory_kib: 19_456,
            iterations: 0,
            parallelism: 1,
        };
        assert!(matches!(
            PasswordHasher::with_params(zero),
            Err(PasswordError::Params(_))
        ));
    }

    #[test]
    fn the_unknown_user_path_verifies_a_hash_of_the_same_cost() {
        let hasher = PasswordHasher::new();
        let real = hasher.hash("Heidekraut-Blüte").unwrap();
        let (real, dummy) = (
            PasswordHash::new(&real).unwrap(),
            PasswordHash::new(&hasher.dummy).unwrap(),
        );
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params, "m, t and p");
        assert_eq!(dummy.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
        assert_eq!(
            dummy.salt.map(|s| s.as_str().len()),
            real.salt.map(|s| s.as_str().len())
        );
        assert!(!hasher.dummy_verify("Heidekraut-Blüte"));
        assert!(!hasher.dummy_verify(""));
    }

    #[test]
    fn the_unknown_user_path_takes_about_as_long_as_a_wrong_password() {
        let hasher = PasswordHasher::new();
        let phc = hasher.hash("Heidekraut-Blüte").unwrap();
        let time = |f: &dyn Fn() -> bool| {
            let start = Instant::now();
            assert!(!f());
            start.elapsed()
        };
        // Both paths in turn, the fastest run of each: a busy machine
        // (tests run in parallel) slows single runs, not the fastest.
        let (mut wrong, mut unknown) = (Duration::MAX, Duration::MAX);
        for _ in 0..5 {
            wrong = wrong.min(time(&|| hasher.verify("falsch falsch", &phc)));
            unknown = unknown.min(time(&|| hasher.dummy_verify("falsch falsch")));
        }
        let ratio = unknown.as_secs_f64() / wrong.as_secs_f64();
        assert!(
            (0.5..2.0).contains(&ratio),
            "wrong password {wrong:?}, unknown pseudonym {unknown:?}"
        );
    }
}
