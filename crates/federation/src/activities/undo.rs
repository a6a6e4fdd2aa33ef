//! `Undo{Follow}`: forget the follow. Matched by follower and object when the Follow is
//! embedded (Mastodon's Follow ids are not stable across re-follows), by the stored
//! Follow id when only the id is given (Pleroma, Akkoma).
use activitypub_federation::config::Data;
use coopnet_db::repo::{followers, remote_actors};

use crate::protocol::activities::{UndoByRef, UndoFollow};
use crate::urls::host_port;
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

/// Any other `Undo`: the undone activity named by id alone, or embedded in part. A Follow
/// of ours is found by its stored id (and must be the sender's); a boost by a peer network
/// by its `Announce` id; anything else is something we keep nothing of.
pub async fn receive_ref(undo: UndoByRef, data: &Data<FedData>) -> Result<(), FederationError> {
    let undone = &undo.object;
    if undone.actor.as_ref().is_some_and(|a| *a != undo.actor) {
        return Err(FederationError::Forbidden(
            "an actor may only undo its own activities".into(),
        ));
    }
    let Some(id) = &undone.id else {
        tracing::debug!("undo of an activity without id; nothing to do");
        return Ok(());
    };
    // An actor's activities live on its own host.
    if host_port(id) != host_port(&undo.actor) {
        return Err(FederationError::Forbidden(
            "an actor may only undo its own activities".into(),
        ));
    }
    let Some(actor) = remote_actors::find(&data.db, &undo.actor).await? else {
        tracing::debug!(undone = %id, "undo by an actor we keep nothing of");
        return Ok(());
    };
    let kind = undone.kind.as_deref();
    if kind.is_none_or(|k| k == "Follow") {
        let removed = followers::remove_by_follow_id(&data.db, actor.id, id).await?;
        if removed {
            tracing::info!(follower = %undo.actor, follow = %id, "unfollowed (by id)");
            return Ok(());
        }
    }
    if kind.is_none_or(|k| k == "Announce") {
        return super::remote_posts::undo_announce_by_id(&undo.actor, id, data).await;
    }
    tracing::debug!(undone = %id, kind = ?kind, "undo of something we keep nothing of");
    Ok(())
}
