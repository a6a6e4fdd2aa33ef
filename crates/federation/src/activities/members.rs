//! Member co-ops of peer networks: `Add`, `Update`, `Remove`/`Delete`.
//!
//! Trust rules: a sender speaks only for co-ops on its own host (so no instance can inject
//! or overwrite another network's members); data is taken only from networks we follow;
//! an update older than what we hold never wins; remote text passes the same validation and
//! limits as local input.
use activitypub_federation::config::Data;
use coopnet_db::repo::coops::{self, RemoteCoop, RemoteUpsert};
use coopnet_db::repo::networks;
use url::Url;

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
        f.domain == host
            && f.kind == "Group"
            && f.state == coopnet_db::repo::following::FollowState::Accepted
    }) else {
        return Ok(None);
    };
    Ok(networks::find_by_actor(&data.db, &f.actor_id).await?)
}

/// Stores (or updates) a member co-op received from its network.
pub async fn store(
    data: &FedData,
    network: &coopnet_core::Network,
    org: RemoteOrganization,
) -> Result<RemoteUpsert, FederationError> {
    if org.kind != "Organization" {
        return Err(FederationError::BadRequest(format!(
            "a member must be an Organization, not {}",
            org.kind
        )));
    }
    let (slug, profile) = org
        .profile
        .validate()
        .map_err(|e| FederationError::BadRequest(format!("member {}: {e}", org.id)))?;
    let now = chrono::Utc::now();
    let updated = org
        .updated
        .or(org.profile.updated_at)
        .unwrap_or(now)
        .min(now);
    let created = org
        .published
        .or(org.profile.created_at)
        .unwrap_or(updated)
        .min(now);
    Ok(coops::upsert_remote(
        &data.db,
        RemoteCoop {
            network_id: network.id,
            actor_id: &org.id,
            slug: &slug,
            profile: &profile,
            created_at: created,
            updated_at: updated,
        },
    )
    .await?)
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
    let outcome = store(data, &network, org).await?;
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
    let removed = coops::delete_remote(&data.db, object).await?;
    if removed {
        tracing::info!(coop = %object, "member co-op left its network");
    }
    Ok(())
}
