//! Who a client is, as far as the in-memory limits need to know: a 64-bit
//! hash of its address under a key drawn at random when the server
//! starts. Neither the address nor anything that outlives the process is
//! kept; the drawings' creation limit and the login throttle count under
//! this hash only.
//!
//! IPv6 clients are one client per /64, the block one household or device
//! usually holds. Behind a reverse proxy every request comes from the
//! proxy; `[drawings] client_address_header` names the header in which it
//! passes the client's address on, and `trusted_proxies` the peers whose
//! header is believed (anyone else could put any address in it).

use std::hash::BuildHasher;
use std::net::{IpAddr, SocketAddr};

use axum::Extension;
use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use ipnet::IpNet;

/// The peer address as handlers extract it (absent when the app runs
/// without a listener, as in tests with `oneshot`).
pub type Peer = Option<Extension<ConnectInfo<SocketAddr>>>;

/// The address inside a [`Peer`].
pub fn peer_address(peer: &Peer) -> Option<&ConnectInfo<SocketAddr>> {
    peer.as_ref().map(|Extension(info)| info)
}

/// Hashes clients' addresses under a per-process key.
#[derive(Debug)]
pub struct ClientKeys {
    hasher: std::collections::hash_map::RandomState,
    client_header: Option<String>,
    trusted_proxies: Vec<IpNet>,
}

impl ClientKeys {
    /// Keys reading the address from `client_header` when one is named
    /// and the peer is one of `trusted_proxies`, else from the peer.
    pub fn new(client_header: Option<&str>, trusted_proxies: &[IpNet]) -> Self {
        Self {
            hasher: std::collections::hash_map::RandomState::new(),
            client_header: client_header
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty()),
            trusted_proxies: trusted_proxies.to_vec(),
        }
    }

    /// The key of the client of a request. Requests without an address
    /// share one key.
    pub fn key(&self, peer: Option<&ConnectInfo<SocketAddr>>, headers: &HeaderMap) -> u64 {
        self.hasher.hash_one(self.address(peer, headers))
    }

    /// The address that counts: from the proxy's header when one is named
    /// and the request came from a trusted proxy (its last entry, the one
    /// the proxy itself added), else the peer.
    fn address(
        &self,
        peer: Option<&ConnectInfo<SocketAddr>>,
        headers: &HeaderMap,
    ) -> Option<IpAddr> {
        let peer_address = peer.map(|ConnectInfo(address)| address.ip());
        // Without a listener (the app driven directly in tests) there is
        // no peer to doubt.
        let from_proxy = peer_address.is_none_or(|address| {
            self.trusted_proxies
                .iter()
                .any(|net| net.contains(&canonical(address)))
        });
        let header = self.client_header.as_ref().filter(|_| from_proxy);
        let address = match header {
            Some(name) => headers
                .get_all(name.as_str())
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
                .next_back(),
            None => peer_address,
        };
        address.map(household)
    }
}

/// An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, as a dual-stack
/// listener reports IPv4 peers) as the IPv4 address it is.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        IpAddr::V4(_) => address,
    }
}

/// IPv4 addresses as they are; IPv6 addresses cut to their /64 network.
fn household(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(bits.into())
            }
        },
    }
}
