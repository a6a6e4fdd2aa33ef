//! Uploaded co-op logos, stored in the database (PNG bytes, already re-encoded).
use coopnet_core::Logo;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::DbError;
use crate::entities::coop_logo;

/// Stores (or replaces) the logo of `logo.coop_id`.
pub async fn put(conn: &impl ConnectionTrait, logo: &Logo) -> Result<(), DbError> {
    let coop_id = i32::try_from(logo.coop_id).map_err(|_| DbError::NotFound)?;
    coop_logo::Entity::insert(coop_logo::ActiveModel {
        coop_id: Set(coop_id),
        content_type: Set(logo.content_type.clone()),
        bytes: Set(logo.bytes.clone()),
        etag: Set(logo.etag.clone()),
        updated_at: Set(logo.updated_at),
    })
    .on_conflict(
        OnConflict::column(coop_logo::Column::CoopId)
            .update_columns([
                coop_logo::Column::ContentType,
                coop_logo::Column::Bytes,
                coop_logo::Column::Etag,
                coop_logo::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The logo of co-op `coop_id`.
pub async fn get(conn: &impl ConnectionTrait, coop_id: i64) -> Result<Option<Logo>, DbError> {
    let id = i32::try_from(coop_id).map_err(|_| DbError::NotFound)?;
    Ok(coop_logo::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(|m| Logo {
            coop_id: i64::from(m.coop_id),
            content_type: m.content_type,
            bytes: m.bytes,
            etag: m.etag,
            updated_at: m.updated_at,
        }))
}

/// Deletes the logo of co-op `coop_id`.
pub async fn delete(conn: &impl ConnectionTrait, coop_id: i64) -> Result<bool, DbError> {
    let id = i32::try_from(coop_id).map_err(|_| DbError::NotFound)?;
    Ok(coop_logo::Entity::delete_by_id(id)
        .exec(conn)
        .await?
        .rows_affected
        > 0)
}
