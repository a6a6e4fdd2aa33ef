//! Every route of an instance, in one place.
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use coopnet_app::AppContext;
use tower_http::trace::TraceLayer;

use crate::api::v1;
use crate::{console, federation as ap, pages};

/// The whole HTTP application of one instance.
pub fn router(ctx: AppContext) -> Router {
    let body_limit = ctx.settings.max_body_bytes;
    Router::new()
        .route("/", get(pages::home::show))
        .route("/coops", get(pages::coops::index))
        .route("/federated/{domain}/{slug}", get(ap::federated_coop))
        .route("/federation", get(pages::federation::show))
        .route("/news", get(pages::news::show))
        .route("/about", get(pages::about::show))
        .route("/map", get(pages::map::show))
        .route("/follow", get(pages::follow::redirect))
        .route("/static/style.css", get(pages::assets::style))
        .route("/static/app.js", get(pages::assets::script))
        // ActivityPub: one URL per actor serves HTML or JSON by Accept.
        .route("/coops/{slug}", get(ap::coop))
        .route("/coops/{slug}/inbox", post(ap::inbox))
        .route("/coops/{slug}/outbox", get(ap::coop_outbox))
        .route("/coops/{slug}/followers", get(ap::coop_followers))
        .route("/coops/{slug}/following", get(ap::coop_following))
        .route("/coops/{slug}/posts/{id}", get(ap::coop_post))
        .route("/network", get(ap::network))
        .route("/network/inbox", post(ap::inbox))
        .route("/network/outbox", get(ap::network_outbox))
        .route("/network/followers", get(ap::network_followers))
        .route("/network/following", get(ap::network_following))
        .route("/network/members", get(ap::network_members))
        .route("/network/posts/{id}", get(ap::network_post))
        .route("/actor", get(ap::instance))
        .route("/actor/inbox", post(ap::inbox))
        .route("/actor/outbox", get(ap::instance_collection))
        .route("/actor/followers", get(ap::instance_collection))
        .route("/actor/following", get(ap::instance_collection))
        .route("/inbox", post(ap::inbox))
        .route("/activities/{id}", get(ap::activity))
        .route("/.well-known/webfinger", get(ap::webfinger))
        .route("/.well-known/host-meta", get(ap::host_meta))
        .route("/.well-known/nodeinfo", get(ap::nodeinfo_links))
        .route("/nodeinfo/{version}", get(ap::nodeinfo))
        .route("/coops/{slug}/logo.png", get(pages::logo::show))
        // The web console (docs/console.md) and the public application form.
        .route(
            "/apply",
            get(console::apply::form).post(console::apply::submit),
        )
        .route("/console", get(console::auth::dashboard))
        .route(
            "/console/login",
            get(console::auth::login_form).post(console::auth::login),
        )
        .route("/console/logout", post(console::auth::logout))
        .route(
            "/console/logout-everywhere",
            post(console::auth::logout_everywhere),
        )
        .route(
            "/console/invite/{token}",
            get(console::auth::invite_form).post(console::auth::invite_accept),
        )
        .route(
            "/console/invite/{token}/existing",
            post(console::auth::invite_accept_existing),
        )
        .route(
            "/console/password",
            get(console::auth::password_form).post(console::auth::password),
        )
        .route(
            "/console/coops/{slug}",
            get(console::coops::editor::edit).post(console::coops::editor::update),
        )
        .route(
            "/console/coops/{slug}/logo",
            post(console::coops::logo::upload_logo).layer(DefaultBodyLimit::max(
                ctx.settings.console.logo_max_bytes + 64 * 1024,
            )),
        )
        .route(
            "/console/coops/{slug}/logo/delete",
            post(console::coops::logo::delete_logo),
        )
        .route(
            "/console/coops/{slug}/posts",
            get(console::coops::posts::posts_index).post(console::coops::posts::posts_create),
        )
        .route(
            "/console/coops/{slug}/posts/{id}/delete",
            post(console::coops::posts::posts_delete),
        )
        .route(
            "/console/coops/{slug}/link",
            post(console::coops::linked::link),
        )
        .route(
            "/console/coops/{slug}/unlink",
            post(console::coops::linked::unlink),
        )
        .route(
            "/console/coops/{slug}/editors",
            get(console::coops::editors::editors).post(console::coops::editors::invite_editor),
        )
        .route(
            "/console/coops/{slug}/editors/{id}/remove",
            post(console::coops::editors::remove_editor),
        )
        .route(
            "/console/admin/members",
            get(console::admin::members::members).post(console::admin::members::add_member),
        )
        .route(
            "/console/admin/members/{slug}/remove",
            post(console::admin::members::remove_member),
        )
        .route(
            "/console/admin/applications",
            get(console::admin::applications::applications),
        )
        .route(
            "/console/admin/applications/{id}/approve",
            post(console::admin::applications::approve),
        )
        .route(
            "/console/admin/applications/{id}/reject",
            post(console::admin::applications::reject),
        )
        .route(
            "/console/admin/federation",
            get(console::admin::federation::federation_page)
                .post(console::admin::federation::federation_action),
        )
        .route(
            "/console/admin/queue",
            get(console::admin::queue::queue_page),
        )
        .route(
            "/console/admin/tokens",
            get(console::admin::tokens::tokens_index).post(console::admin::tokens::tokens_create),
        )
        .route(
            "/console/admin/tokens/{id}/revoke",
            post(console::admin::tokens::tokens_revoke),
        )
        .route(
            "/console/admin/invites",
            get(console::admin::invites::invites).post(console::admin::invites::invites_create),
        )
        .route(
            "/console/admin/invites/{id}/revoke",
            post(console::admin::invites::invites_revoke),
        )
        .route(
            "/console/admin/accounts/{id}/delete",
            post(console::admin::invites::account_delete),
        )
        // End of the web console.
        .route("/healthz", get(pages::health))
        .route("/readyz", get(crate::ops::ready))
        .route("/metrics", get(crate::ops::metrics))
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
            "/api/v1/admin/coops/{slug}/link",
            get(v1::admin::linked::show)
                .put(v1::admin::linked::link)
                .delete(v1::admin::linked::unlink),
        )
        .route(
            "/api/v1/admin/tokens",
            get(v1::admin::tokens::list).post(v1::admin::tokens::create),
        )
        .route(
            "/api/v1/admin/tokens/{id}",
            axum::routing::delete(v1::admin::tokens::revoke),
        )
        .route(
            "/api/v1/admin/coops/{slug}/posts",
            get(v1::admin::posts::list_coop).post(v1::admin::posts::create_coop),
        )
        .route(
            "/api/v1/admin/network/posts",
            get(v1::admin::posts::list_network).post(v1::admin::posts::create_network),
        )
        .route(
            "/api/v1/admin/posts/{id}",
            axum::routing::delete(v1::admin::posts::remove),
        )
        .route(
            "/api/v1/admin/federation/peers",
            get(v1::admin::federation::peers),
        )
        .route(
            "/api/v1/admin/federation/follow",
            post(v1::admin::federation::follow),
        )
        .route(
            "/api/v1/admin/federation/unfollow",
            post(v1::admin::federation::unfollow),
        )
        .route(
            "/api/v1/admin/federation/requests",
            get(v1::admin::federation::requests),
        )
        .route(
            "/api/v1/admin/federation/accept",
            post(v1::admin::federation::accept),
        )
        .route(
            "/api/v1/admin/federation/reject",
            post(v1::admin::federation::reject),
        )
        .route(
            "/api/v1/admin/federation/block",
            post(v1::admin::federation::block),
        )
        .route(
            "/api/v1/admin/federation/unblock",
            post(v1::admin::federation::unblock),
        )
        .route(
            "/api/v1/admin/federation/blocks",
            get(v1::admin::federation::blocks),
        )
        .route(
            "/api/v1/admin/federation/resync",
            post(v1::admin::federation::resync),
        )
        // Public API, feeds and open data (README, HTTP API). The layer below adds CORS,
        // ETag/304 and Cache-Control to public read-only paths only (`/api/v1/` except
        // `admin/`, `/feeds/`, `/exports/`; see cache.rs) and wraps every route above it.
        .route("/api/v1/networks", get(v1::networks::list))
        .route("/api/v1/openapi.json", get(v1::openapi::document))
        .route("/feeds/news.atom", get(crate::feeds::news))
        .route("/feeds/federation.atom", get(crate::feeds::federation))
        .route("/feeds/members.atom", get(crate::feeds::members))
        .route("/exports/coops.json", get(crate::exports::json))
        .route("/exports/coops.csv", get(crate::exports::csv))
        .route("/exports/coops.geojson", get(crate::exports::geojson))
        .layer(axum::middleware::from_fn(crate::cache::public_http))
        // End of public API, feeds and open data.
        .fallback(pages::not_found)
        .route_layer(axum::middleware::from_fn_with_state(
            ctx.clone(),
            crate::ops::record,
        ))
        .layer(axum::middleware::from_fn_with_state(
            (
                ctx.clone(),
                std::sync::Arc::new(crate::limits::Limiter::default()),
            ),
            crate::limits::limit,
        ))
        .layer(axum::middleware::from_fn(crate::ops::security_headers))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TraceLayer::new_for_http())
        .with_state(ctx)
}
