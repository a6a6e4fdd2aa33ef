//! A change to a co-op's profile, whatever door it came through.
//!
//! [`CoopPatch`] names each field it changes; a field left `None` keeps its value, and a
//! clearable field set to `Some(None)` (or to blank text) is cleared. Every surface parses
//! its own syntax into this one type (the admin API's JSON body with `serde`, the console's
//! form, the CLI's flags, an import record with [`CoopPatch::from`]) using the one set of
//! text rules here ([`split_list`], [`parse_link`]), and [`CoopPatch::apply`] lays it over
//! the current record, which is then validated like any input. So the same change gives the
//! same stored co-op, whichever way it was made.
use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

use crate::{CoopInput, FieldErrors, LinkInput};

/// Fields that may be set to "nothing" are `Option<Option<T>>`: `None` leaves them,
/// `Some(None)` clears them.
pub type Clearable<T> = Option<Option<T>>;

/// A partial update of a co-op's profile. In JSON (the admin API): any record key of
/// `docs/import-format.md`; `null` clears an optional field; `slug` may be given only with
/// the co-op's own; `created_at` and `updated_at` are set by the server.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CoopPatch {
    /// Must equal the co-op's handle when given (it cannot change).
    pub slug: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Summaries by language; replaces all of them.
    pub summary: Option<BTreeMap<String, String>>,
    /// Website URL.
    #[serde(deserialize_with = "clearable")]
    pub website: Clearable<String>,
    /// Contact e-mail.
    #[serde(deserialize_with = "clearable")]
    pub email: Clearable<String>,
    /// Show the contact e-mail publicly.
    pub contact_public: Option<bool>,
    /// Town or city.
    #[serde(deserialize_with = "clearable")]
    pub locality: Clearable<String>,
    /// Region.
    #[serde(deserialize_with = "clearable")]
    pub region: Clearable<String>,
    /// ISO 3166-1 alpha-2 code.
    #[serde(deserialize_with = "clearable")]
    pub country: Clearable<String>,
    /// Degrees north.
    #[serde(deserialize_with = "clearable")]
    pub latitude: Clearable<f64>,
    /// Degrees east.
    #[serde(deserialize_with = "clearable")]
    pub longitude: Clearable<f64>,
    /// Year founded.
    #[serde(deserialize_with = "clearable")]
    pub founded: Clearable<i64>,
    /// People working in the co-op.
    #[serde(deserialize_with = "clearable")]
    pub workers: Clearable<i64>,
    /// Legal form.
    #[serde(deserialize_with = "clearable")]
    pub legal_form: Clearable<String>,
    /// Service labels; replaces the list.
    pub services: Option<Vec<String>>,
    /// Technology labels; replaces the list.
    pub technologies: Option<Vec<String>>,
    /// Language tags worked in; replaces the list.
    pub languages: Option<Vec<String>>,
    /// Logo URL.
    #[serde(deserialize_with = "clearable")]
    pub logo: Clearable<String>,
    /// Links; replaces the list.
    pub links: Option<Vec<LinkInput>>,
    /// Listed in the public directory.
    pub listed: Option<bool>,
    /// Refused when given: set by the server.
    #[serde(deserialize_with = "clearable")]
    pub created_at: Clearable<serde::de::IgnoredAny>,
    /// Refused when given: set by the server.
    #[serde(deserialize_with = "clearable")]
    pub updated_at: Clearable<serde::de::IgnoredAny>,
}

/// Present (even as `null`) becomes `Some`: `null` → `Some(None)`.
fn clearable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl CoopPatch {
    /// Lays the patch over `current` (the co-op's record as it is). Refuses a different
    /// slug and server-set times; the result still needs [`CoopInput::validate`].
    pub fn apply(&self, current: &CoopInput) -> Result<CoopInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Some(slug) = &self.slug
            && slug.trim() != current.slug
        {
            errors.add(
                "slug",
                "cannot be changed (it is the co-op's fediverse handle)",
            );
        }
        for (field, given) in [
            ("created_at", self.created_at.is_some()),
            ("updated_at", self.updated_at.is_some()),
        ] {
            if given {
                errors.add(field, "is set by the server");
            }
        }
        let mut next = current.clone();
        next.created_at = None;
        next.updated_at = None;
        fn set<T: Clone>(slot: &mut T, value: &Option<T>) {
            if let Some(v) = value {
                *slot = v.clone();
            }
        }
        set(&mut next.name, &self.name);
        set(&mut next.summary, &self.summary);
        set(&mut next.website, &self.website);
        set(&mut next.email, &self.email);
        set(&mut next.contact_public, &self.contact_public);
        set(&mut next.locality, &self.locality);
        set(&mut next.region, &self.region);
        set(&mut next.country, &self.country);
        set(&mut next.latitude, &self.latitude);
        set(&mut next.longitude, &self.longitude);
        set(&mut next.founded, &self.founded);
        set(&mut next.workers, &self.workers);
        set(&mut next.legal_form, &self.legal_form);
        set(&mut next.services, &self.services);
        set(&mut next.technologies, &self.technologies);
        set(&mut next.languages, &self.languages);
        set(&mut next.logo, &self.logo);
        set(&mut next.links, &self.links);
        set(&mut next.listed, &self.listed);
        errors.into_result(next)
    }

    /// This patch with every field `other` sets taken from `other`.
    pub fn merged(self, other: Self) -> Self {
        fn pick<T>(mine: Option<T>, theirs: Option<T>) -> Option<T> {
            theirs.or(mine)
        }
        Self {
            slug: pick(self.slug, other.slug),
            name: pick(self.name, other.name),
            summary: pick(self.summary, other.summary),
            website: pick(self.website, other.website),
            email: pick(self.email, other.email),
            contact_public: pick(self.contact_public, other.contact_public),
            locality: pick(self.locality, other.locality),
            region: pick(self.region, other.region),
            country: pick(self.country, other.country),
            latitude: pick(self.latitude, other.latitude),
            longitude: pick(self.longitude, other.longitude),
            founded: pick(self.founded, other.founded),
            workers: pick(self.workers, other.workers),
            legal_form: pick(self.legal_form, other.legal_form),
            services: pick(self.services, other.services),
            technologies: pick(self.technologies, other.technologies),
            languages: pick(self.languages, other.languages),
            logo: pick(self.logo, other.logo),
            links: pick(self.links, other.links),
            listed: pick(self.listed, other.listed),
            created_at: pick(self.created_at, other.created_at),
            updated_at: pick(self.updated_at, other.updated_at),
        }
    }

    /// True when it changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A whole record as a patch: every field set (an import with `--upsert` replaces the
/// profile, timestamps aside).
impl From<&CoopInput> for CoopPatch {
    fn from(r: &CoopInput) -> Self {
        Self {
            slug: Some(r.slug.clone()),
            name: Some(r.name.clone()),
            summary: Some(r.summary.clone()),
            website: Some(r.website.clone()),
            email: Some(r.email.clone()),
            contact_public: Some(r.contact_public),
            locality: Some(r.locality.clone()),
            region: Some(r.region.clone()),
            country: Some(r.country.clone()),
            latitude: Some(r.latitude),
            longitude: Some(r.longitude),
            founded: Some(r.founded),
            workers: Some(r.workers),
            legal_form: Some(r.legal_form.clone()),
            services: Some(r.services.clone()),
            technologies: Some(r.technologies.clone()),
            languages: Some(r.languages.clone()),
            logo: Some(r.logo.clone()),
            links: Some(r.links.clone()),
            listed: Some(r.listed),
            created_at: None,
            updated_at: None,
        }
    }
}

/// The items of a list typed as text (services, technologies, languages): separated by
/// `;`, `,` or line breaks, trimmed, blanks dropped. Labels may contain neither separator
/// ([`crate::Tag`]), so every surface can read every other's lists.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([';', ',', '\n', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One link typed as text: `KIND URL`, `KIND=URL` or `KIND:URL` (`github https://…`,
/// `github=https://…`, `github:https://…`). The URL is checked later, with the record.
pub fn parse_link(text: &str) -> Result<LinkInput, String> {
    let text = text.trim();
    let cut = text
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || *c == '=' || *c == ':')
        .map(|(i, _)| i);
    match cut {
        Some(i) if i > 0 => {
            let (kind, rest) = text.split_at(i);
            let url = rest[1..].trim();
            if url.is_empty() {
                Err(format!("'{text}' has no URL (KIND URL)"))
            } else {
                Ok(LinkInput {
                    kind: kind.trim().to_owned(),
                    url: url.to_owned(),
                })
            }
        }
        _ => Err(format!("'{text}' is not KIND URL")),
    }
}

/// Text of a number field: blank is "no value"; a decimal comma is read as a point.
pub fn parse_decimal(text: &str) -> Result<Option<f64>, String> {
    let text = text.trim().replace(',', ".");
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(Some(n)),
        _ => Err("is not a number".into()),
    }
}

/// Text of a whole-number field: blank is "no value".
pub fn parse_whole(text: &str) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<i64>()
        .map(Some)
        .map_err(|_| "is not a whole number".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> CoopInput {
        CoopInput {
            slug: "alpha".into(),
            name: "Alpha".into(),
            summary: BTreeMap::new(),
            website: Some("https://alpha.example".into()),
            email: None,
            contact_public: true,
            locality: Some("Leeds".into()),
            region: None,
            country: Some("GB".into()),
            latitude: None,
            longitude: None,
            founded: Some(2010),
            workers: None,
            legal_form: None,
            services: vec!["Web".into()],
            technologies: Vec::new(),
            languages: vec!["en".into()],
            logo: None,
            links: Vec::new(),
            listed: true,
            created_at: None,
            updated_at: None,
        }
    }

    #[test]
    fn json_distinguishes_absent_null_and_value() {
        let patch: CoopPatch =
            serde_json::from_str(r#"{"website": null, "locality": "York", "workers": 4}"#)
                .expect("parses");
        assert_eq!(patch.website, Some(None));
        assert_eq!(patch.locality, Some(Some("York".into())));
        assert_eq!(patch.region, None);
        let next = patch.apply(&record()).expect("applies");
        assert_eq!(next.website, None);
        assert_eq!(next.locality.as_deref(), Some("York"));
        assert_eq!(next.workers, Some(4));
        assert_eq!(next.founded, Some(2010), "untouched");
        assert!(serde_json::from_str::<CoopPatch>(r#"{"colour": "red"}"#).is_err());
    }

    #[test]
    fn identity_and_server_fields_are_refused() {
        let renamed: CoopPatch = serde_json::from_str(r#"{"slug": "beta"}"#).expect("parses");
        let errors = renamed.apply(&record()).expect_err("refused");
        assert!(errors.get("slug").is_some());
        let same: CoopPatch = serde_json::from_str(r#"{"slug": "alpha"}"#).expect("parses");
        assert!(same.apply(&record()).is_ok());
        let dated: CoopPatch =
            serde_json::from_str(r#"{"updated_at": "2020-01-01T00:00:00Z"}"#).expect("parses");
        assert!(
            dated
                .apply(&record())
                .expect_err("refused")
                .get("updated_at")
                .is_some()
        );
    }

    #[test]
    fn a_whole_record_is_a_patch_of_every_field() {
        let mut other = record();
        other.name = "Alpha Co-op".into();
        other.services = Vec::new();
        let next = CoopPatch::from(&other).apply(&record()).expect("applies");
        assert_eq!(next, other);
        assert!(CoopPatch::default().is_empty());
    }

    #[test]
    fn text_lists_and_links_read_alike_everywhere() {
        assert_eq!(
            split_list("Web; Hosting,DevOps\nDesign ;"),
            ["Web", "Hosting", "DevOps", "Design"]
        );
        for text in [
            "github https://github.com/x",
            "github=https://github.com/x",
            "github:https://github.com/x",
            "  github   https://github.com/x ",
        ] {
            let link = parse_link(text).expect(text);
            assert_eq!(
                (link.kind.as_str(), link.url.as_str()),
                ("github", "https://github.com/x")
            );
        }
        assert!(parse_link("github").is_err());
        assert!(parse_link("=https://x").is_err());
        assert_eq!(parse_decimal(" 53,8 "), Ok(Some(53.8)));
        assert_eq!(parse_decimal(""), Ok(None));
        assert!(parse_decimal("north").is_err());
        assert_eq!(parse_whole("12"), Ok(Some(12)));
        assert!(parse_whole("1.5").is_err());
    }
}
