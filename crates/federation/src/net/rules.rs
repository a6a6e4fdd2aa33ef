//! Which destinations outgoing requests may reach: `https` (and `http` in dev mode) to
//! public addresses only, unless an operator allows private ranges (a peer on the same LAN)
//! or dev mode allows every address. Pure rules: the guarded resolver applies them to every
//! address a name resolves to, the guarded client to every URL before it is sent.
use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use url::{Host, Url};

/// Reads `10.0.5.0/24`, `fd00::/8` or a single address (`10.0.5.7`, a /32 or /128).
pub fn parse_range(text: &str) -> Option<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

/// True when `ip` is an address a public server may be at.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible addresses are judged as IPv4.
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            !(
                v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64 to possibly-internal v4
                || (s[0..6] == [0, 0, 0, 0, 0, 0])
                // IPv4-compatible ::a.b.c.d
            )
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0 // "this network"
        || (o[0] == 100 && (64..128).contains(&o[1])) // shared address space (CGNAT)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (18..20).contains(&o[1])) // benchmarking
        || o[0] >= 240) // reserved
}

/// What outgoing requests may reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressRules {
    /// Plain `http` URLs allowed (dev mode).
    pub allow_http: bool,
    /// Every address allowed, private and loopback included (dev mode, unless configured
    /// otherwise).
    pub allow_private: bool,
    /// Non-public addresses allowed anyway (`federation.allowed_private_addresses`).
    pub allowed: Vec<IpNet>,
}

/// Why an outgoing request was refused. Says nothing fetched: it is our own words about a
/// URL or address we were asked to reach.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Not `https` (or `http` in dev mode).
    #[error("URL scheme {0} is not allowed")]
    Scheme(String),
    /// No host to connect to.
    #[error("URL has no host")]
    NoHost,
    /// An IP literal that is not a public address.
    #[error("{0} is not a public address")]
    Address(IpAddr),
    /// A name that resolves to no permitted address.
    #[error("{0} resolves to no public address")]
    Resolved(String),
}

impl AddressRules {
    /// Production: `https` to public addresses only.
    pub fn production() -> Self {
        Self::default()
    }

    /// Dev mode: `http` and every address allowed.
    pub fn dev() -> Self {
        Self {
            allow_http: true,
            allow_private: true,
            allowed: Vec::new(),
        }
    }

    /// True when a connection to `ip` is allowed.
    pub fn permits(&self, ip: IpAddr) -> bool {
        if self.allow_private || is_public(ip) {
            return true;
        }
        // ::ffff:a.b.c.d is a.b.c.d on the wire: match it against IPv4 ranges too.
        let canonical = ip.to_canonical();
        self.allowed
            .iter()
            .any(|net| net.contains(&ip) || net.contains(&canonical))
    }

    /// Checks a URL's scheme and, when its host is an IP literal (which no resolver sees),
    /// that address. Names are checked when they are resolved.
    pub fn check_url(&self, url: &Url) -> Result<(), Refused> {
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            other => return Err(Refused::Scheme(other.to_owned())),
        }
        let ip = match url.host() {
            None => return Err(Refused::NoHost),
            Some(Host::Domain(_)) => return Ok(()),
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
        };
        if self.permits(ip) {
            Ok(())
        } else {
            Err(Refused::Address(ip))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn private_loopback_link_local_and_mapped_are_refused() {
        for bad in [
            "127.0.0.1",
            "127.8.9.10",
            "10.0.0.1",
            "172.16.5.4",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "240.0.0.1",
            "198.18.0.1",
            "192.0.0.8",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "2001:db8::1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(ip(bad)), "{bad} must be refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for good in [
            "1.1.1.1",
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "2a01:4f8::1",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            assert!(is_public(ip(good)), "{good} is public");
        }
    }

    #[test]
    fn urls_are_checked_for_scheme_and_literal_addresses() {
        let url = |s: &str| Url::parse(s).expect("url");
        let production = AddressRules::production();
        assert_eq!(
            production.check_url(&url("http://example.org/")),
            Err(Refused::Scheme("http".into())),
            "plain http is refused in production"
        );
        assert!(production.check_url(&url("https://example.org/")).is_ok());
        assert!(production.check_url(&url("ftp://example.org/")).is_err());
        for inward in [
            "https://127.0.0.1/",
            "https://[::1]/",
            "https://[::ffff:192.168.0.1]/x",
            "https://169.254.169.254/latest/meta-data/",
            // The URL parser reads these as IPv4 literals, so they are caught as such.
            "https://2130706433/",
            "https://0x7f.1/",
        ] {
            assert!(
                matches!(production.check_url(&url(inward)), Err(Refused::Address(_))),
                "{inward}"
            );
        }
        assert!(production.check_url(&url("https://1.1.1.1/")).is_ok());
        let dev = AddressRules::dev();
        assert!(dev.check_url(&url("http://127.0.0.1:8080/")).is_ok());
        assert!(dev.check_url(&url("ftp://example.org/")).is_err());
    }

    #[test]
    fn operators_may_allow_private_ranges() {
        assert_eq!(parse_range("x"), None);
        assert_eq!(parse_range("10.0.0.0/33"), None);
        let rules = AddressRules {
            allowed: vec![
                parse_range("10.1.0.0/16").expect("net"),
                parse_range(" 127.0.0.2 ").expect("single address"),
            ],
            ..AddressRules::production()
        };
        assert!(rules.permits(ip("10.1.2.3")));
        assert!(
            rules.permits(ip("::ffff:10.1.2.3")),
            "mapped form of an allowed address"
        );
        assert!(rules.permits(ip("127.0.0.2")));
        assert!(!rules.permits(ip("127.0.0.1")));
        assert!(!rules.permits(ip("10.2.0.1")));
        assert!(rules.permits(ip("1.1.1.1")));
        assert!(AddressRules::dev().permits(ip("127.0.0.1")));
    }
}
