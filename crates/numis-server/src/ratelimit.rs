//! Per-client rate limits, kept in memory only: the creation of drawings
//! (clause P11) and the requests numis makes to other servers for users
//! (issue 15).
//!
//! Clients are counted under [`ClientKeys`]' hash of their address; the
//! hashes of clients whose allowance is full again are dropped at every
//! statistics flush (every 10 s by default), off the request path.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::client::ClientKeys;
use crate::config::DrawingsConfig;
use crate::error::ApiError;

/// How often one client may do something: `per_hour` on average, up to
/// `burst` at once.
pub struct ClientLimit {
    limiter: Option<DefaultKeyedRateLimiter<u64>>,
    clients: Arc<ClientKeys>,
}

impl ClientLimit {
    /// How many drawings one client may create: `creates_per_hour` of
    /// `config` on average, up to `create_burst` at once, counting clients
    /// by `clients`; `creates_per_hour = 0` switches it off.
    pub fn creation(config: &DrawingsConfig, clients: Arc<ClientKeys>) -> Self {
        Self::per_hour(config.creates_per_hour, config.create_burst, clients)
    }

    /// `per_hour` on average, `burst` at once, counting clients by
    /// `clients`; `per_hour = 0` switches it off.
    pub fn per_hour(per_hour: u32, burst: u32, clients: Arc<ClientKeys>) -> Self {
        let limiter = NonZeroU32::new(per_hour).map(|per_hour| {
            let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
            let period = Duration::from_secs(3_600) / per_hour.get();
            let quota = Quota::with_period(period)
                .unwrap_or_else(|| Quota::per_hour(per_hour))
                .allow_burst(burst);
            RateLimiter::keyed(quota)
        });
        Self { limiter, clients }
    }

    /// Counts one use by the client of this request. `Err` carries how
    /// long the client has to wait.
    pub fn check(
        &self,
        peer: Option<&ConnectInfo<SocketAddr>>,
        headers: &HeaderMap,
    ) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        let key = self.clients.key(peer, headers);
        limiter
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// [`Self::check`], answered as the API answers it: 429 with the
    /// seconds to wait, saying there were too many `what` from here.
    pub fn admit(
        &self,
        peer: Option<&ConnectInfo<SocketAddr>>,
        headers: &HeaderMap,
        what: &str,
    ) -> Result<(), ApiError> {
        self.check(peer, headers).map_err(|wait| {
            let seconds = wait.as_secs().max(1);
            ApiError::too_many_requests(
                format!("too many {what} from here; try again in {seconds} s"),
                seconds,
            )
        })
    }

    /// Drops the clients whose allowance is full again: they are as good
    /// as new, and nothing of them needs to stay.
    pub fn forget_quiet_clients(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn limit(per_hour: u32, burst: u32, header: Option<&str>) -> ClientLimit {
        let config = DrawingsConfig {
            creates_per_hour: per_hour,
            create_burst: burst,
            ..DrawingsConfig::default()
        };
        let loopback: Vec<ipnet::IpNet> = vec!["127.0.0.0/8".parse().unwrap()];
        ClientLimit::creation(&config, Arc::new(ClientKeys::new(header, &loopback)))
    }

    fn peer(address: &str) -> ConnectInfo<SocketAddr> {
        ConnectInfo(address.parse().unwrap())
    }

    #[test]
    fn each_client_has_its_own_burst() {
        let limit = limit(60, 3, None);
        let none = HeaderMap::new();
        let a = peer("192.0.2.1:5000");
        for _ in 0..3 {
            assert!(limit.check(Some(&a), &none).is_ok());
        }
        let wait = limit.check(Some(&a), &none).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        // Another port is the same client; another address is not.
        assert!(limit.check(Some(&peer("192.0.2.1:6000")), &none).is_err());
        assert!(limit.check(Some(&peer("192.0.2.2:5000")), &none).is_ok());
        // Clients with a full allowance are forgotten; a limited one is not.
        limit.forget_quiet_clients();
        assert!(limit.check(Some(&peer("192.0.2.1:7000")), &none).is_err());
    }

    #[test]
    fn ipv6_clients_are_counted_per_64_block() {
        let limit = limit(60, 1, None);
        let none = HeaderMap::new();
        assert!(
            limit
                .check(Some(&peer("[2001:db8:1:2::1]:1")), &none)
                .is_ok()
        );
        assert!(
            limit
                .check(Some(&peer("[2001:db8:1:2::ffff]:1")), &none)
                .is_err()
        );
        assert!(
            limit
                .check(Some(&peer("[2001:db8:1:3::1]:1")), &none)
                .is_ok()
        );
    }

    #[test]
    fn behind_a_proxy_the_last_forwarded_address_counts() {
        let limit = limit(60, 1, Some("X-Forwarded-For"));
        let proxy = peer("127.0.0.1:9000");
        let from = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
            headers
        };
        assert!(limit.check(Some(&proxy), &from("198.51.100.7")).is_ok());
        // A client cannot escape by sending its own header first.
        assert!(
            limit
                .check(Some(&proxy), &from("203.0.113.1, 198.51.100.7"))
                .is_err()
        );
        assert!(limit.check(Some(&proxy), &from("198.51.100.8")).is_ok());
        // A client that reaches the server directly, not through the
        // proxy, is counted under its own address, whatever it claims.
        let direct = peer("192.0.2.9:4000");
        assert!(limit.check(Some(&direct), &from("198.51.100.20")).is_ok());
        assert!(
            limit.check(Some(&direct), &from("198.51.100.21")).is_err(),
            "a made-up header does not make a new client"
        );
    }

    #[test]
    fn zero_switches_the_limit_off() {
        let limit = limit(0, 1, None);
        let a = peer("192.0.2.1:5000");
        for _ in 0..100 {
            assert!(limit.check(Some(&a), &HeaderMap::new()).is_ok());
        }
    }
}
