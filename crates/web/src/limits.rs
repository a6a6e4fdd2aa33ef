//! Per-client rate limits (token buckets keyed by peer address) on the admin API and on the
//! expensive public endpoints (search, exports, map), and on the public forms (console login, invites,
//! join applications). Over the limit: 429 with `Retry-After`.
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
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
        .map(|c| c.0.ip())
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
        .any(|p| p.parse::<IpAddr>().is_ok_and(|p| p == peer));
    let ip = match forwarded {
        Some(client) if trusted => client,
        _ => peer,
    };
    let per_minute = match class {
        Class::Admin => ctx.settings.limits.admin_per_minute,
        Class::Expensive => ctx.settings.limits.search_per_minute,
        Class::Login => ctx.settings.limits.login_per_minute,
    };
    match limiter.take((ip, class), per_minute) {
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
}
