//! Who follows which local actor.
use chrono::Utc;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use url::Url;

use coopnet_core::{FollowerState, Target};

use super::remote_actors::RemoteActorRecord;
use crate::DbError;
use crate::convert::{actor_kind, follower_state, target_parts};
use crate::entities::{follower, remote_actor};

/// Records that `actor` follows `target` (a repeated Follow refreshes its id and state).
pub async fn add(
    conn: &impl ConnectionTrait,
    target: Target,
    actor: &RemoteActorRecord,
    follow_id: &Url,
    state: FollowerState,
) -> Result<(), DbError> {
    let (kind, id) = target_parts(target)?;
    let am = follower::ActiveModel {
        id: NotSet,
        target_kind: Set(kind.to_owned()),
        target_id: Set(id),
        remote_actor_id: Set(i32::try_from(actor.id).map_err(|_| DbError::NotFound)?),
        follow_id: Set(follow_id.to_string()),
        state: Set(state.as_str().to_owned()),
        created_at: Set(Utc::now()),
    };
    follower::Entity::insert(am)
        .on_conflict(
            OnConflict::columns([
                follower::Column::TargetKind,
                follower::Column::TargetId,
                follower::Column::RemoteActorId,
            ])
            .update_columns([follower::Column::FollowId, follower::Column::State])
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Removes the follow whose Follow activity had id `follow_id`, if remote actor `actor_id`
/// (storage id) sent it: how an `Undo` that names the Follow by id alone is matched.
/// Returns whether there was one.
pub async fn remove_by_follow_id(
    conn: &impl ConnectionTrait,
    actor_id: i64,
    follow_id: &Url,
) -> Result<bool, DbError> {
    let result = follower::Entity::delete_many()
        .filter(follower::Column::FollowId.eq(follow_id.as_str()))
        .filter(by_actor(actor_id)?)
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Rows of remote actor `actor_id` (storage id).
fn by_actor(actor_id: i64) -> Result<sea_orm::sea_query::SimpleExpr, DbError> {
    let id = i32::try_from(actor_id).map_err(|_| DbError::NotFound)?;
    Ok(follower::Column::RemoteActorId.eq(id))
}

/// Removes `actor`'s follow of `target`; returns whether there was one.
pub async fn remove(
    conn: &impl ConnectionTrait,
    target: Target,
    actor_id: i64,
) -> Result<bool, DbError> {
    let (kind, id) = target_parts(target)?;
    let result = follower::Entity::delete_many()
        .filter(follower::Column::TargetKind.eq(kind))
        .filter(follower::Column::TargetId.eq(id))
        .filter(by_actor(actor_id)?)
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// The distinct inboxes (shared where known) of `target`'s followers.
pub async fn inboxes(conn: &impl ConnectionTrait, target: Target) -> Result<Vec<Url>, DbError> {
    let (kind, id) = target_parts(target)?;
    let rows = follower::Entity::find()
        .filter(follower::Column::TargetKind.eq(kind))
        .filter(follower::Column::TargetId.eq(id))
        .filter(follower::Column::State.eq("accepted"))
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
    let (kind, id) = target_parts(target)?;
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
    let (kind, id) = target_parts(target)?;
    Ok(follower::Entity::find()
        .filter(follower::Column::TargetKind.eq(kind))
        .filter(follower::Column::TargetId.eq(id))
        .filter(follower::Column::State.eq("accepted"))
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

/// A follower of the network and its state (for the federation requests list).
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkFollower {
    /// The follower.
    pub actor: RemoteActorRecord,
    /// Id of its Follow (echoed in our Accept/Reject).
    pub follow_id: String,
    /// In or waiting.
    pub state: FollowerState,
}

/// Followers of the network actor that are `Group`s (peer networks), any state.
pub async fn network_peers(
    conn: &impl ConnectionTrait,
    network_id: i64,
) -> Result<Vec<NetworkFollower>, DbError> {
    let (kind, id) = target_parts(Target::Network(network_id))?;
    let rows = follower::Entity::find()
        .filter(follower::Column::TargetKind.eq(kind))
        .filter(follower::Column::TargetId.eq(id))
        .find_also_related(remote_actor::Entity)
        .all(conn)
        .await?;
    let mut out = Vec::new();
    for (f, a) in rows {
        let Some(a) = a else { continue };
        if !actor_kind(&a.kind)?.is_network() {
            continue;
        }
        let actor = super::remote_actors::find(
            conn,
            &Url::parse(&a.actor_id).map_err(|e| DbError::Corrupt(e.to_string()))?,
        )
        .await?
        .ok_or(DbError::NotFound)?;
        let state = follower_state(&f.state)?;
        out.push(NetworkFollower {
            actor,
            follow_id: f.follow_id,
            state,
        });
    }
    Ok(out)
}

/// Sets the state of `actor`'s follow of `target`.
pub async fn set_state(
    conn: &impl ConnectionTrait,
    target: Target,
    actor_id: i64,
    state: FollowerState,
) -> Result<bool, DbError> {
    let (kind, id) = target_parts(target)?;
    let result = follower::Entity::update_many()
        .col_expr(
            follower::Column::State,
            sea_orm::sea_query::Expr::value(state.as_str()),
        )
        .filter(follower::Column::TargetKind.eq(kind))
        .filter(follower::Column::TargetId.eq(id))
        .filter(by_actor(actor_id)?)
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}
