//! Reading co-ops: one by handle (local or federated), pages of them, all of them. Kept
//! apart from the writes so that other use cases (posts, logos) can look co-ops up without
//! depending on what writing a co-op sets off.
use coopnet_core::{Coop, Page};
use coopnet_db::ConnectionTrait;
use coopnet_db::repo::coops::{self, ListQuery, SlugState};

use crate::{AppContext, AppError};

/// Largest page a caller may ask for.
pub const MAX_PAGE_SIZE: u64 = 200;

/// Fetches a live local co-op by slug (`Gone` for removed ones).
pub async fn get(ctx: &AppContext, slug: &str) -> Result<Coop, AppError> {
    find_live(&ctx.db, ctx, slug).await
}

pub(crate) async fn find_live(
    conn: &impl ConnectionTrait,
    ctx: &AppContext,
    slug: &str,
) -> Result<Coop, AppError> {
    match coops::find_by_slug(conn, ctx.network.id, slug).await? {
        SlugState::Live(coop) => Ok(*coop),
        SlugState::Deleted => Err(AppError::Gone(format!("co-op '{slug}'"))),
        SlugState::Free => Err(AppError::NotFound(format!("co-op '{slug}'"))),
    }
}

/// Which co-ops a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Only co-ops that opted in to listing (the public directory).
    Public,
    /// Every live co-op (admins).
    All,
}

/// One page of co-ops, by name: the public directory shows every network's listed co-ops
/// (local and federated); admins see this network's co-ops, listed or not.
pub async fn list(
    ctx: &AppContext,
    visibility: Visibility,
    limit: u64,
    offset: u64,
) -> Result<Page<Coop>, AppError> {
    let query = ListQuery {
        network_id: (visibility == Visibility::All).then_some(ctx.network.id),
        listed_only: visibility == Visibility::Public,
        limit: limit.clamp(1, MAX_PAGE_SIZE),
        offset,
    };
    Ok(coops::list(&ctx.db, &query).await?)
}

/// Every live co-op of this network (exports), in pages to bound memory per query.
pub async fn all(ctx: &AppContext) -> Result<Vec<Coop>, AppError> {
    let mut out = Vec::new();
    loop {
        let page = list(ctx, Visibility::All, MAX_PAGE_SIZE, out.len() as u64).await?;
        let done = page.items.len() < MAX_PAGE_SIZE as usize;
        out.extend(page.items);
        if done {
            return Ok(out);
        }
    }
}

/// A federated co-op by its network's host and its slug there (listed ones only).
pub async fn get_remote(ctx: &AppContext, domain: &str, slug: &str) -> Result<Coop, AppError> {
    let networks = coopnet_db::repo::networks::list(&ctx.db).await?;
    let not_found = || AppError::NotFound(format!("co-op {slug}@{domain}"));
    let network = networks
        .iter()
        .find(|n| !n.is_local() && n.domain.eq_ignore_ascii_case(domain))
        .ok_or_else(not_found)?;
    match coops::find_by_slug(&ctx.db, network.id, slug).await? {
        SlugState::Live(coop) if coop.profile.listed => Ok(*coop),
        _ => Err(not_found()),
    }
}
