//! Remote actors this instance's network actor follows, and the state of each follow.
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use url::Url;

use coopnet_core::{ActorKind, FollowState};

use super::remote_actors::RemoteActorRecord;
use crate::DbError;
use crate::convert::{actor_kind, follow_state};
use crate::entities::{following, remote_actor};

/// A followed actor and the follow's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Followed {
    /// The remote actor's id.
    pub actor_id: Url,
    /// Its handle.
    pub username: String,
    /// Its host.
    pub domain: String,
    /// Its type.
    pub kind: ActorKind,
    /// Id of our Follow activity.
    pub follow_id: String,
    /// Where it stands.
    pub state: FollowState,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// Records (or restarts) a follow of `actor` as pending.
pub async fn upsert_pending(
    conn: &impl ConnectionTrait,
    actor: &RemoteActorRecord,
    follow_id: &Url,
) -> Result<(), DbError> {
    let now = Utc::now();
    let am = following::ActiveModel {
        id: NotSet,
        remote_actor_id: Set(i32::try_from(actor.id).map_err(|_| DbError::NotFound)?),
        follow_id: Set(follow_id.to_string()),
        state: Set(FollowState::Pending.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    following::Entity::insert(am)
        .on_conflict(
            OnConflict::column(following::Column::RemoteActorId)
                .update_columns([
                    following::Column::FollowId,
                    following::Column::State,
                    following::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Sets the state of the follow of `actor_id`; false if we do not follow it.
pub async fn set_state(
    conn: &impl ConnectionTrait,
    actor_id: &Url,
    state: FollowState,
) -> Result<bool, DbError> {
    let Some(actor) = remote_actor::Entity::find()
        .filter(remote_actor::Column::ActorId.eq(actor_id.as_str()))
        .one(conn)
        .await?
    else {
        return Ok(false);
    };
    let result = following::Entity::update_many()
        .col_expr(
            following::Column::State,
            sea_orm::sea_query::Expr::value(state.as_str()),
        )
        .col_expr(
            following::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(following::Column::RemoteActorId.eq(actor.id))
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Our follow of the remote actor `actor_id`, if any.
pub async fn find(
    conn: &impl ConnectionTrait,
    actor_id: &Url,
) -> Result<Option<Followed>, DbError> {
    Ok(
        list_where(conn, remote_actor::Column::ActorId.eq(actor_id.as_str()))
            .await?
            .pop(),
    )
}

/// Our follow whose Follow activity had id `follow_id`, if any.
pub async fn find_by_follow_id(
    conn: &impl ConnectionTrait,
    follow_id: &Url,
) -> Result<Option<Followed>, DbError> {
    Ok(
        list_where(conn, following::Column::FollowId.eq(follow_id.as_str()))
            .await?
            .pop(),
    )
}

/// Every followed actor, by host.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<Followed>, DbError> {
    list_where(conn, sea_orm::sea_query::Condition::all()).await
}

/// The follows matching `filter` (on `following` or the joined `remote_actor`), by host.
async fn list_where(
    conn: &impl ConnectionTrait,
    filter: impl sea_orm::sea_query::IntoCondition,
) -> Result<Vec<Followed>, DbError> {
    let rows = following::Entity::find()
        .find_also_related(remote_actor::Entity)
        .filter(filter)
        .order_by_asc(following::Column::Id)
        .all(conn)
        .await?;
    let mut out = Vec::new();
    for (f, actor) in rows {
        let Some(a) = actor else { continue };
        out.push(Followed {
            actor_id: Url::parse(&a.actor_id).map_err(|e| DbError::Corrupt(e.to_string()))?,
            username: a.username,
            domain: a.domain,
            kind: actor_kind(&a.kind)?,
            follow_id: f.follow_id,
            state: follow_state(&f.state)?,
            updated_at: f.updated_at,
        });
    }
    out.sort_by(|a, b| a.domain.cmp(&b.domain).then(a.username.cmp(&b.username)));
    Ok(out)
}

/// Forgets our follow of remote actor `actor_id` (storage id).
pub async fn remove(conn: &impl ConnectionTrait, actor_id: i64) -> Result<(), DbError> {
    following::Entity::delete_many()
        .filter(
            following::Column::RemoteActorId
                .eq(i32::try_from(actor_id).map_err(|_| DbError::NotFound)?),
        )
        .exec(conn)
        .await?;
    Ok(())
}
