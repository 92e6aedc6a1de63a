//! Live sessions remembered for a few seconds, so that a logged-in
//! citizen's map requests (dozens of tiles a second) do not each read the
//! session and the account from the store.
//!
//! An entry lives [`TTL`]. Whatever a session changes through this server
//! (logout, ending sessions, a new password, erasure, the second factor)
//! drops every entry of its account at once (see
//! [`crate::session::resolve`]); what another process changes (`numis
//! account block`, `grant`) takes effect within [`TTL`]. Entries are keyed
//! by the SHA-256 of the token, as the store keys sessions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use numis_core::accounts::SessionInfo;
use sha2::{Digest, Sha256};

/// How long a looked-up session is trusted.
pub const TTL: Duration = Duration::from_secs(5);
/// Entries at most; beyond, the cache starts afresh (a burst of many
/// sessions costs one lookup each, nothing else).
const CAPACITY: usize = 10_000;

type Key = [u8; 32];

/// The cache.
#[derive(Debug, Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<Key, (Arc<SessionInfo>, Instant)>>,
}

impl SessionCache {
    /// The key of a cookie value.
    pub fn key(token: &str) -> Key {
        Sha256::digest(token.as_bytes()).into()
    }

    /// The session of `key`, if looked up less than [`TTL`] ago.
    pub fn get(&self, key: &Key) -> Option<Arc<SessionInfo>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(info, _)| info.clone())
    }

    /// Remembers a session just looked up.
    pub fn put(&self, key: Key, info: Arc<SessionInfo>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.retain(|_, (_, at)| at.elapsed() < TTL);
                if entries.len() >= CAPACITY {
                    entries.clear();
                }
            }
            entries.insert(key, (info, Instant::now()));
        }
    }

    /// Forgets every session of `account_id` (after it changed something).
    pub fn forget_account(&self, account_id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (info, _)| info.account_id != account_id);
        }
    }

    /// Forgets one session (its token ended or was never valid).
    pub fn forget(&self, key: &Key) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use numis_core::accounts::CsrfToken;

    fn info(account: &str, public_id: &str) -> Arc<SessionInfo> {
        Arc::new(SessionInfo {
            account_id: account.into(),
            pseudonym: account.into(),
            roles: Vec::new(),
            csrf: CsrfToken::from_stored("c".into()),
            public_id: public_id.into(),
            persistent: false,
        })
    }

    #[test]
    fn an_account_that_changed_something_is_looked_up_afresh() {
        let cache = SessionCache::default();
        let (a1, a2, b) = (
            SessionCache::key("a1"),
            SessionCache::key("a2"),
            SessionCache::key("b"),
        );
        cache.put(a1, info("a", "1"));
        cache.put(a2, info("a", "2"));
        cache.put(b, info("b", "3"));
        assert_eq!(cache.get(&a2).unwrap().public_id, "2");
        cache.forget_account("a");
        assert!(cache.get(&a1).is_none() && cache.get(&a2).is_none());
        assert!(cache.get(&b).is_some(), "other accounts stay");
        cache.forget(&b);
        assert!(cache.get(&b).is_none());
    }
}
