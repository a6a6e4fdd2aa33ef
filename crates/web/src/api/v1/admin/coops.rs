//! Co-op administration.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use coopnet_app::coops::{self, MAX_PAGE_SIZE, Visibility};
use coopnet_app::{AppContext, AppError};
use coopnet_core::CoopInput;
use serde_json::{Map, Value};

use crate::api::v1::Paging;
use crate::error::ApiError;
use crate::extract::{Admin, ApiJson, ApiQuery, Caller};
use crate::views::{CoopJson, CoopPageJson};

/// `GET /api/v1/admin/coops` (admin): every live co-op, listed or not.
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
            .map(|c| CoopJson::new(&ctx, &networks, c))
            .collect(),
        total: page.total,
        limit,
        offset: paging.offset,
    }))
}

/// `POST /api/v1/admin/coops` (admin): 201 with the new co-op.
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
        Json(CoopJson::new(&ctx, &networks, &coop)),
    ))
}

/// `GET /api/v1/admin/coops/{slug}` (admin or the co-op's editor).
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
    Ok(Json(CoopJson::new(&ctx, &networks, &coop)))
}

/// `PATCH /api/v1/admin/coops/{slug}` (admin or the co-op's editor): partial update.
pub async fn update(
    State(ctx): State<AppContext>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
    ApiJson(patch): ApiJson<Map<String, Value>>,
) -> Result<Json<CoopJson>, ApiError> {
    let networks = coopnet_app::networks::by_id(&ctx).await?;
    let coop = coops::update(&ctx, &caller.scope, &slug, &patch).await?;
    Ok(Json(CoopJson::new(&ctx, &networks, &coop)))
}

/// `DELETE /api/v1/admin/coops/{slug}` (admin): 204.
pub async fn remove(
    State(ctx): State<AppContext>,
    _admin: Admin,
    Path(slug): Path<String>,
) -> Result<StatusCode, ApiError> {
    coops::remove(&ctx, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}
