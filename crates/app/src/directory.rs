//! The public directory: full-text search with facets over every network's listed co-ops,
//! and the history of joins and departures.
//!
//! `search` is the one entry point pages, the JSON API, feeds and exports use. It answers
//! from the in-memory index (`coopnet_db::index`), derived from the database and caught up
//! before each query; `search_database` answers the same from the SQL full-text index
//! (`coopnet_db::repo::search`), which every co-op write keeps up to date (`docs/search.md`).
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use coopnet_core::{Coop, MAX_SEARCH_LIMIT, Network, SearchQuery};
use coopnet_db::TransactionTrait;
use coopnet_db::repo::search::{self as index, FacetKind, SearchHits};

use crate::{AppContext, AppError};

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
    /// The co-ops on this page (shared with the index's page cache).
    pub items: Vec<Arc<Coop>>,
    /// All matches.
    pub total: u64,
    /// Facet counts over all matches.
    pub facets: Facets,
    /// Every known network by storage id, as the search saw them: what pages name the
    /// co-ops' networks with, without reading them again.
    pub networks: Arc<HashMap<i64, Network>>,
}

/// Searches the directory: live, listed co-ops of every network (see `docs/search.md`).
///
/// Answers from the in-memory index (`coopnet_db::index`), caught up with the database
/// first when its change counter moved, so writes from any process show at once.
pub async fn search(ctx: &AppContext, q: &SearchQuery) -> Result<SearchResult, AppError> {
    if ctx.search_index.is_building() {
        // The same answers, slower, while `serve` builds the index after it started
        // listening (see `spawn_index_build`).
        return search_database(ctx, q).await;
    }
    let q = SearchQuery {
        limit: q.limit.clamp(1, MAX_SEARCH_LIMIT),
        ..q.clone()
    };
    let snapshot = ctx.search_index.fresh(&ctx.db).await?;
    // A kept answer costs microseconds; computing one can take milliseconds (a word in
    // most co-ops), which would stall the runtime's worker: that runs on a blocking thread.
    let hits = match snapshot.cached(&q) {
        Some(hits) => hits,
        None => {
            let searched = snapshot.clone();
            tokio::task::spawn_blocking(move || searched.search_cached(&q))
                .await
                .map_err(|e| AppError::caused("search", e))??
        }
    };
    let items = ctx.search_index.page(&ctx.db, &snapshot, &hits.ids).await?;
    Ok(result(hits, items, snapshot.networks().clone()))
}

/// Like [`search`], answered by the SQL full-text index (`coopnet_db::repo::search`): the
/// reference the in-memory index is tested against.
pub async fn search_database(ctx: &AppContext, q: &SearchQuery) -> Result<SearchResult, AppError> {
    // One snapshot for the page, the total and the facets.
    let txn = ctx.db.begin().await?;
    let hits = index::search(
        &txn,
        &SearchQuery {
            limit: q.limit.clamp(1, MAX_SEARCH_LIMIT),
            ..q.clone()
        },
        Some(&ctx.count_cache),
    )
    .await?;
    let items = index::load(&txn, &hits.ids)
        .await?
        .into_iter()
        .map(Arc::new)
        .collect();
    txn.commit().await?;
    let networks = Arc::new(crate::networks::by_id(ctx).await?);
    Ok(result(hits, items, networks))
}

/// Builds the search index now (or catches it up) and returns how many co-ops it holds.
pub async fn build_index(ctx: &AppContext) -> Result<usize, AppError> {
    Ok(ctx.search_index.fresh(&ctx.db).await?.len())
}

/// Builds the search index in the background, for `serve`: a full build reads and indexes
/// every listed co-op (about 20 s at 100,000 co-ops, `docs/benchmarks.md`; an index kept on
/// disk is opened and only what changed is read), and an instance must answer at once after
/// a start or an upgrade. Until the build is done,
/// [`search`] answers from the SQL path (same results, slower); if the build fails, the
/// next search builds the index itself.
pub fn spawn_index_build(ctx: &AppContext) -> tokio::task::JoinHandle<()> {
    let ctx = ctx.clone();
    ctx.search_index.set_building(true);
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match build_index(&ctx).await {
            Ok(coops) => {
                let syncs = ctx.search_index.syncs();
                tracing::info!(
                    coops,
                    restored = syncs.restored,
                    indexed = syncs.indexed,
                    ms = started.elapsed().as_millis() as u64,
                    "search index built"
                )
            }
            Err(e) => {
                tracing::error!(error = %e, "building the search index failed; the next search tries again")
            }
        }
        ctx.search_index.set_building(false);
    })
}

/// Facet labels (network names) and orders for `hits`, whose page is `items`.
fn result(
    hits: SearchHits,
    items: Vec<Arc<Coop>>,
    networks: Arc<HashMap<i64, Network>>,
) -> SearchResult {
    let mut facets = Facets::default();
    for f in hits.facets {
        let (list, label) = match f.kind {
            FacetKind::Network => {
                let name = f
                    .key
                    .parse()
                    .ok()
                    .and_then(|id: i64| networks.get(&id))
                    .map(|n| n.name.clone());
                (&mut facets.network, name.unwrap_or_default())
            }
            FacetKind::Country => (&mut facets.country, f.label),
            FacetKind::Service => (&mut facets.service, f.label),
            FacetKind::Technology => (&mut facets.technology, f.label),
            FacetKind::Language => (&mut facets.language, f.label),
        };
        list.push(FacetValue {
            key: f.key,
            label,
            count: f.count,
        });
    }
    for list in [
        &mut facets.network,
        &mut facets.country,
        &mut facets.service,
        &mut facets.technology,
        &mut facets.language,
    ] {
        list.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.label.to_lowercase().cmp(&b.label.to_lowercase()))
                .then_with(|| a.key.cmp(&b.key))
        });
    }
    SearchResult {
        items,
        total: hits.total,
        facets,
        networks,
    }
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

/// The latest joins and departures across the directory, newest first (co-ops that have not
/// opted in to listing are not recorded).
pub async fn membership_events(
    ctx: &AppContext,
    limit: u64,
) -> Result<Vec<MembershipEvent>, AppError> {
    let events = index::membership_events(&ctx.db, limit.clamp(1, MAX_SEARCH_LIMIT)).await?;
    Ok(events
        .into_iter()
        .map(|e| MembershipEvent {
            url: e
                .url
                .unwrap_or_else(|| ctx.fed().urls.coop(&e.slug).to_string()),
            slug: e.slug,
            name: e.name,
            network_id: e.network_id,
            joined: e.joined,
            at: e.at,
        })
        .collect())
}
