//! HTTP caching and CORS for the public, read-only endpoints: the public JSON API
//! (`/api/v1/…` except `/api/v1/admin/…`), the feeds (`/feeds/…`) and the open data exports
//! (`/exports/…`).
//!
//! [`public_http`] is one middleware, applied to the router; it acts only on those paths:
//!
//! - CORS: every response carries `Access-Control-Allow-Origin: *`; a preflight `OPTIONS`
//!   is answered `204` allowing `GET`, `HEAD` and `OPTIONS`. Admin endpoints get no CORS
//!   headers (browsers on other origins cannot call them with a token).
//! - Caching: a `200` answer to `GET`/`HEAD` gets a strong `ETag` (a SHA-256 of the body)
//!   and `Cache-Control: public, max-age=60` (`300` for feeds and exports). A request whose
//!   `If-None-Match` names that tag gets `304 Not Modified` without a body.
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Seconds the JSON API may be cached.
pub const API_MAX_AGE: u32 = 60;
/// Seconds feeds and exports may be cached.
pub const DATA_MAX_AGE: u32 = 300;
/// Largest body we hash (exports of very large directories are passed through untagged).
const MAX_TAGGED_BODY: usize = 64 * 1024 * 1024;

/// How a path is served: `None` for everything this module leaves alone.
fn max_age(path: &str) -> Option<u32> {
    if path.starts_with("/api/v1/") && !path.starts_with("/api/v1/admin") {
        Some(API_MAX_AGE)
    } else if path.starts_with("/feeds/") || path.starts_with("/exports/") {
        Some(DATA_MAX_AGE)
    } else {
        None
    }
}

/// The middleware: CORS, preflight, `ETag`, `Cache-Control` and `304` on public paths.
pub async fn public_http(request: Request, next: Next) -> Response {
    let Some(max_age) = max_age(request.uri().path()) else {
        return next.run(request).await;
    };
    let method = request.method().clone();
    if method == Method::OPTIONS {
        return preflight();
    }
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    let mut response = if (method == Method::GET || method == Method::HEAD)
        && response.status() == StatusCode::OK
    {
        tag(response, max_age, if_none_match.as_ref()).await
    } else {
        response
    };
    allow_any_origin(response.headers_mut());
    response
}

fn allow_any_origin(headers: &mut HeaderMap) {
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("ETag, Link"),
    );
}

/// `204` for a CORS preflight: read-only methods, the headers a reader sends.
fn preflight() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    allow_any_origin(headers);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Accept, Accept-Language, If-None-Match, Content-Type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    response
}

/// Adds `ETag` and `Cache-Control`, or turns the answer into a `304`.
async fn tag(response: Response, max_age: u32, if_none_match: Option<&HeaderValue>) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_TAGGED_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "cannot buffer a public response");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let etag = etag_of(&bytes);
    let cache_control = format!("public, max-age={max_age}");
    if let Ok(value) = HeaderValue::from_str(&etag) {
        parts.headers.insert(header::ETAG, value);
    }
    if let Ok(value) = HeaderValue::from_str(&cache_control) {
        parts.headers.insert(header::CACHE_CONTROL, value);
    }
    if if_none_match.is_some_and(|v| matches_etag(v, &etag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A strong entity tag: the first 128 bits of the body's SHA-256, in hex, quoted.
pub fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// `If-None-Match` uses the weak comparison (RFC 9110, 13.1.2): `W/` prefixes are ignored;
/// `*` matches any current representation.
fn matches_etag(header: &HeaderValue, etag: &str) -> bool {
    let Ok(text) = header.to_str() else {
        return false;
    };
    let ours = etag.trim_start_matches("W/");
    text.split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_read_paths_are_handled() {
        assert_eq!(max_age("/api/v1/coops"), Some(API_MAX_AGE));
        assert_eq!(max_age("/api/v1/openapi.json"), Some(API_MAX_AGE));
        assert_eq!(max_age("/feeds/news.atom"), Some(DATA_MAX_AGE));
        assert_eq!(max_age("/exports/coops.csv"), Some(DATA_MAX_AGE));
        assert_eq!(max_age("/api/v1/admin/coops"), None);
        assert_eq!(max_age("/coops"), None);
        assert_eq!(max_age("/network/inbox"), None);
    }

    #[test]
    fn if_none_match_uses_weak_comparison() {
        let tag = etag_of(b"body");
        assert!(tag.starts_with('"') && tag.ends_with('"') && tag.len() == 34);
        let value = |s: &str| HeaderValue::from_str(s).expect("header value");
        assert!(matches_etag(&value(&tag), &tag));
        assert!(matches_etag(&value(&format!("\"x\", W/{tag}")), &tag));
        assert!(matches_etag(&value("*"), &tag));
        assert!(!matches_etag(&value("\"other\""), &tag));
    }
}
