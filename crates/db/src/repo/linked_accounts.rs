//! The fediverse accounts co-ops link (one per co-op, one co-op per account). The follow of
//! each by our network is an ordinary row of `following`; only the link is kept here.
use std::collections::HashMap;

use coopnet_core::{Backlink, LinkedAccount};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use url::Url;

use crate::DbError;
use crate::entities::linked_account;

fn from_model(m: linked_account::Model) -> Result<LinkedAccount, DbError> {
    Ok(LinkedAccount {
        coop_id: i64::from(m.coop_id),
        actor_id: Url::parse(&m.actor_id)
            .map_err(|e| DbError::Corrupt(format!("linked_account {}: {e}", m.id)))?,
        handle: m.handle,
        backlink: Backlink::parse(&m.backlink)
            .ok_or_else(|| DbError::Corrupt(format!("linked_account backlink {}", m.backlink)))?,
        linked_at: m.linked_at,
    })
}

fn db_id(id: i64) -> Result<i32, DbError> {
    i32::try_from(id).map_err(|_| DbError::NotFound)
}

/// The account linked to co-op `coop_id`, if any.
pub async fn for_coop(
    conn: &impl ConnectionTrait,
    coop_id: i64,
) -> Result<Option<LinkedAccount>, DbError> {
    linked_account::Entity::find()
        .filter(linked_account::Column::CoopId.eq(db_id(coop_id)?))
        .one(conn)
        .await?
        .map(from_model)
        .transpose()
}

/// The accounts linked to any of `coop_ids`, by co-op.
pub async fn for_coops(
    conn: &impl ConnectionTrait,
    coop_ids: &[i64],
) -> Result<HashMap<i64, LinkedAccount>, DbError> {
    let ids: Vec<i32> = coop_ids
        .iter()
        .filter_map(|id| i32::try_from(*id).ok())
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    linked_account::Entity::find()
        .filter(linked_account::Column::CoopId.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| from_model(m).map(|l| (l.coop_id, l)))
        .collect()
}

/// The link of the account `actor_id`, if a co-op linked it.
pub async fn by_actor(
    conn: &impl ConnectionTrait,
    actor_id: &Url,
) -> Result<Option<LinkedAccount>, DbError> {
    linked_account::Entity::find()
        .filter(linked_account::Column::ActorId.eq(actor_id.as_str()))
        .one(conn)
        .await?
        .map(from_model)
        .transpose()
}

/// Stores the link (replacing the co-op's earlier one). An account already linked to
/// another co-op is a `Conflict`.
pub async fn put(conn: &impl ConnectionTrait, link: &LinkedAccount) -> Result<(), DbError> {
    let am = linked_account::ActiveModel {
        id: NotSet,
        coop_id: Set(db_id(link.coop_id)?),
        actor_id: Set(link.actor_id.to_string()),
        handle: Set(link.handle.clone()),
        backlink: Set(link.backlink.as_str().to_owned()),
        linked_at: Set(link.linked_at),
    };
    linked_account::Entity::insert(am)
        .on_conflict(
            OnConflict::column(linked_account::Column::CoopId)
                .update_columns([
                    linked_account::Column::ActorId,
                    linked_account::Column::Handle,
                    linked_account::Column::Backlink,
                    linked_account::Column::LinkedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Removes the link of co-op `coop_id`; false if it had none.
pub async fn remove(conn: &impl ConnectionTrait, coop_id: i64) -> Result<bool, DbError> {
    let result = linked_account::Entity::delete_many()
        .filter(linked_account::Column::CoopId.eq(db_id(coop_id)?))
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}
