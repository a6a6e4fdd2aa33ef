//! `Follow` of a co-op or the network: store the follower and answer. Follows of the network
//! by other networks (`Group` actors) follow the configured policy; everyone else (Mastodon
//! users, bots, ...) is accepted at once.
use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::activity::{AcceptType, RejectType};
use coopnet_core::{ActorKind, FollowerState, Target};
use coopnet_db::repo::followers;

use crate::objects::ApubRemoteActor;
use crate::protocol::activities::Follow;
use crate::queue::commit_and_wake;
use crate::{FedData, FederationError, PeerPolicy, outbox};

/// What to do with a follow.
enum Decision {
    Accept,
    Hold,
    Refuse,
}

fn decide(data: &FedData, target: Target, actor_kind: ActorKind, actor_domain: &str) -> Decision {
    if !matches!(target, Target::Network(_)) || !actor_kind.is_network() {
        return Decision::Accept;
    }
    match &data.policy {
        PeerPolicy::Auto => Decision::Accept,
        PeerPolicy::Manual => Decision::Hold,
        PeerPolicy::Allowlist(domains)
            if domains.iter().any(|d| d.eq_ignore_ascii_case(actor_domain)) =>
        {
            Decision::Accept
        }
        PeerPolicy::Allowlist(_) => Decision::Refuse,
    }
}

pub async fn receive(follow: Follow, data: &Data<FedData>) -> Result<(), FederationError> {
    let target = outbox::resolve_followable(data, &follow.object).await?;
    let actor = ObjectId::<ApubRemoteActor>::from(follow.actor.clone())
        .dereference(data)
        .await?;
    let txn = coopnet_db::begin_write(&data.db)
        .await
        .map_err(|e| FederationError::Internal(e.to_string()))?;
    let decision = decide(data, target, actor.0.kind, &actor.0.domain);
    let inbox = &actor.0.inbox;
    match decision {
        Decision::Accept => {
            followers::add(&txn, target, &actor.0, &follow.id, FollowerState::Accepted).await?;
            outbox::enqueue_answer(&txn, data, target, AcceptType::Accept, &follow, inbox).await?;
        }
        Decision::Hold => {
            followers::add(&txn, target, &actor.0, &follow.id, FollowerState::Pending).await?;
        }
        Decision::Refuse => {
            outbox::enqueue_answer(&txn, data, target, RejectType::Reject, &follow, inbox).await?;
        }
    }
    commit_and_wake(txn, [&data.wake])
        .await
        .map_err(|e| FederationError::Internal(e.to_string()))?;
    let outcome = match decision {
        Decision::Accept => "accepted",
        Decision::Hold => "pending approval",
        Decision::Refuse => "refused",
    };
    tracing::info!(follower = %actor.0.actor_id, object = %follow.object, outcome, "follow");
    Ok(())
}
