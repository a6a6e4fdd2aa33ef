//! `Accept` / `Reject` of a Follow our network sent.
use activitypub_federation::config::Data;
use coopnet_db::repo::following::{self, FollowState};
use url::Url;

use crate::protocol::activities::Follow;
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
    let known = following::set_state(&data.db, actor, state).await?;
    tracing::info!(%actor, state = state.as_str(), known, "follow answered");
    let is_network = coopnet_db::repo::remote_actors::find(&data.db, actor)
        .await?
        .is_some_and(|a| a.kind == "Group");
    if known && accepted && is_network {
        // Backfill in the background: the inbox answers now, the walk may take a while. A
        // backfill lost to a crash is redone by the periodic resync.
        let data = data.reset_request_count();
        let actor = actor.clone();
        tokio::spawn(async move {
            match crate::sync::record_peer(&data, &actor).await {
                Ok(network) => {
                    if let Err(e) = crate::sync::resync(&data, &network, true).await {
                        tracing::warn!(peer = %actor, error = %e, "backfill failed");
                    }
                }
                Err(e) => tracing::warn!(peer = %actor, error = %e, "peer network not recorded"),
            }
        });
    }
    Ok(())
}
