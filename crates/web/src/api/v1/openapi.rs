//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of the HTTP API, feeds and
//! exports, generated from the handlers' `#[utoipa::path]` annotations and the view types.
use std::sync::LazyLock;

use axum::Json;
use axum::extract::State;
use coopnet_app::AppContext;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::{Modify, OpenApi, ToSchema};

use super::{admin, coops, networks};
use crate::{exports, feeds};

/// An API error, as every JSON endpoint reports it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorJson {
    /// Stable snake_case code: `bad_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `conflict`, `gone`, `payload_too_large`, `unsupported_media_type`,
    /// `validation_failed`, `internal`.
    #[schema(example = "not_found")]
    pub error: String,
    /// What went wrong, for people.
    pub message: String,
    /// Per-field messages (`validation_failed` only).
    #[schema(value_type = Option<Object>)]
    pub fields: Option<serde_json::Value>,
}

/// Adds the admin API's bearer token scheme.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An admin or co-op editor token from `coopnet token create`",
                    ))
                    .build(),
            ),
        );
    }
}

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "coopnet",
        description = "Public directory of co-operatives (JSON API, Atom feeds, open data \
                       exports) and the bearer-token admin API of a coopnet instance.",
        license(name = "AGPL-3.0-only", identifier = "AGPL-3.0-only")
    ),
    paths(
        coops::list,
        coops::show,
        networks::list,
        document,
        feeds::news,
        feeds::federation,
        feeds::members,
        exports::json,
        exports::csv,
        exports::geojson,
        admin::coops::list,
        admin::coops::create,
        admin::coops::show,
        admin::coops::update,
        admin::coops::remove,
        admin::linked::show,
        admin::linked::link,
        admin::linked::unlink,
        admin::tokens::list,
        admin::tokens::create,
        admin::tokens::revoke,
        admin::posts::list_coop,
        admin::posts::create_coop,
        admin::posts::list_network,
        admin::posts::create_network,
        admin::posts::remove,
        admin::federation::peers,
        admin::federation::follow,
        admin::federation::unfollow,
        admin::federation::requests,
        admin::federation::accept,
        admin::federation::reject,
        admin::federation::block,
        admin::federation::unblock,
        admin::federation::blocks,
        admin::federation::resync,
    ),
    components(schemas(ErrorJson)),
    modifiers(&BearerAuth),
    tags(
        (name = "directory", description = "The public directory: listed co-ops of every network, no token"),
        (name = "feeds", description = "Atom 1.0 feeds"),
        (name = "exports", description = "Open data exports of the whole directory"),
        (name = "admin", description = "Administration with `Authorization: Bearer TOKEN`"),
    )
)]
pub struct ApiDoc;

static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);

/// The OpenAPI 3.1 description of this API, with this instance as its server.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "directory",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json", body = Object))
)]
pub async fn document(State(ctx): State<AppContext>) -> Json<utoipa::openapi::OpenApi> {
    let mut doc = DOCUMENT.clone();
    doc.servers = Some(vec![Server::new(ctx.base_url())]);
    Json(doc)
}
