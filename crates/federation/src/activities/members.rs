//! Member co-ops of peer networks: `Add`, `Update`, `Remove`/`Delete`.
//!
//! Trust rules: a sender speaks only for co-ops on its own host (so no instance can inject
//! or overwrite another network's members); data is taken only from networks we follow;
//! an update older than what we hold never wins; remote text passes the same validation and
//! limits as local input.
use activitypub_federation::config::Data;
use chrono::{DateTime, Utc};
use coopnet_core::ActorKind;
use coopnet_db::repo::coops::{self, RemoteCoop, RemoteUpsert};
use coopnet_db::repo::networks;
use coopnet_db::{ConnectionTrait, DbError};
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
        f.domain == host && f.kind.is_network() && f.state == coopnet_core::FollowState::Accepted
    }) else {
        return Ok(None);
    };
    Ok(networks::find_by_actor(&data.db, &f.actor_id).await?)
}

/// A member co-op as it will be stored: validated like local input, times clamped.
#[derive(Debug, Clone)]
pub struct CheckedMember {
    /// Its handle.
    pub slug: coopnet_core::Slug,
    /// Its validated profile.
    pub profile: coopnet_core::CoopProfile,
    /// When it joined (never in the future).
    pub created_at: DateTime<Utc>,
    /// When its profile last changed (never in the future).
    pub updated_at: DateTime<Utc>,
}

/// Checks a received member co-op without touching the database: an `Organization`
/// whose profile passes the same validation and limits as local input. Pure, so the fuzz
/// target `activity_parse` runs it on arbitrary input.
pub fn check(
    org: &RemoteOrganization,
    now: DateTime<Utc>,
) -> Result<CheckedMember, FederationError> {
    if ActorKind::parse(&org.kind) != Some(ActorKind::Organization) {
        return Err(FederationError::BadRequest(format!(
            "a member must be an Organization, not {}",
            org.kind
        )));
    }
    let (slug, profile) = org
        .profile
        .validate()
        .map_err(|e| FederationError::BadRequest(format!("member {}: {e}", org.id)))?;
    let updated_at = org
        .updated
        .or(org.profile.updated_at)
        .unwrap_or(now)
        .min(now);
    let created_at = org
        .published
        .or(org.profile.created_at)
        .unwrap_or(updated_at)
        .min(now);
    Ok(CheckedMember {
        slug,
        profile,
        created_at,
        updated_at,
    })
}

/// Stores (or updates) a member co-op received from its network, on `conn`: the caller
/// passes a transaction, so the co-op row, its search index rows and its membership event
/// are written together or not at all.
pub async fn store(
    conn: &impl ConnectionTrait,
    network: &coopnet_core::Network,
    org: RemoteOrganization,
) -> Result<RemoteUpsert, FederationError> {
    let member = check(&org, Utc::now())?;
    Ok(coops::upsert_remote(
        conn,
        RemoteCoop {
            network_id: network.id,
            actor_id: &org.id,
            slug: &member.slug,
            profile: &member.profile,
            created_at: member.created_at,
            updated_at: member.updated_at,
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
