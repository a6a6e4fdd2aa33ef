//! News posts of co-ops and of the network: Markdown in, sanitised HTML out, federated as
//! `Create{Note}` (and boosted by the network as `Announce`), deleted with `Delete`.
use std::time::Duration;

use chrono::Utc;
use coopnet_core::{FieldErrors, LanguageTag, Mention, NewsPost, Target, TokenScope, post_tags};
use coopnet_db::ConnectionTrait;
use coopnet_db::repo::posts::{self, NewPostRecord};
use coopnet_federation::html::markdown_to_html;
use coopnet_federation::outbox::{self, Author};
use coopnet_federation::queue::commit_and_wake;
use url::Url;

use crate::coops::read as coops;
use crate::{AppContext, AppError};

/// Longest post, in characters (Markdown).
pub const MAX_POST_CHARS: usize = 5_000;

/// How long resolving one mentioned account may take when a post is written.
const MENTION_LOOKUP: Duration = Duration::from_secs(5);

/// A post as its author writes it: Markdown, and the language it is in (a BCP 47 tag;
/// `None` takes the co-op's first language, or the network's for network posts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    /// Markdown.
    pub content: String,
    /// Its language.
    pub language: Option<String>,
}

impl From<&str> for Draft {
    fn from(content: &str) -> Self {
        Self {
            content: content.to_owned(),
            language: None,
        }
    }
}

impl From<&String> for Draft {
    fn from(content: &String) -> Self {
        Self::from(content.as_str())
    }
}

/// Who a post is by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostAuthor {
    /// A local co-op, by slug.
    Coop(String),
    /// The network.
    Network,
}

/// A post with its URL.
#[derive(Debug, Clone)]
pub struct Post {
    /// The stored post.
    pub record: NewsPost,
    /// Its id and page.
    pub url: Url,
}

async fn author_of(
    ctx: &AppContext,
    scope: &TokenScope,
    author: &PostAuthor,
) -> Result<Author, AppError> {
    Ok(author_and_language(ctx, scope, author).await?.0)
}

/// The author, and the language its posts are in unless they say otherwise: the co-op's
/// first language, or the network's.
async fn author_and_language(
    ctx: &AppContext,
    scope: &TokenScope,
    author: &PostAuthor,
) -> Result<(Author, Option<LanguageTag>), AppError> {
    match author {
        PostAuthor::Coop(slug) => {
            let coop = coops::get(ctx, slug).await?;
            if !scope.may_edit(&coop.slug) {
                return Err(AppError::Forbidden(format!(
                    "this token may not post for co-op '{slug}'"
                )));
            }
            // A co-op that lists no language writes in the network's.
            let language = coop
                .profile
                .languages
                .first()
                .or(ctx.network.languages.first())
                .cloned();
            Ok((Author::coop(ctx.fed(), &coop), language))
        }
        PostAuthor::Network if scope.is_admin() => Ok((
            Author::network(ctx.fed()),
            ctx.network.languages.first().cloned(),
        )),
        PostAuthor::Network => Err(AppError::Forbidden(
            "only admins post for the network".into(),
        )),
    }
}

/// The language a draft names, checked.
fn check_language(language: Option<&str>) -> Result<Option<LanguageTag>, AppError> {
    language
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| LanguageTag::parse(l).map_err(|e| FieldErrors::single("language", e).into()))
        .transpose()
}

/// Resolves the `@user@host` mentions of `text` to actors: ours (a co-op or the network)
/// from their URLs, others by WebFinger through the guarded client, each within
/// [`MENTION_LOOKUP`]. A mention that does not resolve stays plain text: the post is
/// not refused for someone else's server being down.
async fn resolve_mentions(ctx: &AppContext, text: &str) -> Vec<Mention> {
    let fed = ctx.fed();
    let mut found = Vec::new();
    for handle in post_tags::mentions(text) {
        let Some((user, host)) = handle.split_once('@') else {
            continue;
        };
        let actor = if host.eq_ignore_ascii_case(fed.urls.domain()) {
            local_actor(ctx, user).await
        } else {
            let data = ctx.federation.to_request_data();
            match tokio::time::timeout(
                MENTION_LOOKUP,
                coopnet_federation::lookup::resolve(&data, &handle),
            )
            .await
            {
                Ok(Ok(actor)) => Some(actor.0.actor_id),
                Ok(Err(e)) => {
                    tracing::info!(%handle, error = %e, "mention not resolved; left as text");
                    None
                }
                Err(_) => {
                    tracing::info!(%handle, "mention lookup timed out; left as text");
                    None
                }
            }
        };
        if let Some(actor) = actor {
            found.push(Mention { handle, actor });
        }
    }
    found
}

/// The actor of `@user` on this instance: the network, or a local co-op.
async fn local_actor(ctx: &AppContext, user: &str) -> Option<Url> {
    let fed = ctx.fed();
    if user.eq_ignore_ascii_case(ctx.network.username.as_str()) {
        return Some(fed.urls.network());
    }
    let coop = coops::get(ctx, &user.to_ascii_lowercase()).await.ok()?;
    Some(fed.urls.coop(coop.slug.as_str()))
}

fn check_content(markdown: &str) -> Result<&str, AppError> {
    let text = markdown.trim();
    if text.is_empty() {
        return Err(FieldErrors::single("content", "must not be empty").into());
    }
    if text.chars().count() > MAX_POST_CHARS {
        return Err(FieldErrors::single(
            "content",
            format!("must be at most {MAX_POST_CHARS} characters"),
        )
        .into());
    }
    Ok(text)
}

async fn insert_and_federate(
    conn: &impl ConnectionTrait,
    ctx: &AppContext,
    author: &Author,
    markdown: &str,
    language: Option<&LanguageTag>,
    mentions: &[Mention],
) -> Result<Post, AppError> {
    let public_id = uuid_like();
    let html = markdown_to_html(markdown);
    let new = NewPostRecord {
        author: author.target,
        content: markdown,
        content_html: &html,
        language,
        mentions,
    };
    let record = posts::insert(conn, &public_id, new, Utc::now()).await?;
    outbox::create_note(conn, ctx.fed(), author, &record).await?;
    Ok(Post {
        url: author.post_url(ctx.fed(), &record.public_id),
        record,
    })
}

fn uuid_like() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Publishes a post: Markdown (or a [`Draft`] naming its language). Its `#hashtags` and
/// resolved `@user@host` mentions become the Note's tags; mentioned accounts get it too.
#[tracing::instrument(skip_all, err)]
pub async fn create(
    ctx: &AppContext,
    scope: &TokenScope,
    author: &PostAuthor,
    draft: impl Into<Draft>,
) -> Result<Post, AppError> {
    let draft = draft.into();
    let text = check_content(&draft.content)?;
    let language = check_language(draft.language.as_deref())?;
    let (author, default_language) = author_and_language(ctx, scope, author).await?;
    let language = language.or(default_language);
    // Lookups over the network happen before the transaction, never inside it.
    let mentions = resolve_mentions(ctx, text).await;
    let txn = coopnet_db::begin_write(&ctx.db).await?;
    let post = insert_and_federate(&txn, ctx, &author, text, language.as_ref(), &mentions).await?;
    commit_and_wake(txn, [&ctx.fed().wake]).await?;
    Ok(post)
}

/// Deletes a post: its URL answers 410 and followers get `Delete`.
#[tracing::instrument(skip_all, err)]
pub async fn delete(ctx: &AppContext, scope: &TokenScope, public_id: &str) -> Result<(), AppError> {
    let txn = coopnet_db::begin_write(&ctx.db).await?;
    let post = posts::find(&txn, public_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("post {public_id}")))?;
    if post.deleted_at.is_some() {
        return Err(AppError::Gone(format!("post {public_id}")));
    }
    let author = match post.author {
        Target::Coop(id) => {
            let coop = coopnet_db::repo::coops::get_by_id(&txn, id)
                .await?
                .ok_or_else(|| AppError::NotFound("author".into()))?;
            if !scope.may_edit(&coop.slug) {
                return Err(AppError::Forbidden(
                    "this token may not delete that post".into(),
                ));
            }
            Author::coop(ctx.fed(), &coop)
        }
        Target::Network(_) if scope.is_admin() => Author::network(ctx.fed()),
        Target::Network(_) => {
            return Err(AppError::Forbidden(
                "only admins delete network posts".into(),
            ));
        }
    };
    posts::mark_deleted(&txn, post.id, Utc::now()).await?;
    outbox::delete_note(&txn, ctx.fed(), &author, &post).await?;
    commit_and_wake(txn, [&ctx.fed().wake]).await?;
    Ok(())
}

/// Posts of an author, newest first.
pub async fn list(
    ctx: &AppContext,
    author: &PostAuthor,
    limit: u64,
    offset: u64,
) -> Result<(Vec<Post>, u64), AppError> {
    let author = author_of(ctx, &TokenScope::Admin, author).await?;
    let page = posts::list(&ctx.db, author.target, limit.clamp(1, 200), offset).await?;
    let items = page
        .items
        .into_iter()
        .map(|record| Post {
            url: author.post_url(ctx.fed(), &record.public_id),
            record,
        })
        .collect();
    Ok((items, page.total))
}

/// Publishes a post by the network on `conn` (the caller's transaction): the welcome of new
/// members comes this way, with the co-ops it welcomes.
pub(crate) async fn publish_for_network(
    conn: &impl ConnectionTrait,
    ctx: &AppContext,
    markdown: &str,
) -> Result<Post, AppError> {
    let language = ctx.network.languages.first();
    insert_and_federate(
        conn,
        ctx,
        &Author::network(ctx.fed()),
        markdown,
        language,
        &[],
    )
    .await
}

/// One post of `author` (`Gone` once deleted).
pub async fn get(ctx: &AppContext, author: &PostAuthor, public_id: &str) -> Result<Post, AppError> {
    let author = author_of(ctx, &TokenScope::Admin, author).await?;
    let record = posts::find(&ctx.db, public_id)
        .await?
        .filter(|p| p.author == author.target)
        .ok_or_else(|| AppError::NotFound(format!("post {public_id}")))?;
    if record.deleted_at.is_some() {
        return Err(AppError::Gone(format!("post {public_id}")));
    }
    Ok(Post {
        url: author.post_url(ctx.fed(), &record.public_id),
        record,
    })
}

/// A post with who wrote it, for feeds.
#[derive(Debug, Clone)]
pub struct LatestPost {
    /// The post and its URL.
    pub post: Post,
    /// Who wrote it.
    pub author: PostAuthor,
    /// The author's display name (the co-op's or the network's).
    pub author_name: String,
    /// The author's actor id and profile page.
    pub author_url: Url,
}

/// The latest live posts of the network and of its listed co-ops, newest first (feeds).
/// Posts of unlisted co-ops stay out, as the co-ops themselves stay out of the directory.
pub async fn latest(ctx: &AppContext, limit: u64) -> Result<Vec<LatestPost>, AppError> {
    let limit = limit.clamp(1, 200);
    let network = Author::network(ctx.fed());
    let mut authors = vec![(network, PostAuthor::Network, ctx.network.name.clone())];
    for coop in coops::all(ctx).await? {
        if coop.profile.listed {
            authors.push((
                Author::coop(ctx.fed(), &coop),
                PostAuthor::Coop(coop.slug.to_string()),
                coop.profile.name.clone(),
            ));
        }
    }
    let mut out = Vec::new();
    for (author, who, name) in authors {
        let page = posts::list(&ctx.db, author.target, limit, 0).await?;
        out.extend(page.items.into_iter().map(|record| LatestPost {
            post: Post {
                url: author.post_url(ctx.fed(), &record.public_id),
                record,
            },
            author: who.clone(),
            author_name: name.clone(),
            author_url: author.actor_id.clone(),
        }));
    }
    out.sort_by(|a, b| {
        b.post
            .record
            .published_at
            .cmp(&a.post.record.published_at)
            .then(b.post.record.id.cmp(&a.post.record.id))
    });
    out.truncate(limit as usize);
    Ok(out)
}
