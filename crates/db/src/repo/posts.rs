//! News posts of local co-ops and of the network.
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::Page;
use super::followers::Target;
use crate::DbError;
use crate::entities::post;

/// A stored post.
#[derive(Debug, Clone, PartialEq)]
pub struct PostRecord {
    /// Storage id.
    pub id: i64,
    /// URL segment.
    pub public_id: String,
    /// Who wrote it.
    pub author: Target,
    /// Markdown.
    pub content: String,
    /// Sanitised HTML.
    pub content_html: String,
    /// First published.
    pub published_at: DateTime<Utc>,
    /// Last edited.
    pub updated_at: DateTime<Utc>,
    /// Set once deleted (its URL then answers 410).
    pub deleted_at: Option<DateTime<Utc>>,
}

fn target_parts(t: Target) -> Result<(&'static str, i32), DbError> {
    let (kind, id) = match t {
        Target::Coop(id) => ("coop", id),
        Target::Network(id) => ("network", id),
    };
    Ok((kind, i32::try_from(id).map_err(|_| DbError::NotFound)?))
}

fn from_model(m: post::Model) -> Result<PostRecord, DbError> {
    let author = match m.author_kind.as_str() {
        "coop" => Target::Coop(i64::from(m.author_id)),
        "network" => Target::Network(i64::from(m.author_id)),
        other => {
            return Err(DbError::Corrupt(format!(
                "post {}: author kind {other}",
                m.id
            )));
        }
    };
    Ok(PostRecord {
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
) -> Result<PostRecord, DbError> {
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
) -> Result<Option<PostRecord>, DbError> {
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
) -> Result<Page<PostRecord>, DbError> {
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
