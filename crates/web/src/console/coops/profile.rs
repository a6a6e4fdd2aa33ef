//! The profile form: its values as strings (from the co-op or as sent), the patch they make
//! for [`coopnet_app::coops::update`], and the fields drawn.
use std::collections::BTreeSet;

use coopnet_app::AppContext;
use coopnet_core::patch::{parse_decimal, parse_link, parse_whole, split_list};
use coopnet_core::{Coop, CoopInput, CoopPatch, FieldErrors};

use crate::console::{Errs, Field, FormView, Kind, Ui};

/// The editor's form values, as strings (from the co-op, or as the form sent them).
#[derive(Debug, Default, Clone)]
pub(super) struct Values {
    name: String,
    summary: Vec<(String, String)>,
    website: String,
    email: String,
    contact_public: bool,
    locality: String,
    region: String,
    country: String,
    latitude: String,
    longitude: String,
    founded: String,
    workers: String,
    legal_form: String,
    services: String,
    technologies: String,
    languages: String,
    links: String,
    listed: bool,
}

fn summary_languages(ctx: &AppContext, existing: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut langs: BTreeSet<String> = existing.into_iter().collect();
    langs.extend(ctx.network.languages.iter().map(ToString::to_string));
    for l in ["en", "de", "nl", "fr"] {
        langs.insert(l.to_owned());
    }
    langs.into_iter().collect()
}

impl Values {
    pub(super) fn of(ctx: &AppContext, coop: &Coop) -> Self {
        let i = CoopInput::from(coop);
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
        let int = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        let summary = summary_languages(ctx, i.summary.keys().cloned())
            .into_iter()
            .map(|l| {
                let text = i.summary.get(&l).cloned().unwrap_or_default();
                (l, text)
            })
            .collect();
        Self {
            name: i.name.clone(),
            summary,
            website: opt(&i.website),
            email: opt(&i.email),
            contact_public: i.contact_public,
            locality: opt(&i.locality),
            region: opt(&i.region),
            country: opt(&i.country),
            latitude: num(i.latitude),
            longitude: num(i.longitude),
            founded: int(i.founded),
            workers: int(i.workers),
            legal_form: opt(&i.legal_form),
            services: i.services.join("; "),
            technologies: i.technologies.join("; "),
            languages: i.languages.join("; "),
            links: i
                .links
                .iter()
                .map(|l| format!("{} {}", l.kind, l.url))
                .collect::<Vec<_>>()
                .join("\n"),
            listed: i.listed,
        }
    }

    pub(super) fn from_pairs(ctx: &AppContext, pairs: &[(String, String)]) -> Self {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let has = |k: &str| pairs.iter().any(|(key, _)| key == k);
        let sent: Vec<(String, String)> = pairs
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("summary_")
                    .map(|l| (l.to_owned(), v.clone()))
            })
            .collect();
        let summary = summary_languages(ctx, sent.iter().map(|(l, _)| l.clone()))
            .into_iter()
            .map(|l| {
                let text = sent
                    .iter()
                    .find(|(k, _)| *k == l)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                (l, text)
            })
            .collect();
        Self {
            name: get("name"),
            summary,
            website: get("website"),
            email: get("email"),
            contact_public: has("contact_public"),
            locality: get("locality"),
            region: get("region"),
            country: get("country"),
            latitude: get("latitude"),
            longitude: get("longitude"),
            founded: get("founded"),
            workers: get("workers"),
            legal_form: get("legal_form"),
            services: get("services"),
            technologies: get("technologies"),
            languages: get("languages"),
            links: get("links"),
            listed: has("listed"),
        }
    }

    /// The patch for [`coopnet_app::coops::update`] (the whole form: every field is set,
    /// blank ones cleared), or the fields that do not even parse. Lists and links are read
    /// by the same rules as every other surface (`coopnet_core::patch`).
    pub(super) fn patch(&self) -> Result<CoopPatch, FieldErrors> {
        let mut errors = FieldErrors::new();
        let text = |v: &str| Some(Some(v.trim().to_owned()).filter(|v| !v.is_empty()));
        let latitude = read(&mut errors, "latitude", parse_decimal(&self.latitude));
        let longitude = read(&mut errors, "longitude", parse_decimal(&self.longitude));
        let founded = read(&mut errors, "founded", parse_whole(&self.founded));
        let workers = read(&mut errors, "workers", parse_whole(&self.workers));
        let mut links = Vec::new();
        for line in self.links.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match parse_link(line) {
                Ok(link) => links.push(link),
                Err(m) => errors.add("links", m),
            }
        }
        let patch = CoopPatch {
            name: Some(self.name.clone()),
            summary: Some(self.summary.iter().cloned().collect()),
            website: text(&self.website),
            email: text(&self.email),
            contact_public: Some(self.contact_public),
            locality: text(&self.locality),
            region: text(&self.region),
            country: text(&self.country),
            latitude,
            longitude,
            founded,
            workers,
            legal_form: text(&self.legal_form),
            services: Some(split_list(&self.services)),
            technologies: Some(split_list(&self.technologies)),
            languages: Some(split_list(&self.languages)),
            links: Some(links),
            listed: Some(self.listed),
            ..CoopPatch::default()
        };
        errors.into_result(patch)
    }
}

/// A number field as typed: its value (`Some(None)` when blank), or `None` (the field left
/// as it is) with the problem reported.
fn read<T>(
    errors: &mut FieldErrors,
    field: &str,
    parsed: Result<Option<T>, String>,
) -> Option<Option<T>> {
    parsed.map_err(|m| errors.add(field, m)).ok()
}

/// Domain error keys (`summary.de`, `links[2].url`) as form field names.
pub(super) fn form_errors(errors: FieldErrors) -> Errs {
    let mut out = FieldErrors::new();
    for (field, messages) in errors.iter() {
        let name = if let Some(lang) = field.strip_prefix("summary.") {
            format!("summary_{lang}")
        } else if field.starts_with("links") {
            "links".to_owned()
        } else {
            field.clone()
        };
        for m in messages {
            let m = if name != *field {
                format!("{field}: {m}")
            } else {
                m.clone()
            };
            out.add(name.clone(), m);
        }
    }
    Errs(out)
}

pub(super) fn profile_form(ui: &Ui, slug: &str, csrf: &str, v: &Values, errs: &Errs) -> FormView {
    let t = ui.t;
    let mut fields = vec![
        Field::new("name", t.field_name, Kind::Text, v.name.clone())
            .required()
            .err(errs),
    ];
    for (lang, text) in &v.summary {
        fields.push(
            Field::new(
                &format!("summary_{lang}"),
                format!("{} {lang}", t.field_summary_in),
                Kind::TextArea,
                text.clone(),
            )
            .lang(lang)
            .err(errs),
        );
    }
    fields.extend([
        Field::new("website", t.field_website, Kind::Url, v.website.clone()).err(errs),
        Field::new("email", t.field_email, Kind::Email, v.email.clone()).err(errs),
        Field::new("contact_public", t.field_contact_public, Kind::Checkbox, "")
            .checked(v.contact_public)
            .hint(t.field_contact_public_hint)
            .err(errs),
        Field::new("locality", t.field_locality, Kind::Text, v.locality.clone()).err(errs),
        Field::new("region", t.field_region, Kind::Text, v.region.clone()).err(errs),
        Field::new("country", t.field_country, Kind::Text, v.country.clone())
            .hint(t.field_country_hint)
            .err(errs),
        Field::new(
            "latitude",
            t.field_latitude,
            Kind::Number,
            v.latitude.clone(),
        )
        .err(errs),
        Field::new(
            "longitude",
            t.field_longitude,
            Kind::Number,
            v.longitude.clone(),
        )
        .err(errs),
        Field::new("founded", t.field_founded, Kind::Number, v.founded.clone()).err(errs),
        Field::new("workers", t.field_workers, Kind::Number, v.workers.clone()).err(errs),
        Field::new(
            "legal_form",
            t.field_legal_form,
            Kind::Text,
            v.legal_form.clone(),
        )
        .err(errs),
        Field::new("services", t.field_services, Kind::Text, v.services.clone())
            .hint(t.list_hint)
            .err(errs),
        Field::new(
            "technologies",
            t.field_technologies,
            Kind::Text,
            v.technologies.clone(),
        )
        .hint(t.list_hint)
        .err(errs),
        Field::new(
            "languages",
            t.field_languages,
            Kind::Text,
            v.languages.clone(),
        )
        .hint(t.list_hint)
        .err(errs),
        Field::new("links", t.field_links, Kind::TextArea, v.links.clone())
            .hint(t.field_links_hint)
            .err(errs),
        Field::new("listed", t.field_listed, Kind::Checkbox, "")
            .checked(v.listed)
            .hint(t.field_listed_hint)
            .err(errs),
    ]);
    FormView::new(format!("/console/coops/{slug}"), csrf, t.save, fields)
}
