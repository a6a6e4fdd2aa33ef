//! The one store of remote posts, shared by linked accounts and federation news: each post
//! once (by its ActivityPub id), with every way it reached us (`remote_post_source`). A post
//! lives as long as it has a source; every function that removes sources also removes the
//! posts left without one, in the caller's transaction.
use chrono::Utc;
use coopnet_core::{FederatedPost, Page, PostSource, PostVia, PostVisibility, RemotePost};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use url::Url;

use crate::DbError;
use crate::entities::{remote_post, remote_post_source};

fn db_id(id: i64) -> Result<i32, DbError> {
    i32::try_from(id).map_err(|_| DbError::NotFound)
}

fn url(what: &str, id: i32, text: &str) -> Result<Url, DbError> {
    Url::parse(text).map_err(|e| DbError::Corrupt(format!("{what} {id}: {e}")))
}

fn from_model(m: remote_post::Model) -> Result<RemotePost, DbError> {
    let id = m.id;
    Ok(RemotePost {
        id: i64::from(id),
        ap_id: url("remote_post", id, &m.ap_id)?,
        author: url("remote_post", id, &m.author_id)?,
        author_name: m.author_name,
        url: m
            .url
            .as_deref()
            .map(|u| url("remote_post", id, u))
            .transpose()?,
        content_html: m.content_html,
        visibility: PostVisibility::parse(&m.visibility)
            .ok_or_else(|| DbError::Corrupt(format!("remote_post visibility {}", m.visibility)))?,
        in_reply_to: m
            .in_reply_to
            .as_deref()
            .map(|u| url("remote_post", id, u))
            .transpose()?,
        published_at: m.published_at,
        updated_at: m.updated_at,
    })
}

fn source_from(m: &remote_post_source::Model) -> Result<PostSource, DbError> {
    let via = match (m.via.as_str(), m.coop_id) {
        ("linked", Some(coop_id)) => PostVia::Linked {
            coop_id: i64::from(coop_id),
        },
        ("posted", _) => PostVia::Posted,
        ("boosted", _) => PostVia::Boosted,
        (other, _) => {
            return Err(DbError::Corrupt(format!(
                "remote_post_source {}: via {other}",
                m.id
            )));
        }
    };
    Ok(PostSource {
        network_id: i64::from(m.network_id),
        via,
        activity_id: m
            .activity_id
            .as_deref()
            .map(|u| url("remote_post_source", m.id, u))
            .transpose()?,
    })
}

/// The stored post with this id, if any.
pub async fn find(conn: &impl ConnectionTrait, ap_id: &Url) -> Result<Option<RemotePost>, DbError> {
    remote_post::Entity::find()
        .filter(remote_post::Column::ApId.eq(ap_id.as_str()))
        .one(conn)
        .await?
        .map(from_model)
        .transpose()
}

/// Stores `post` (its `id` is ignored) unless a post with its `ap_id` is stored already;
/// returns the stored post and whether it was new. Two deliveries of one post at once: the
/// loser of the insert race reads the winner's row.
pub async fn insert_or_get(
    conn: &impl ConnectionTrait,
    post: &RemotePost,
) -> Result<(RemotePost, bool), DbError> {
    if let Some(found) = find(conn, &post.ap_id).await? {
        return Ok((found, false));
    }
    let am = remote_post::ActiveModel {
        id: NotSet,
        ap_id: Set(post.ap_id.to_string()),
        author_id: Set(post.author.to_string()),
        author_name: Set(post.author_name.clone()),
        url: Set(post.url.as_ref().map(Url::to_string)),
        content_html: Set(post.content_html.clone()),
        visibility: Set(post.visibility.as_str().to_owned()),
        in_reply_to: Set(post.in_reply_to.as_ref().map(Url::to_string)),
        published_at: Set(post.published_at),
        updated_at: Set(post.updated_at),
        stored_at: Set(Utc::now()),
    };
    match am.insert(conn).await.map_err(DbError::from) {
        Ok(m) => Ok((from_model(m)?, true)),
        Err(DbError::Conflict(_)) => {
            let found = find(conn, &post.ap_id).await?.ok_or(DbError::NotFound)?;
            Ok((found, false))
        }
        Err(e) => Err(e),
    }
}

/// Replaces the content of stored post `post.id` with `post`'s (an `Update`): text, page,
/// visibility, reply target, author name and edit time. The id, author and publication
/// time never change.
pub async fn update(conn: &impl ConnectionTrait, post: &RemotePost) -> Result<(), DbError> {
    let am = remote_post::ActiveModel {
        id: Set(db_id(post.id)?),
        author_name: Set(post.author_name.clone()),
        url: Set(post.url.as_ref().map(Url::to_string)),
        content_html: Set(post.content_html.clone()),
        visibility: Set(post.visibility.as_str().to_owned()),
        in_reply_to: Set(post.in_reply_to.as_ref().map(Url::to_string)),
        updated_at: Set(post.updated_at),
        stored_at: Set(Utc::now()),
        ..Default::default()
    };
    am.update(conn).await?;
    Ok(())
}

/// Every source of post `post_id`.
pub async fn sources(
    conn: &impl ConnectionTrait,
    post_id: i64,
) -> Result<Vec<PostSource>, DbError> {
    remote_post_source::Entity::find()
        .filter(remote_post_source::Column::PostId.eq(db_id(post_id)?))
        .order_by_asc(remote_post_source::Column::Id)
        .all(conn)
        .await?
        .iter()
        .map(source_from)
        .collect()
}

/// Records that post `post_id` reached us through `source`; false (and nothing written)
/// when it already came through that network.
pub async fn add_source(
    conn: &impl ConnectionTrait,
    post_id: i64,
    source: &PostSource,
) -> Result<bool, DbError> {
    let post = db_id(post_id)?;
    let network = db_id(source.network_id)?;
    let known = remote_post_source::Entity::find()
        .filter(remote_post_source::Column::PostId.eq(post))
        .filter(remote_post_source::Column::NetworkId.eq(network))
        .one(conn)
        .await?;
    if known.is_some() {
        return Ok(false);
    }
    let coop_id = match source.via {
        PostVia::Linked { coop_id } => Some(db_id(coop_id)?),
        PostVia::Posted | PostVia::Boosted => None,
    };
    let am = remote_post_source::ActiveModel {
        id: NotSet,
        post_id: Set(post),
        network_id: Set(network),
        coop_id: Set(coop_id),
        via: Set(source.via.kind().to_owned()),
        activity_id: Set(source.activity_id.as_ref().map(Url::to_string)),
        created_at: Set(Utc::now()),
    };
    match am.insert(conn).await.map_err(DbError::from) {
        Ok(_) => Ok(true),
        Err(DbError::Conflict(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Removes the source of post `post_id` through network `network_id`, returning it; the
/// post goes too when that was its last source.
pub async fn remove_source(
    conn: &impl ConnectionTrait,
    post_id: i64,
    network_id: i64,
) -> Result<Option<PostSource>, DbError> {
    let found = remote_post_source::Entity::find()
        .filter(remote_post_source::Column::PostId.eq(db_id(post_id)?))
        .filter(remote_post_source::Column::NetworkId.eq(db_id(network_id)?))
        .one(conn)
        .await?;
    let Some(row) = found else {
        return Ok(None);
    };
    let source = source_from(&row)?;
    remote_post_source::Entity::delete_by_id(row.id)
        .exec(conn)
        .await?;
    prune(conn).await?;
    Ok(Some(source))
}

/// Removes the source brought by activity `activity_id` through network `network_id` (an
/// `Undo{Announce}`), returning the post it was for; the post goes too when that was its
/// last source.
pub async fn remove_source_by_activity(
    conn: &impl ConnectionTrait,
    network_id: i64,
    activity_id: &Url,
) -> Result<Option<i64>, DbError> {
    let found = remote_post_source::Entity::find()
        .filter(remote_post_source::Column::NetworkId.eq(db_id(network_id)?))
        .filter(remote_post_source::Column::ActivityId.eq(activity_id.as_str()))
        .one(conn)
        .await?;
    let Some(row) = found else {
        return Ok(None);
    };
    remote_post_source::Entity::delete_by_id(row.id)
        .exec(conn)
        .await?;
    prune(conn).await?;
    Ok(Some(i64::from(row.post_id)))
}

/// Deletes post `post_id` with all its sources, returning them (a `Delete` by its author).
pub async fn delete(conn: &impl ConnectionTrait, post_id: i64) -> Result<Vec<PostSource>, DbError> {
    let gone = sources(conn, post_id).await?;
    let id = db_id(post_id)?;
    remote_post_source::Entity::delete_many()
        .filter(remote_post_source::Column::PostId.eq(id))
        .exec(conn)
        .await?;
    remote_post::Entity::delete_by_id(id).exec(conn).await?;
    Ok(gone)
}

/// Deletes the posts left without a source. Returns how many.
async fn prune(conn: &impl ConnectionTrait) -> Result<u64, DbError> {
    let orphans = Query::delete()
        .from_table(remote_post::Entity)
        .and_where(
            remote_post::Column::Id.not_in_subquery(
                Query::select()
                    .column(remote_post_source::Column::PostId)
                    .from(remote_post_source::Entity)
                    .to_owned(),
            ),
        )
        .to_owned();
    Ok(conn.execute(&orphans).await?.rows_affected())
}

/// Forgets everything that came through network `network_id` (a peer unfollowed, blocked or
/// deleted): its sources, and the posts left without one. Returns how many posts went.
pub async fn forget_network(conn: &impl ConnectionTrait, network_id: i64) -> Result<u64, DbError> {
    remote_post_source::Entity::delete_many()
        .filter(remote_post_source::Column::NetworkId.eq(db_id(network_id)?))
        .exec(conn)
        .await?;
    prune(conn).await
}

/// Forgets what the linked account of co-op `coop_id` brought (the account was unlinked or
/// the co-op removed), and the posts left without a source. Returns how many posts went.
pub async fn forget_linked(conn: &impl ConnectionTrait, coop_id: i64) -> Result<u64, DbError> {
    remote_post_source::Entity::delete_many()
        .filter(remote_post_source::Column::CoopId.eq(db_id(coop_id)?))
        .exec(conn)
        .await?;
    prune(conn).await
}

/// Every stored post by `author`, newest first.
pub async fn by_author(
    conn: &impl ConnectionTrait,
    author: &Url,
) -> Result<Vec<RemotePost>, DbError> {
    remote_post::Entity::find()
        .filter(remote_post::Column::AuthorId.eq(author.as_str()))
        .order_by_desc(remote_post::Column::PublishedAt)
        .all(conn)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// The latest `limit` posts of co-op `coop_id`'s linked account, newest first.
pub async fn linked(
    conn: &impl ConnectionTrait,
    coop_id: i64,
    limit: u64,
) -> Result<Vec<RemotePost>, DbError> {
    let ids = Query::select()
        .column(remote_post_source::Column::PostId)
        .from(remote_post_source::Entity)
        .and_where(remote_post_source::Column::CoopId.eq(db_id(coop_id)?))
        .to_owned();
    remote_post::Entity::find()
        .filter(remote_post::Column::Id.in_subquery(ids))
        .order_by_desc(remote_post::Column::PublishedAt)
        .order_by_desc(remote_post::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// Every stored post, newest first, with its sources (the federation news page and feed).
pub async fn news(
    conn: &impl ConnectionTrait,
    limit: u64,
    offset: u64,
) -> Result<Page<FederatedPost>, DbError> {
    let total = remote_post::Entity::find().count(conn).await?;
    let posts = remote_post::Entity::find()
        .order_by_desc(remote_post::Column::PublishedAt)
        .order_by_desc(remote_post::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?;
    let ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
    let rows = if ids.is_empty() {
        Vec::new()
    } else {
        remote_post_source::Entity::find()
            .filter(remote_post_source::Column::PostId.is_in(ids))
            .order_by_asc(remote_post_source::Column::Id)
            .all(conn)
            .await?
    };
    let mut items = Vec::with_capacity(posts.len());
    for m in posts {
        let id = m.id;
        let mut sources = rows
            .iter()
            .filter(|s| s.post_id == id)
            .map(source_from)
            .collect::<Result<Vec<_>, _>>()?;
        // A network's own post before anyone's boost of it.
        sources.sort_by_key(|s| !matches!(s.via, PostVia::Posted));
        items.push(FederatedPost {
            post: from_model(m)?,
            sources,
        });
    }
    Ok(Page { items, total })
}
