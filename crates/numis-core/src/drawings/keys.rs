//! Public ids and secret edit keys. Both are random tokens (URL-safe
//! base64 without padding); the key is shown once and stored only as its
//! SHA-256, and a presented key is compared with that hash in constant
//! time, so answer times tell nothing about it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::{DrawingError, Result};

/// Random bytes of a public id (128 bits: not guessable, short in links).
const ID_BYTES: usize = 16;
/// Random bytes of an edit key (256 bits).
const KEY_BYTES: usize = 32;

/// A new public id.
pub(crate) fn new_id() -> Result<String> {
    random_token(ID_BYTES)
}

/// A new secret edit key.
pub(crate) fn new_key() -> Result<String> {
    random_token(KEY_BYTES)
}

fn random_token(bytes: usize) -> Result<String> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).map_err(DrawingError::NoRandomness)?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

/// What is stored of an edit key.
pub(crate) fn key_hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// Is `presented` the key whose hash is `stored`? Never without a key.
pub(crate) fn holds_key(presented: Option<&str>, stored: &[u8]) -> bool {
    presented.is_some_and(|key| key_hash(key).ct_eq(stored).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_keys_are_long_random_and_url_safe() {
        let (id, key) = (new_id().unwrap(), new_key().unwrap());
        assert_eq!(id.len(), 22, "128 bits: {id}");
        assert_eq!(key.len(), 43, "256 bits: {key}");
        assert_ne!(new_id().unwrap(), id);
        assert_ne!(new_key().unwrap(), key);
        for token in [&id, &key] {
            assert!(
                token
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{token}"
            );
        }
    }

    #[test]
    fn only_the_key_itself_matches_its_hash() {
        let key = new_key().unwrap();
        let stored = key_hash(&key);
        assert_eq!(stored.len(), 32, "SHA-256");
        assert!(holds_key(Some(&key), &stored));
        assert!(!holds_key(Some(&key[1..]), &stored));
        assert!(!holds_key(Some(""), &stored));
        assert!(!holds_key(None, &stored));
    }
}
