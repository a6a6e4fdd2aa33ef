//! Actor documents: ours (Organization, Group, Application) and remote ones: a peer's
//! members and its `Group`, and actors of any type.
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

/// `publicKey` of an actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    /// The key id (`{actor}#main-key` for ours).
    pub id: String,
    /// The actor owning it.
    pub owner: Url,
    /// SPKI PEM.
    pub public_key_pem: String,
}

/// `endpoints` of an actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    /// One inbox for the whole server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_inbox: Option<Url>,
}

/// An `Image` (avatar).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// Always `Image`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where it is.
    pub url: Url,
    /// Its media type, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// A profile field (Mastodon's `PropertyValue`); `value` is HTML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropertyValue {
    /// Always `PropertyValue`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Field name.
    pub name: String,
    /// Field value, HTML.
    pub value: String,
}

/// A `Hashtag` tag (FEP-eb48).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hashtag {
    /// Always `Hashtag`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `#name`.
    pub name: String,
    /// A page listing what carries the tag.
    pub href: Url,
}

/// A `Place` (the co-op's location).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// Always `Place`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Human-readable place name.
    pub name: String,
    /// Degrees north.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    /// Degrees east.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
}

/// One of our actor documents: `Organization` (a co-op), `Group` (the network) or
/// `Application` (the instance actor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalActor {
    /// JSON-LD context (only when served on its own, not when embedded in an activity or a
    /// collection page).
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// Actor id.
    pub id: Url,
    /// `Organization`, `Group` or `Application`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Handle.
    pub preferred_username: String,
    /// Display name.
    pub name: String,
    /// Sanitised HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Summary per language (sanitised HTML).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub summary_map: BTreeMap<String, String>,
    /// HTML profile page (same host as `id`).
    pub url: Url,
    /// Avatar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<Image>,
    /// Inbox.
    pub inbox: Url,
    /// Outbox.
    pub outbox: Url,
    /// Followers collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<Url>,
    /// Following collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub following: Option<Url>,
    /// Shared inbox.
    pub endpoints: Endpoints,
    /// Signing key (always on the actor's own document; omitted from embedded copies of
    /// co-ops whose key was never needed yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<PublicKey>,
    /// When the actor was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    /// When its profile last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    /// Follows are accepted automatically.
    pub manually_approves_followers: bool,
    /// May appear in profile directories (the co-op's `listed` opt-in).
    pub discoverable: bool,
    /// Its posts may be indexed for search (the same opt-in).
    pub indexable: bool,
    /// Profile fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachment: Vec<PropertyValue>,
    /// Services and technologies as hashtags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<Hashtag>,
    /// Where the co-op is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Place>,
    /// The network's paged collection of member co-ops (Group only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Url>,
    /// `acct:` address (FEP-2c59).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webfinger: Option<String>,
    /// The co-op's complete profile in coopnet's record format, so peer networks copy it
    /// losslessly (Organization only).
    #[serde(
        rename = "coopnet:profile",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub coopnet_profile: Option<coopnet_core::CoopInput>,
    /// Where the network works and in which languages, so peers can show and filter it
    /// (Group only).
    #[serde(
        rename = "coopnet:network",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub coopnet_network: Option<NetworkInfo>,
}

/// A network's country and languages (`coopnet:network` on its `Group`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkInfo {
    /// ISO 3166-1 alpha-2 code, when the network is national.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// BCP 47 language tags, main language first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
}

/// A member co-op as another network sends it: only what we need, read leniently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteOrganization {
    /// Actor id.
    pub id: Url,
    /// Must be `Organization`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Handle.
    pub preferred_username: String,
    /// When it joined.
    #[serde(default)]
    pub published: Option<DateTime<Utc>>,
    /// When its profile last changed.
    #[serde(default)]
    pub updated: Option<DateTime<Utc>>,
    /// The profile, in coopnet's record format.
    #[serde(rename = "coopnet:profile")]
    pub profile: coopnet_core::CoopInput,
}

/// A remote actor of any type, read leniently: only what we use is required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteActorDoc {
    /// Actor id.
    pub id: Url,
    /// `Person`, `Service`, `Application`, `Group`, `Organization`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Handle (Mastodon requires it; we do not).
    #[serde(default)]
    pub preferred_username: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Inbox.
    pub inbox: Url,
    /// Shared inbox.
    #[serde(default)]
    pub endpoints: Option<Endpoints>,
    /// Signing key.
    pub public_key: PublicKey,
}

/// A peer network's `Group` actor: the fields we keep, read leniently (all but the id and
/// type may be missing).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteGroup {
    /// Actor id.
    pub id: Url,
    /// Must be `Group`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Handle.
    #[serde(default)]
    pub preferred_username: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// HTML description.
    #[serde(default)]
    pub summary: Option<String>,
    /// Its paged members collection.
    #[serde(default)]
    pub members: Option<Url>,
    /// The actors it follows.
    #[serde(default)]
    pub following: Option<Url>,
    /// Its country and languages ([`NetworkInfo`]), kept as plain JSON: a peer's malformed
    /// extension must not cost us the peer.
    #[serde(default, rename = "coopnet:network")]
    pub network: Option<Value>,
}
