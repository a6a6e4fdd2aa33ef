//! Operations endpoints and middleware: `/healthz`, `/readyz`, `/metrics`, request metrics,
//! and security headers on every response.
//!
//! Metrics are not public (they tell an attacker queue sizes, peers' health and traffic):
//! the public `/metrics` needs `metrics.token`, or they are served on a separate private
//! address (`metrics.listen`, [`crate::serve_metrics`]).
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use coopnet_app::AppContext;

/// `GET /readyz`: 200 when the database answers, 503 otherwise.
pub async fn ready(State(ctx): State<AppContext>) -> Response {
    match coopnet_app::coops::list(&ctx, coopnet_app::coops::Visibility::All, 1, 0).await {
        Ok(_) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// `GET /metrics` on the public address: only with `Authorization: Bearer <metrics.token>`
/// (compared in constant time, `app::tokens`); 404 when no token is configured, so the endpoint is not
/// there at all; 401 with `WWW-Authenticate` for a missing or wrong token.
pub async fn metrics(State(ctx): State<AppContext>, headers: HeaderMap) -> Response {
    if ctx.settings.metrics.token.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    if !coopnet_app::tokens::metrics_token_matches(&ctx, presented) {
        let mut r = (StatusCode::UNAUTHORIZED, "metrics need a bearer token").into_response();
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
        return r;
    }
    render_metrics(&ctx).await
}

/// `GET /metrics` on the private `metrics.listen` address: no token (whoever reaches that
/// address is trusted; keep it on loopback or an internal interface).
pub async fn metrics_private(State(ctx): State<AppContext>) -> Response {
    render_metrics(&ctx).await
}

/// The Prometheus text exposition of this instance.
async fn render_metrics(ctx: &AppContext) -> Response {
    let queue = coopnet_app::queue_counts(ctx).await.unwrap_or_default();
    let jobs = coopnet_app::queue::job_counts(ctx)
        .await
        .unwrap_or_default();
    let by_state = |pending: u64, leased: u64, done: u64, dead: u64| {
        vec![
            ("state=\"pending\"".to_owned(), pending as f64),
            ("state=\"leased\"".to_owned(), leased as f64),
            ("state=\"done\"".to_owned(), done as f64),
            ("state=\"dead\"".to_owned(), dead as f64),
        ]
    };
    let gauges = [
        (
            "coopnet_deliveries",
            "Deliveries in the persistent queue, by state.",
            by_state(queue.pending, queue.leased, queue.done, queue.dead),
        ),
        (
            "coopnet_jobs",
            "Background jobs (backfill, resync), by state.",
            by_state(jobs.pending, jobs.leased, jobs.done, jobs.dead),
        ),
    ];
    let mut r = ctx.fed().metrics.render(&gauges).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}

/// Records `coopnet_http_request_duration_seconds{method, route, status}` (the matched
/// route template, never the raw path, so labels stay bounded).
pub async fn record(State(ctx): State<AppContext>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    ctx.fed().metrics.observe(
        "coopnet_http_request_duration_seconds",
        &[("method", &method), ("route", &route), ("status", &status)],
        started.elapsed().as_secs_f64(),
    );
    response
}

/// Content-Security-Policy of HTML pages: our own scripts and styles only, no framing.
/// `form-action` allows https because "follow from your server" redirects to the reader's
/// instance.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self' https:";

/// Adds security headers: CSP and frame protection on HTML, nosniff and a referrer policy
/// everywhere.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if is_html {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}
