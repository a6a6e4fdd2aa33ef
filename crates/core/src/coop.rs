//! The co-op aggregate: [`Coop`] (identity, timestamps, network) and its validated
//! [`CoopProfile`] (everything a co-op edits), with the map point and contact rules.
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use url::Url;

use crate::{CountryCode, LanguageTag, Link, Slug, Tag};

/// A point on the map, WGS 84.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    /// Degrees north, -90..=90.
    pub latitude: f64,
    /// Degrees east, -180..=180.
    pub longitude: f64,
}

/// The editable, validated profile of a co-op: everything but identity and timestamps.
#[derive(Debug, Clone, PartialEq)]
pub struct CoopProfile {
    /// Display name.
    pub name: String,
    /// Summary per language, Markdown as written by the co-op.
    pub summary: BTreeMap<LanguageTag, String>,
    /// The co-op's own website.
    pub website: Option<Url>,
    /// Contact e-mail.
    pub email: Option<String>,
    /// Whether the contact details (`email`) are shown publicly: on the profile, in the API
    /// and in the open-data exports. Editors and admins always see them.
    pub contact_public: bool,
    /// Town or city.
    pub locality: Option<String>,
    /// Region, county or state.
    pub region: Option<String>,
    /// Country.
    pub country: Option<CountryCode>,
    /// Map position.
    pub location: Option<GeoPoint>,
    /// Year founded.
    pub founded: Option<i32>,
    /// Number of people working in the co-op.
    pub workers: Option<u32>,
    /// Legal form as the co-op states it ("Co-operative society", "LLP", "eG", "SCOP").
    pub legal_form: Option<String>,
    /// Services offered.
    pub services: Vec<Tag>,
    /// Technologies used.
    pub technologies: Vec<Tag>,
    /// Languages the co-op works in.
    pub languages: Vec<LanguageTag>,
    /// Logo image URL.
    pub logo: Option<Url>,
    /// Social and fediverse links.
    pub links: Vec<Link>,
    /// Opt-in to public listing (directory, search, `discoverable`).
    pub listed: bool,
}

/// Where a co-op's record comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoopOrigin {
    /// A member of this instance's network; this instance is its authority.
    Local,
    /// A member of another network, cached from its home instance.
    Remote {
        /// Its actor id on its home instance.
        actor_id: Url,
    },
}

/// A co-op in the directory: identity, origin, profile and timestamps.
#[derive(Debug, Clone, PartialEq)]
pub struct Coop {
    /// Storage id (stable within one instance only).
    pub id: i64,
    /// Handle, unique per network.
    pub slug: Slug,
    /// Storage id of the network it belongs to.
    pub network_id: i64,
    /// Local or cached remote.
    pub origin: CoopOrigin,
    /// The profile.
    pub profile: CoopProfile,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When its profile last changed.
    pub updated_at: DateTime<Utc>,
}

impl CoopProfile {
    /// The contact e-mail when it may be shown publicly.
    pub fn public_email(&self) -> Option<&String> {
        self.email.as_ref().filter(|_| self.contact_public)
    }

    /// This profile with private contact details removed (for public renderings).
    pub fn redacted(&self) -> Self {
        let mut p = self.clone();
        if !p.contact_public {
            p.email = None;
        }
        p
    }
}

impl Coop {
    /// This co-op with private contact details removed (for public renderings).
    pub fn redacted(&self) -> Self {
        Self {
            profile: self.profile.redacted(),
            ..self.clone()
        }
    }

    /// True for members of this instance's own network.
    pub fn is_local(&self) -> bool {
        self.origin == CoopOrigin::Local
    }

    /// The summary in `wanted` (matched by primary language), else English, else any.
    pub fn summary_for(&self, wanted: &str) -> Option<(&LanguageTag, &String)> {
        let summary = &self.profile.summary;
        summary
            .iter()
            .find(|(tag, _)| tag.primary() == wanted)
            .or_else(|| summary.iter().find(|(tag, _)| tag.primary() == "en"))
            .or_else(|| summary.iter().next())
    }
}
