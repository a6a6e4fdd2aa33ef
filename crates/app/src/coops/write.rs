//! The one door for writing co-ops, and what each write sets off.
//!
//! - A co-op joins ([`create`], [`create_many`]): it is stored, its `Add` goes to every peer
//!   network, and the network welcomes it in a post (one post for a whole batch, so loading a
//!   member list does not flood followers' timelines).
//! - A profile changes ([`update`] with a [`CoopPatch`], [`update_many`] for imports): the
//!   new version is stored, followers that fetched the actor get its `Update`, peer networks
//!   the member `Update`. An unchanged profile writes nothing and sends nothing.
//! - A co-op leaves ([`remove`]): it is marked removed (its handle stays reserved), its
//!   tokens are revoked, its linked account is unlinked (`Undo{Follow}`), followers get
//!   `Delete`, peers `Remove`.
//! - Its linked account changes (`link.rs`): the co-op is sent out again ([`republish`]),
//!   its actor now naming (or no longer naming) the account.
//!
//! Each write and the activities it causes commit in one transaction (the transactional
//! outbox), and the delivery worker is woken after the commit. Many co-ops are written
//! [`WRITE_BATCH`] at a time, each batch its own transaction, so a large import never holds
//! the database's write lock long enough to keep other writers out.
use chrono::{DateTime, TimeDelta, Utc};
use coopnet_core::{Coop, CoopInput, CoopPatch, CoopProfile, Slug, TokenScope};
use coopnet_db::ConnectionTrait;
use coopnet_db::repo::coops::{self as repo, NewCoop};
use coopnet_db::repo::{keys, linked_accounts, tokens};
use coopnet_federation::html::escape;
use coopnet_federation::outbox;
use coopnet_federation::queue::commit_and_wake;

use super::read::find_live;
use super::slug::{SlugAvailability, availability_many};
use crate::{AppContext, AppError, posts};

/// Co-ops written per transaction when many are written at once.
pub const WRITE_BATCH: usize = 50;

/// Most co-ops named in one welcome post (the rest are counted).
const WELCOME_NAMES: usize = 20;

/// A validated new co-op, ready to be written.
#[derive(Debug, Clone)]
pub struct NewMember {
    /// Its handle.
    pub slug: Slug,
    /// Its profile.
    pub profile: CoopProfile,
    /// When it joined (imports keep the original; now when `None`).
    pub created_at: Option<DateTime<Utc>>,
    /// When its profile last changed (imports keep the original; `created_at` when `None`).
    pub updated_at: Option<DateTime<Utc>>,
}

/// Commits a co-op write: wakes the delivery worker for what it queued, drops the actor
/// documents this process rendered (`http::actor_cache`) and has its search index check the
/// database at the next query (other processes do both on the database's signal).
pub(super) async fn commit(
    txn: coopnet_db::DatabaseTransaction,
    ctx: &AppContext,
) -> Result<(), AppError> {
    commit_and_wake(txn, [&ctx.fed().wake]).await?;
    ctx.fed().actor_cache.invalidate();
    ctx.search_index.invalidate();
    Ok(())
}

/// Adds one local co-op.
#[tracing::instrument(skip_all, err, fields(coop.slug = %input.slug))]
pub async fn create(ctx: &AppContext, input: &CoopInput) -> Result<Coop, AppError> {
    let (slug, profile) = input.validate()?;
    let mut created = create_many(
        ctx,
        vec![NewMember {
            slug,
            profile,
            created_at: None,
            updated_at: None,
        }],
    )
    .await?;
    created
        .pop()
        .ok_or_else(|| AppError::internal("no co-op written"))
}

/// Adds local co-ops, [`WRITE_BATCH`] per transaction, each with its `Add` to peer
/// networks; the last batch also carries the network's welcome post for all of them. Every
/// handle is checked in its batch's transaction: one taken meanwhile is a `Conflict`
/// naming it, and the batches before it stay written.
pub async fn create_many(ctx: &AppContext, members: Vec<NewMember>) -> Result<Vec<Coop>, AppError> {
    let mut created = Vec::with_capacity(members.len());
    let batches: Vec<&[NewMember]> = members.chunks(WRITE_BATCH).collect();
    let last = batches.len().saturating_sub(1);
    let mut statistics = Statistics::default();
    for (n, batch) in batches.into_iter().enumerate() {
        let txn = coopnet_db::begin_write(&ctx.db).await?;
        created.extend(insert_members(&txn, ctx, batch).await?);
        if n == last {
            welcome(&txn, ctx, &created).await?;
        }
        commit(txn, ctx).await?;
        statistics.after(ctx, created.len(), n == last).await?;
    }
    Ok(created)
}

/// Planner statistics during and after a bulk write (`coopnet_db::analyze`). Without them
/// PostgreSQL plans the batch's handle check (`slug IN (...)`, a prepared statement) with
/// default selectivities and scans the whole table: a 100,000-co-op import spent most of
/// its time there. So the tables written are analyzed once the write reaches
/// [`Statistics::FIRST`] rows and each time it doubles (a logarithmic number of passes,
/// each a sample), and once at the end of any write of a batch or more, so that searches
/// on a freshly loaded directory are planned with real figures too.
#[derive(Debug)]
struct Statistics {
    next: usize,
}

impl Default for Statistics {
    fn default() -> Self {
        Self { next: Self::FIRST }
    }
}

impl Statistics {
    /// Rows written before the first pass during a write.
    const FIRST: usize = 1_000;

    async fn after(
        &mut self,
        ctx: &AppContext,
        written: usize,
        done: bool,
    ) -> Result<(), AppError> {
        let due = if done {
            written >= WRITE_BATCH
        } else {
            written >= self.next
        };
        if due {
            coopnet_db::analyze(&ctx.db, Some(coopnet_db::COOP_TABLES)).await?;
            self.next = written.saturating_mul(2);
        }
        Ok(())
    }
}

/// Writes one batch of new members: their handles checked, the co-ops inserted and
/// indexed, and their `Add`s queued, in a handful of statements for the whole batch.
async fn insert_members(
    conn: &impl ConnectionTrait,
    ctx: &AppContext,
    batch: &[NewMember],
) -> Result<Vec<Coop>, AppError> {
    let slugs: Vec<&Slug> = batch.iter().map(|m| &m.slug).collect();
    for (slug, state) in slugs
        .iter()
        .zip(availability_many(conn, ctx, &slugs).await?)
    {
        if let Some(problem) = state.problem() {
            return Err(AppError::Conflict(format!("slug '{slug}' {problem}")));
        }
    }
    let now = Utc::now();
    let news: Vec<NewCoop> = batch
        .iter()
        .map(|member| {
            let created_at = member.created_at.unwrap_or(now);
            NewCoop {
                network_id: ctx.network.id,
                slug: &member.slug,
                profile: &member.profile,
                created_at,
                updated_at: member.updated_at.unwrap_or(created_at),
            }
        })
        .collect();
    let coops = repo::insert_many(conn, &news).await.map_err(|e| match e {
        // Taken between the check and the insert (another writer, or twice in the batch).
        coopnet_db::DbError::Conflict(detail) => AppError::Conflict(format!(
            "a handle of this batch {} ({detail})",
            SlugAvailability::Taken.problem().unwrap_or_default()
        )),
        other => other.into(),
    })?;
    outbox::members_added(conn, ctx.fed(), &coops).await?;
    Ok(coops)
}

/// The network's post welcoming `joined` (nothing for none): each by name, linked, with its
/// handle; past [`WELCOME_NAMES`] the rest are counted.
async fn welcome(
    conn: &impl ConnectionTrait,
    ctx: &AppContext,
    joined: &[Coop],
) -> Result<(), AppError> {
    if joined.is_empty() {
        return Ok(());
    }
    let urls = &ctx.fed().urls;
    let named: Vec<String> = joined
        .iter()
        .take(WELCOME_NAMES)
        .map(|coop| {
            let url = urls.coop(coop.slug.as_str());
            let handle = format!("@{}@{}", coop.slug, urls.domain());
            let name = escape(&coop.profile.name)
                .replace('[', "\\[")
                .replace(']', "\\]");
            format!("[{name}]({url}) ({})", escape(&handle))
        })
        .collect();
    let network = escape(&ctx.network.name);
    let markdown = match joined.len() {
        1 => format!("Welcome to {network}, {}!", named.join("")),
        n if n <= WELCOME_NAMES => format!(
            "Welcome to {network}, {n} new members: {}!",
            named.join(", ")
        ),
        n => format!(
            "Welcome to {network}, {n} new members: {} and {} more!",
            named.join(", "),
            n - WELCOME_NAMES
        ),
    };
    posts::publish_for_network(conn, ctx, &markdown).await?;
    Ok(())
}

/// Changes a co-op's profile: `patch` over its current record, validated as a whole. The
/// handle cannot change (it is the co-op's fediverse identity). `scope` must allow editing
/// this co-op.
#[tracing::instrument(skip_all, err, fields(coop.slug = %slug))]
pub async fn update(
    ctx: &AppContext,
    scope: &TokenScope,
    slug: &str,
    patch: &CoopPatch,
) -> Result<Coop, AppError> {
    let txn = coopnet_db::begin_write(&ctx.db).await?;
    let existing = find_live(&txn, ctx, slug).await?;
    if !scope.may_edit(&existing.slug) {
        return Err(AppError::Forbidden(format!(
            "this token may not edit co-op '{slug}'"
        )));
    }
    let input = patch.apply(&CoopInput::from(&existing))?;
    let (_, profile) = input.validate()?;
    if profile == existing.profile {
        return Ok(existing);
    }
    let coop = write_profile(&txn, ctx, &existing, &profile, Utc::now()).await?;
    commit(txn, ctx).await?;
    Ok(coop)
}

/// Replaces the profiles of local co-ops (imports with `--upsert`), [`WRITE_BATCH`] per
/// transaction; unchanged ones are skipped. Returns the co-ops that changed.
pub async fn update_many(
    ctx: &AppContext,
    changes: Vec<(Slug, CoopProfile, Option<DateTime<Utc>>)>,
) -> Result<Vec<Coop>, AppError> {
    let mut changed = Vec::new();
    let mut statistics = Statistics::default();
    let batches = changes.chunks(WRITE_BATCH).count();
    for (n, batch) in changes.chunks(WRITE_BATCH).enumerate() {
        let txn = coopnet_db::begin_write(&ctx.db).await?;
        for (slug, profile, updated_at) in batch {
            let existing = find_live(&txn, ctx, slug.as_str()).await?;
            if *profile == existing.profile {
                continue;
            }
            // A change must move `updated_at` forward: the search index (`docs/search.md`)
            // and peer networks (`repo::upsert_remote`) find changed co-ops by it alone. A
            // time from the file is kept only when later, since an exported file, edited
            // and imported back, carries the very time the co-op already has.
            let at = updated_at
                .filter(|t| *t > existing.updated_at)
                .unwrap_or_else(Utc::now)
                .max(existing.updated_at + TimeDelta::microseconds(1));
            changed.push(write_profile(&txn, ctx, &existing, profile, at).await?);
        }
        commit(txn, ctx).await?;
        statistics
            .after(ctx, changed.len(), n + 1 == batches)
            .await?;
    }
    Ok(changed)
}

/// Stores a new profile and queues its `Update`s: to followers when the actor has been
/// fetched (only then does anyone hold its key, and only then can anyone follow it), and to
/// peer networks.
async fn write_profile(
    conn: &impl ConnectionTrait,
    ctx: &AppContext,
    existing: &Coop,
    profile: &CoopProfile,
    at: DateTime<Utc>,
) -> Result<Coop, AppError> {
    let coop = repo::update_profile(conn, existing.id, profile, at).await?;
    if let Some(pair) = keys::coop(conn, coop.id).await? {
        outbox::update_coop(conn, ctx.fed(), &coop, &pair.public_pem).await?;
    }
    outbox::member_updated(conn, ctx.fed(), &coop).await?;
    Ok(coop)
}

/// Sends co-op `coop` out again as it is (a new `updated_at`, `Update` to followers and
/// peer networks), when something its actor document shows changed outside its profile:
/// its linked account (`link.rs`).
pub(super) async fn republish(
    conn: &impl ConnectionTrait,
    ctx: &AppContext,
    coop: &Coop,
) -> Result<Coop, AppError> {
    write_profile(conn, ctx, coop, &coop.profile, Utc::now()).await
}

/// Removes a co-op: it leaves the directory, its tokens are revoked, its linked account is
/// unlinked, and its slug stays reserved (its actor will answer 410 Gone).
#[tracing::instrument(skip_all, err, fields(coop.slug = %slug))]
pub async fn remove(ctx: &AppContext, slug: &str) -> Result<Coop, AppError> {
    let txn = coopnet_db::begin_write(&ctx.db).await?;
    let coop = find_live(&txn, ctx, slug).await?;
    repo::mark_deleted(&txn, coop.id, Utc::now()).await?;
    tokens::revoke_for_coop(&txn, coop.id).await?;
    if let Some(link) = linked_accounts::for_coop(&txn, coop.id).await? {
        super::link::drop_link(&txn, ctx, coop.id, &link).await?;
    }
    // Servers that fetched the actor (and so hold its key) learn it is gone.
    if keys::coop(&txn, coop.id).await?.is_some() {
        outbox::delete_coop(&txn, ctx.fed(), &coop).await?;
    }
    outbox::member_removed(&txn, ctx.fed(), &coop).await?;
    commit(txn, ctx).await?;
    Ok(coop)
}
