//! Co-op administration.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use coopnet_app::coops::{self, MAX_PAGE_SIZE, Visibility};
use coopnet_app::{AppContext, AppError};
use coopnet_core::{CoopInput, CoopPatch};

use crate::api::v1::Paging;
use crate::error::ApiError;
use crate::extract::{Admin, ApiJson, ApiQuery, Caller};
use crate::views::{CoopJson, CoopPageJson};

/// `GET /api/v1/admin/coops` (admin): every live co-op, listed or not.
#[utoipa::path(
    get,
    path = "/api/v1/admin/coops",
    tag = "admin",
    security(("bearer" = [])),
    params(Paging),
    responses(
        (status = 200, description = "Every live co-op of this network, listed or not", body = CoopPageJson),
        (status = 400, description = "Bad paging", body = crate::api::v1::openapi::ErrorJson),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn list(
    State(ctx): State<AppContext>,
    _admin: Admin,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<CoopPageJson>, ApiError> {
    let networks = coopnet_app::networks::by_id(&ctx).await?;
    let limit = paging.limit.clamp(1, MAX_PAGE_SIZE);
    let page = coops::list(&ctx, Visibility::All, limit, paging.offset).await?;
    Ok(Json(CoopPageJson {
        items: page
            .items
            .iter()
            .map(|c| CoopJson::private(&ctx, &networks, c))
            .collect(),
        total: page.total,
        limit,
        offset: paging.offset,
    }))
}

/// `POST /api/v1/admin/coops` (admin): 201 with the new co-op.
#[utoipa::path(
    post,
    path = "/api/v1/admin/coops",
    tag = "admin",
    security(("bearer" = [])),
    request_body(content = Object, description = "A co-op record in the import format (docs/import-format.md)"),
    responses(
        (status = 201, description = "The new co-op", body = CoopJson),
        (status = 409, description = "Slug taken", body = crate::api::v1::openapi::ErrorJson),
        (status = 422, description = "Invalid record", body = crate::api::v1::openapi::ErrorJson),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn create(
    State(ctx): State<AppContext>,
    _admin: Admin,
    ApiJson(mut input): ApiJson<CoopInput>,
) -> Result<(StatusCode, Json<CoopJson>), ApiError> {
    let networks = coopnet_app::networks::by_id(&ctx).await?;
    // Timestamps are the server's to set; only imports may carry them.
    input.created_at = None;
    input.updated_at = None;
    let coop = coops::create(&ctx, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(CoopJson::private(&ctx, &networks, &coop)),
    ))
}

/// `GET /api/v1/admin/coops/{slug}` (admin or the co-op's editor).
#[utoipa::path(
    get,
    path = "/api/v1/admin/coops/{slug}",
    tag = "admin",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The local co-op's slug")),
    responses(
        (status = 200, description = "The co-op", body = CoopJson),
        (status = 404, description = "No such co-op", body = crate::api::v1::openapi::ErrorJson),
        (status = 410, description = "Removed", body = crate::api::v1::openapi::ErrorJson),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn show(
    State(ctx): State<AppContext>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
) -> Result<Json<CoopJson>, ApiError> {
    let networks = coopnet_app::networks::by_id(&ctx).await?;
    let coop = coops::get(&ctx, &slug).await?;
    if !caller.scope.may_edit(&coop.slug) {
        return Err(
            AppError::Forbidden(format!("this token may not access co-op '{slug}'")).into(),
        );
    }
    Ok(Json(CoopJson::private(&ctx, &networks, &coop)))
}

/// `PATCH /api/v1/admin/coops/{slug}` (admin or the co-op's editor): partial update.
#[utoipa::path(
    patch,
    path = "/api/v1/admin/coops/{slug}",
    tag = "admin",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The local co-op's slug")),
    request_body(content = Object, description = "Any keys of the import format to change"),
    responses(
        (status = 200, description = "The updated co-op", body = CoopJson),
        (status = 404, description = "No such co-op", body = crate::api::v1::openapi::ErrorJson),
        (status = 422, description = "Invalid values", body = crate::api::v1::openapi::ErrorJson),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn update(
    State(ctx): State<AppContext>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
    ApiJson(patch): ApiJson<CoopPatch>,
) -> Result<Json<CoopJson>, ApiError> {
    let networks = coopnet_app::networks::by_id(&ctx).await?;
    let coop = coops::update(&ctx, &caller.scope, &slug, &patch).await?;
    Ok(Json(CoopJson::private(&ctx, &networks, &coop)))
}

/// `DELETE /api/v1/admin/coops/{slug}` (admin): 204.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/coops/{slug}",
    tag = "admin",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The local co-op's slug")),
    responses(
        (status = 204, description = "Removed; its slug stays reserved"),
        (status = 404, description = "No such co-op", body = crate::api::v1::openapi::ErrorJson),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn remove(
    State(ctx): State<AppContext>,
    _admin: Admin,
    Path(slug): Path<String>,
) -> Result<StatusCode, ApiError> {
    coops::remove(&ctx, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}
