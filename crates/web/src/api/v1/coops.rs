//! Public co-op directory API: listed co-ops only.
use axum::Json;
use axum::extract::{Path, State};
use coopnet_app::coops::{self, MAX_PAGE_SIZE, Visibility};
use coopnet_app::{AppContext, AppError};

use super::Paging;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::views::{CoopJson, CoopPageJson};

/// `GET /api/v1/coops`
pub async fn list(
    State(ctx): State<AppContext>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<CoopPageJson>, ApiError> {
    let networks = coopnet_app::networks::by_id(&ctx).await?;
    let limit = paging.limit.clamp(1, MAX_PAGE_SIZE);
    let page = coops::list(&ctx, Visibility::Public, limit, paging.offset).await?;
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

/// `GET /api/v1/coops/{slug}`: unlisted co-ops are not found here.
pub async fn show(
    State(ctx): State<AppContext>,
    Path(slug): Path<String>,
) -> Result<Json<CoopJson>, ApiError> {
    let networks = coopnet_app::networks::by_id(&ctx).await?;
    let coop = coops::get(&ctx, &slug).await?;
    if !coop.profile.listed {
        return Err(AppError::NotFound(format!("co-op '{slug}'")).into());
    }
    Ok(Json(CoopJson::new(&ctx, &networks, &coop)))
}
