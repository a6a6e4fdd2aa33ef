//! View shapes: what the API returns (`CoopJson`) and what templates see (`CoopView`),
//! each converted explicitly from core types.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use coopnet_app::AppContext;
use coopnet_app::directory::{FacetValue, Facets};
use coopnet_core::{Coop, CoopOrigin, Network};
use serde::Serialize;
use utoipa::ToSchema;

/// A link in API output.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkJson {
    /// `mastodon`, `github`, `forgejo`, `linkedin`, … or `other`.
    pub kind: &'static str,
    pub url: String,
}

/// The network a co-op belongs to, in API output.
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkRefJson {
    pub username: String,
    pub name: String,
    pub domain: String,
}

/// A co-op as the JSON API shows it.
#[derive(Debug, Serialize, ToSchema)]
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
    /// Like [`CoopJson::new`], with the contact e-mail even when it is not public (admin API).
    pub fn private(ctx: &AppContext, networks: &HashMap<i64, Network>, coop: &Coop) -> Self {
        let mut json = Self::new(ctx, networks, coop);
        json.email = coop.profile.email.clone();
        json
    }

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
            // A contact the co-op keeps private is not published.
            email: p.public_email().cloned(),
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
#[derive(Debug, Serialize, ToSchema)]
pub struct CoopPageJson {
    pub items: Vec<CoopJson>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

/// One facet value: what to filter by, what to show, how many results carry it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetValueJson {
    /// The filter value (network id as text, country code, tag key, language subtag).
    pub key: String,
    pub label: String,
    pub count: u64,
}

impl From<&FacetValue> for FacetValueJson {
    fn from(v: &FacetValue) -> Self {
        Self {
            key: v.key.clone(),
            label: v.label.clone(),
            count: v.count,
        }
    }
}

/// Facet counts over all matches (not just the page), most frequent first.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetsJson {
    pub network: Vec<FacetValueJson>,
    pub country: Vec<FacetValueJson>,
    pub service: Vec<FacetValueJson>,
    pub technology: Vec<FacetValueJson>,
    pub language: Vec<FacetValueJson>,
}

impl From<&Facets> for FacetsJson {
    fn from(f: &Facets) -> Self {
        let list = |values: &[FacetValue]| values.iter().map(FacetValueJson::from).collect();
        Self {
            network: list(&f.network),
            country: list(&f.country),
            service: list(&f.service),
            technology: list(&f.technology),
            language: list(&f.language),
        }
    }
}

/// One page of directory search results with facets.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoopSearchJson {
    pub items: Vec<CoopJson>,
    /// All matches.
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
    pub facets: FacetsJson,
}

/// The licence of the directory's open data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LicenceJson {
    /// SPDX identifier, e.g. `CC-BY-4.0`.
    pub name: String,
    pub url: String,
}

impl LicenceJson {
    /// The configured licence, if one is stated.
    pub fn configured(ctx: &AppContext) -> Option<Self> {
        let d = &ctx.settings.directory;
        (!d.data_licence.is_empty()).then(|| Self {
            name: d.data_licence.clone(),
            url: d.data_licence_url.clone(),
        })
    }
}

/// A network known to this directory, in API output.
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkJson {
    /// Its id here (the `network` filter of `/api/v1/coops`).
    pub id: i64,
    pub name: String,
    pub domain: String,
    /// The network actor's fediverse handle, `@username@domain`.
    pub handle: String,
    /// The network actor's id (its page).
    pub url: String,
    pub country: Option<String>,
    pub languages: Vec<String>,
    /// Listed member co-ops in this directory.
    pub members: u64,
    /// True for this instance's own network.
    pub local: bool,
}

impl NetworkJson {
    /// Converts a network with its member count.
    pub fn new(ctx: &AppContext, network: &Network, members: u64) -> Self {
        Self {
            id: network.id,
            name: network.name.clone(),
            domain: network.domain.clone(),
            handle: format!("@{}@{}", network.username, network.domain),
            url: network
                .actor_id
                .as_ref()
                .map_or_else(|| ctx.fed().urls.network().to_string(), ToString::to_string),
            country: network.country.map(|c| c.to_string()),
            languages: network.languages.iter().map(ToString::to_string).collect(),
            members,
            local: network.is_local(),
        }
    }
}

/// Every network known to this directory, the local one first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworksJson {
    pub items: Vec<NetworkJson>,
    /// The licence of the directory data, when one is configured.
    pub license: Option<LicenceJson>,
}

/// A co-op as lists and cards show it.
#[derive(Debug)]
pub struct CoopView {
    pub slug: String,
    pub name: String,
    /// Its page on this site (a local copy for federated co-ops).
    pub page_url: String,
    pub network_name: String,
    pub local: bool,
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
        let network = networks.get(&coop.network_id);
        let page_url = match &coop.origin {
            CoopOrigin::Local => format!("/coops/{}", coop.slug),
            CoopOrigin::Remote { actor_id } => {
                format!(
                    "/federated/{}/{}",
                    coopnet_federation::urls::host_port(actor_id),
                    coop.slug
                )
            }
        };
        Self {
            slug: coop.slug.to_string(),
            name: p.name.clone(),
            page_url,
            network_name: network.map(|n| n.name.clone()).unwrap_or_default(),
            local: coop.is_local(),
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
pub fn first_paragraph(markdown: &str) -> String {
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
