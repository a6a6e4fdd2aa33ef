//! Stored shape <-> core types. JSON text columns hold lists and maps so one schema works
//! on both backends.
use std::collections::BTreeMap;

use coopnet_core::{
    ActorKind, Coop, CoopOrigin, CoopProfile, CountryCode, FollowState, FollowerState, GeoPoint,
    LanguageTag, Link, Network, Slug, Tag, Target,
};
use sea_orm::ActiveValue::Set;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::DbError;
use crate::entities::{coop, network};

fn corrupt(what: &str, id: i32, e: impl std::fmt::Display) -> DbError {
    DbError::Corrupt(format!("{what} {id}: {e}"))
}

pub(crate) fn from_json<T: DeserializeOwned>(
    what: &str,
    id: i32,
    text: &str,
) -> Result<T, DbError> {
    serde_json::from_str(text).map_err(|e| corrupt(what, id, e))
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising maps of strings and vectors of validated values cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// A local actor as stored: its kind (`coop`, `network`) and id column.
pub(crate) fn target_parts(t: Target) -> Result<(&'static str, i32), DbError> {
    Ok((
        t.kind(),
        i32::try_from(t.id()).map_err(|_| DbError::NotFound)?,
    ))
}

/// A local actor from its stored kind and id.
pub(crate) fn target_from(kind: &str, id: i32) -> Result<Target, DbError> {
    Target::from_parts(kind, i64::from(id))
        .ok_or_else(|| DbError::Corrupt(format!("local actor kind {kind}")))
}

/// A remote actor's stored `type`.
pub(crate) fn actor_kind(text: &str) -> Result<ActorKind, DbError> {
    ActorKind::parse(text).ok_or_else(|| DbError::Corrupt(format!("actor type {text}")))
}

/// A stored state of one of our follows.
pub(crate) fn follow_state(text: &str) -> Result<FollowState, DbError> {
    FollowState::parse(text).ok_or_else(|| DbError::Corrupt(format!("following state {text}")))
}

/// A stored state of a follower.
pub(crate) fn follower_state(text: &str) -> Result<FollowerState, DbError> {
    FollowerState::parse(text).ok_or_else(|| DbError::Corrupt(format!("follower state {text}")))
}

fn parse_url(what: &str, id: i32, value: Option<String>) -> Result<Option<Url>, DbError> {
    value
        .map(|v| Url::parse(&v).map_err(|e| corrupt(what, id, e)))
        .transpose()
}

impl TryFrom<coop::Model> for Coop {
    type Error = DbError;

    fn try_from(m: coop::Model) -> Result<Self, DbError> {
        let id = m.id;
        let summary: BTreeMap<LanguageTag, String> = from_json("coop.summary", id, &m.summary)?;
        let location = match (m.latitude, m.longitude) {
            (Some(latitude), Some(longitude)) => Some(GeoPoint {
                latitude,
                longitude,
            }),
            _ => None,
        };
        let origin = match m.actor_id {
            Some(actor_id) if !m.is_local => CoopOrigin::Remote {
                actor_id: Url::parse(&actor_id).map_err(|e| corrupt("coop.actor_id", id, e))?,
            },
            _ => CoopOrigin::Local,
        };
        Ok(Coop {
            id: i64::from(id),
            slug: Slug::parse_unreserved(&m.slug).map_err(|e| corrupt("coop.slug", id, e))?,
            network_id: i64::from(m.network_id),
            origin,
            profile: CoopProfile {
                name: m.name,
                summary,
                website: parse_url("coop.website", id, m.website)?,
                email: m.email,
                contact_public: m.contact_public,
                locality: m.locality,
                region: m.region,
                country: m
                    .country
                    .map(|c| CountryCode::parse(&c).map_err(|e| corrupt("coop.country", id, e)))
                    .transpose()?,
                location,
                founded: m.founded,
                workers: m.workers.and_then(|w| u32::try_from(w).ok()),
                legal_form: m.legal_form,
                services: from_json::<Vec<Tag>>("coop.services", id, &m.services)?,
                technologies: from_json::<Vec<Tag>>("coop.technologies", id, &m.technologies)?,
                languages: from_json::<Vec<LanguageTag>>("coop.languages", id, &m.languages)?,
                logo: parse_url("coop.logo", id, m.logo)?,
                links: from_json::<Vec<Link>>("coop.links", id, &m.links)?,
                listed: m.listed,
            },
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

/// Writes every profile column of `p` into `am`.
pub(crate) fn set_profile(am: &mut coop::ActiveModel, p: &CoopProfile) {
    am.name = Set(p.name.clone());
    am.summary = Set(to_json(&p.summary));
    am.website = Set(p.website.as_ref().map(Url::to_string));
    am.email = Set(p.email.clone());
    am.contact_public = Set(p.contact_public);
    am.locality = Set(p.locality.clone());
    am.region = Set(p.region.clone());
    am.country = Set(p.country.map(|c| c.to_string()));
    am.latitude = Set(p.location.map(|l| l.latitude));
    am.longitude = Set(p.location.map(|l| l.longitude));
    am.founded = Set(p.founded);
    am.workers = Set(p.workers.and_then(|w| i32::try_from(w).ok()));
    am.legal_form = Set(p.legal_form.clone());
    am.services = Set(to_json(&p.services));
    am.technologies = Set(to_json(&p.technologies));
    am.languages = Set(to_json(&p.languages));
    am.logo = Set(p.logo.as_ref().map(Url::to_string));
    am.links = Set(to_json(&p.links));
    am.listed = Set(p.listed);
}

impl TryFrom<network::Model> for Network {
    type Error = DbError;

    fn try_from(m: network::Model) -> Result<Self, DbError> {
        let id = m.id;
        Ok(Network {
            id: i64::from(id),
            username: Slug::parse_unreserved(&m.username)
                .map_err(|e| corrupt("network.username", id, e))?,
            domain: m.domain,
            name: m.name,
            country: m
                .country
                .map(|c| CountryCode::parse(&c).map_err(|e| corrupt("network.country", id, e)))
                .transpose()?,
            languages: from_json("network.languages", id, &m.languages)?,
            summary: m.summary,
            actor_id: parse_url("network.actor_id", id, m.actor_id)?,
        })
    }
}

/// A short stable digest of `text` (FNV-1a 64, hex): a change marker, not a security check.
pub(crate) fn digest(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}
