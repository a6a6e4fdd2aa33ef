//! Co-op use cases: add, edit, remove, show, list. Shared by the CLI, the admin API and
//! (later) the web console.
use chrono::Utc;
use coopnet_core::{Coop, CoopInput, FieldErrors, Page, Slug, TokenScope};
use coopnet_db::ConnectionTrait;
use coopnet_db::repo::coops::{self, ListQuery, NewCoop, SlugState};
use coopnet_db::repo::{keys, tokens};
use coopnet_federation::outbox;
use coopnet_federation::queue::commit_and_wake;
use serde_json::{Map, Value};

use crate::{AppContext, AppError};

/// Largest page a caller may ask for.
pub const MAX_PAGE_SIZE: u64 = 200;

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

/// Refuses slugs the network actor already uses; other clashes are found by the database.
fn check_slug_free_of_network(ctx: &AppContext, slug: &Slug) -> Result<(), AppError> {
    if slug.as_str() == ctx.network.username.as_str() {
        return Err(AppError::Conflict(format!(
            "slug '{slug}' is the network's own handle"
        )));
    }
    Ok(())
}

async fn slug_conflict(
    conn: &impl ConnectionTrait,
    ctx: &AppContext,
    slug: &Slug,
) -> Result<(), AppError> {
    check_slug_free_of_network(ctx, slug)?;
    match coops::find_by_slug(conn, ctx.network.id, slug.as_str()).await? {
        SlugState::Free => Ok(()),
        SlugState::Live(_) => Err(AppError::Conflict(format!("slug '{slug}' is taken"))),
        SlugState::Deleted => Err(AppError::Conflict(format!(
            "slug '{slug}' belonged to a removed co-op and is not reused"
        ))),
    }
}

/// Adds a local co-op.
#[tracing::instrument(skip_all, err, fields(coop.slug = %input.slug))]
pub async fn create(ctx: &AppContext, input: &CoopInput) -> Result<Coop, AppError> {
    let (slug, profile) = input.validate()?;
    let txn = coopnet_db::begin_write(&ctx.db).await.map_err(internal)?;
    slug_conflict(&txn, ctx, &slug).await?;
    let now = Utc::now();
    let coop = coops::insert(
        &txn,
        NewCoop {
            network_id: ctx.network.id,
            slug: &slug,
            profile: &profile,
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .map_err(|e| match e {
        coopnet_db::DbError::Conflict(_) => AppError::Conflict(format!("slug '{slug}' is taken")),
        other => other.into(),
    })?;
    crate::posts::announce_member(&txn, ctx, &coop).await?;
    outbox::member_added(&txn, ctx.fed(), &coop)
        .await
        .map_err(internal)?;
    commit_and_wake(txn, [&ctx.fed().wake])
        .await
        .map_err(internal)?;
    Ok(coop)
}

/// Fetches a live local co-op by slug (`Gone` for removed ones).
pub async fn get(ctx: &AppContext, slug: &str) -> Result<Coop, AppError> {
    find_live(&ctx.db, ctx, slug).await
}

async fn find_live(
    conn: &impl ConnectionTrait,
    ctx: &AppContext,
    slug: &str,
) -> Result<Coop, AppError> {
    match coops::find_by_slug(conn, ctx.network.id, slug).await? {
        SlugState::Live(coop) => Ok(*coop),
        SlugState::Deleted => Err(AppError::Gone(format!("co-op '{slug}'"))),
        SlugState::Free => Err(AppError::NotFound(format!("co-op '{slug}'"))),
    }
}

/// Applies a partial update: `patch` holds any [`CoopInput`] keys; the rest keep their
/// values. The slug cannot change (it is the co-op's fediverse identity).
#[tracing::instrument(skip_all, err, fields(coop.slug = %slug))]
pub async fn update(
    ctx: &AppContext,
    scope: &TokenScope,
    slug: &str,
    patch: &Map<String, Value>,
) -> Result<Coop, AppError> {
    let txn = coopnet_db::begin_write(&ctx.db).await.map_err(internal)?;
    let existing = find_live(&txn, ctx, slug).await?;
    if !scope.may_edit(&existing.slug) {
        return Err(AppError::Forbidden(format!(
            "this token may not edit co-op '{slug}'"
        )));
    }
    let input = merge_patch(&existing, patch)?;
    let (_, profile) = input.validate()?;
    if profile == existing.profile {
        return Ok(existing);
    }
    let coop = coops::update_profile(&txn, existing.id, &profile, Utc::now()).await?;
    // Only an actor someone has fetched has a key, and only then can anyone follow it.
    if let Some(pair) = keys::coop(&txn, coop.id).await? {
        outbox::update_coop(&txn, ctx.fed(), &coop, &pair.public_pem)
            .await
            .map_err(internal)?;
    }
    outbox::member_updated(&txn, ctx.fed(), &coop)
        .await
        .map_err(internal)?;
    commit_and_wake(txn, [&ctx.fed().wake])
        .await
        .map_err(internal)?;
    Ok(coop)
}

/// Overlays `patch` on the co-op's current values.
pub fn merge_patch(existing: &Coop, patch: &Map<String, Value>) -> Result<CoopInput, AppError> {
    let mut current = serde_json::to_value(CoopInput::from(existing)).map_err(internal)?;
    let Value::Object(fields) = &mut current else {
        return Err(AppError::Internal(
            "co-op did not serialise to an object".into(),
        ));
    };
    for (key, value) in patch {
        match key.as_str() {
            "slug" if value.as_str() != Some(existing.slug.as_str()) => {
                return Err(FieldErrors::single(
                    "slug",
                    "cannot be changed (it is the co-op's fediverse handle)",
                )
                .into());
            }
            "created_at" | "updated_at" => {
                return Err(FieldErrors::single(key.clone(), "is set by the server").into());
            }
            _ => {
                fields.insert(key.clone(), value.clone());
            }
        }
    }
    serde_json::from_value(current).map_err(|e| FieldErrors::single("body", e.to_string()).into())
}

/// Removes a co-op: it leaves the directory, its tokens are revoked, and its slug stays
/// reserved (its actor will answer 410 Gone).
#[tracing::instrument(skip_all, err, fields(coop.slug = %slug))]
pub async fn remove(ctx: &AppContext, slug: &str) -> Result<Coop, AppError> {
    let txn = coopnet_db::begin_write(&ctx.db).await.map_err(internal)?;
    let coop = find_live(&txn, ctx, slug).await?;
    coops::mark_deleted(&txn, coop.id, Utc::now()).await?;
    tokens::revoke_for_coop(&txn, coop.id).await?;
    // Servers that fetched the actor (and so hold its key) learn it is gone.
    if keys::coop(&txn, coop.id).await?.is_some() {
        outbox::delete_coop(&txn, ctx.fed(), &coop)
            .await
            .map_err(internal)?;
    }
    outbox::member_removed(&txn, ctx.fed(), &coop)
        .await
        .map_err(internal)?;
    commit_and_wake(txn, [&ctx.fed().wake])
        .await
        .map_err(internal)?;
    Ok(coop)
}

/// Which co-ops a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Only co-ops that opted in to listing (the public directory).
    Public,
    /// Every live co-op (admins).
    All,
}

/// One page of co-ops, by name: the public directory shows every network's listed co-ops
/// (local and federated); admins see this network's co-ops, listed or not.
pub async fn list(
    ctx: &AppContext,
    visibility: Visibility,
    limit: u64,
    offset: u64,
) -> Result<Page<Coop>, AppError> {
    let query = ListQuery {
        network_id: (visibility == Visibility::All).then_some(ctx.network.id),
        listed_only: visibility == Visibility::Public,
        limit: limit.clamp(1, MAX_PAGE_SIZE),
        offset,
    };
    Ok(coops::list(&ctx.db, &query).await?)
}

/// Every live co-op of this network (exports), in pages to bound memory per query.
pub async fn all(ctx: &AppContext) -> Result<Vec<Coop>, AppError> {
    let mut out = Vec::new();
    loop {
        let page = list(ctx, Visibility::All, MAX_PAGE_SIZE, out.len() as u64).await?;
        let done = page.items.len() < MAX_PAGE_SIZE as usize;
        out.extend(page.items);
        if done {
            return Ok(out);
        }
    }
}

/// A federated co-op by its network's host and its slug there (listed ones only).
pub async fn get_remote(ctx: &AppContext, domain: &str, slug: &str) -> Result<Coop, AppError> {
    let networks = coopnet_db::repo::networks::list(&ctx.db).await?;
    let not_found = || AppError::NotFound(format!("co-op {slug}@{domain}"));
    let network = networks
        .iter()
        .find(|n| !n.is_local() && n.domain.eq_ignore_ascii_case(domain))
        .ok_or_else(not_found)?;
    match coops::find_by_slug(&ctx.db, network.id, slug).await? {
        SlugState::Live(coop) if coop.profile.listed => Ok(*coop),
        _ => Err(not_found()),
    }
}
