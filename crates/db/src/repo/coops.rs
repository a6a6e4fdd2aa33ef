//! Co-ops, local and remote.
use chrono::{DateTime, Utc};
use coopnet_core::{Coop, CoopProfile, Slug};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::Page;
use crate::DbError;
use crate::convert::set_profile;
use crate::entities::coop;

fn db_id(id: i64) -> Result<i32, DbError> {
    i32::try_from(id).map_err(|_| DbError::NotFound)
}

/// A local co-op to insert.
#[derive(Debug, Clone)]
pub struct NewCoop<'a> {
    /// The local network's id.
    pub network_id: i64,
    /// Its handle.
    pub slug: &'a Slug,
    /// Its validated profile.
    pub profile: &'a CoopProfile,
    /// Creation time (imports keep the original).
    pub created_at: DateTime<Utc>,
    /// Last change time.
    pub updated_at: DateTime<Utc>,
}

/// What a slug currently names within a network.
#[derive(Debug, Clone, PartialEq)]
pub enum SlugState {
    /// Nobody has it.
    Free,
    /// A live co-op.
    Live(Box<Coop>),
    /// A removed co-op: the slug stays taken so its old actor id is never reused.
    Deleted,
}

/// Inserts a local co-op. A taken slug (live or removed) is a [`DbError::Conflict`].
pub async fn insert(conn: &impl ConnectionTrait, new: NewCoop<'_>) -> Result<Coop, DbError> {
    let mut am = coop::ActiveModel {
        id: NotSet,
        network_id: Set(db_id(new.network_id)?),
        slug: Set(new.slug.to_string()),
        actor_id: Set(None),
        is_local: Set(true),
        public_key_pem: Set(None),
        private_key_pem: Set(None),
        deleted_at: Set(None),
        created_at: Set(new.created_at),
        updated_at: Set(new.updated_at),
        ..Default::default()
    };
    set_profile(&mut am, new.profile);
    Coop::try_from(am.insert(conn).await?)
}

/// Replaces the profile of co-op `id` and stamps `updated_at`.
pub async fn update_profile(
    conn: &impl ConnectionTrait,
    id: i64,
    profile: &CoopProfile,
    updated_at: DateTime<Utc>,
) -> Result<Coop, DbError> {
    let mut am = coop::ActiveModel {
        id: Set(db_id(id)?),
        updated_at: Set(updated_at),
        ..Default::default()
    };
    set_profile(&mut am, profile);
    Coop::try_from(am.update(conn).await?)
}

/// Looks a slug up within a network.
pub async fn find_by_slug(
    conn: &impl ConnectionTrait,
    network_id: i64,
    slug: &str,
) -> Result<SlugState, DbError> {
    let found = coop::Entity::find()
        .filter(coop::Column::NetworkId.eq(db_id(network_id)?))
        .filter(coop::Column::Slug.eq(slug))
        .one(conn)
        .await?;
    Ok(match found {
        None => SlugState::Free,
        Some(m) if m.deleted_at.is_some() => SlugState::Deleted,
        Some(m) => SlugState::Live(Box::new(Coop::try_from(m)?)),
    })
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Only co-ops of this network.
    pub network_id: Option<i64>,
    /// Only co-ops that opted in to public listing.
    pub listed_only: bool,
    /// Page size.
    pub limit: u64,
    /// Items to skip.
    pub offset: u64,
}

/// Live co-ops, ordered by name, one page at a time.
pub async fn list(conn: &impl ConnectionTrait, query: &ListQuery) -> Result<Page<Coop>, DbError> {
    let mut select = coop::Entity::find().filter(coop::Column::DeletedAt.is_null());
    if let Some(network_id) = query.network_id {
        select = select.filter(coop::Column::NetworkId.eq(db_id(network_id)?));
    }
    if query.listed_only {
        select = select.filter(coop::Column::Listed.eq(true));
    }
    let total = select.clone().count(conn).await?;
    let models = select
        .order_by_asc(coop::Column::Name)
        .order_by_asc(coop::Column::Id)
        .limit(query.limit)
        .offset(query.offset)
        .all(conn)
        .await?;
    let items = models
        .into_iter()
        .map(Coop::try_from)
        .collect::<Result<_, _>>()?;
    Ok(Page { items, total })
}

/// Marks co-op `id` removed (its slug stays taken); its tokens are revoked by the caller.
pub async fn mark_deleted(
    conn: &impl ConnectionTrait,
    id: i64,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    let am = coop::ActiveModel {
        id: Set(db_id(id)?),
        deleted_at: Set(Some(at)),
        updated_at: Set(at),
        ..Default::default()
    };
    am.update(conn).await?;
    Ok(())
}

/// Number of live co-ops of a network.
pub async fn count(conn: &impl ConnectionTrait, network_id: i64) -> Result<u64, DbError> {
    Ok(coop::Entity::find()
        .filter(coop::Column::NetworkId.eq(db_id(network_id)?))
        .filter(coop::Column::DeletedAt.is_null())
        .count(conn)
        .await?)
}

/// A co-op by storage id, removed or not.
pub async fn get_by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<Coop>, DbError> {
    coop::Entity::find_by_id(db_id(id)?)
        .one(conn)
        .await?
        .map(Coop::try_from)
        .transpose()
}
