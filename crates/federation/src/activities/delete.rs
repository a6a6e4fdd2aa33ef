//! `Delete` of a remote actor: forget it and its follows. Deletes of other objects (posts
//! we never stored) are acknowledged and ignored.
use activitypub_federation::config::Data;
use coopnet_db::repo::remote_actors;

use crate::protocol::activities::Delete;
use crate::{FedData, FederationError};

pub async fn receive(delete: Delete, data: &Data<FedData>) -> Result<(), FederationError> {
    if delete.object == delete.actor {
        let known = remote_actors::delete(&data.db, &delete.actor).await?;
        tracing::info!(actor = %delete.actor, known, "remote actor deleted");
    }
    // A co-op deleted by itself or by its network leaves the directory (host checked there).
    super::members::remove(&delete.actor, &delete.object, data).await
}
