//! `Follow` of a co-op or the network: store the follower, answer with `Accept`.
use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use coopnet_db::TransactionTrait;
use coopnet_db::repo::followers;

use crate::objects::ApubRemoteActor;
use crate::protocol::activities::Follow;
use crate::{FedData, FederationError, outbox};

pub async fn receive(follow: Follow, data: &Data<FedData>) -> Result<(), FederationError> {
    let target = outbox::resolve_followable(data, &follow.object).await?;
    let actor = ObjectId::<ApubRemoteActor>::from(follow.actor.clone())
        .dereference(data)
        .await?;
    let txn = data
        .db
        .begin()
        .await
        .map_err(|e| FederationError::Internal(e.to_string()))?;
    followers::add(&txn, target, &actor.0, &follow.id).await?;
    outbox::enqueue_accept(&txn, data, target, &follow, &actor.0.inbox).await?;
    txn.commit()
        .await
        .map_err(|e| FederationError::Internal(e.to_string()))?;
    data.wake.notify_one();
    tracing::info!(follower = %actor.0.actor_id, object = %follow.object, "new follower");
    Ok(())
}
