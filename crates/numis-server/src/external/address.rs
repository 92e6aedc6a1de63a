//! Which addresses numis may connect to on a user's behalf: public unicast
//! ones only. Everything that reaches this machine, its networks or a
//! special purpose is refused — loopback, private (RFC 1918), shared
//! (CGNAT, RFC 6598), link-local (with the cloud metadata address
//! 169.254.169.254), unspecified, broadcast, multicast, documentation,
//! benchmarking and reserved ranges, IPv6 unique-local and site-local —
//! and so is every IPv6 form that carries an IPv4 address (mapped,
//! compatible, NAT64, 6to4) unless that address is public itself.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// May numis connect to `ip` for a user?
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let special = a == 0 // "this network", 0.0.0.0
        || a == 10
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || a == 127
        || (a == 169 && b == 254) // link-local, cloud metadata
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // documentation
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || (a == 192 && b == 168)
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || (a == 198 && b == 51 && c == 100) // documentation
        || (a == 203 && b == 0 && c == 113) // documentation
        || a >= 224; // multicast, reserved, broadcast
    !special
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    // IPv4 inside IPv6: the IPv4 address decides.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    if segments[..6] == [0; 6] {
        // ::/96, IPv4-compatible (deprecated), with :: and ::1 among them.
        return false;
    }
    if segments[..2] == [0x64, 0xff9b] {
        // NAT64 (64:ff9b::/96, and the local-use 64:ff9b:1::/48 within it).
        return false;
    }
    if segments[0] == 0x2002 {
        // 6to4: the IPv4 address in the second and third segments.
        let [a, b] = segments[1].to_be_bytes();
        let [c, d] = segments[2].to_be_bytes();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    let special = (segments[0] & 0xfe00) == 0xfc00 // unique-local fc00::/7
        || (segments[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (segments[0] & 0xffc0) == 0xfec0 // site-local fec0::/10
        || (segments[0] & 0xff00) == 0xff00 // multicast
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
        || (segments[0] == 0x0100 && segments[1..4] == [0, 0, 0]) // discard-only
        || (segments[0] == 0x2001 && segments[1] < 0x0200); // IETF protocol assignments (Teredo, ORCHID …)
    !special
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str) -> bool {
        is_public(text.parse().unwrap())
    }

    #[test]
    fn what_reaches_this_machine_or_its_networks_is_refused() {
        for refused in [
            "127.0.0.1",
            "127.255.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "100.64.0.1",
            "100.127.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "192.0.0.8",
            "192.0.2.1",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::808:808",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2001::1",
            "100::1",
        ] {
            assert!(!public(refused), "{refused} is refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for allowed in [
            "8.8.8.8",
            "1.1.1.1",
            "193.174.2.1",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "169.253.1.1",
            "::ffff:8.8.8.8",
            "2002:808:808::1",
            "2a00:1450:4001:82a::200e",
            "2001:4860:4860::8888",
        ] {
            assert!(public(allowed), "{allowed} is public");
        }
    }
}
