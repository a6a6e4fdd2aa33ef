//! Whether a handle can name a new co-op of this network: the one check behind adding a
//! co-op, importing a file and applying to join, with one wording for each answer.
use coopnet_core::Slug;
use coopnet_db::ConnectionTrait;
use coopnet_db::repo::coops::{self, SlugState};

use crate::{AppContext, AppError};

/// What a handle is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlugAvailability {
    /// Free for a new co-op.
    Free,
    /// A live co-op has it.
    Taken,
    /// The network actor's own handle.
    Network,
    /// A removed co-op had it; handles are never given to another co-op (they are
    /// fediverse identities others may still follow).
    Retired,
}

impl SlugAvailability {
    /// Why it cannot be used, in the words every surface shows; `None` when free.
    pub fn problem(self) -> Option<&'static str> {
        match self {
            Self::Free => None,
            Self::Taken => Some("is taken; choose another handle"),
            Self::Network => Some("is the network's own handle"),
            Self::Retired => Some("belonged to a removed co-op and is not reused"),
        }
    }
}

/// Whether `slug` is free for a new co-op of this network, read on `conn`.
pub async fn availability(
    conn: &impl ConnectionTrait,
    ctx: &AppContext,
    slug: &Slug,
) -> Result<SlugAvailability, AppError> {
    if slug.as_str() == ctx.network.username.as_str() {
        return Ok(SlugAvailability::Network);
    }
    Ok(
        match coops::find_by_slug(conn, ctx.network.id, slug.as_str()).await? {
            SlugState::Free => SlugAvailability::Free,
            SlugState::Live(_) => SlugAvailability::Taken,
            SlugState::Deleted => SlugAvailability::Retired,
        },
    )
}

/// [`availability`] of each of `slugs`, in order, in one query per 500 (imports check
/// thousands).
pub async fn availability_many(
    conn: &impl ConnectionTrait,
    ctx: &AppContext,
    slugs: &[&Slug],
) -> Result<Vec<SlugAvailability>, AppError> {
    let names: Vec<&str> = slugs.iter().map(|s| s.as_str()).collect();
    let taken = coops::taken_slugs(conn, ctx.network.id, &names).await?;
    Ok(names
        .iter()
        .map(|name| {
            if *name == ctx.network.username.as_str() {
                SlugAvailability::Network
            } else {
                match taken.get(*name) {
                    None => SlugAvailability::Free,
                    Some(false) => SlugAvailability::Taken,
                    Some(true) => SlugAvailability::Retired,
                }
            }
        })
        .collect())
}
