//! Where a request for a user may go: an `http` or `https` URL without
//! credentials, on an allowed port, to a host the operator's rule allows,
//! whose name resolves — once — to public addresses only. The answer is
//! the one address the request then connects to, so that a name cannot
//! resolve to a public address for the check and to a private one for the
//! connection (DNS rebinding).
//!
//! Hosts are read as a browser reads them (the WHATWG URL standard of the
//! `url` crate): `2130706433`, `0x7f.1` and `0177.0.0.1` are all
//! 127.0.0.1 and are refused as such.

use std::net::{IpAddr, SocketAddr};

use url::{Host, Origin, Url};

use super::address::is_public;

/// Which hosts may be reached at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostRule {
    /// None: the feature is off.
    Off,
    /// Only these host names (and their subdomains).
    Only(Vec<String>),
    /// Any but these (and their subdomains).
    AnyExcept(Vec<String>),
}

/// The operator's rules for requests made for users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRules {
    /// Which hosts.
    pub hosts: HostRule,
    /// Ports besides 80 and 443.
    pub extra_ports: Vec<u16>,
    /// Loopback addresses are allowed. Only for the test suite, which
    /// serves a "third party" on this machine; never in production.
    pub allow_loopback: bool,
    /// The origin of a service the operator configured (a layer's
    /// SensorThings API), admitted whatever `hosts` and `extra_ports`
    /// say: it is configuration, not a user's choice. Its addresses must
    /// be public all the same. Set only through [`TargetRules::admitting`],
    /// never from a request.
    pub admitted: Option<Origin>,
}

/// Why a URL is not fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The proxy is switched off.
    #[error("loading data from other servers is switched off on this portal")]
    Off,
    /// Not a URL.
    #[error("{0:?} is not a web address")]
    NotAUrl(String),
    /// Not http or https.
    #[error("only http and https addresses are loaded, not {0}")]
    Scheme(String),
    /// User and password in the URL.
    #[error("addresses with a user name or password are not loaded")]
    Credentials,
    /// A port not allowed.
    #[error("port {0} is not allowed; use 80, 443 or a port the operator allowed")]
    Port(u16),
    /// The host's rule refuses it.
    #[error("{0} is not among the servers this portal loads data from")]
    HostNotAllowed(String),
    /// The name does not resolve.
    #[error("the name {0} cannot be resolved")]
    Unresolved(String),
    /// An address that is not public.
    #[error("{0} leads to an address in a private or special network, which is never contacted")]
    NotPublic(String),
}

/// A URL checked and pinned to the address it connects to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinned {
    /// The URL.
    pub url: Url,
    /// Its host as written (a name, or an address).
    pub host: String,
    /// The one address to connect to.
    pub addr: SocketAddr,
}

impl TargetRules {
    /// These rules, and besides them the origin of `service`, which the
    /// operator configured: its host and port are allowed even when the
    /// host rule or the ports would refuse them (even with `off`, which
    /// is about data loaded for users), but not an address that is not
    /// public. Redirects elsewhere fall under the rules as they are.
    pub fn admitting(&self, service: &Url) -> TargetRules {
        TargetRules {
            admitted: Some(service.origin()),
            ..self.clone()
        }
    }

    /// Checks `text` without resolving it: scheme, credentials, port and
    /// the host rule; a host that is an address must be public.
    pub fn check(&self, text: &str) -> Result<Url, Refusal> {
        let parsed = Url::parse(text.trim());
        let admitted = match (&self.admitted, &parsed) {
            (Some(origin), Ok(url)) => origin.is_tuple() && *origin == url.origin(),
            _ => false,
        };
        if self.hosts == HostRule::Off && !admitted {
            return Err(Refusal::Off);
        }
        let url = parsed.map_err(|_| Refusal::NotAUrl(short(text)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refusal::Scheme(url.scheme().to_owned()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refusal::Credentials);
        }
        let port = url
            .port_or_known_default()
            .ok_or_else(|| Refusal::NotAUrl(short(text)))?;
        if !(admitted || port == 80 || port == 443 || self.extra_ports.contains(&port)) {
            return Err(Refusal::Port(port));
        }
        let host = url.host().ok_or_else(|| Refusal::NotAUrl(short(text)))?;
        match host {
            Host::Ipv4(ip) if admitted => self.address_allowed(IpAddr::V4(ip), &url)?,
            Host::Ipv6(ip) if admitted => self.address_allowed(IpAddr::V6(ip), &url)?,
            Host::Ipv4(ip) => self.literal_allowed(IpAddr::V4(ip), &url)?,
            Host::Ipv6(ip) => self.literal_allowed(IpAddr::V6(ip), &url)?,
            Host::Domain(name) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                if name == "localhost" || name.ends_with(".localhost") {
                    self.address_allowed(IpAddr::from([127, 0, 0, 1]), &url)?;
                }
                if !admitted && !self.name_allowed(&name) {
                    return Err(Refusal::HostNotAllowed(name));
                }
            }
        }
        Ok(url)
    }

    /// Checks `text` and resolves its host once; every address the name
    /// has must be public, and the first is the one connected to.
    pub async fn pin(&self, text: &str) -> Result<Pinned, Refusal> {
        let url = self.check(text)?;
        let host = url
            .host_str()
            .ok_or_else(|| Refusal::NotAUrl(short(text)))?
            .to_owned();
        let port = url
            .port_or_known_default()
            .ok_or_else(|| Refusal::NotAUrl(short(text)))?;
        let lookup = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((lookup, port))
            .await
            .map_err(|_| Refusal::Unresolved(host.clone()))?
            .collect();
        let first = *addrs
            .first()
            .ok_or_else(|| Refusal::Unresolved(host.clone()))?;
        for addr in &addrs {
            self.address_allowed(addr.ip(), &url)?;
        }
        Ok(Pinned {
            url,
            host,
            addr: first,
        })
    }

    fn address_allowed(&self, ip: IpAddr, url: &Url) -> Result<(), Refusal> {
        if is_public(ip) || (self.allow_loopback && ip.is_loopback()) {
            Ok(())
        } else {
            Err(Refusal::NotPublic(url.host_str().unwrap_or("").to_owned()))
        }
    }

    /// A host written as an address: public, and under the host rule as
    /// a name is (with `listed`, an address is allowed only when listed
    /// as such; with `open`, a listed one is denied).
    fn literal_allowed(&self, ip: IpAddr, url: &Url) -> Result<(), Refusal> {
        self.address_allowed(ip, url)?;
        let listed = |list: &[String]| {
            list.iter().any(|entry| {
                let entry = entry.trim().trim_start_matches('[').trim_end_matches(']');
                entry.parse::<IpAddr>().is_ok_and(|e| e == ip)
            })
        };
        let allowed = match &self.hosts {
            HostRule::Off => false,
            HostRule::Only(list) => listed(list),
            HostRule::AnyExcept(list) => !listed(list),
        };
        if allowed {
            Ok(())
        } else {
            Err(Refusal::HostNotAllowed(ip.to_string()))
        }
    }

    fn name_allowed(&self, name: &str) -> bool {
        let listed = |list: &[String]| {
            list.iter().any(|entry| {
                let entry = entry.trim().trim_end_matches('.').to_ascii_lowercase();
                name == entry || name.ends_with(&format!(".{entry}"))
            })
        };
        match &self.hosts {
            HostRule::Off => false,
            HostRule::Only(list) => listed(list),
            HostRule::AnyExcept(list) => !listed(list),
        }
    }
}

/// At most 100 characters of what the user wrote, for an error.
fn short(text: &str) -> String {
    text.chars().take(100).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> TargetRules {
        TargetRules {
            hosts: HostRule::AnyExcept(Vec::new()),
            extra_ports: vec![8080],
            allow_loopback: false,
            admitted: None,
        }
    }

    #[test]
    fn every_spelling_of_a_private_address_is_refused_before_any_lookup() {
        for url in [
            "http://127.0.0.1/wms",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://017700000001/",
            "http://127.1/",
            "http://0.0.0.0/",
            "http://0/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[0:0:0:0:0:ffff:a00:1]/",
            "http://10.1.2.3/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.1.1/",
            "http://192.168.0.1:8080/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://localhost/",
            "http://LOCALHOST./",
            "http://x.localhost/",
        ] {
            assert!(
                matches!(open().check(url), Err(Refusal::NotPublic(_))),
                "{url}: {:?}",
                open().check(url)
            );
        }
    }

    #[test]
    fn schemes_ports_credentials_and_host_rules_are_told() {
        let rules = open();
        assert_eq!(
            rules.check("file:///etc/passwd"),
            Err(Refusal::Scheme("file".into()))
        );
        assert_eq!(
            rules.check("gopher://example.org/"),
            Err(Refusal::Scheme("gopher".into()))
        );
        assert_eq!(
            rules.check("http://example.org:22/"),
            Err(Refusal::Port(22))
        );
        assert!(rules.check("http://example.org:8080/wms").is_ok());
        assert_eq!(
            rules.check("http://user:pw@example.org/"),
            Err(Refusal::Credentials)
        );
        assert!(matches!(rules.check("kein Link"), Err(Refusal::NotAUrl(_))));
        let only = TargetRules {
            hosts: HostRule::Only(vec!["geodaten.niedersachsen.de".into()]),
            ..open()
        };
        assert!(
            only.check("https://www.geodaten.niedersachsen.de/wms")
                .is_ok()
        );
        assert!(only.check("https://geodaten.niedersachsen.de/wms").is_ok());
        assert_eq!(
            only.check("https://evilgeodaten.niedersachsen.de.example/"),
            Err(Refusal::HostNotAllowed(
                "evilgeodaten.niedersachsen.de.example".into()
            ))
        );
        // An address is no way around the list.
        assert_eq!(
            only.check("https://93.184.215.14/wms"),
            Err(Refusal::HostNotAllowed("93.184.215.14".into()))
        );
        let listed_address = TargetRules {
            hosts: HostRule::Only(vec!["93.184.215.14".into(), "[2606:4700::1]".into()]),
            ..open()
        };
        assert!(listed_address.check("https://93.184.215.14/wms").is_ok());
        assert!(listed_address.check("https://[2606:4700::1]/wms").is_ok());
        let except_address = TargetRules {
            hosts: HostRule::AnyExcept(vec!["93.184.215.14".into()]),
            ..open()
        };
        assert!(except_address.check("https://93.184.215.14/").is_err());
        assert!(except_address.check("https://93.184.215.15/").is_ok());
        let except = TargetRules {
            hosts: HostRule::AnyExcept(vec!["example.org".into()]),
            ..open()
        };
        assert!(except.check("https://maps.example.org/").is_err());
        assert!(except.check("https://example.com/").is_ok());
        let off = TargetRules {
            hosts: HostRule::Off,
            ..open()
        };
        assert_eq!(off.check("https://example.com/"), Err(Refusal::Off));
    }

    #[tokio::test]
    async fn a_name_is_pinned_to_the_address_it_was_checked_with() {
        // "localhost" resolves on every machine; loopback is allowed only
        // with the test suite's allowance.
        assert!(matches!(
            open().pin("http://localhost:8080/").await,
            Err(Refusal::NotPublic(_))
        ));
        let testing = TargetRules {
            allow_loopback: true,
            ..open()
        };
        let pinned = testing.pin("http://localhost:8080/wms").await.unwrap();
        assert!(pinned.addr.ip().is_loopback());
        assert_eq!(pinned.addr.port(), 8080);
        assert_eq!(pinned.host, "localhost");
        let literal = testing.pin("http://[::1]:8080/").await.unwrap();
        assert_eq!(literal.addr.ip(), IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]));
    }

    #[test]
    fn the_operators_service_is_admitted_by_its_exact_origin_and_only_on_public_addresses() {
        let service = Url::parse("https://sta.example.org:8443/FROST-Server/v1.1").unwrap();
        for hosts in [
            HostRule::Off,
            HostRule::Only(vec!["geodaten.niedersachsen.de".into()]),
            HostRule::AnyExcept(vec!["example.org".into()]),
        ] {
            let rules = TargetRules {
                hosts: hosts.clone(),
                extra_ports: Vec::new(),
                ..open()
            };
            let admitting = rules.admitting(&service);
            assert!(
                admitting
                    .check("https://sta.example.org:8443/FROST-Server/v1.1/Things?$top=2")
                    .is_ok(),
                "{hosts:?}"
            );
            // Not its neighbours: another port, scheme or host.
            for other in [
                "https://sta.example.org/FROST-Server/v1.1/Things",
                "http://sta.example.org:8443/FROST-Server/v1.1/Things",
                "https://www.sta.example.org:8443/FROST-Server/v1.1/Things",
            ] {
                assert_eq!(
                    admitting.check(other).is_ok(),
                    rules.check(other).is_ok(),
                    "{hosts:?} {other}"
                );
                assert!(admitting.check(other).is_err(), "{hosts:?} {other}");
            }
        }
        // Configuration is no way to this machine or its networks.
        for private in [
            "http://127.0.0.1:8080/v1.1",
            "http://localhost:8080/v1.1",
            "http://10.1.2.3/v1.1",
            "http://169.254.169.254/latest",
        ] {
            let service = Url::parse(private).unwrap();
            let rules = open().admitting(&service);
            assert!(
                matches!(rules.check(private), Err(Refusal::NotPublic(_))),
                "{private}"
            );
        }
        let loopback = TargetRules {
            hosts: HostRule::Off,
            extra_ports: Vec::new(),
            allow_loopback: true,
            admitted: None,
        };
        let service = Url::parse("http://127.0.0.1:38080/v1.1").unwrap();
        assert!(
            loopback
                .admitting(&service)
                .check("http://127.0.0.1:38080/v1.1/Things")
                .is_ok()
        );
        assert_eq!(
            loopback.check("http://127.0.0.1:38080/v1.1/Things"),
            Err(Refusal::Off)
        );
    }
}
