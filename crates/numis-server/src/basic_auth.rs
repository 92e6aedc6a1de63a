//! HTTP Basic authentication for WMS clients (QGIS, OWSLib, GDAL), which
//! send an account's pseudonym and password with every request instead
//! of logging in with a form.
//!
//! Checking a password costs an Argon2id hash (tens of milliseconds, on
//! purpose); a map client sends dozens of tile requests a second. So a
//! check that succeeded is remembered for [`REMEMBER`] under a keyed
//! SHA-256 of the credentials (the key is drawn at process start and the
//! password itself is never kept). A changed role, a block or a deleted
//! account takes effect within that time. Failures are never remembered:
//! each goes through the login throttle.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use numis_core::accounts::{AccountError, AccountService, Authenticated};
use sha2::{Digest, Sha256};

use crate::client::ClientKeys;

/// How long a successful check is trusted.
pub const REMEMBER: Duration = Duration::from_secs(60);
/// How many credentials are remembered at most.
const CAPACITY: usize = 4_096;

/// Credentials sent with `Authorization: Basic`.
#[derive(Debug)]
pub struct Credentials {
    /// The pseudonym.
    pub pseudonym: String,
    /// The password.
    pub password: String,
}

impl Credentials {
    /// The credentials of the request's `Authorization: Basic` header:
    /// `None` without one, `Some(Err)` for a malformed one.
    pub fn of(headers: &HeaderMap) -> Option<Result<Self, ()>> {
        let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let (scheme, encoded) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = STANDARD.decode(encoded.trim()).map_err(|_| ());
        let text = decoded.map(utf8_or_latin1);
        Some(text.and_then(|text| {
            let (pseudonym, password) = text.split_once(':').ok_or(())?;
            Ok(Self {
                pseudonym: pseudonym.to_owned(),
                password: password.to_owned(),
            })
        }))
    }
}

/// The credentials' text: UTF-8 as RFC 7617 asks (`charset="UTF-8"` in
/// our challenge), else ISO 8859-1, which Python's `requests` (OWSLib)
/// and older clients send — a pseudonym like "Förster" must work in both.
fn utf8_or_latin1(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => e.into_bytes().into_iter().map(char::from).collect(),
    }
}

/// Checks Basic credentials, remembering those that were right.
pub struct BasicAuth {
    key: [u8; 32],
    verified: quick_cache::sync::Cache<[u8; 32], (Authenticated, Instant)>,
}

impl Default for BasicAuth {
    fn default() -> Self {
        let mut key = [0u8; 32];
        // Without randomness the key is fixed; the cache then still never
        // holds a password, only its hash.
        if let Err(e) = getrandom::fill(&mut key) {
            tracing::warn!(error = %e, "no randomness for the Basic-auth cache key");
        }
        Self {
            key,
            verified: quick_cache::sync::Cache::new(CAPACITY),
        }
    }
}

impl BasicAuth {
    /// The account the credentials belong to, or why not.
    pub async fn check(
        &self,
        accounts: &AccountService,
        clients: &ClientKeys,
        credentials: &Credentials,
        peer: Option<&ConnectInfo<SocketAddr>>,
        headers: &HeaderMap,
    ) -> Result<Authenticated, AccountError> {
        let digest = self.digest(credentials);
        if let Some((known, at)) = self.verified.get(&digest) {
            if at.elapsed() < REMEMBER {
                return Ok(known);
            }
            self.verified.remove(&digest);
        }
        let known = accounts
            .authenticate(
                &credentials.pseudonym,
                &credentials.password,
                clients.key(peer, headers),
            )
            .await?;
        self.verified
            .insert(digest, (known.clone(), Instant::now()));
        Ok(known)
    }

    fn digest(&self, credentials: &Credentials) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.key);
        hasher.update(credentials.pseudonym.as_bytes());
        hasher.update([0]);
        hasher.update(credentials.password.as_bytes());
        hasher.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn basic_credentials_are_decoded_and_others_ignored() {
        let encoded = STANDARD.encode("Förster:pass:with:colons");
        let credentials = Credentials::of(&with(&format!("Basic {encoded}")))
            .unwrap()
            .unwrap();
        assert_eq!(credentials.pseudonym, "Förster");
        assert_eq!(credentials.password, "pass:with:colons");
        assert!(Credentials::of(&with("Bearer abc")).is_none());
        assert!(Credentials::of(&HeaderMap::new()).is_none());
        assert!(Credentials::of(&with("Basic !!!")).unwrap().is_err());
        // ISO 8859-1, as Python's requests sends a str: the same pseudonym.
        let latin1 = STANDARD.encode(b"F\xf6rster:geheim");
        let credentials = Credentials::of(&with(&format!("Basic {latin1}")))
            .unwrap()
            .unwrap();
        assert_eq!(credentials.pseudonym, "Förster");
        let no_colon = STANDARD.encode("nocolon");
        assert!(
            Credentials::of(&with(&format!("basic {no_colon}")))
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn digests_differ_by_password_and_by_process_key() {
        let a = BasicAuth::default();
        let b = BasicAuth::default();
        let one = Credentials {
            pseudonym: "x".into(),
            password: "y".into(),
        };
        let two = Credentials {
            pseudonym: "x".into(),
            password: "z".into(),
        };
        assert_ne!(a.digest(&one), a.digest(&two));
        assert_ne!(a.digest(&one), b.digest(&one));
    }
}
