//! `Accept` / `Reject` of a Follow our network sent, in every form servers answer with:
//! the Follow embedded (Mastodon), its id alone (Pleroma, Akkoma), or an embedded copy
//! with another id form. Matched through the stored follow's id; an embedded copy whose id
//! does not match is taken only when it names our network as follower and the answering
//! actor as followed.
use activitypub_federation::config::Data;
use coopnet_core::FollowState;
use coopnet_db::repo::following;
use url::Url;

use crate::protocol::activities::ActivityRef;
use crate::queue::commit_and_wake;
use crate::urls::host_port;
use crate::{FedData, FederationError};

pub async fn receive(
    actor: &Url,
    follow: &ActivityRef,
    accepted: bool,
    data: &Data<FedData>,
) -> Result<(), FederationError> {
    if !follow.may_be_follow() {
        return Err(FederationError::BadRequest(
            "an Accept or Reject we act on answers a Follow".into(),
        ));
    }
    // Only the followed actor answers, and only Follows our network sent.
    if follow.object.as_ref().is_some_and(|o| o != actor) {
        return Err(FederationError::Forbidden(
            "only the followed actor may answer a follow".into(),
        ));
    }
    if follow
        .actor
        .as_ref()
        .is_some_and(|a| *a != data.urls.network())
    {
        return Err(FederationError::BadRequest("not a follow of ours".into()));
    }
    if let Some(id) = &follow.id
        && let Some(ours) = following::find_by_follow_id(&data.db, id).await?
        && ours.actor_id != *actor
    {
        return Err(FederationError::Forbidden(
            "only the followed actor may answer a follow".into(),
        ));
    }
    let Some(ours) = following::find(&data.db, actor).await? else {
        tracing::info!(%actor, "answer to a follow we do not have; ignored");
        return Ok(());
    };
    let by_id = follow
        .id
        .as_ref()
        .is_some_and(|id| id.as_str() == ours.follow_id);
    // An embedded copy naming both ends is ours even under another id form (servers
    // that rewrite ids); an id alone must be the one we sent.
    let by_ends = follow.actor.is_some() && follow.object.is_some();
    if !by_id && !by_ends {
        tracing::info!(%actor, follow = ?follow.id, "answer to another follow than ours; ignored");
        return Ok(());
    }
    let state = if accepted {
        FollowState::Accepted
    } else {
        FollowState::Rejected
    };
    let is_network = ours.kind.is_network();
    // The new state and the backfill job commit together: an accepted follow of a network
    // always gets its backfill, even if we crash right after answering.
    let txn = coopnet_db::begin_write(&data.db).await?;
    let known = following::set_state(&txn, actor, state).await?;
    let backfill = known && accepted && is_network;
    if backfill {
        // The walk may take a while: the job worker does it, the inbox answers now.
        crate::jobs::enqueue(
            &txn,
            &crate::jobs::Job::Backfill {
                actor: actor.clone(),
            },
        )
        .await?;
    }
    if !accepted {
        crate::peer_errors::record(
            &txn,
            &host_port(actor),
            "follow",
            &format!("{actor} refused our follow (Reject)"),
        )
        .await;
    }
    commit_and_wake(txn, backfill.then_some(&data.jobs_wake)).await?;
    tracing::info!(%actor, state = state.as_str(), known, "follow answered");
    Ok(())
}
