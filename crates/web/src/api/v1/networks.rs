//! Public list of the networks in this directory: this instance's own and its peers.
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use coopnet_app::AppContext;
use coopnet_app::directory;
use coopnet_core::SearchQuery;

use super::coops::with_licence;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::views::{LicenceJson, NetworkJson, NetworksJson};

/// `GET /api/v1/networks` takes no parameters (any is refused with 400).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Every network known to this directory, the local one first, with its listed members.
#[utoipa::path(
    get,
    path = "/api/v1/networks",
    tag = "directory",
    responses(
        (status = 200, description = "Every known network, local first", body = NetworksJson),
        (status = 400, description = "A query parameter was given", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn list(
    State(ctx): State<AppContext>,
    ApiQuery(NoParams {}): ApiQuery<NoParams>,
) -> Result<Response, ApiError> {
    let networks = coopnet_app::networks::all(&ctx).await?;
    // Member counts: the network facet over the whole directory.
    let all = directory::search(
        &ctx,
        &SearchQuery {
            limit: 1,
            ..SearchQuery::default()
        },
    )
    .await?;
    let members = |id: i64| {
        all.facets
            .network
            .iter()
            .find(|f| f.key == id.to_string())
            .map_or(0, |f| f.count)
    };
    let mut items: Vec<NetworkJson> = networks
        .iter()
        .map(|n| NetworkJson::new(&ctx, n, members(n.id)))
        .collect();
    // Local first (the store already does; keep it true whatever the store does).
    items.sort_by_key(|n| !n.local);
    Ok(with_licence(
        &ctx,
        Json(NetworksJson {
            items,
            license: LicenceJson::configured(&ctx),
        }),
    ))
}
