//! View shapes: what the API returns (`CoopJson`) and what templates see (`CoopView`),
//! each converted explicitly from core types.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use coopnet_app::AppContext;
use coopnet_core::{Coop, CoopOrigin, Network};
use serde::Serialize;

/// A link in API output.
#[derive(Debug, Serialize)]
pub struct LinkJson {
    pub kind: &'static str,
    pub url: String,
}

/// The network a co-op belongs to, in API output.
#[derive(Debug, Serialize)]
pub struct NetworkRefJson {
    pub username: String,
    pub name: String,
    pub domain: String,
}

/// A co-op as the JSON API shows it.
#[derive(Debug, Serialize)]
pub struct CoopJson {
    pub slug: String,
    /// The fediverse handle, `@slug@domain`.
    pub handle: String,
    /// The co-op's profile page (and, later, its actor id).
    pub url: String,
    pub local: bool,
    pub name: String,
    pub summary: BTreeMap<String, String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub founded: Option<i32>,
    pub workers: Option<u32>,
    pub legal_form: Option<String>,
    pub services: Vec<String>,
    pub technologies: Vec<String>,
    pub languages: Vec<String>,
    pub logo: Option<String>,
    pub links: Vec<LinkJson>,
    pub listed: bool,
    pub network: NetworkRefJson,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CoopJson {
    /// Converts a co-op of this instance's directory; `networks` resolves a federated
    /// co-op's home network.
    pub fn new(ctx: &AppContext, networks: &HashMap<i64, Network>, coop: &Coop) -> Self {
        let p = &coop.profile;
        let network = networks.get(&coop.network_id).unwrap_or(&ctx.network);
        let url = match &coop.origin {
            CoopOrigin::Local => format!("{}/coops/{}", ctx.base_url(), coop.slug),
            CoopOrigin::Remote { actor_id } => actor_id.to_string(),
        };
        let domain = match &coop.origin {
            CoopOrigin::Local => network.domain.clone(),
            CoopOrigin::Remote { actor_id } => coopnet_federation::urls::host_port(actor_id),
        };
        Self {
            slug: coop.slug.to_string(),
            handle: format!("@{}@{}", coop.slug, domain),
            url,
            local: coop.is_local(),
            name: p.name.clone(),
            summary: p
                .summary
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            website: p.website.as_ref().map(ToString::to_string),
            email: p.email.clone(),
            locality: p.locality.clone(),
            region: p.region.clone(),
            country: p.country.map(|c| c.to_string()),
            latitude: p.location.map(|l| l.latitude),
            longitude: p.location.map(|l| l.longitude),
            founded: p.founded,
            workers: p.workers,
            legal_form: p.legal_form.clone(),
            services: p.services.iter().map(ToString::to_string).collect(),
            technologies: p.technologies.iter().map(ToString::to_string).collect(),
            languages: p.languages.iter().map(ToString::to_string).collect(),
            logo: p.logo.as_ref().map(ToString::to_string),
            links: p
                .links
                .iter()
                .map(|l| LinkJson {
                    kind: l.kind.as_str(),
                    url: l.url.to_string(),
                })
                .collect(),
            listed: p.listed,
            network: NetworkRefJson {
                username: network.username.to_string(),
                name: network.name.clone(),
                domain: network.domain.clone(),
            },
            created_at: coop.created_at,
            updated_at: coop.updated_at,
        }
    }
}

/// One page of co-ops in API output.
#[derive(Debug, Serialize)]
pub struct CoopPageJson {
    pub items: Vec<CoopJson>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

/// A co-op as the HTML list shows it.
#[derive(Debug)]
pub struct CoopView {
    pub slug: String,
    /// Its profile: here for local co-ops, on its home instance for federated ones.
    pub profile_url: String,
    /// For federated co-ops: the name of their home network.
    pub home_network: Option<String>,
    pub name: String,
    pub place: String,
    pub summary_lang: String,
    pub summary: String,
    pub website: Option<String>,
    pub services: Vec<String>,
    pub technologies: Vec<String>,
}

impl CoopView {
    pub fn new(coop: &Coop, networks: &HashMap<i64, Network>, lang: &str) -> Self {
        let p = &coop.profile;
        let place = [p.locality.clone(), p.country.map(|c| c.to_string())]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        let (summary_lang, summary) = coop
            .summary_for(lang)
            .map(|(tag, text)| (tag.to_string(), first_paragraph(text)))
            .unwrap_or_default();
        let (profile_url, home_network) = match &coop.origin {
            CoopOrigin::Local => (format!("/coops/{}", coop.slug), None),
            CoopOrigin::Remote { actor_id } => (
                actor_id.to_string(),
                Some(networks.get(&coop.network_id).map_or_else(
                    || actor_id.host_str().unwrap_or_default().to_owned(),
                    |n| n.name.clone(),
                )),
            ),
        };
        Self {
            slug: coop.slug.to_string(),
            profile_url,
            home_network,
            name: p.name.clone(),
            place,
            summary_lang,
            summary,
            website: p.website.as_ref().map(ToString::to_string),
            services: p.services.iter().map(ToString::to_string).collect(),
            technologies: p.technologies.iter().map(ToString::to_string).collect(),
        }
    }
}

/// The first paragraph of Markdown as plain text, cut at 300 characters.
fn first_paragraph(markdown: &str) -> String {
    let para = markdown
        .split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty() && !p.starts_with('#'))
        .unwrap_or("");
    let plain: String = para
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`' | '#'))
        .collect();
    if plain.chars().count() > 300 {
        plain.chars().take(297).collect::<String>() + "…"
    } else {
        plain
    }
}
