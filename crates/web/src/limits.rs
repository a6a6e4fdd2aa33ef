//! Per-client rate limits (token buckets keyed by client address) on the admin API and on the
//! expensive public endpoints (search, exports, map), and on the public forms (console login, invites,
//! join applications). Over the limit: 429 with `Retry-After`.
//!
//! An IPv6 client is keyed by its /64 prefix, not its full address: a /64 is what one
//! subscriber or host usually gets (RFC 6177, privacy addresses of RFC 8981 rotate within
//! it), so keying by address would let one client spread over 2^64 buckets. An
//! IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, from a dual-stack listener) is the IPv4
//! client it names.
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use coopnet_app::AppContext;

/// Which budget a request draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Class {
    Admin,
    Expensive,
    /// Public forms: console login, invite acceptance, join applications (POSTs).
    Login,
}

fn classify(method: &axum::http::Method, path: &str) -> Option<Class> {
    if method == axum::http::Method::POST
        && (path == "/console/login" || path == "/apply" || path.starts_with("/console/invite/"))
    {
        Some(Class::Login)
    } else if path.starts_with("/api/v1/admin/") {
        Some(Class::Admin)
    } else if path == "/coops"
        || path == "/api/v1/coops"
        || path.starts_with("/exports/")
        || path == "/map"
    {
        Some(Class::Expensive)
    } else {
        None
    }
}

/// The bucket key of a client address: IPv4 as it is (an IPv4-mapped IPv6 address as its
/// IPv4 address), IPv6 cut to its /64 prefix.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !u128::from(u64::MAX);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets for every client seen recently.
#[derive(Default)]
pub struct Limiter {
    buckets: Mutex<HashMap<(IpAddr, Class), Bucket>>,
}

impl Limiter {
    /// Takes one token; `Err(seconds)` until the next one when empty.
    fn take(&self, key: (IpAddr, Class), per_minute: u32) -> Result<(), u64> {
        let Ok(mut map) = self.buckets.lock() else {
            return Ok(());
        };
        let capacity = f64::from(per_minute.max(1));
        let rate = capacity / 60.0;
        let now = Instant::now();
        if map.len() > 50_000 {
            // Forget idle clients (a full bucket holds no information).
            map.retain(|_, b| now.duration_since(b.at).as_secs_f64() * rate < capacity);
        }
        let bucket = map.entry(key).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / rate).ceil() as u64)
        }
    }
}

/// The middleware.
pub async fn limit(
    State((ctx, limiter)): State<(AppContext, std::sync::Arc<Limiter>)>,
    request: Request,
    next: Next,
) -> Response {
    let Some(class) = classify(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let Some(peer) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical())
    else {
        return next.run(request).await;
    };
    // Behind a trusted reverse proxy every request comes from the proxy: count the client it
    // names (the last X-Forwarded-For entry, the one the proxy added).
    let forwarded = request
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse::<IpAddr>().ok());
    let trusted = ctx
        .settings
        .limits
        .trusted_proxies
        .iter()
        .any(|p| p.parse::<IpAddr>().is_ok_and(|p| p.to_canonical() == peer));
    let ip = match forwarded {
        Some(client) if trusted => client,
        _ => peer,
    };
    let per_minute = match class {
        Class::Admin => ctx.settings.limits.admin_per_minute,
        Class::Expensive => ctx.settings.limits.search_per_minute,
        Class::Login => ctx.settings.limits.login_per_minute,
    };
    match limiter.take((client_key(ip), class), per_minute) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let body = serde_json::json!({"error": "rate_limited", "message": "too many requests; try again later"});
            let mut r = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
            if let Ok(v) = HeaderValue::from_str(&wait.max(1).to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_empty_and_refill() {
        let l = Limiter::default();
        let key = (IpAddr::from([127, 0, 0, 1]), Class::Admin);
        for _ in 0..3 {
            assert!(l.take(key, 3).is_ok());
        }
        assert!(
            l.take(key, 3).is_err(),
            "fourth request within the minute is refused"
        );
        let other = (IpAddr::from([127, 0, 0, 2]), Class::Admin);
        assert!(l.take(other, 3).is_ok(), "clients have their own budget");
        let get = axum::http::Method::GET;
        let post = axum::http::Method::POST;
        assert_eq!(classify(&get, "/api/v1/admin/coops"), Some(Class::Admin));
        assert_eq!(classify(&get, "/coops"), Some(Class::Expensive));
        assert_eq!(classify(&get, "/coops/outlandish"), None);
        assert_eq!(classify(&post, "/console/login"), Some(Class::Login));
        assert_eq!(classify(&post, "/apply"), Some(Class::Login));
        assert_eq!(classify(&get, "/apply"), None);
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn ipv6_clients_share_the_bucket_of_their_64() {
        let a = client_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
        assert_eq!(a, ip("2001:db8:1:2::"));
        assert_eq!(a, client_key(ip("2001:db8:1:2::1")), "same /64");
        assert_ne!(a, client_key(ip("2001:db8:1:3::1")), "next /64");
        assert_eq!(client_key(ip("::1")), ip("::"));

        let l = Limiter::default();
        for i in 0..3 {
            let rotated = ip(&format!("2001:db8:1:2::{i:x}"));
            assert!(l.take((client_key(rotated), Class::Login), 3).is_ok());
        }
        let another = ip("2001:db8:1:2:ffff:ffff:ffff:ffff");
        assert!(
            l.take((client_key(another), Class::Login), 3).is_err(),
            "rotating within the /64 does not buy a new budget"
        );
        let neighbour = ip("2001:db8:1:3::1");
        assert!(l.take((client_key(neighbour), Class::Login), 3).is_ok());
    }

    #[test]
    fn ipv4_mapped_addresses_count_as_ipv4() {
        assert_eq!(client_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(client_key(ip("192.0.2.7")), ip("192.0.2.7"));
        assert_ne!(
            client_key(ip("::ffff:192.0.2.7")),
            client_key(ip("::ffff:192.0.2.8")),
            "each IPv4 address has its own bucket"
        );
    }
}
