//! Login throttling, in memory only: after [`ThrottleRules::free_failures`]
//! failed logins (default 5) for one pseudonym or from one client, each
//! further attempt must wait, 1 second after the fifth failure, doubling
//! with each failure up to 15 minutes. A successful login clears the key;
//! keys without a failure for an hour are forgotten.
//!
//! Both a pseudonym and a client are throttled: the pseudonym's key stops
//! many clients guessing one account's password, the client's stops one
//! client trying a password on many accounts. A client is known only by
//! the keyed hash of its address that the caller passes (the server keeps
//! the key in memory, as for the drawings' rate limit): nothing about it
//! is stored, and nothing here outlives the process.
//!
//! `governor` (which the server uses for the drawings' creation limit)
//! counts requests at a steady rate; it has no notion of failures that
//! double a delay and of a success that clears it, so this is a small
//! map behind a mutex, with the clock passed in for tests.
//!
//! ```
//! use numis_core::accounts::{LoginThrottle, ThrottleKey};
//!
//! let throttle = LoginThrottle::default();
//! let account = ThrottleKey::pseudonym("heidschnucke");
//! for _ in 0..5 {
//!     assert!(throttle.check(&account).is_ok());
//!     throttle.record_failure(&account);
//! }
//! let wait = throttle.check(&account).unwrap_err();
//! assert_eq!(wait.seconds(), 1);
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// [`ThrottleRules::free_failures`] default.
pub const DEFAULT_FREE_FAILURES: u32 = 5;
/// [`ThrottleRules::first_delay`] default.
pub const DEFAULT_FIRST_DELAY: Duration = Duration::from_secs(1);
/// [`ThrottleRules::max_delay`] default.
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// [`ThrottleRules::forget_after`] default.
pub const DEFAULT_FORGET_AFTER: Duration = Duration::from_secs(3_600);
/// [`ThrottleRules::max_keys`] default.
pub const DEFAULT_MAX_KEYS: usize = 100_000;

/// How often, at most, a failure sweeps forgotten keys out of the map.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Where the throttle reads the time: the monotonic clock, or a clock
/// that tests move.
pub type InstantClock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// What is counted: one pseudonym (its key) or one client (a keyed hash
/// of its address).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ThrottleKey {
    /// Failures for a pseudonym key ([`super::Pseudonym::key`]), whether
    /// or not an account has it.
    Pseudonym(String),
    /// Failures from a client, by the server's keyed hash of its address.
    Client(u64),
}

impl ThrottleKey {
    /// The key of a pseudonym key.
    pub fn pseudonym(key: &str) -> Self {
        Self::Pseudonym(key.to_owned())
    }

    /// The key of a client's keyed address hash.
    pub fn client(keyed_hash: u64) -> Self {
        Self::Client(keyed_hash)
    }
}

/// How long to wait before the next login attempt: a 429 with
/// `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many failed logins; try again in {} seconds", self.seconds())]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds, rounded up (at least 1): the `Retry-After` value.
    pub fn seconds(&self) -> u64 {
        let whole = self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0);
        whole.max(1)
    }
}

/// The throttle's numbers (`[accounts]` in `numis.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRules {
    /// Failures without delay. [default: 5]
    pub free_failures: u32,
    /// Delay after the last free failure; doubles with each further one.
    /// [default: 1 s]
    pub first_delay: Duration,
    /// The longest delay. [default: 15 min]
    pub max_delay: Duration,
    /// A key without failure for this long is forgotten (and starts
    /// again with free failures). Never less than `max_delay` in effect.
    /// [default: 1 h]
    pub forget_after: Duration,
    /// Most keys held; beyond it new keys are not counted until old ones
    /// are forgotten, so a flood of clients cannot fill the memory.
    /// [default: 100,000]
    pub max_keys: usize,
}

impl Default for ThrottleRules {
    fn default() -> Self {
        Self {
            free_failures: DEFAULT_FREE_FAILURES,
            first_delay: DEFAULT_FIRST_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
            forget_after: DEFAULT_FORGET_AFTER,
            max_keys: DEFAULT_MAX_KEYS,
        }
    }
}

impl ThrottleRules {
    /// The delay after the `failures`-th failure in a row.
    pub fn delay_after(&self, failures: u32) -> Option<Duration> {
        let beyond = failures.checked_sub(self.free_failures)?;
        let factor = 1u32.checked_shl(beyond).unwrap_or(u32::MAX);
        Some(self.first_delay.saturating_mul(factor).min(self.max_delay))
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    blocked_until: Option<Instant>,
}

#[derive(Debug)]
struct State {
    keys: HashMap<ThrottleKey, Failures>,
    last_sweep: Instant,
}

/// Counts failed logins per key and tells how long to wait.
pub struct LoginThrottle {
    rules: ThrottleRules,
    clock: InstantClock,
    state: Mutex<State>,
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginThrottle")
            .field("rules", &self.rules)
            .field("keys", &self.len())
            .finish_non_exhaustive()
    }
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(ThrottleRules::default())
    }
}

impl LoginThrottle {
    /// A throttle on the monotonic clock.
    pub fn new(rules: ThrottleRules) -> Self {
        Self::with_clock(rules, Arc::new(Instant::now))
    }

    /// A throttle on `clock` (tests move it).
    pub fn with_clock(rules: ThrottleRules, clock: InstantClock) -> Self {
        let now = clock();
        Self {
            rules,
            clock,
            state: Mutex::new(State {
                keys: HashMap::new(),
                last_sweep: now,
            }),
        }
    }

    /// The rules in force.
    pub fn rules(&self) -> &ThrottleRules {
        &self.rules
    }

    /// May a login for `key` be tried now? Otherwise how long to wait.
    pub fn check(&self, key: &ThrottleKey) -> Result<(), RetryAfter> {
        let now = (self.clock)();
        let state = self.lock();
        match state.keys.get(key).and_then(|f| f.blocked_until) {
            Some(until) if until > now => Err(RetryAfter(until - now)),
            _ => Ok(()),
        }
    }

    /// [`Self::check`] of every key; the longest wait if any must wait.
    pub fn check_all(&self, keys: &[ThrottleKey]) -> Result<(), RetryAfter> {
        let longest = keys
            .iter()
            .filter_map(|key| self.check(key).err())
            .max_by_key(|wait| wait.0);
        longest.map_or(Ok(()), Err)
    }

    /// Counts a failed login for `key`.
    pub fn record_failure(&self, key: &ThrottleKey) {
        let now = (self.clock)();
        let mut state = self.lock();
        if now.saturating_duration_since(state.last_sweep) >= SWEEP_EVERY {
            self.sweep(&mut state, now);
        }
        let forgotten = |f: &Failures| self.is_forgotten(f, now);
        let previous = state.keys.get(key).copied().filter(|f| !forgotten(f));
        if previous.is_none() && state.keys.len() >= self.rules.max_keys {
            self.sweep(&mut state, now);
            if state.keys.len() >= self.rules.max_keys {
                tracing::warn!("login throttle full: a new key is not counted");
                return;
            }
        }
        let count = previous.map_or(0, |f| f.count).saturating_add(1);
        let blocked_until = self.rules.delay_after(count).map(|delay| now + delay);
        state.keys.insert(
            key.clone(),
            Failures {
                count,
                last: now,
                blocked_until,
            },
        );
    }

    /// A successful login: `key` starts again with free failures.
    pub fn record_success(&self, key: &ThrottleKey) {
        self.lock().keys.remove(key);
    }

    /// Drops the keys whose failures are forgotten. The server may call
    /// it from its housekeeping; failures call it once a minute anyway.
    pub fn forget_idle(&self) {
        let now = (self.clock)();
        let mut state = self.lock();
        self.sweep(&mut state, now);
    }

    /// Keys held.
    pub fn len(&self) -> usize {
        self.lock().keys.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn sweep(&self, state: &mut State, now: Instant) {
        state.keys.retain(|_, f| !self.is_forgotten(f, now));
        state.last_sweep = now;
    }

    /// Forgotten: no failure for `forget_after`, and not blocked any more.
    fn is_forgotten(&self, failures: &Failures, now: Instant) -> bool {
        now.saturating_duration_since(failures.last) >= self.rules.forget_after
            && failures.blocked_until.is_none_or(|until| until <= now)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent counts behind
        // (each update is one insert or remove), so a poisoned lock is
        // still good to use.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    /// A clock that starts now and moves only when told.
    struct TestClock {
        start: Instant,
        offset_ms: Arc<AtomicU64>,
    }

    impl TestClock {
        fn new() -> Self {
            Self {
                start: Instant::now(),
                offset_ms: Arc::new(AtomicU64::new(0)),
            }
        }

        fn clock(&self) -> InstantClock {
            let (start, offset) = (self.start, Arc::clone(&self.offset_ms));
            Arc::new(move || start + Duration::from_millis(offset.load(Ordering::SeqCst)))
        }

        fn advance(&self, by: Duration) {
            self.offset_ms
                .fetch_add(by.as_millis() as u64, Ordering::SeqCst);
        }
    }

    fn throttle(clock: &TestClock) -> LoginThrottle {
        LoginThrottle::with_clock(ThrottleRules::default(), clock.clock())
    }

    fn fail(throttle: &LoginThrottle, key: &ThrottleKey, times: u32) {
        for _ in 0..times {
            throttle.record_failure(key);
        }
    }

    #[test]
    fn five_failures_are_free_then_the_delay_doubles_up_to_fifteen_minutes() {
        let clock = TestClock::new();
        let throttle = throttle(&clock);
        let key = ThrottleKey::pseudonym("wattwurm");
        fail(&throttle, &key, 4);
        assert_eq!(throttle.check(&key), Ok(()));
        let mut waits = Vec::new();
        for _ in 0..13 {
            throttle.record_failure(&key);
            waits.push(throttle.check(&key).unwrap_err().seconds());
        }
        assert_eq!(
            waits,
            [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
        );
    }

    #[test]
    fn the_wait_runs_down_with_the_clock() {
        let clock = TestClock::new();
        let throttle = throttle(&clock);
        let key = ThrottleKey::client(42);
        fail(&throttle, &key, 7); // blocked 4 s
        assert_eq!(
            throttle.check(&key),
            Err(RetryAfter(Duration::from_secs(4)))
        );
        clock.advance(Duration::from_millis(2_500));
        let wait = throttle.check(&key).unwrap_err();
        assert_eq!(wait.seconds(), 2, "1.5 s rounds up");
        clock.advance(Duration::from_millis(1_500));
        assert_eq!(throttle.check(&key), Ok(()));
        // The next failure doubles on: the count is kept.
        throttle.record_failure(&key);
        assert_eq!(throttle.check(&key).unwrap_err().seconds(), 8);
    }

    #[test]
    fn a_success_clears_the_key() {
        let clock = TestClock::new();
        let throttle = throttle(&clock);
        let key = ThrottleKey::pseudonym("wattwurm");
        fail(&throttle, &key, 6);
        assert!(throttle.check(&key).is_err());
        throttle.record_success(&key);
        assert_eq!(throttle.check(&key), Ok(()));
        fail(&throttle, &key, 4);
        assert_eq!(throttle.check(&key), Ok(()), "free failures again");
    }

    #[test]
    fn keys_are_counted_apart() {
        let clock = TestClock::new();
        let throttle = throttle(&clock);
        let (account, client) = (ThrottleKey::pseudonym("wattwurm"), ThrottleKey::client(7));
        fail(&throttle, &account, 5);
        assert!(throttle.check(&account).is_err());
        assert_eq!(throttle.check(&client), Ok(()));
        assert_eq!(throttle.check(&ThrottleKey::pseudonym("seehund")), Ok(()));
        let both = throttle.check_all(&[client.clone(), account.clone()]);
        assert_eq!(both, Err(RetryAfter(Duration::from_secs(1))));
        fail(&throttle, &client, 7);
        assert_eq!(
            throttle
                .check_all(&[account, client])
                .unwrap_err()
                .seconds(),
            4,
            "the longer wait"
        );
    }

    #[test]
    fn idle_keys_are_forgotten_and_start_with_free_failures_again() {
        let clock = TestClock::new();
        let throttle = throttle(&clock);
        let key = ThrottleKey::pseudonym("wattwurm");
        fail(&throttle, &key, 5);
        throttle.record_failure(&ThrottleKey::client(1));
        clock.advance(Duration::from_secs(59 * 60));
        throttle.forget_idle();
        assert_eq!(throttle.len(), 2, "not yet an hour");
        clock.advance(Duration::from_secs(60));
        throttle.forget_idle();
        assert!(throttle.is_empty());
        fail(&throttle, &key, 4);
        assert_eq!(throttle.check(&key), Ok(()));
    }

    #[test]
    fn a_forgotten_key_restarts_even_before_the_sweep() {
        let clock = TestClock::new();
        let throttle = throttle(&clock);
        let key = ThrottleKey::pseudonym("wattwurm");
        fail(&throttle, &key, 5);
        clock.advance(Duration::from_secs(3_600));
        throttle.record_failure(&key);
        assert_eq!(throttle.check(&key), Ok(()), "one failure, not six");
    }

    #[test]
    fn failures_sweep_forgotten_keys_once_a_minute() {
        let clock = TestClock::new();
        let throttle = throttle(&clock);
        for client in 0..10 {
            throttle.record_failure(&ThrottleKey::client(client));
        }
        clock.advance(Duration::from_secs(3_600));
        throttle.record_failure(&ThrottleKey::client(99));
        assert_eq!(throttle.len(), 1);
    }

    #[test]
    fn a_full_throttle_counts_no_new_keys_but_keeps_counting_old_ones() {
        let clock = TestClock::new();
        let rules = ThrottleRules {
            max_keys: 3,
            ..ThrottleRules::default()
        };
        let throttle = LoginThrottle::with_clock(rules, clock.clock());
        for client in 0..3 {
            throttle.record_failure(&ThrottleKey::client(client));
        }
        throttle.record_failure(&ThrottleKey::client(3));
        assert_eq!(throttle.len(), 3);
        fail(&throttle, &ThrottleKey::client(0), 4);
        assert!(throttle.check(&ThrottleKey::client(0)).is_err());
        clock.advance(Duration::from_secs(3_600));
        throttle.record_failure(&ThrottleKey::client(3));
        assert_eq!(
            throttle.len(),
            1,
            "room again once the old ones are forgotten"
        );
    }

    #[test]
    fn the_refusal_tells_the_wait_in_seconds() {
        assert_eq!(
            RetryAfter(Duration::from_millis(1_200)).to_string(),
            "too many failed logins; try again in 2 seconds"
        );
        assert_eq!(RetryAfter(Duration::ZERO).seconds(), 1);
    }
}
