//! Answering a query from a snapshot: text matches from tantivy (or every entry when the
//! query has no words), then the facet filters, the facet counts over all matches, the
//! order and the page, the same as `repo::search::search` computes in SQL.
use std::cmp::Ordering;

use coopnet_core::{SearchQuery, Sort};
use tantivy::Score;

use super::Snapshot;
use super::entries::Entry;
use super::text::{self, AllMatches, index_error};
use crate::DbError;
use crate::repo::search::{FacetCount, FacetKind, SearchHits, query_words};

/// The kinds a filter can name, with their bit in a filter mask.
const KINDS: [FacetKind; 5] = [
    FacetKind::Network,
    FacetKind::Country,
    FacetKind::Service,
    FacetKind::Technology,
    FacetKind::Language,
];

fn bit(kind: FacetKind) -> u8 {
    let i = KINDS.iter().position(|k| *k == kind).unwrap_or_default();
    1 << i
}

/// The facet filters of a query: which interned values each filtered kind accepts. Within
/// a kind any value will do, across kinds all must hold (as the SQL `IN` lists and `AND`s).
struct Filter {
    /// Per interned value, the bits of the kinds it satisfies.
    accepts: Vec<u8>,
    /// The bits of the kinds the query filters on.
    required: u8,
}

impl Filter {
    fn new(snapshot: &Snapshot, p: &SearchQuery) -> Self {
        let networks: Vec<String> = p.networks.iter().map(i64::to_string).collect();
        let wanted = |kind: FacetKind| -> &[String] {
            match kind {
                FacetKind::Network => &networks,
                FacetKind::Country => &p.countries,
                FacetKind::Service => &p.services,
                FacetKind::Technology => &p.technologies,
                FacetKind::Language => &p.languages,
            }
        };
        let required = KINDS
            .iter()
            .filter(|k| !wanted(**k).is_empty())
            .fold(0, |bits, k| bits | bit(*k));
        let accepts = if required == 0 {
            Vec::new()
        } else {
            snapshot
                .facets
                .values()
                .iter()
                .map(|v| {
                    if wanted(v.kind).contains(&v.key) {
                        bit(v.kind)
                    } else {
                        0
                    }
                })
                .collect()
        };
        Self { accepts, required }
    }

    fn admits(&self, entry: &Entry) -> bool {
        self.required == 0
            || entry.facets.iter().fold(0, |bits, f| {
                bits | self.accepts.get(*f as usize).copied().unwrap_or(0)
            }) == self.required
    }
}

/// One match: its id, entry and text score.
struct Match<'a> {
    id: i64,
    entry: &'a Entry,
    score: Score,
}

fn by_name(a: &Match, b: &Match) -> Ordering {
    a.entry
        .sort_name
        .cmp(&b.entry.sort_name)
        .then(a.id.cmp(&b.id))
}

fn newest_first(a: &Match, b: &Match) -> Ordering {
    b.entry
        .created_at
        .cmp(&a.entry.created_at)
        .then(a.id.cmp(&b.id))
}

fn by_score(a: &Match, b: &Match) -> Ordering {
    b.score.total_cmp(&a.score).then_with(|| by_name(a, b))
}

/// Runs `p` on `snapshot` (blocking: call it off the async runtime).
pub(super) fn answer(snapshot: &Snapshot, p: &SearchQuery) -> Result<SearchHits, DbError> {
    let words = query_words(&p.text);
    let filter = Filter::new(snapshot, p);
    let admit = |(id, score): (i64, Score)| {
        let entry = snapshot.entries.get(&id)?;
        filter.admits(entry).then_some(Match { id, entry, score })
    };
    let mut matches: Vec<Match> = if words.is_empty() {
        snapshot
            .entries
            .keys()
            .filter_map(|id| admit((*id, 0.0)))
            .collect()
    } else {
        match text::query(&snapshot.searcher, snapshot.fields, &words)? {
            None => Vec::new(),
            Some(query) => snapshot
                .searcher
                .search(&*query, &AllMatches)
                .map_err(index_error)?
                .into_iter()
                .filter_map(admit)
                .collect(),
        }
    };

    let total = matches.len() as u64;
    let facets = count(snapshot, &matches);

    let order: fn(&Match, &Match) -> Ordering = match p.sort {
        Sort::Newest => newest_first,
        Sort::Relevance if !words.is_empty() => by_score,
        _ => by_name,
    };
    let offset = usize::try_from(p.offset).unwrap_or(usize::MAX);
    let limit = usize::try_from(p.limit).unwrap_or(usize::MAX);
    let wanted = offset.saturating_add(limit);
    // Only the first `wanted` need sorting.
    if wanted == 0 {
        matches.clear();
    } else if wanted < matches.len() {
        matches.select_nth_unstable_by(wanted - 1, order);
        matches.truncate(wanted);
    }
    matches.sort_unstable_by(order);
    let ids = matches.iter().skip(offset).map(|m| m.id).collect();
    Ok(SearchHits { ids, total, facets })
}

/// Facet counts over all matches: per (kind, key), the number of matches and the first
/// label in byte order (as the SQL `MIN(label)`).
fn count(snapshot: &Snapshot, matches: &[Match]) -> Vec<FacetCount> {
    let values = snapshot.facets.values();
    let mut per_value = vec![0u64; values.len()];
    for m in matches {
        for f in &m.entry.facets {
            if let Some(n) = per_value.get_mut(*f as usize) {
                *n += 1;
            }
        }
    }
    let mut by_key: std::collections::HashMap<(FacetKind, &str), FacetCount> =
        std::collections::HashMap::new();
    for (value, n) in values.iter().zip(per_value) {
        if n == 0 {
            continue;
        }
        by_key
            .entry((value.kind, value.key.as_str()))
            .and_modify(|c| {
                c.count += n;
                if value.label < c.label {
                    c.label.clone_from(&value.label);
                }
            })
            .or_insert_with(|| FacetCount {
                kind: value.kind,
                key: value.key.clone(),
                label: value.label.clone(),
                count: n,
            });
    }
    by_key.into_values().collect()
}
