//! News posts of local co-ops and of the network.
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use coopnet_core::{NewsPost, Page, Target};

use crate::DbError;
use crate::convert::{target_from, target_parts};
use crate::entities::post;

fn from_model(m: post::Model) -> Result<NewsPost, DbError> {
    let author = target_from(&m.author_kind, m.author_id)?;
    Ok(NewsPost {
        id: i64::from(m.id),
        public_id: m.public_id,
        author,
        content: m.content,
        content_html: m.content_html,
        published_at: m.published_at,
        updated_at: m.updated_at,
        deleted_at: m.deleted_at,
    })
}

/// Stores a new post.
pub async fn insert(
    conn: &impl ConnectionTrait,
    public_id: &str,
    author: Target,
    content: &str,
    content_html: &str,
    at: DateTime<Utc>,
) -> Result<NewsPost, DbError> {
    let (kind, id) = target_parts(author)?;
    let m = post::ActiveModel {
        id: NotSet,
        public_id: Set(public_id.to_owned()),
        author_kind: Set(kind.to_owned()),
        author_id: Set(id),
        content: Set(content.to_owned()),
        content_html: Set(content_html.to_owned()),
        published_at: Set(at),
        updated_at: Set(at),
        deleted_at: Set(None),
    }
    .insert(conn)
    .await?;
    from_model(m)
}

/// The post with this URL segment, deleted or not.
pub async fn find(
    conn: &impl ConnectionTrait,
    public_id: &str,
) -> Result<Option<NewsPost>, DbError> {
    post::Entity::find()
        .filter(post::Column::PublicId.eq(public_id))
        .one(conn)
        .await?
        .map(from_model)
        .transpose()
}

/// Live posts of `author`, newest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    author: Target,
    limit: u64,
    offset: u64,
) -> Result<Page<NewsPost>, DbError> {
    let (kind, id) = target_parts(author)?;
    let select = post::Entity::find()
        .filter(post::Column::AuthorKind.eq(kind))
        .filter(post::Column::AuthorId.eq(id))
        .filter(post::Column::DeletedAt.is_null());
    let total = select.clone().count(conn).await?;
    let items = select
        .order_by_desc(post::Column::PublishedAt)
        .order_by_desc(post::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?
        .into_iter()
        .map(from_model)
        .collect::<Result<_, _>>()?;
    Ok(Page { items, total })
}

/// Marks a post deleted.
pub async fn mark_deleted(
    conn: &impl ConnectionTrait,
    id: i64,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    let am = post::ActiveModel {
        id: Set(i32::try_from(id).map_err(|_| DbError::NotFound)?),
        deleted_at: Set(Some(at)),
        updated_at: Set(at),
        ..Default::default()
    };
    am.update(conn).await?;
    Ok(())
}

/// Number of live local posts (NodeInfo `localPosts`).
pub async fn count_live(conn: &impl ConnectionTrait) -> Result<u64, DbError> {
    Ok(post::Entity::find()
        .filter(post::Column::DeletedAt.is_null())
        .count(conn)
        .await?)
}
