//! Who a client is, as far as the in-memory limits need to know: a 64-bit
//! hash of its address under a key drawn at random when the server
//! starts. Neither the address nor anything that outlives the process is
//! kept; the drawings' creation limit and the login throttle count under
//! this hash only.
//!
//! IPv6 clients are one client per /64, the block one household or device
//! usually holds. Behind a reverse proxy every request comes from the
//! proxy; `[drawings] client_address_header` names the header in which it
//! passes the client's address on.

use std::hash::BuildHasher;
use std::net::{IpAddr, SocketAddr};

use axum::Extension;
use axum::extract::ConnectInfo;
use axum::http::HeaderMap;

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
}

impl ClientKeys {
    /// Keys reading the address from `client_header` when one is named
    /// (behind a proxy), else from the peer.
    pub fn new(client_header: Option<&str>) -> Self {
        Self {
            hasher: std::collections::hash_map::RandomState::new(),
            client_header: client_header
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty()),
        }
    }

    /// The key of the client of a request. Requests without an address
    /// share one key.
    pub fn key(&self, peer: Option<&ConnectInfo<SocketAddr>>, headers: &HeaderMap) -> u64 {
        self.hasher.hash_one(self.address(peer, headers))
    }

    /// The address that counts: from the proxy's header when one is named
    /// (its last entry, the one the proxy itself added), else the peer.
    fn address(
        &self,
        peer: Option<&ConnectInfo<SocketAddr>>,
        headers: &HeaderMap,
    ) -> Option<IpAddr> {
        let address = match &self.client_header {
            Some(name) => headers
                .get_all(name.as_str())
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
                .next_back(),
            None => peer.map(|ConnectInfo(address)| address.ip()),
        };
        address.map(household)
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
