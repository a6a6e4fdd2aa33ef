//! Who follows which local actor.
use chrono::Utc;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use url::Url;

use super::remote_actors::RemoteActorRecord;
use crate::DbError;
use crate::entities::{follower, remote_actor};

/// A local actor that can be followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A member co-op, by storage id.
    Coop(i64),
    /// The local network's Group actor, by storage id.
    Network(i64),
}

impl Target {
    fn parts(self) -> Result<(&'static str, i32), DbError> {
        let (kind, id) = match self {
            Self::Coop(id) => ("coop", id),
            Self::Network(id) => ("network", id),
        };
        Ok((kind, i32::try_from(id).map_err(|_| DbError::NotFound)?))
    }
}

/// Records that `actor` follows `target` (a repeated Follow changes nothing).
pub async fn add(
    conn: &impl ConnectionTrait,
    target: Target,
    actor: &RemoteActorRecord,
    follow_id: &Url,
) -> Result<(), DbError> {
    let (kind, id) = target.parts()?;
    let am = follower::ActiveModel {
        id: NotSet,
        target_kind: Set(kind.to_owned()),
        target_id: Set(id),
        remote_actor_id: Set(i32::try_from(actor.id).map_err(|_| DbError::NotFound)?),
        follow_id: Set(follow_id.to_string()),
        created_at: Set(Utc::now()),
    };
    follower::Entity::insert(am)
        .on_conflict(
            OnConflict::columns([
                follower::Column::TargetKind,
                follower::Column::TargetId,
                follower::Column::RemoteActorId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Removes `actor`'s follow of `target`; returns whether there was one.
pub async fn remove(
    conn: &impl ConnectionTrait,
    target: Target,
    actor_id: i64,
) -> Result<bool, DbError> {
    let (kind, id) = target.parts()?;
    let result = follower::Entity::delete_many()
        .filter(follower::Column::TargetKind.eq(kind))
        .filter(follower::Column::TargetId.eq(id))
        .filter(
            follower::Column::RemoteActorId
                .eq(i32::try_from(actor_id).map_err(|_| DbError::NotFound)?),
        )
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// The distinct inboxes (shared where known) of `target`'s followers.
pub async fn inboxes(conn: &impl ConnectionTrait, target: Target) -> Result<Vec<Url>, DbError> {
    let (kind, id) = target.parts()?;
    let rows = follower::Entity::find()
        .filter(follower::Column::TargetKind.eq(kind))
        .filter(follower::Column::TargetId.eq(id))
        .find_also_related(remote_actor::Entity)
        .all(conn)
        .await?;
    let mut out: Vec<Url> = Vec::new();
    for (_, actor) in rows {
        let Some(actor) = actor else { continue };
        let inbox = actor.shared_inbox.unwrap_or(actor.inbox);
        if let Ok(url) = Url::parse(&inbox)
            && !out.contains(&url)
        {
            out.push(url);
        }
    }
    Ok(out)
}

/// Follower actor ids of `target`, for the followers collection.
pub async fn actor_ids(
    conn: &impl ConnectionTrait,
    target: Target,
) -> Result<Vec<String>, DbError> {
    let (kind, id) = target.parts()?;
    let rows = follower::Entity::find()
        .filter(follower::Column::TargetKind.eq(kind))
        .filter(follower::Column::TargetId.eq(id))
        .find_also_related(remote_actor::Entity)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(_, a)| a.map(|a| a.actor_id))
        .collect())
}

/// Number of followers of `target`.
pub async fn count(conn: &impl ConnectionTrait, target: Target) -> Result<u64, DbError> {
    let (kind, id) = target.parts()?;
    Ok(follower::Entity::find()
        .filter(follower::Column::TargetKind.eq(kind))
        .filter(follower::Column::TargetId.eq(id))
        .count(conn)
        .await?)
}

/// Every distinct inbox of every follower of any local actor (for actor deletions).
pub async fn all_inboxes(conn: &impl ConnectionTrait) -> Result<Vec<Url>, DbError> {
    let actors = remote_actor::Entity::find().all(conn).await?;
    let mut out: Vec<Url> = Vec::new();
    for a in actors {
        if let Ok(url) = Url::parse(&a.shared_inbox.unwrap_or(a.inbox))
            && !out.contains(&url)
        {
            out.push(url);
        }
    }
    Ok(out)
}
