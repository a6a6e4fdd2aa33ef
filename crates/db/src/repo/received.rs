//! Ids of activities received, so a redelivery is acknowledged but not processed twice.
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::DbError;
use crate::entities::received_activity;

/// Records `ap_id`; true when it is new, false for a repeat.
pub async fn record(conn: &impl ConnectionTrait, ap_id: &str) -> Result<bool, DbError> {
    let am = received_activity::ActiveModel {
        ap_id: Set(ap_id.to_owned()),
        received_at: Set(Utc::now()),
    };
    let inserted = received_activity::Entity::insert(am)
        .on_conflict(
            OnConflict::column(received_activity::Column::ApId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(inserted > 0)
}

/// Forgets ids older than `before` (a sender retries for days, not weeks).
pub async fn prune(conn: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, DbError> {
    Ok(received_activity::Entity::delete_many()
        .filter(received_activity::Column::ReceivedAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Forgets `ap_id` (its processing failed: the sender's retry must be processed).
pub async fn forget(conn: &impl ConnectionTrait, ap_id: &str) -> Result<(), DbError> {
    received_activity::Entity::delete_many()
        .filter(received_activity::Column::ApId.eq(ap_id))
        .exec(conn)
        .await?;
    Ok(())
}
