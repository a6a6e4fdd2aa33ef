//! coopnet-web: the HTTP face of an instance.
//!
//! Thin axum handlers that extract, call `coopnet-app` and render: HTML pages (askama
//! templates in `templates/`), the public JSON API and the bearer-token admin API under
//! `/api/v1`. Every route is listed in [`router`] (`router.rs`). Errors become JSON
//! `{"error", "message", "fields"}` on the API and an HTML page elsewhere.
//!
//! Depends on app and core; never on the database directly.

mod api;
mod cache;
mod console;
mod error;
mod exports;
mod extract;
mod federation;
mod feeds;
mod i18n;
mod limits;
mod ops;
mod pages;
mod router;
mod ui;
mod views;

pub use router::router;

use coopnet_app::AppContext;
use tokio::net::TcpListener;

/// Serves only `GET /metrics`, without a token, on `listener` (the `metrics.listen`
/// address, which the operator keeps private) until `shutdown` resolves.
pub async fn serve_metrics(
    ctx: AppContext,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = axum::Router::new()
        .route("/metrics", axum::routing::get(ops::metrics_private))
        .with_state(ctx);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Serves `ctx` on `listener` until `shutdown` resolves.
pub async fn serve(
    ctx: AppContext,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Peer addresses feed the per-client rate limits.
    let app = router(ctx).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
