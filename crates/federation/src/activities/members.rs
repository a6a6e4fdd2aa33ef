//! Member co-ops of peer networks: `Add`, `Update`, `Remove`/`Delete`.
//!
//! Trust rules: a sender speaks only for co-ops on its own host (so no instance can inject
//! or overwrite another network's members); data is taken only from networks we follow;
//! an update older than what we hold never wins; remote text passes the same validation and
//! limits as local input (both in [`crate::members`], shared with the walk of `sync.rs`).
use activitypub_federation::config::Data;
use coopnet_db::DbError;
use coopnet_db::repo::{coops, networks};
use url::Url;

use crate::members::store;
use crate::protocol::actor::RemoteOrganization;
use crate::urls::host_port;
use crate::{FedData, FederationError};

/// The peer network on `host` we follow (accepted), if any.
async fn peer_on(
    data: &FedData,
    host: &str,
) -> Result<Option<coopnet_core::Network>, FederationError> {
    let followed = coopnet_db::repo::following::list(&data.db).await?;
    let Some(f) = followed.into_iter().find(|f| {
        f.domain == host && f.kind.is_network() && f.state == coopnet_core::FollowState::Accepted
    }) else {
        return Ok(None);
    };
    Ok(networks::find_by_actor(&data.db, &f.actor_id).await?)
}

/// `Add`/`Update` of a member co-op.
pub async fn upsert(
    actor: &Url,
    org: RemoteOrganization,
    data: &Data<FedData>,
) -> Result<(), FederationError> {
    let sender = host_port(actor);
    if host_port(&org.id) != sender {
        return Err(FederationError::Forbidden(format!(
            "{sender} may not speak for {}",
            org.id
        )));
    }
    let Some(network) = peer_on(data, &sender).await? else {
        tracing::debug!(%sender, "member data from a network we do not follow; ignored");
        return Ok(());
    };
    // One transaction: the co-op, its search rows and its membership event, or nothing.
    let txn = coopnet_db::begin_write(&data.db).await?;
    let outcome = store(&txn, &network, org).await?;
    txn.commit().await.map_err(DbError::from)?;
    tracing::info!(%sender, ?outcome, "member co-op received");
    Ok(())
}

/// `Remove`/`Delete` of a member co-op.
pub async fn remove(
    actor: &Url,
    object: &Url,
    data: &Data<FedData>,
) -> Result<(), FederationError> {
    if host_port(object) != host_port(actor) {
        return Err(FederationError::Forbidden(format!(
            "{actor} may not remove {object}"
        )));
    }
    let txn = coopnet_db::begin_write(&data.db).await?;
    let removed = coops::delete_remote(&txn, object).await?;
    txn.commit().await.map_err(DbError::from)?;
    if removed {
        tracing::info!(coop = %object, "member co-op left its network");
    }
    Ok(())
}
