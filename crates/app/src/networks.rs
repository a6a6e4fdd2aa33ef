//! Networks known to this instance: its own and its peers.
use std::collections::HashMap;

use coopnet_core::Network;
use coopnet_db::repo::networks;

use crate::{AppContext, AppError};

/// Every known network, the local one first.
pub async fn all(ctx: &AppContext) -> Result<Vec<Network>, AppError> {
    Ok(networks::list(&ctx.db).await?)
}

/// Every known network by storage id.
pub async fn by_id(ctx: &AppContext) -> Result<HashMap<i64, Network>, AppError> {
    Ok(all(ctx).await?.into_iter().map(|n| (n.id, n)).collect())
}
