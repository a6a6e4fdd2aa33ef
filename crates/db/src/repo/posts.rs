//! News posts of local co-ops and of the network.
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use coopnet_core::{LanguageTag, Mention, NewsPost, Page, Target};

use crate::DbError;
use crate::convert::{target_from, target_parts};
use crate::entities::post;

/// How mentions are stored: a JSON array of these.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredMention {
    handle: String,
    actor: url::Url,
}

fn mentions_to_json(mentions: &[Mention]) -> Option<String> {
    if mentions.is_empty() {
        return None;
    }
    let stored: Vec<StoredMention> = mentions
        .iter()
        .map(|m| StoredMention {
            handle: m.handle.clone(),
            actor: m.actor.clone(),
        })
        .collect();
    serde_json::to_string(&stored).ok()
}

fn mentions_from_json(json: Option<&str>) -> Result<Vec<Mention>, DbError> {
    let Some(json) = json else {
        return Ok(Vec::new());
    };
    let stored: Vec<StoredMention> =
        serde_json::from_str(json).map_err(|e| DbError::Corrupt(format!("post mentions: {e}")))?;
    Ok(stored
        .into_iter()
        .map(|m| Mention {
            handle: m.handle,
            actor: m.actor,
        })
        .collect())
}

fn from_model(m: post::Model) -> Result<NewsPost, DbError> {
    let author = target_from(&m.author_kind, m.author_id)?;
    let language = m
        .language
        .map(|l| LanguageTag::parse(&l))
        .transpose()
        .map_err(|e| DbError::Corrupt(format!("post language: {e}")))?;
    Ok(NewsPost {
        id: i64::from(m.id),
        public_id: m.public_id,
        author,
        mentions: mentions_from_json(m.mentions.as_deref())?,
        language,
        content: m.content,
        content_html: m.content_html,
        published_at: m.published_at,
        updated_at: m.updated_at,
        deleted_at: m.deleted_at,
    })
}

/// What a new post is made of (its id and dates are given on insert).
#[derive(Debug, Clone, Copy)]
pub struct NewPostRecord<'a> {
    /// Who writes it.
    pub author: Target,
    /// Markdown.
    pub content: &'a str,
    /// Sanitised HTML.
    pub content_html: &'a str,
    /// Its language.
    pub language: Option<&'a LanguageTag>,
    /// The accounts it mentions.
    pub mentions: &'a [Mention],
}

/// Stores a new post.
pub async fn insert(
    conn: &impl ConnectionTrait,
    public_id: &str,
    post: NewPostRecord<'_>,
    at: DateTime<Utc>,
) -> Result<NewsPost, DbError> {
    let NewPostRecord {
        author,
        content,
        content_html,
        language,
        mentions,
    } = post;
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
        language: Set(language.map(|l| l.as_str().to_owned())),
        mentions: Set(mentions_to_json(mentions)),
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
