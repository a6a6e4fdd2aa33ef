//! `Undo{Follow}`: forget the follow. Matched by follower and object, not only by id
//! (Mastodon's Follow ids are not stable across re-follows).
use activitypub_federation::config::Data;
use coopnet_db::repo::{followers, remote_actors};

use crate::protocol::activities::UndoFollow;
use crate::{FedData, FederationError, outbox};

pub async fn receive(undo: UndoFollow, data: &Data<FedData>) -> Result<(), FederationError> {
    if undo.object.actor != undo.actor {
        return Err(FederationError::Forbidden(
            "an actor may only undo its own follows".into(),
        ));
    }
    let target = match outbox::resolve_followable(data, &undo.object.object).await {
        Ok(target) => target,
        // Unfollowing something that is gone is already done.
        Err(FederationError::NotFound | FederationError::Gone) => return Ok(()),
        Err(e) => return Err(e),
    };
    if let Some(actor) = remote_actors::find(&data.db, &undo.actor).await? {
        let removed = followers::remove(&data.db, target, actor.id).await?;
        tracing::info!(follower = %undo.actor, object = %undo.object.object, removed, "unfollowed");
    }
    Ok(())
}
