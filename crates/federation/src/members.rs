//! Member co-ops received from peer networks, checked and stored: the one path by which
//! both the inbox (`Add`/`Update`, in `activities/members.rs`) and the walk of a peer's
//! members collection (`sync.rs`) write a remote co-op. Remote text passes the same
//! validation and limits as local input; times are clamped so a peer cannot date its
//! members in the future. Kept apart from `activities/` so that the walk (run by the job
//! worker, which the inbox's `Accept` handler enqueues into) does not import the inbox.
use chrono::{DateTime, Utc};
use coopnet_core::ActorKind;
use coopnet_db::ConnectionTrait;
use coopnet_db::repo::coops::{self, RemoteCoop, RemoteUpsert};

use crate::FederationError;
use crate::protocol::actor::RemoteOrganization;

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
