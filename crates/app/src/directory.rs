//! The public directory: full-text search with facets over every network's listed co-ops,
//! and the history of joins and departures.
//!
//! This first version filters in memory; `search` is the one entry point pages, the JSON
//! API, feeds and exports use, so the storage-backed index replaces its body alone.
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use coopnet_core::Coop;

use crate::coops::{self, Visibility};
use crate::{AppContext, AppError};

/// Most results per page.
pub const MAX_LIMIT: u64 = 200;

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first (name order without a text query).
    #[default]
    Relevance,
    /// By name.
    Name,
    /// Newest members first.
    Newest,
}

impl Sort {
    /// From the URL value (`relevance`, `name`, `newest`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "relevance" => Some(Self::Relevance),
            "name" => Some(Self::Name),
            "newest" => Some(Self::Newest),
            _ => None,
        }
    }

    /// The URL value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::Name => "name",
            Self::Newest => "newest",
        }
    }
}

/// A directory query. Facet filters of one kind are alternatives (OR); different kinds
/// combine (AND).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchQuery {
    /// Words to find in name, summary, services, technologies and locality.
    pub text: String,
    /// Network storage ids.
    pub networks: Vec<i64>,
    /// Country codes (uppercase).
    pub countries: Vec<String>,
    /// Service keys (see `Tag::key`).
    pub services: Vec<String>,
    /// Technology keys.
    pub technologies: Vec<String>,
    /// Primary language subtags worked in (`en`, `de`).
    pub languages: Vec<String>,
    /// Order.
    pub sort: Sort,
    /// Page size (1..=200).
    pub limit: u64,
    /// Results to skip.
    pub offset: u64,
}

/// One facet value and how many results carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetValue {
    /// Filter value (network id as text, country code, tag key, language).
    pub key: String,
    /// What to show.
    pub label: String,
    /// Results with this value.
    pub count: u64,
}

/// Facet counts over the whole result set (not just the page), most frequent first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    /// By network.
    pub network: Vec<FacetValue>,
    /// By country.
    pub country: Vec<FacetValue>,
    /// By service.
    pub service: Vec<FacetValue>,
    /// By technology.
    pub technology: Vec<FacetValue>,
    /// By language worked in.
    pub language: Vec<FacetValue>,
}

/// One page of results with facets.
#[derive(Debug, Clone)]
pub struct SearchResult {
    /// The co-ops on this page.
    pub items: Vec<Coop>,
    /// All matches.
    pub total: u64,
    /// Facet counts over all matches.
    pub facets: Facets,
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

fn haystack(c: &Coop) -> String {
    let p = &c.profile;
    let mut s = p.name.clone();
    for t in p.summary.values() {
        s.push(' ');
        s.push_str(t);
    }
    for t in p.services.iter().chain(&p.technologies) {
        s.push(' ');
        s.push_str(t.as_str());
    }
    if let Some(l) = &p.locality {
        s.push(' ');
        s.push_str(l);
    }
    s.to_lowercase()
}

fn matches_facets(c: &Coop, q: &SearchQuery) -> bool {
    let p = &c.profile;
    (q.networks.is_empty() || q.networks.contains(&c.network_id))
        && (q.countries.is_empty() || p.country.is_some_and(|cc| q.countries.iter().any(|w| w == cc.as_str())))
        && (q.services.is_empty() || p.services.iter().any(|t| q.services.contains(&t.key())))
        && (q.technologies.is_empty() || p.technologies.iter().any(|t| q.technologies.contains(&t.key())))
        && (q.languages.is_empty() || p.languages.iter().any(|l| q.languages.iter().any(|w| w == l.primary())))
}

/// Searches the directory.
pub async fn search(ctx: &AppContext, q: &SearchQuery) -> Result<SearchResult, AppError> {
    let networks = crate::networks::by_id(ctx).await?;
    let mut all = Vec::new();
    loop {
        let page = coops::list(ctx, Visibility::Public, coops::MAX_PAGE_SIZE, all.len() as u64).await?;
        let done = page.items.len() < coops::MAX_PAGE_SIZE as usize;
        all.extend(page.items);
        if done {
            break;
        }
    }
    let terms = words(&q.text);
    let mut hits: Vec<(usize, Coop)> = all
        .into_iter()
        .filter_map(|c| {
            let hay = haystack(&c);
            let found = terms.iter().filter(|t| hay.split(|ch: char| !ch.is_alphanumeric()).any(|w| w.starts_with(t.as_str()))).count();
            (found == terms.len()).then_some((found, c))
        })
        .filter(|(_, c)| matches_facets(c, q))
        .collect();
    match q.sort {
        Sort::Newest => hits.sort_by(|a, b| b.1.created_at.cmp(&a.1.created_at).then(a.1.id.cmp(&b.1.id))),
        Sort::Name | Sort::Relevance => hits.sort_by(|a, b| a.1.profile.name.to_lowercase().cmp(&b.1.profile.name.to_lowercase()).then(a.1.id.cmp(&b.1.id))),
    }
    let mut facets = Facets::default();
    let count = |into: &mut BTreeMap<String, (String, u64)>, key: String, label: String| {
        into.entry(key).or_insert((label, 0)).1 += 1;
    };
    let (mut net, mut country, mut service, mut tech, mut lang) = Default::default();
    for (_, c) in &hits {
        let p = &c.profile;
        let name = networks.get(&c.network_id).map(|n| n.name.clone()).unwrap_or_default();
        count(&mut net, c.network_id.to_string(), name);
        if let Some(cc) = p.country {
            count(&mut country, cc.to_string(), cc.to_string());
        }
        for t in &p.services {
            count(&mut service, t.key(), t.to_string());
        }
        for t in &p.technologies {
            count(&mut tech, t.key(), t.to_string());
        }
        for l in &p.languages {
            count(&mut lang, l.primary().to_owned(), l.primary().to_owned());
        }
    }
    let sorted = |m: BTreeMap<String, (String, u64)>| {
        let mut v: Vec<FacetValue> = m.into_iter().map(|(key, (label, count))| FacetValue { key, label, count }).collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.to_lowercase().cmp(&b.label.to_lowercase())));
        v
    };
    facets.network = sorted(net);
    facets.country = sorted(country);
    facets.service = sorted(service);
    facets.technology = sorted(tech);
    facets.language = sorted(lang);
    let total = hits.len() as u64;
    let limit = q.limit.clamp(1, MAX_LIMIT) as usize;
    let items = hits.into_iter().skip(q.offset as usize).take(limit).map(|(_, c)| c).collect();
    Ok(SearchResult { items, total, facets })
}

/// A co-op joining or leaving a network.
#[derive(Debug, Clone, PartialEq)]
pub struct MembershipEvent {
    /// The co-op's handle.
    pub slug: String,
    /// Its name at the time.
    pub name: String,
    /// Its network's storage id.
    pub network_id: i64,
    /// True for a join, false for a departure.
    pub joined: bool,
    /// When.
    pub at: DateTime<Utc>,
    /// Its profile URL (actor id).
    pub url: String,
}

/// The latest joins and departures across the directory, newest first.
pub async fn membership_events(ctx: &AppContext, limit: u64) -> Result<Vec<MembershipEvent>, AppError> {
    let q = SearchQuery { sort: Sort::Newest, limit: limit.clamp(1, MAX_LIMIT), ..SearchQuery::default() };
    let result = search(ctx, &q).await?;
    Ok(result
        .items
        .into_iter()
        .map(|c| MembershipEvent {
            url: match &c.origin {
                coopnet_core::CoopOrigin::Local => ctx.fed().urls.coop(c.slug.as_str()).to_string(),
                coopnet_core::CoopOrigin::Remote { actor_id } => actor_id.to_string(),
            },
            slug: c.slug.to_string(),
            name: c.profile.name.clone(),
            network_id: c.network_id,
            joined: true,
            at: c.created_at,
        })
        .collect())
}
