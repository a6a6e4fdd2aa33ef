//! A co-op's linked fediverse account: `GET`, `PUT` and `DELETE
//! /api/v1/admin/coops/{slug}/link` (admin or the co-op's editor), through the one door of
//! `coopnet_app::coops::{link, unlink}` that the console and the CLI use too.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use coopnet_app::coops::{self, LinkState};
use coopnet_app::{AppContext, AppError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::{ApiJson, Caller};

/// A co-op's linked fediverse account.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkedAccountJson {
    /// The account's handle, `@user@host`.
    #[schema(example = "@outlandish@social.coop")]
    pub account: String,
    /// Its actor id.
    pub actor: String,
    /// Where it points back to the co-op's profile: `url`, `field` or `also_known_as`.
    pub backlink: &'static str,
    /// When the link was verified.
    pub linked_at: DateTime<Utc>,
    /// Our network's follow of the account: `pending`, `accepted`, `rejected`, or `null`
    /// when there is none (its server was blocked).
    pub follow: Option<&'static str>,
}

impl From<&LinkState> for LinkedAccountJson {
    fn from(s: &LinkState) -> Self {
        Self {
            account: format!("@{}", s.account.handle),
            actor: s.account.actor_id.to_string(),
            backlink: s.account.backlink.as_str(),
            linked_at: s.account.linked_at,
            follow: s.follow.map(|f| f.as_str()),
        }
    }
}

/// The account to link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// `@user@host`, `user@host` or an actor URL.
    #[schema(example = "@outlandish@social.coop")]
    pub account: String,
}

/// `GET /api/v1/admin/coops/{slug}/link`: the co-op's linked account (404 when none).
#[utoipa::path(
    get,
    path = "/api/v1/admin/coops/{slug}/link",
    tag = "admin",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The local co-op's slug")),
    responses(
        (status = 200, description = "The linked account and our follow of it", body = LinkedAccountJson),
        (status = 404, description = "No such co-op, or no linked account", body = crate::api::v1::openapi::ErrorJson),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn show(
    State(ctx): State<AppContext>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<LinkedAccountJson>, ApiError> {
    match coops::linked_account(&ctx, &caller.scope, &slug).await? {
        Some(state) => Ok(Json(LinkedAccountJson::from(&state))),
        None => Err(AppError::NotFound(format!("linked account of co-op '{slug}'")).into()),
    }
}

/// `PUT /api/v1/admin/coops/{slug}/link`: links an account (replacing the co-op's earlier
/// one) once it points back to the co-op's profile; our network then follows it and boosts
/// its public, top-level posts.
#[utoipa::path(
    put,
    path = "/api/v1/admin/coops/{slug}/link",
    tag = "admin",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The local co-op's slug")),
    request_body(content = LinkRequest, description = "The fediverse account the co-op posts from"),
    responses(
        (status = 200, description = "Linked; our network's follow is pending until the account's server accepts", body = LinkedAccountJson),
        (status = 404, description = "No such co-op", body = crate::api::v1::openapi::ErrorJson),
        (status = 409, description = "Linked to another co-op, or its server is blocked", body = crate::api::v1::openapi::ErrorJson),
        (status = 422, description = "Not an account, or it does not link back to the co-op's profile: `fields.account` says what to add where", body = crate::api::v1::openapi::ErrorJson),
        (status = 502, description = "The account's server could not be reached", body = crate::api::v1::openapi::ErrorJson),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn link(
    State(ctx): State<AppContext>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
    ApiJson(request): ApiJson<LinkRequest>,
) -> Result<Json<LinkedAccountJson>, ApiError> {
    let state = coops::link(&ctx, &caller.scope, &slug, &request.account).await?;
    Ok(Json(LinkedAccountJson::from(&state)))
}

/// `DELETE /api/v1/admin/coops/{slug}/link`: unlinks the account; our network stops
/// following it (`Undo{Follow}`).
#[utoipa::path(
    delete,
    path = "/api/v1/admin/coops/{slug}/link",
    tag = "admin",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The local co-op's slug")),
    responses(
        (status = 204, description = "Unlinked"),
        (status = 404, description = "No such co-op, or no linked account", body = crate::api::v1::openapi::ErrorJson),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn unlink(
    State(ctx): State<AppContext>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<StatusCode, ApiError> {
    coops::unlink(&ctx, &caller.scope, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}
