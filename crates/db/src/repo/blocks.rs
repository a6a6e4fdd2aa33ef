//! Blocked domains: every activity from them is refused.
use chrono::Utc;
use coopnet_core::Block;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::DbError;
use crate::entities::domain_block;

/// Blocks `domain` (again: updates the reason).
pub async fn add(conn: &impl ConnectionTrait, domain: &str, reason: &str) -> Result<(), DbError> {
    let am = domain_block::ActiveModel {
        domain: Set(domain.to_ascii_lowercase()),
        reason: Set(reason.to_owned()),
        created_at: Set(Utc::now()),
    };
    domain_block::Entity::insert(am)
        .on_conflict(
            OnConflict::column(domain_block::Column::Domain)
                .update_column(domain_block::Column::Reason)
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Unblocks `domain`; false if it was not blocked.
pub async fn remove(conn: &impl ConnectionTrait, domain: &str) -> Result<bool, DbError> {
    let r = domain_block::Entity::delete_many()
        .filter(domain_block::Column::Domain.eq(domain.to_ascii_lowercase()))
        .exec(conn)
        .await?;
    Ok(r.rows_affected > 0)
}

/// True when `domain` is blocked.
pub async fn is_blocked(conn: &impl ConnectionTrait, domain: &str) -> Result<bool, DbError> {
    Ok(
        domain_block::Entity::find_by_id(domain.to_ascii_lowercase())
            .one(conn)
            .await?
            .is_some(),
    )
}

/// Every block, by domain.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<Block>, DbError> {
    Ok(domain_block::Entity::find()
        .order_by_asc(domain_block::Column::Domain)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| Block {
            domain: m.domain,
            reason: m.reason,
            created_at: m.created_at,
        })
        .collect())
}
