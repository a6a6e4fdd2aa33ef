//! A co-op's linked fediverse account: the one door for linking and unlinking it. The
//! console's editor page, `coopnet coop link|unlink` and `PUT`/`DELETE
//! /api/v1/admin/coops/{slug}/link` all call [`link`] and [`unlink`], which also decide what
//! federates:
//!
//! - **link**: the account must point back to the co-op's profile here
//!   (`coopnet_federation::linked`); then, in one transaction, the link is stored, our network
//!   follows the account (`Follow`), and the co-op's actor (which now names the account in a
//!   profile field) goes out as `Update` to its followers and peer networks. From then on
//!   the account's public, top-level posts are boosted by the network (the inbox does that,
//!   `coopnet_federation::activities`).
//! - **unlink**: the link goes, our network stops following (`Undo{Follow}`), the account's
//!   posts kept for the profile page are forgotten, and the actor is sent again without it.
//!   Boosts already sent stay, as after any unfollow.
//!
//! A co-op's removal unlinks its account the same way (`write.rs`).
use chrono::Utc;
use coopnet_core::{Coop, FieldErrors, FollowState, LinkedAccount, TokenScope};
use coopnet_db::ConnectionTrait;
use coopnet_db::repo::{blocks, following, linked_accounts, remote_actors, remote_posts};
use coopnet_federation::FederationError;
use coopnet_federation::linked::{self, LinkError};
use coopnet_federation::outbox;

use super::read::find_live;
use super::write::republish;
use crate::{AppContext, AppError};

/// A linked account and where our network's follow of it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkState {
    /// The link.
    pub account: LinkedAccount,
    /// Our follow of the account: `None` when there is none (the account's server was
    /// blocked, or it deleted the account).
    pub follow: Option<FollowState>,
}

async fn state_of(
    conn: &impl ConnectionTrait,
    account: LinkedAccount,
) -> Result<LinkState, AppError> {
    let follow = following::list(conn)
        .await?
        .into_iter()
        .find(|f| f.actor_id == account.actor_id)
        .map(|f| f.state);
    Ok(LinkState { account, follow })
}

fn may_edit(scope: &TokenScope, coop: &Coop) -> Result<(), AppError> {
    if scope.may_edit(&coop.slug) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "this token may not change the linked account of co-op '{}'",
            coop.slug
        )))
    }
}

/// The account linked to co-op `slug`, with our follow's state (editors of the co-op and
/// admins).
pub async fn linked_account(
    ctx: &AppContext,
    scope: &TokenScope,
    slug: &str,
) -> Result<Option<LinkState>, AppError> {
    let coop = find_live(&ctx.db, ctx, slug).await?;
    may_edit(scope, &coop)?;
    match linked_accounts::for_coop(&ctx.db, coop.id).await? {
        Some(account) => Ok(Some(state_of(&ctx.db, account).await?)),
        None => Ok(None),
    }
}

/// The account linked to `coop`, for its public profile (no scope: the link is public, it
/// is in the co-op's actor document).
pub async fn public_link(ctx: &AppContext, coop: &Coop) -> Result<Option<LinkedAccount>, AppError> {
    Ok(linked_accounts::for_coop(&ctx.db, coop.id).await?)
}

/// What to tell an editor whose account does not point back to the co-op.
fn no_backlink(handle: &str, profile: &url::Url) -> String {
    let host = handle.rsplit('@').next().unwrap_or(handle);
    format!(
        "@{handle} does not link back to this co-op. On {host}, edit the profile of @{handle} \
         and add a profile field (for example named \"Directory\") whose value is {profile}, \
         save it, then link again. (The address also counts as the account's website (url) \
         or in its alsoKnownAs.)"
    )
}

fn refused(account: &str, e: LinkError) -> AppError {
    match e {
        LinkError::NoBacklink { handle, profile } => {
            FieldErrors::single("account", no_backlink(&handle, &profile)).into()
        }
        LinkError::Group { handle } => FieldErrors::single(
            "account",
            format!(
                "@{handle} is a network (a group), not an account: follow it from the federation \
                 page instead"
            ),
        )
        .into(),
        LinkError::Lookup(FederationError::Lookup(message)) => {
            FieldErrors::single("account", message).into()
        }
        LinkError::Lookup(other) => AppError::remote(format!("looking up {account}"), other),
    }
}

/// Links the fediverse account `account` (`@user@host`, `user@host` or an actor URL) to
/// co-op `slug`, replacing an earlier link; see the module docs for what it sets off.
/// Refused (`Invalid`, on field `account`) when the account does not point back to the
/// co-op's profile, saying what to add where; `Conflict` when another co-op linked it or its
/// server is blocked.
#[tracing::instrument(skip_all, err, fields(coop.slug = %slug, account = %account))]
pub async fn link(
    ctx: &AppContext,
    scope: &TokenScope,
    slug: &str,
    account: &str,
) -> Result<LinkState, AppError> {
    let account = account.trim();
    if account.is_empty() {
        return Err(FieldErrors::single(
            "account",
            "must be a fediverse handle such as @coop@social.example",
        )
        .into());
    }
    let coop = find_live(&ctx.db, ctx, slug).await?;
    may_edit(scope, &coop)?;
    let profile = ctx.fed().urls.coop(coop.slug.as_str());
    let data = ctx.federation.to_request_data();
    let verified = linked::verify(&data, account, &profile)
        .await
        .map_err(|e| refused(account, e))?;
    let actor = verified.actor;
    if blocks::is_blocked(&ctx.db, &actor.domain).await? {
        return Err(AppError::Conflict(format!(
            "{} is blocked; unblock it first",
            actor.domain
        )));
    }

    let txn = coopnet_db::begin_write(&ctx.db).await?;
    let coop = find_live(&txn, ctx, slug).await?;
    if let Some(other) = linked_accounts::by_actor(&txn, &actor.actor_id).await?
        && other.coop_id != coop.id
    {
        return Err(AppError::Conflict(format!(
            "@{} is linked to another co-op",
            verified.handle
        )));
    }
    let before = linked_accounts::for_coop(&txn, coop.id).await?;
    let same_account = before
        .as_ref()
        .is_some_and(|b| b.actor_id == actor.actor_id);
    if let Some(old) = before.as_ref().filter(|_| !same_account) {
        drop_link(&txn, ctx, coop.id, old).await?;
    }
    let account = LinkedAccount {
        coop_id: coop.id,
        actor_id: actor.actor_id.clone(),
        handle: verified.handle,
        backlink: verified.backlink,
        linked_at: Utc::now(),
    };
    linked_accounts::put(&txn, &account).await?;
    let followed = following::list(&txn)
        .await?
        .into_iter()
        .any(|f| f.actor_id == actor.actor_id && f.state != FollowState::Rejected);
    if !followed {
        outbox::follow(&txn, ctx.fed(), &actor).await?;
    }
    if !same_account {
        republish(&txn, ctx, &coop).await?;
    }
    let state = state_of(&txn, account).await?;
    super::write::commit(txn, ctx).await?;
    tracing::info!(actor = %actor.actor_id, "account linked");
    Ok(state)
}

/// Unlinks co-op `slug`'s account: see the module docs. `NotFound` when it has none.
#[tracing::instrument(skip_all, err, fields(coop.slug = %slug))]
pub async fn unlink(ctx: &AppContext, scope: &TokenScope, slug: &str) -> Result<(), AppError> {
    let txn = coopnet_db::begin_write(&ctx.db).await?;
    let coop = find_live(&txn, ctx, slug).await?;
    may_edit(scope, &coop)?;
    let Some(link) = linked_accounts::for_coop(&txn, coop.id).await? else {
        return Err(AppError::NotFound(format!(
            "linked account of co-op '{slug}'"
        )));
    };
    drop_link(&txn, ctx, coop.id, &link).await?;
    republish(&txn, ctx, &coop).await?;
    super::write::commit(txn, ctx).await?;
    tracing::info!(actor = %link.actor_id, "account unlinked");
    Ok(())
}

/// Removes co-op `coop_id`'s link `link` on `conn`: the row, our follow of the account
/// (`Undo{Follow}` queued) and the posts it brought. The caller republishes the co-op (or
/// removes it).
pub(super) async fn drop_link(
    conn: &impl ConnectionTrait,
    ctx: &AppContext,
    coop_id: i64,
    link: &LinkedAccount,
) -> Result<(), AppError> {
    linked_accounts::remove(conn, coop_id).await?;
    remote_posts::forget_linked(conn, coop_id).await?;
    let follow = following::list(conn)
        .await?
        .into_iter()
        .find(|f| f.actor_id == link.actor_id);
    if let (Some(follow), Some(actor)) = (follow, remote_actors::find(conn, &link.actor_id).await?)
    {
        outbox::unfollow(conn, ctx.fed(), &actor, &follow.follow_id).await?;
        following::remove(conn, actor.id).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_refusal_says_what_to_add_where() {
        let profile = url::Url::parse("https://coops.example/coops/outlandish").expect("url");
        let text = super::no_backlink("outlandish@social.example", &profile);
        assert!(
            text.starts_with("@outlandish@social.example does not link back"),
            "{text}"
        );
        assert!(
            text.contains("On social.example, edit the profile of @outlandish@social.example"),
            "{text}"
        );
        assert!(
            text.contains("whose value is https://coops.example/coops/outlandish,"),
            "{text}"
        );
    }
}
