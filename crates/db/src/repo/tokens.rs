//! API tokens, stored as SHA-256 hashes.
use chrono::Utc;
use coopnet_core::TokenRecord;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::DbError;
use crate::entities::{api_token, coop};

fn record(m: api_token::Model, slug: Option<String>) -> TokenRecord {
    TokenRecord {
        id: i64::from(m.id),
        token_hash: m.token_hash,
        coop_id: m.coop_id.map(i64::from),
        coop_slug: slug,
        label: m.label,
        created_at: m.created_at,
        last_used_at: m.last_used_at,
        revoked_at: m.revoked_at,
    }
}

/// Stores a new token hash; `coop_id` `None` makes an admin token.
pub async fn insert(
    conn: &impl ConnectionTrait,
    token_hash: &str,
    coop_id: Option<i64>,
    label: &str,
) -> Result<TokenRecord, DbError> {
    let coop_id = coop_id
        .map(|id| i32::try_from(id).map_err(|_| DbError::NotFound))
        .transpose()?;
    let m = api_token::ActiveModel {
        id: NotSet,
        token_hash: Set(token_hash.to_owned()),
        scope: Set(if coop_id.is_some() { "coop" } else { "admin" }.to_owned()),
        coop_id: Set(coop_id),
        label: Set(label.to_owned()),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(conn)
    .await?;
    let slug = slug_of(conn, m.coop_id).await?;
    Ok(record(m, slug))
}

async fn slug_of(
    conn: &impl ConnectionTrait,
    coop_id: Option<i32>,
) -> Result<Option<String>, DbError> {
    Ok(match coop_id {
        Some(id) => coop::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map(|c| c.slug),
        None => None,
    })
}

/// The token with this hash, if any (revoked ones included: the caller decides).
pub async fn find_by_hash(
    conn: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<TokenRecord>, DbError> {
    let found = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(token_hash))
        .find_also_related(coop::Entity)
        .one(conn)
        .await?;
    Ok(found.map(|(t, c)| record(t, c.map(|c| c.slug))))
}

/// All tokens, newest first.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<TokenRecord>, DbError> {
    let rows = api_token::Entity::find()
        .find_also_related(coop::Entity)
        .order_by_desc(api_token::Column::Id)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(t, c)| record(t, c.map(|c| c.slug)))
        .collect())
}

/// Revokes token `id`; [`DbError::NotFound`] if it does not exist or is already revoked.
pub async fn revoke(conn: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    let id = i32::try_from(id).map_err(|_| DbError::NotFound)?;
    let result = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    if result.rows_affected == 0 {
        Err(DbError::NotFound)
    } else {
        Ok(())
    }
}

/// Revokes every token bound to co-op `coop_id` (when the co-op is removed).
pub async fn revoke_for_coop(conn: &impl ConnectionTrait, coop_id: i64) -> Result<(), DbError> {
    let coop_id = i32::try_from(coop_id).map_err(|_| DbError::NotFound)?;
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_token::Column::CoopId.eq(coop_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Records that token `id` was just used.
pub async fn touch(conn: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    let id = i32::try_from(id).map_err(|_| DbError::NotFound)?;
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, Expr::value(Utc::now()))
        .filter(api_token::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}
