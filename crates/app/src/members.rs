//! Network membership as admins manage it: removal with a reason, and the history of joins
//! and departures.
use chrono::{DateTime, Utc};
use coopnet_core::FieldErrors;
use coopnet_db::repo::removals::{self, Removal};

use crate::accounts::Session;
use crate::{AppContext, AppError, coops, directory};

/// Removes co-op `slug` through [`coops::remove`] (it leaves the directory and followers
/// learn it is gone) and records why.
#[tracing::instrument(skip_all, err, fields(coop.slug = %slug))]
pub async fn remove(
    ctx: &AppContext,
    by: &Session,
    slug: &str,
    reason: &str,
) -> Result<(), AppError> {
    by.require_admin()?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(FieldErrors::single("reason", "must not be empty").into());
    }
    if reason.chars().count() > coopnet_core::MAX_MESSAGE_CHARS {
        return Err(FieldErrors::single("reason", "is too long").into());
    }
    let coop = coops::remove(ctx, slug).await?;
    removals::insert(
        &ctx.db,
        &Removal {
            coop_id: coop.id,
            slug: coop.slug.to_string(),
            name: coop.profile.name.clone(),
            reason: reason.to_owned(),
            removed_by: Some(by.account.id),
            removed_at: Utc::now(),
        },
    )
    .await?;
    Ok(())
}

/// One join or departure of this network.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// The co-op's handle.
    pub slug: String,
    /// Its name then.
    pub name: String,
    /// Join (true) or departure.
    pub joined: bool,
    /// When.
    pub at: DateTime<Utc>,
    /// The admin's reason, for removals made in the console.
    pub reason: Option<String>,
}

/// The latest joins and departures of this network's listed co-ops, with removal reasons.
pub async fn history(ctx: &AppContext, by: &Session) -> Result<Vec<HistoryEntry>, AppError> {
    by.require_admin()?;
    let removals = removals::list(&ctx.db).await?;
    let events = directory::membership_events(ctx, 200).await?;
    let mut out: Vec<HistoryEntry> = events
        .into_iter()
        .filter(|e| e.network_id == ctx.network.id)
        .map(|e| HistoryEntry {
            reason: (!e.joined)
                .then(|| {
                    removals
                        .iter()
                        .find(|r| {
                            r.slug == e.slug && (r.removed_at - e.at).num_seconds().abs() < 60
                        })
                        .map(|r| r.reason.clone())
                })
                .flatten(),
            slug: e.slug,
            name: e.name,
            joined: e.joined,
            at: e.at,
        })
        .collect();
    // Unlisted co-ops have no membership events; their removals still show.
    for r in &removals {
        if !out.iter().any(|e| !e.joined && e.slug == r.slug) {
            out.push(HistoryEntry {
                slug: r.slug.clone(),
                name: r.name.clone(),
                joined: false,
                at: r.removed_at,
                reason: Some(r.reason.clone()),
            });
        }
    }
    out.sort_by_key(|e| std::cmp::Reverse(e.at));
    Ok(out)
}
