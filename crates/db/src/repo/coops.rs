//! Co-ops, local and remote.
use chrono::{DateTime, Utc};
use coopnet_core::{Coop, CoopProfile, Page, Slug};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::search;
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

/// Inserts a local co-op (indexed for search, its join recorded). A taken slug (live or
/// removed) is a [`DbError::Conflict`].
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
    let coop = Coop::try_from(am.insert(conn).await?)?;
    search::write(conn, &coop).await?;
    search::record_all(conn, [search::event_of(&coop, true, coop.created_at)]).await?;
    Ok(coop)
}

/// Inserts local co-ops in a few statements whatever their number (one multi-row insert per
/// table: co-ops, search text, facets, join events), for imports: a statement per co-op and
/// table made a 20,000-co-op import on PostgreSQL a quarter of a million round trips. Like
/// [`insert`] otherwise; returns the co-ops in the order given. Callers bound the batch
/// (bind parameters are limited per statement).
pub async fn insert_many(
    conn: &impl ConnectionTrait,
    news: &[NewCoop<'_>],
) -> Result<Vec<Coop>, DbError> {
    if news.is_empty() {
        return Ok(Vec::new());
    }
    let mut models = Vec::with_capacity(news.len());
    for new in news {
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
        models.push(am);
    }
    insert_rows(conn, models).await
}

/// Inserts co-op rows in one statement, indexes them and records their joins; returns
/// them in the order given. Shared by [`insert_many`] and [`insert_remote_many`].
async fn insert_rows(
    conn: &impl ConnectionTrait,
    models: Vec<coop::ActiveModel>,
) -> Result<Vec<Coop>, DbError> {
    let wanted: Vec<(i32, String)> = models
        .iter()
        .map(|am| match (&am.network_id, &am.slug) {
            (Set(n), Set(s)) => Ok((*n, s.clone())),
            _ => Err(DbError::Corrupt(
                "a co-op row without network or handle".into(),
            )),
        })
        .collect::<Result<_, _>>()?;
    let inserted = coop::Entity::insert_many(models)
        .exec_with_returning(conn)
        .await?;
    // RETURNING's row order is not promised: put them back in the order given, by handle.
    let mut by_slug: std::collections::HashMap<(i32, String), coop::Model> = inserted
        .into_iter()
        .map(|m| ((m.network_id, m.slug.clone()), m))
        .collect();
    let mut coops = Vec::with_capacity(wanted.len());
    for key in wanted {
        let m = by_slug
            .remove(&key)
            .ok_or_else(|| DbError::Corrupt(format!("insert of '{}' returned no row", key.1)))?;
        coops.push(Coop::try_from(m)?);
    }
    search::write_new(conn, &coops).await?;
    search::record_all(
        conn,
        coops
            .iter()
            .map(|c| search::event_of(c, true, c.created_at)),
    )
    .await?;
    Ok(coops)
}

/// Inserts remote co-ops none of which we hold (no row with their actor id, removed or
/// not: check with [`known_actor_ids`]), in a few statements for all of them: the fast path
/// of a peer's member walk. A handle taken twice fails the whole call (the caller then
/// stores them one by one with [`upsert_remote`]).
pub async fn insert_remote_many(
    conn: &impl ConnectionTrait,
    remotes: &[RemoteCoop<'_>],
) -> Result<Vec<Coop>, DbError> {
    if remotes.is_empty() {
        return Ok(Vec::new());
    }
    let mut models = Vec::with_capacity(remotes.len());
    for r in remotes {
        let mut am = coop::ActiveModel {
            id: NotSet,
            network_id: Set(db_id(r.network_id)?),
            slug: Set(r.slug.to_string()),
            actor_id: Set(Some(r.actor_id.to_string())),
            is_local: Set(false),
            public_key_pem: Set(None),
            private_key_pem: Set(None),
            deleted_at: Set(None),
            created_at: Set(r.created_at),
            updated_at: Set(r.updated_at),
            ..Default::default()
        };
        set_profile(&mut am, r.profile);
        models.push(am);
    }
    insert_rows(conn, models).await
}

/// Which of `actor_ids` have a co-op row (live or removed). One query per 500.
pub async fn known_actor_ids(
    conn: &impl ConnectionTrait,
    actor_ids: &[&str],
) -> Result<std::collections::HashSet<String>, DbError> {
    let mut known = std::collections::HashSet::new();
    for chunk in actor_ids.chunks(500) {
        let rows: Vec<Option<String>> = coop::Entity::find()
            .select_only()
            .column(coop::Column::ActorId)
            .filter(coop::Column::ActorId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        known.extend(rows.into_iter().flatten());
    }
    Ok(known)
}

/// Which of `slugs` are taken within network `network_id`: slug -> whether its co-op was
/// removed (a removed co-op keeps its slug). One query per 500 slugs.
pub async fn taken_slugs(
    conn: &impl ConnectionTrait,
    network_id: i64,
    slugs: &[&str],
) -> Result<std::collections::HashMap<String, bool>, DbError> {
    let mut taken = std::collections::HashMap::new();
    for chunk in slugs.chunks(500) {
        let rows: Vec<(String, Option<DateTime<Utc>>)> = coop::Entity::find()
            .select_only()
            .column(coop::Column::Slug)
            .column(coop::Column::DeletedAt)
            .filter(coop::Column::NetworkId.eq(db_id(network_id)?))
            .filter(coop::Column::Slug.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        for (slug, deleted_at) in rows {
            taken.insert(slug, deleted_at.is_some());
        }
    }
    Ok(taken)
}

/// Replaces the profile of co-op `id`, stamps `updated_at` and reindexes it.
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
    let model = am.update(conn).await?;
    let live = model.deleted_at.is_none();
    let coop = Coop::try_from(model)?;
    if live {
        search::write(conn, &coop).await?;
    }
    Ok(coop)
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

/// Marks co-op `id` removed (its slug stays taken): it leaves the search index and its
/// departure is recorded. Its tokens are revoked by the caller.
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
    let model = am.update(conn).await?;
    search::remove(conn, id).await?;
    search::record_all(conn, [search::event_of_row(&model, false, at)]).await?;
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

/// What [`upsert_remote`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteUpsert {
    /// A new remote co-op.
    Inserted,
    /// A newer version replaced ours.
    Updated,
    /// Ours was as new or newer: nothing written (older updates never win).
    Stale,
    /// Newer by its date (or undated) but the same as ours: nothing written, so a peer
    /// that dates nothing costs no writes on every resync.
    Unchanged,
}

/// A remote co-op as received from its network.
#[derive(Debug, Clone)]
pub struct RemoteCoop<'a> {
    /// The peer network's storage id.
    pub network_id: i64,
    /// Its actor id on its home instance.
    pub actor_id: &'a url::Url,
    /// Its handle there.
    pub slug: &'a Slug,
    /// The validated profile.
    pub profile: &'a CoopProfile,
    /// When it joined.
    pub created_at: DateTime<Utc>,
    /// When its profile last changed (compared to refuse older updates).
    pub updated_at: DateTime<Utc>,
}

/// Stores a remote co-op, unless we already hold a version at least as new; indexes it and
/// records its join when it is new.
pub async fn upsert_remote(
    conn: &impl ConnectionTrait,
    r: RemoteCoop<'_>,
) -> Result<RemoteUpsert, DbError> {
    let existing = coop::Entity::find()
        .filter(coop::Column::ActorId.eq(r.actor_id.as_str()))
        .one(conn)
        .await?;
    match existing {
        Some(m) if m.deleted_at.is_none() && m.updated_at >= r.updated_at => {
            Ok(RemoteUpsert::Stale)
        }
        Some(m)
            if m.deleted_at.is_none()
                && m.network_id == db_id(r.network_id)?
                && m.slug == r.slug.as_str()
                && Coop::try_from(m.clone())?.profile == *r.profile =>
        {
            Ok(RemoteUpsert::Unchanged)
        }
        Some(m) => {
            let revived = m.deleted_at.is_some();
            let mut am: coop::ActiveModel = m.into();
            set_profile(&mut am, r.profile);
            am.network_id = Set(db_id(r.network_id)?);
            am.slug = Set(r.slug.to_string());
            am.updated_at = Set(r.updated_at);
            am.deleted_at = Set(None);
            let coop = Coop::try_from(am.update(conn).await?)?;
            search::write(conn, &coop).await?;
            if revived {
                search::record_all(conn, [search::event_of(&coop, true, r.updated_at)]).await?;
            }
            Ok(RemoteUpsert::Updated)
        }
        None => {
            let mut am = coop::ActiveModel {
                id: NotSet,
                network_id: Set(db_id(r.network_id)?),
                slug: Set(r.slug.to_string()),
                actor_id: Set(Some(r.actor_id.to_string())),
                is_local: Set(false),
                public_key_pem: Set(None),
                private_key_pem: Set(None),
                deleted_at: Set(None),
                created_at: Set(r.created_at),
                updated_at: Set(r.updated_at),
                ..Default::default()
            };
            set_profile(&mut am, r.profile);
            let coop = Coop::try_from(am.insert(conn).await?)?;
            search::write(conn, &coop).await?;
            search::record_all(conn, [search::event_of(&coop, true, r.created_at)]).await?;
            Ok(RemoteUpsert::Inserted)
        }
    }
}

/// Forgets a remote co-op (recording its departure); returns whether it was known.
pub async fn delete_remote(
    conn: &impl ConnectionTrait,
    actor_id: &url::Url,
) -> Result<bool, DbError> {
    let Some(m) = coop::Entity::find()
        .filter(coop::Column::ActorId.eq(actor_id.as_str()))
        .filter(coop::Column::IsLocal.eq(false))
        .one(conn)
        .await?
    else {
        return Ok(false);
    };
    let event = m
        .deleted_at
        .is_none()
        .then(|| search::event_of_row(&m, false, Utc::now()));
    search::record_all(conn, [event.flatten()]).await?;
    search::remove_many(conn, &[m.id]).await?;
    let result = coop::Entity::delete_many()
        .filter(coop::Column::Id.eq(m.id))
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Removes the co-ops of remote network `network_id` whose actor ids are not in `keep`,
/// recording their departures.
pub async fn delete_remote_except(
    conn: &impl ConnectionTrait,
    network_id: i64,
    keep: &std::collections::HashSet<String>,
) -> Result<u64, DbError> {
    let rows = coop::Entity::find()
        .filter(coop::Column::NetworkId.eq(db_id(network_id)?))
        .filter(coop::Column::IsLocal.eq(false))
        .all(conn)
        .await?;
    let gone: Vec<coop::Model> = rows
        .into_iter()
        .filter(|m| m.actor_id.as_ref().is_none_or(|a| !keep.contains(a)))
        .collect();
    if gone.is_empty() {
        return Ok(0);
    }
    let now = Utc::now();
    search::record_all(
        conn,
        gone.iter()
            .filter(|m| m.deleted_at.is_none())
            .map(|m| search::event_of_row(m, false, now)),
    )
    .await?;
    let gone: Vec<i32> = gone.into_iter().map(|m| m.id).collect();
    search::remove_many(conn, &gone).await?;
    let mut removed = 0;
    for chunk in gone.chunks(500) {
        removed += coop::Entity::delete_many()
            .filter(coop::Column::Id.is_in(chunk.to_vec()))
            .exec(conn)
            .await?
            .rows_affected;
    }
    Ok(removed)
}

/// Digest of a network's member list (actor ids and update times): a cheap "anything
/// changed?" marker for peers' resyncs.
pub async fn member_digest(
    conn: &impl ConnectionTrait,
    network_id: i64,
) -> Result<(u64, String), DbError> {
    use std::fmt::Write;
    let rows = coop::Entity::find()
        .filter(coop::Column::NetworkId.eq(db_id(network_id)?))
        .filter(coop::Column::DeletedAt.is_null())
        .order_by_asc(coop::Column::Slug)
        .all(conn)
        .await?;
    let mut text = String::new();
    for m in &rows {
        let _ = writeln!(text, "{}\t{}", m.slug, m.updated_at.timestamp_micros());
    }
    Ok((rows.len() as u64, crate::convert::digest(&text)))
}

/// Public keys (PEM) of the given co-ops that have one, by co-op id: one query for a page.
pub async fn public_keys(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, DbError> {
    let ids: Vec<i32> = ids
        .iter()
        .filter_map(|id| i32::try_from(*id).ok())
        .collect();
    let rows = coop::Entity::find()
        .filter(coop::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|m| m.public_key_pem.map(|k| (i64::from(m.id), k)))
        .collect())
}
