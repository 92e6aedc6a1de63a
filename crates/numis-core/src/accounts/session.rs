//! Sessions: the secret that the one session cookie carries, what of it
//! is stored, the public id that names a session on the "Mein NUMIS"
//! page, the CSRF token of its forms, and how long it lives.
//!
//! The token is 256 random bits (URL-safe base64, 43 characters) and is
//! stored only as its SHA-256, so a copy of the store opens no session.
//! The public id is a separate random value, so that "end this session"
//! can name a session without showing anything that leads to its token.
//!
//! Lifetimes ([`SessionPolicy`], issue 12): a session ends 2 hours after
//! it was last used or 12 hours after login, whichever comes first; a
//! session with "Angemeldet bleiben" (remember me, the only permanent
//! cookie) ends 30 days after login and has no idle limit, which would
//! defeat its purpose. Times are Unix seconds, as the store keeps them.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::random::random_bytes;

/// [`SessionPolicy::idle`] default: 2 hours.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(2 * 3_600);
/// [`SessionPolicy::absolute`] default: 12 hours.
pub const DEFAULT_ABSOLUTE: Duration = Duration::from_secs(12 * 3_600);
/// [`SessionPolicy::remember`] default: 30 days.
pub const DEFAULT_REMEMBER: Duration = Duration::from_secs(30 * 86_400);

/// Random bytes of a session token (256 bits).
const TOKEN_BYTES: usize = 32;
/// Characters of a token in URL-safe base64 without padding.
const TOKEN_CHARS: usize = 43;
/// Random bytes of a public session id (128 bits).
const ID_BYTES: usize = 16;
/// Random bytes of a CSRF token (256 bits).
const CSRF_BYTES: usize = 32;

/// Why a session secret could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The operating system gave no randomness for a token or id.
    #[error("no randomness for a session token: {0}")]
    NoRandomness(getrandom::Error),
}

/// The secret of a session, as the cookie carries it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a credential: it stays out of logs.
        f.write_str("SessionToken(…)")
    }
}

impl SessionToken {
    /// A new token, for a login (a new one each time: no fixation).
    pub fn generate() -> Result<Self, SessionError> {
        random_token::<TOKEN_BYTES>().map(Self)
    }

    /// The token in a cookie value, if the value has a token's shape;
    /// anything else is no session and needs no look-up.
    pub fn from_cookie(value: &str) -> Option<Self> {
        let well_formed = value.len() == TOKEN_CHARS
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Self(value.to_owned()))
    }

    /// The value to put in the cookie.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the store keeps and finds the session by.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

/// A new public session id (128 bits, URL-safe base64): names a session
/// in lists and "end this session" forms.
pub fn new_session_id() -> Result<String, SessionError> {
    random_token::<ID_BYTES>()
}

/// The token a session's forms carry against cross-site requests.
#[derive(Clone, PartialEq, Eq)]
pub struct CsrfToken(String);

impl std::fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfToken(…)")
    }
}

impl CsrfToken {
    /// A new token for a new session.
    pub fn generate() -> Result<Self, SessionError> {
        random_token::<CSRF_BYTES>().map(Self)
    }

    /// The token as the store gave it back.
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    /// The value for hidden form fields and the store.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Is `presented` (from a form field) this token? Compared in
    /// constant time; an empty or missing token never matches.
    pub fn matches(&self, presented: Option<&str>) -> bool {
        presented.is_some_and(|presented| {
            !presented.is_empty() && bool::from(self.0.as_bytes().ct_eq(presented.as_bytes()))
        })
    }
}

fn random_token<const N: usize>() -> Result<String, SessionError> {
    let bytes = random_bytes::<N>().map_err(SessionError::NoRandomness)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// How long sessions live (`[accounts]` in `numis.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session ends this long after its last request. [default: 2 h]
    pub idle: Duration,
    /// A session ends this long after login at the latest. [default: 12 h]
    pub absolute: Duration,
    /// A remembered session ("Angemeldet bleiben") ends this long after
    /// login; it has no idle limit. [default: 30 days]
    pub remember: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: DEFAULT_IDLE,
            absolute: DEFAULT_ABSOLUTE,
            remember: DEFAULT_REMEMBER,
        }
    }
}

impl SessionPolicy {
    /// Has the session ended at `now`? `created` is the login,
    /// `last_seen` its last request, `persistent` whether it is
    /// remembered; all Unix seconds.
    ///
    /// ```
    /// use numis_core::accounts::SessionPolicy;
    ///
    /// let policy = SessionPolicy::default();
    /// let login = 1_767_225_600;
    /// assert!(!policy.is_expired(login, login + 2 * 3_600, login + 3 * 3_600, false));
    /// assert!(policy.is_expired(login, login, login + 2 * 3_600, false), "2 h idle");
    /// assert!(!policy.is_expired(login, login, login + 5 * 86_400, true), "remembered");
    /// ```
    pub fn is_expired(&self, created: i64, last_seen: i64, now: i64, persistent: bool) -> bool {
        if now >= self.expires_at(created, persistent) {
            return true;
        }
        !persistent && now >= last_seen.saturating_add(seconds(self.idle))
    }

    /// When the session ends at the latest, whatever its use: the store's
    /// `expires_at`.
    pub fn expires_at(&self, created: i64, persistent: bool) -> i64 {
        let lifetime = if persistent {
            self.remember
        } else {
            self.absolute
        };
        created.saturating_add(seconds(lifetime))
    }

    /// Sessions not remembered and last seen before this time have ended
    /// by idling: the purge's cut-off at `now`.
    pub fn idle_cutoff(&self, now: i64) -> i64 {
        now.saturating_sub(seconds(self.idle))
    }

    /// The cookie's `Max-Age`: only a remembered session gets one (a
    /// permanent cookie); any other cookie ends with the browser.
    pub fn cookie_max_age(&self, persistent: bool) -> Option<Duration> {
        persistent.then_some(self.remember)
    }
}

fn seconds(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGIN: i64 = 1_767_225_600;
    const HOUR: i64 = 3_600;

    #[test]
    fn tokens_are_256_random_bits_url_safe_and_new_each_time() {
        let token = SessionToken::generate().unwrap();
        assert_eq!(token.as_str().len(), 43);
        assert_ne!(SessionToken::generate().unwrap(), token);
        assert_eq!(
            SessionToken::from_cookie(token.as_str()),
            Some(token.clone())
        );
        assert!(!format!("{token:?}").contains(token.as_str()));
    }

    #[test]
    fn only_token_shaped_cookie_values_are_looked_up() {
        let token = SessionToken::generate().unwrap();
        assert_eq!(SessionToken::from_cookie(""), None);
        assert_eq!(SessionToken::from_cookie(&token.as_str()[1..]), None);
        assert_eq!(
            SessionToken::from_cookie(&format!("{}=", token.as_str())),
            None
        );
        assert_eq!(SessionToken::from_cookie(&"+".repeat(43)), None);
    }

    #[test]
    fn the_stored_hash_is_the_tokens_sha256_and_no_other() {
        let token = SessionToken::generate().unwrap();
        assert_eq!(
            token.hash().to_vec(),
            Sha256::digest(token.as_str().as_bytes()).to_vec()
        );
        assert_ne!(token.hash(), SessionToken::generate().unwrap().hash());
    }

    #[test]
    fn public_ids_are_random_and_unrelated_to_the_token() {
        let id = new_session_id().unwrap();
        assert_eq!(id.len(), 22, "128 bits");
        assert_ne!(new_session_id().unwrap(), id);
    }

    #[test]
    fn a_csrf_token_matches_itself_only() {
        let token = CsrfToken::generate().unwrap();
        assert!(token.matches(Some(token.as_str())));
        assert!(!token.matches(Some(&token.as_str()[..42])));
        assert!(!token.matches(Some(CsrfToken::generate().unwrap().as_str())));
        assert!(!token.matches(Some("")));
        assert!(!token.matches(None));
        assert!(
            !CsrfToken::from_stored(String::new()).matches(Some("")),
            "empty never matches"
        );
        assert!(CsrfToken::from_stored(token.as_str().to_owned()).matches(Some(token.as_str())));
    }

    #[test]
    fn a_session_ends_after_two_idle_hours() {
        let policy = SessionPolicy::default();
        assert!(!policy.is_expired(LOGIN, LOGIN, LOGIN + 2 * HOUR - 1, false));
        assert!(policy.is_expired(LOGIN, LOGIN, LOGIN + 2 * HOUR, false));
        assert!(
            !policy.is_expired(LOGIN, LOGIN + 5 * HOUR, LOGIN + 6 * HOUR, false),
            "kept alive by use"
        );
    }

    #[test]
    fn a_session_ends_twelve_hours_after_login_however_busy() {
        let policy = SessionPolicy::default();
        let now = LOGIN + 12 * HOUR;
        assert!(!policy.is_expired(LOGIN, now - 60, now - 1, false));
        assert!(policy.is_expired(LOGIN, now - 60, now, false));
        assert_eq!(policy.expires_at(LOGIN, false), now);
    }

    #[test]
    fn a_remembered_session_lasts_thirty_days_without_idle_limit() {
        let policy = SessionPolicy::default();
        let end = LOGIN + 30 * 24 * HOUR;
        assert!(
            !policy.is_expired(LOGIN, LOGIN, end - 1, true),
            "29 days idle"
        );
        assert!(policy.is_expired(LOGIN, end - 1, end, true));
        assert_eq!(policy.expires_at(LOGIN, true), end);
    }

    #[test]
    fn only_a_remembered_session_gets_a_permanent_cookie() {
        let policy = SessionPolicy::default();
        assert_eq!(policy.cookie_max_age(false), None);
        assert_eq!(
            policy.cookie_max_age(true),
            Some(Duration::from_secs(30 * 86_400))
        );
    }

    #[test]
    fn the_idle_cutoff_is_the_idle_time_before_now() {
        let policy = SessionPolicy {
            idle: Duration::from_secs(600),
            ..SessionPolicy::default()
        };
        assert_eq!(policy.idle_cutoff(LOGIN), LOGIN - 600);
        assert!(policy.is_expired(
            LOGIN,
            policy.idle_cutoff(LOGIN + 1_000),
            LOGIN + 1_000,
            false
        ));
    }

    #[test]
    fn huge_configured_lifetimes_do_not_overflow() {
        let policy = SessionPolicy {
            idle: Duration::MAX,
            absolute: Duration::MAX,
            remember: Duration::MAX,
        };
        assert!(!policy.is_expired(LOGIN, LOGIN, LOGIN + 100 * 365 * 24 * HOUR, false));
        assert_eq!(policy.expires_at(LOGIN, true), i64::MAX);
    }
}
