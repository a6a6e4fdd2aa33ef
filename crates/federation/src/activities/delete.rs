//! `Delete` of a remote actor: forget it and its follows (and, for a peer network, its
//! members). A `Delete` of a post we keep (linked accounts, federation news) removes it
//! (`remote_posts.rs`); deletes of other objects are acknowledged and ignored.
use activitypub_federation::config::Data;
use coopnet_db::DbError;
use coopnet_db::repo::{networks, remote_actors};

use crate::protocol::activities::Delete;
use crate::{FedData, FederationError};

pub async fn receive(delete: Delete, data: &Data<FedData>) -> Result<(), FederationError> {
    if delete.object == delete.actor {
        // The signature proved the actor sent it. A peer network deleting its own actor is
        // gone for good: forget it and its members as an unfollow would (departures
        // recorded, index rows and co-ops removed), with the actor row, in one transaction.
        let txn = coopnet_db::begin_write(&data.db).await?;
        if let Some(network) = networks::find_by_actor(&txn, &delete.actor).await?
            && !network.is_local()
        {
            networks::delete_remote(&txn, network.id).await?;
            tracing::info!(network = %delete.actor, "peer network deleted its actor: forgotten");
        }
        let known = remote_actors::delete(&txn, &delete.actor).await?;
        txn.commit().await.map_err(DbError::from)?;
        tracing::info!(actor = %delete.actor, known, "remote actor deleted");
    }
    // A post we keep (or, for an actor deleting itself, all of its posts) goes, and our
    // boost of it with it.
    super::remote_posts::delete(&delete.actor, &delete.object, data).await?;
    // A co-op deleted by itself or by its network leaves the directory (host checked there).
    super::members::remove(&delete.actor, &delete.object, data).await
}
