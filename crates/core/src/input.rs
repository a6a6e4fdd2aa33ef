//! [`CoopInput`]: a co-op as submitted (forms, API, import files), its size limits, and
//! its validation into a `Slug` and a `CoopProfile`.
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::{
    Coop, CoopProfile, CountryCode, FieldErrors, GeoPoint, LanguageTag, Link, LinkKind, Slug, Tag,
};

/// Size limits applied to every co-op, whoever submits it.
pub mod limits {
    /// Name length in characters.
    pub const NAME: usize = 120;
    /// Summary length per language, in characters.
    pub const SUMMARY: usize = 5_000;
    /// Languages a summary may be given in.
    pub const SUMMARY_LANGUAGES: usize = 12;
    /// Short text fields: locality, region, legal form.
    pub const SHORT_TEXT: usize = 100;
    /// Tags per list (services, technologies).
    pub const TAGS: usize = 40;
    /// Languages worked in.
    pub const LANGUAGES: usize = 12;
    /// Social links.
    pub const LINKS: usize = 10;
    /// URL length.
    pub const URL: usize = 2_000;
    /// E-mail length (RFC 5321 path limit).
    pub const EMAIL: usize = 254;
    /// Largest plausible number of workers.
    pub const WORKERS: u32 = 1_000_000;
    /// Earliest founding year accepted (the Rochdale Pioneers are 1844; a margin for older).
    pub const FOUNDED_MIN: i32 = 1750;
}

/// One link as submitted: a kind name and a URL string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// One of the [`LinkKind`] names.
    pub kind: String,
    /// An http(s) URL.
    pub url: String,
}

/// A co-op as submitted by the CLI, the admin API, an import file or a form: raw strings,
/// validated as a whole by [`CoopInput::validate`].
///
/// This is also coopnet's documented JSON import/export record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoopInput {
    /// Handle; see [`Slug`].
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Language tag -> Markdown.
    #[serde(default)]
    pub summary: BTreeMap<String, String>,
    /// Website URL.
    #[serde(default)]
    pub website: Option<String>,
    /// Contact e-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Show the contact e-mail publicly; true when absent.
    #[serde(default = "default_listed")]
    pub contact_public: bool,
    /// Town or city.
    #[serde(default)]
    pub locality: Option<String>,
    /// Region.
    #[serde(default)]
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    pub country: Option<String>,
    /// Degrees north.
    #[serde(default)]
    pub latitude: Option<f64>,
    /// Degrees east.
    #[serde(default)]
    pub longitude: Option<f64>,
    /// Year founded.
    #[serde(default)]
    pub founded: Option<i64>,
    /// People working in the co-op.
    #[serde(default)]
    pub workers: Option<i64>,
    /// Legal form.
    #[serde(default)]
    pub legal_form: Option<String>,
    /// Service labels.
    #[serde(default)]
    pub services: Vec<String>,
    /// Technology labels.
    #[serde(default)]
    pub technologies: Vec<String>,
    /// Language tags worked in.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Logo URL.
    #[serde(default)]
    pub logo: Option<String>,
    /// Social links.
    #[serde(default)]
    pub links: Vec<LinkInput>,
    /// Public listing opt-in; true when absent.
    #[serde(default = "default_listed")]
    pub listed: bool,
    /// Creation time, honoured by imports (keeps export/import lossless); ignored elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// Last change, honoured by imports; ignored elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

impl CoopInput {
    /// A record with only a handle and every field at its default (what a new co-op starts
    /// from before a [`crate::CoopPatch`] fills it in).
    pub fn blank(slug: &str) -> Self {
        Self {
            slug: slug.to_owned(),
            name: String::new(),
            summary: BTreeMap::new(),
            website: None,
            email: None,
            contact_public: true,
            locality: None,
            region: None,
            country: None,
            latitude: None,
            longitude: None,
            founded: None,
            workers: None,
            legal_form: None,
            services: Vec::new(),
            technologies: Vec::new(),
            languages: Vec::new(),
            logo: None,
            links: Vec::new(),
            listed: true,
            created_at: None,
            updated_at: None,
        }
    }
}

/// `true`: the default of `listed` and `contact_public`.
fn default_listed() -> bool {
    true
}

/// Trims; `None` for blank text (forms send empty strings for untouched fields).
fn clean(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn check_text(errors: &mut FieldErrors, field: &str, value: &str, max: usize, multiline: bool) {
    if value.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t' || c == '\r')))
    {
        errors.add(field, "must not contain control characters");
    }
}

fn check_url(errors: &mut FieldErrors, field: &str, value: &str) -> Option<Url> {
    if value.len() > limits::URL {
        errors.add(field, format!("must be at most {} characters", limits::URL));
        return None;
    }
    match Url::parse(value) {
        Ok(url)
            if (url.scheme() == "http" || url.scheme() == "https") && url.host_str().is_some() =>
        {
            Some(url)
        }
        Ok(_) => {
            errors.add(
                field,
                format!("'{value}' must be an http:// or https:// URL"),
            );
            None
        }
        Err(e) => {
            errors.add(field, format!("'{value}' is not a valid URL ({e})"));
            None
        }
    }
}

fn check_email(errors: &mut FieldErrors, value: &str) -> bool {
    let shape_ok = value.len() <= limits::EMAIL
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        && match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if !shape_ok {
        errors.add("email", format!("'{value}' is not an e-mail address"));
    }
    shape_ok
}

fn check_tags(errors: &mut FieldErrors, field: &str, values: &[String]) -> Vec<Tag> {
    if values.len() > limits::TAGS {
        errors.add(field, format!("at most {} entries", limits::TAGS));
    }
    let mut seen = BTreeSet::new();
    let mut tags = Vec::new();
    for value in values {
        match Tag::parse(value) {
            Ok(tag) => {
                if seen.insert(tag.key()) {
                    tags.push(tag);
                } else {
                    errors.add(field, format!("'{}' is listed twice", tag.as_str()));
                }
            }
            Err(message) => errors.add(field, message),
        }
    }
    tags
}

fn check_languages(errors: &mut FieldErrors, values: &[String]) -> Vec<LanguageTag> {
    if values.len() > limits::LANGUAGES {
        errors.add(
            "languages",
            format!("at most {} entries", limits::LANGUAGES),
        );
    }
    let mut out: Vec<LanguageTag> = Vec::new();
    for value in values {
        match LanguageTag::parse(value) {
            Ok(tag) if out.contains(&tag) => {
                errors.add("languages", format!("'{tag}' is listed twice"))
            }
            Ok(tag) => out.push(tag),
            Err(message) => errors.add("languages", message),
        }
    }
    out
}

impl CoopInput {
    /// Validates everything and returns the slug and profile, or every problem found.
    pub fn validate(&self) -> Result<(Slug, CoopProfile), FieldErrors> {
        let mut errors = FieldErrors::new();

        let slug = Slug::parse(self.slug.trim())
            .map_err(|e| errors.add("slug", e.to_string()))
            .ok();

        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.add("name", "must not be empty");
        }
        check_text(&mut errors, "name", &name, limits::NAME, false);

        if self.summary.len() > limits::SUMMARY_LANGUAGES {
            errors.add(
                "summary",
                format!("at most {} languages", limits::SUMMARY_LANGUAGES),
            );
        }
        let mut summary = BTreeMap::new();
        for (lang, text) in &self.summary {
            let field = format!("summary.{lang}");
            let text = text.trim();
            check_text(&mut errors, &field, text, limits::SUMMARY, true);
            match LanguageTag::parse(lang) {
                Ok(tag) if text.is_empty() => drop(tag),
                Ok(tag) => {
                    if summary.insert(tag.clone(), text.to_owned()).is_some() {
                        errors.add(&field, format!("'{tag}' is given twice"));
                    }
                }
                Err(message) => errors.add(&field, message),
            }
        }

        let website = clean(&self.website).and_then(|v| check_url(&mut errors, "website", &v));
        let logo = clean(&self.logo).and_then(|v| check_url(&mut errors, "logo", &v));
        let email = clean(&self.email).filter(|v| check_email(&mut errors, v));

        let mut short = |field: &str, value: &Option<String>| {
            let value = clean(value);
            if let Some(v) = &value {
                check_text(&mut errors, field, v, limits::SHORT_TEXT, false);
            }
            value
        };
        let locality = short("locality", &self.locality);
        let region = short("region", &self.region);
        let legal_form = short("legal_form", &self.legal_form);

        let country = clean(&self.country).and_then(|v| {
            CountryCode::parse(&v)
                .map_err(|m| errors.add("country", m))
                .ok()
        });

        let location = match (self.latitude, self.longitude) {
            (None, None) => None,
            (Some(latitude), Some(longitude)) => {
                let mut ok = true;
                if !(latitude.is_finite() && (-90.0..=90.0).contains(&latitude)) {
                    errors.add("latitude", "must be between -90 and 90");
                    ok = false;
                }
                if !(longitude.is_finite() && (-180.0..=180.0).contains(&longitude)) {
                    errors.add("longitude", "must be between -180 and 180");
                    ok = false;
                }
                ok.then_some(GeoPoint {
                    latitude,
                    longitude,
                })
            }
            (Some(_), None) => {
                errors.add("longitude", "is required when latitude is given");
                None
            }
            (None, Some(_)) => {
                errors.add("latitude", "is required when longitude is given");
                None
            }
        };

        let this_year = i64::from(Utc::now().year());
        let founded = match self.founded {
            Some(year) if !(i64::from(limits::FOUNDED_MIN)..=this_year).contains(&year) => {
                errors.add(
                    "founded",
                    format!(
                        "must be a year between {} and {this_year}",
                        limits::FOUNDED_MIN
                    ),
                );
                None
            }
            other => other.and_then(|y| i32::try_from(y).ok()),
        };
        let workers = match self.workers {
            Some(n) if !(0..=i64::from(limits::WORKERS)).contains(&n) => {
                errors.add(
                    "workers",
                    format!("must be between 0 and {}", limits::WORKERS),
                );
                None
            }
            other => other.and_then(|n| u32::try_from(n).ok()),
        };

        let services = check_tags(&mut errors, "services", &self.services);
        let technologies = check_tags(&mut errors, "technologies", &self.technologies);
        let languages = check_languages(&mut errors, &self.languages);

        if self.links.len() > limits::LINKS {
            errors.add("links", format!("at most {} entries", limits::LINKS));
        }
        let mut links = Vec::new();
        for (i, link) in self.links.iter().enumerate() {
            let kind = link
                .kind
                .trim()
                .parse::<LinkKind>()
                .map_err(|m| errors.add(format!("links[{i}].kind"), m));
            let url = check_url(&mut errors, &format!("links[{i}].url"), link.url.trim());
            if let (Ok(kind), Some(url)) = (kind, url) {
                links.push(Link { kind, url });
            }
        }

        let profile = CoopProfile {
            name,
            summary,
            website,
            email,
            locality,
            region,
            country,
            location,
            founded,
            workers,
            legal_form,
            services,
            technologies,
            languages,
            logo,
            links,
            listed: self.listed,
            contact_public: self.contact_public,
        };
        match slug {
            Some(slug) if errors.is_empty() => Ok((slug, profile)),
            _ => Err(errors),
        }
    }
}

impl From<&Coop> for CoopInput {
    fn from(coop: &Coop) -> Self {
        let p = &coop.profile;
        let labels = |tags: &[Tag]| tags.iter().map(|t| t.as_str().to_owned()).collect();
        Self {
            slug: coop.slug.to_string(),
            name: p.name.clone(),
            summary: p
                .summary
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            website: p.website.as_ref().map(Url::to_string),
            email: p.email.clone(),
            contact_public: p.contact_public,
            locality: p.locality.clone(),
            region: p.region.clone(),
            country: p.country.map(|c| c.to_string()),
            latitude: p.location.map(|l| l.latitude),
            longitude: p.location.map(|l| l.longitude),
            founded: p.founded.map(i64::from),
            workers: p.workers.map(i64::from),
            legal_form: p.legal_form.clone(),
            services: labels(&p.services),
            technologies: labels(&p.technologies),
            languages: p.languages.iter().map(ToString::to_string).collect(),
            logo: p.logo.as_ref().map(Url::to_string),
            links: p
                .links
                .iter()
                .map(|l| LinkInput {
                    kind: l.kind.to_string(),
                    url: l.url.to_string(),
                })
                .collect(),
            listed: p.listed,
            created_at: Some(coop.created_at),
            updated_at: Some(coop.updated_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> CoopInput {
        CoopInput {
            slug: "outlandish".into(),
            name: "Outlandish".into(),
            summary: BTreeMap::from([("en".into(), "We build **digital** things.".into())]),
            website: Some("https://outlandish.com/".into()),
            email: Some("hello@outlandish.com".into()),
            contact_public: true,
            locality: Some("London".into()),
            region: None,
            country: Some("gb".into()),
            latitude: Some(51.5),
            longitude: Some(-0.1),
            founded: Some(2010),
            workers: Some(9),
            legal_form: Some("Co-operative society".into()),
            services: vec!["Web Design".into(), "Consultancy".into()],
            technologies: vec!["PHP".into()],
            languages: vec!["en".into()],
            logo: None,
            links: vec![LinkInput {
                kind: "github".into(),
                url: "https://github.com/outlandishideas".into(),
            }],
            listed: true,
            created_at: None,
            updated_at: None,
        }
    }

    #[test]
    fn valid_input_passes_and_normalises() {
        let (slug, profile) = valid().validate().expect("valid");
        assert_eq!(slug.as_str(), "outlandish");
        assert_eq!(profile.country.map(|c| c.to_string()), Some("GB".into()));
        assert_eq!(profile.services.len(), 2);
    }

    #[test]
    fn every_field_error_is_reported_at_once() {
        let input = CoopInput {
            slug: "Bad Slug".into(),
            name: "  ".into(),
            summary: BTreeMap::from([
                ("english".into(), "x".into()),
                ("de".into(), "y".repeat(limits::SUMMARY + 1)),
            ]),
            website: Some("ftp://example.org".into()),
            email: Some("not-an-email".into()),
            contact_public: true,
            locality: Some("l".repeat(limits::SHORT_TEXT + 1)),
            region: Some("bad\u{0007}".into()),
            country: Some("UK".into()),
            latitude: Some(91.0),
            longitude: Some(0.0),
            founded: Some(3000),
            workers: Some(-1),
            legal_form: Some("x".repeat(101)),
            services: vec!["a;b".into(), "Web".into(), "web".into()],
            technologies: vec!["".into()],
            languages: vec!["klingon!".into()],
            logo: Some("not a url".into()),
            links: vec![LinkInput {
                kind: "myspace".into(),
                url: "javascript:alert(1)".into(),
            }],
            listed: true,
            created_at: None,
            updated_at: None,
        };
        let errors = input.validate().expect_err("invalid");
        for field in [
            "slug",
            "name",
            "summary.english",
            "summary.de",
            "website",
            "email",
            "locality",
            "region",
            "country",
            "latitude",
            "founded",
            "workers",
            "legal_form",
            "services",
            "technologies",
            "languages",
            "logo",
            "links[0].kind",
            "links[0].url",
        ] {
            assert!(
                errors.get(field).is_some(),
                "no error for {field}: {errors}"
            );
        }
        assert!(
            errors
                .get("country")
                .is_some_and(|m| m[0].contains("unknown country code 'UK'"))
        );
        assert!(
            errors.get("services").is_some_and(|m| m.len() == 2),
            "{errors}"
        );
    }

    #[test]
    fn coordinates_come_in_pairs() {
        let mut input = valid();
        input.longitude = None;
        assert!(
            input
                .validate()
                .expect_err("half a point")
                .get("longitude")
                .is_some()
        );
    }

    #[test]
    fn blank_optional_text_is_none() {
        let mut input = valid();
        input.website = Some("  ".into());
        input.email = Some(String::new());
        let (_, profile) = input.validate().expect("valid");
        assert_eq!((profile.website, profile.email), (None, None));
    }

    #[test]
    fn input_deserialises_with_defaults_and_refuses_unknown_keys() {
        let minimal: CoopInput =
            serde_json::from_str(r#"{"slug":"a","name":"A"}"#).expect("minimal record");
        assert!(minimal.listed);
        assert!(serde_json::from_str::<CoopInput>(r#"{"slug":"a","name":"A","nope":1}"#).is_err());
    }
}
