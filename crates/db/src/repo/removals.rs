//! Why member co-ops were removed (the departure itself is a membership event).
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder};

use crate::DbError;
use crate::entities::member_removal;

/// One removal.
#[derive(Debug, Clone, PartialEq)]
pub struct Removal {
    /// The co-op.
    pub coop_id: i64,
    /// Its handle.
    pub slug: String,
    /// Its name then.
    pub name: String,
    /// The admin's reason.
    pub reason: String,
    /// Which account removed it.
    pub removed_by: Option<i64>,
    /// When.
    pub removed_at: DateTime<Utc>,
}

/// Records a removal.
pub async fn insert(conn: &impl ConnectionTrait, r: &Removal) -> Result<(), DbError> {
    member_removal::ActiveModel {
        id: NotSet,
        coop_id: Set(i32::try_from(r.coop_id).map_err(|_| DbError::NotFound)?),
        slug: Set(r.slug.clone()),
        name: Set(r.name.clone()),
        reason: Set(r.reason.clone()),
        removed_by: Set(r.removed_by.and_then(|b| i32::try_from(b).ok())),
        removed_at: Set(r.removed_at),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Every removal, newest first.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<Removal>, DbError> {
    Ok(member_removal::Entity::find()
        .order_by_desc(member_removal::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| Removal {
            coop_id: i64::from(m.coop_id),
            slug: m.slug,
            name: m.name,
            reason: m.reason,
            removed_by: m.removed_by.map(i64::from),
            removed_at: m.removed_at,
        })
        .collect())
}
