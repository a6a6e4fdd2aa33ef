//! `Accept` / `Reject` of a Follow our network sent.
use activitypub_federation::config::Data;
use coopnet_core::FollowState;
use coopnet_db::repo::following;
use url::Url;

use crate::protocol::activities::Follow;
use crate::queue::commit_and_wake;
use crate::{FedData, FederationError};

pub async fn receive(
    actor: &Url,
    follow: &Follow,
    accepted: bool,
    data: &Data<FedData>,
) -> Result<(), FederationError> {
    // Only the followed actor answers, and only Follows our network sent.
    if &follow.object != actor {
        return Err(FederationError::Forbidden(
            "only the followed actor may answer a follow".into(),
        ));
    }
    if follow.actor != data.urls.network() {
        return Err(FederationError::BadRequest("not a follow of ours".into()));
    }
    let state = if accepted {
        FollowState::Accepted
    } else {
        FollowState::Rejected
    };
    let is_network = coopnet_db::repo::remote_actors::find(&data.db, actor)
        .await?
        .is_some_and(|a| a.kind.is_network());
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
    commit_and_wake(txn, backfill.then_some(&data.jobs_wake)).await?;
    tracing::info!(%actor, state = state.as_str(), known, "follow answered");
    Ok(())
}
