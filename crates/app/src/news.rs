//! Reading the store of remote posts (written only by the inbox, see
//! `coopnet_federation::activities`): federation news, the posts of peer networks and their
//! boosts and our network's boosts of its members' linked accounts, each with the network
//! it came through; and the latest posts of one co-op's linked account for its profile.
use coopnet_core::{Coop, Network, Page, PostVia, RemotePost};
use coopnet_db::repo::remote_posts;

use crate::{AppContext, AppError};

/// Most items a caller may ask for at once.
pub const MAX_NEWS: u64 = 200;

/// One item of federation news.
#[derive(Debug, Clone)]
pub struct NewsItem {
    /// The post.
    pub post: RemotePost,
    /// The network it came through (a network's own post first, else the first boost).
    pub network: Network,
    /// How: written by that network, or boosted by it (a member's post).
    pub via: PostVia,
}

/// Federation news, newest first: every kept post, with the network it came through.
pub async fn federation(
    ctx: &AppContext,
    limit: u64,
    offset: u64,
) -> Result<Page<NewsItem>, AppError> {
    let page = remote_posts::news(&ctx.db, limit.clamp(1, MAX_NEWS), offset).await?;
    let networks = crate::networks::by_id(ctx).await?;
    let items = page
        .items
        .into_iter()
        .filter_map(|item| {
            let source = item.sources.first()?;
            let network = networks.get(&source.network_id)?.clone();
            Some(NewsItem {
                via: source.via,
                post: item.post,
                network,
            })
        })
        .collect();
    Ok(Page {
        items,
        total: page.total,
    })
}

/// The latest `limit` posts of `coop`'s linked account that our network boosted.
pub async fn linked_posts(
    ctx: &AppContext,
    coop: &Coop,
    limit: u64,
) -> Result<Vec<RemotePost>, AppError> {
    Ok(remote_posts::linked(&ctx.db, coop.id, limit.clamp(1, MAX_NEWS)).await?)
}
