//! Outgoing-request guard against SSRF: in production, refuse URLs that are not http(s) or
//! whose host resolves to a loopback, private, link-local, shared, multicast or otherwise
//! non-public address (checked after DNS resolution, so a public name pointing inward is
//! caught too). Development mode allows loopback peers.
use std::net::{IpAddr, Ipv4Addr};

use url::Url;

use crate::FederationError;

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

/// Checks a URL before we fetch or post to it. `allow_local` (dev mode) permits http and
/// loopback/private targets, which the test federation on localhost needs.
pub async fn check(url: &Url, allow_local: bool) -> Result<(), FederationError> {
    match url.scheme() {
        "https" => {}
        "http" if allow_local => {}
        other => {
            return Err(FederationError::BadRequest(format!(
                "refused URL scheme {other}"
            )));
        }
    }
    if allow_local {
        return Ok(());
    }
    let host = url
        .host_str()
        .ok_or_else(|| FederationError::BadRequest("URL without host".into()))?;
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<std::net::SocketAddr> =
        tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
            .await
            .map_err(|e| FederationError::BadRequest(format!("cannot resolve {host}: {e}")))?
            .collect();
    if addrs.is_empty() {
        return Err(FederationError::BadRequest(format!(
            "{host} resolves to nothing"
        )));
    }
    if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
        return Err(FederationError::BadRequest(format!(
            "{host} resolves to non-public address {}",
            bad.ip()
        )));
    }
    Ok(())
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

    #[tokio::test]
    async fn urls_are_checked_after_resolution() {
        let local = Url::parse("https://localhost/inbox").expect("url");
        assert!(
            check(&local, false).await.is_err(),
            "localhost resolves to loopback"
        );
        assert!(
            check(&local, true).await.is_ok(),
            "dev mode allows loopback peers"
        );
        let http = Url::parse("http://example.org/").expect("url");
        assert!(
            check(&http, false).await.is_err(),
            "plain http is refused in production"
        );
        let ftp = Url::parse("ftp://example.org/").expect("url");
        assert!(check(&ftp, true).await.is_err());
        let literal = Url::parse("https://[::ffff:192.168.0.1]/x").expect("url");
        assert!(check(&literal, false).await.is_err());
    }
}
