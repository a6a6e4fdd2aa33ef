//! Every route of an instance, in one place.
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use coopnet_app::AppContext;
use tower_http::trace::TraceLayer;

use crate::api::v1;
use crate::pages;

/// The whole HTTP application of one instance.
pub fn router(ctx: AppContext) -> Router {
    let body_limit = ctx.settings.max_body_bytes;
    Router::new()
        .route("/", get(pages::coops::index))
        .route("/coops", get(pages::coops::index))
        .route("/healthz", get(pages::health))
        .route("/api/v1/coops", get(v1::coops::list))
        .route("/api/v1/coops/{slug}", get(v1::coops::show))
        .route(
            "/api/v1/admin/coops",
            get(v1::admin::coops::list).post(v1::admin::coops::create),
        )
        .route(
            "/api/v1/admin/coops/{slug}",
            get(v1::admin::coops::show)
                .patch(v1::admin::coops::update)
                .delete(v1::admin::coops::remove),
        )
        .route(
            "/api/v1/admin/tokens",
            get(v1::admin::tokens::list).post(v1::admin::tokens::create),
        )
        .route(
            "/api/v1/admin/tokens/{id}",
            axum::routing::delete(v1::admin::tokens::revoke),
        )
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TraceLayer::new_for_http())
        .with_state(ctx)
}
