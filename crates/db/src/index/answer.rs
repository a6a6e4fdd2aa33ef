//! Answering a query from a snapshot: text matches from tantivy (or every listed co-op
//! when the query has no words), the facet filters from the posting lists, the facet
//! counts over all matches, the order and the page, the same as `repo::search::search`
//! computes in SQL. The layout it reads is `columns`.
use std::cmp::Ordering;
use std::collections::HashMap;

use coopnet_core::{SearchQuery, Sort};
use tantivy::Score;

use super::Snapshot;
use super::columns::{Columns, Slot, SlotSet};
use super::text::{self, AllMatches, index_error};
use crate::DbError;
use crate::repo::search::{FacetCount, FacetKind, SearchHits, query_words};

/// The co-ops the facet filters admit, or `None` when the query has none. Within a kind
/// any wanted value will do, across kinds all must hold (as the SQL `IN` lists and `AND`s).
fn filtered(snapshot: &Snapshot, p: &SearchQuery) -> Option<SlotSet> {
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
    let columns = &snapshot.columns;
    let mut admitted: Option<SlotSet> = None;
    for kind in [
        FacetKind::Network,
        FacetKind::Country,
        FacetKind::Service,
        FacetKind::Technology,
        FacetKind::Language,
    ] {
        let keys = wanted(kind);
        if keys.is_empty() {
            continue;
        }
        let mut any = SlotSet::empty(columns.len());
        for (value, slots) in snapshot.facets.values().iter().zip(&columns.postings) {
            if value.kind == kind && keys.contains(&value.key) {
                for slot in slots {
                    any.insert(*slot);
                }
            }
        }
        match &mut admitted {
            Some(set) => set.intersect(&any),
            None => admitted = Some(any),
        }
    }
    admitted
}

/// What matched: every listed co-op, or these slots with their text scores.
enum Matches {
    All,
    Some(Vec<(Slot, Score)>),
}

/// Runs `p` on `snapshot` (blocking: call it off the async runtime).
pub(super) fn answer(snapshot: &Snapshot, p: &SearchQuery) -> Result<SearchHits, DbError> {
    let columns = &snapshot.columns;
    let words = query_words(&p.text);
    let filter = filtered(snapshot, p);
    let matches = if !words.is_empty() {
        let found = match text::query(&snapshot.searcher, snapshot.fields, &words)? {
            None => Vec::new(),
            Some(query) => snapshot
                .searcher
                .search(&*query, &AllMatches::new(&columns.segments))
                .map_err(index_error)?,
        };
        Matches::Some(match &filter {
            Some(set) => found
                .into_iter()
                .filter(|(s, _)| set.contains(*s))
                .collect(),
            None => found,
        })
    } else if let Some(set) = &filter {
        Matches::Some(set.slots().map(|s| (s, 0.0)).collect())
    } else {
        Matches::All
    };

    let (total, facets) = match &matches {
        Matches::All => (
            columns.len() as u64,
            count(snapshot, |per_value| {
                for (n, slots) in per_value.iter_mut().zip(&columns.postings) {
                    *n = slots.len() as u64;
                }
            }),
        ),
        Matches::Some(found) => (
            found.len() as u64,
            count(snapshot, |per_value| {
                for (slot, _) in found {
                    for f in columns.facets_of(*slot) {
                        if let Some(n) = per_value.get_mut(*f as usize) {
                            *n += 1;
                        }
                    }
                }
            }),
        ),
    };

    let offset = usize::try_from(p.offset).unwrap_or(usize::MAX);
    let limit = usize::try_from(p.limit).unwrap_or(usize::MAX);
    let by_score = p.sort == Sort::Relevance && !words.is_empty();
    let ids = match matches {
        Matches::All => {
            let order = if p.sort == Sort::Newest {
                &columns.by_newest
            } else {
                &columns.by_name
            };
            order
                .iter()
                .skip(offset)
                .take(limit)
                .map(|s| columns.ids[*s as usize])
                .collect()
        }
        Matches::Some(found) => page(columns, found, p.sort, by_score, offset, limit),
    };
    Ok(SearchHits { ids, total, facets })
}

/// The ids of `found`'s page in the query's order: only the first `offset + limit` are
/// selected and sorted.
fn page(
    columns: &Columns,
    mut found: Vec<(Slot, Score)>,
    sort: Sort,
    by_score: bool,
    offset: usize,
    limit: usize,
) -> Vec<i64> {
    let rank = if sort == Sort::Newest {
        &columns.newest_rank
    } else {
        &columns.name_rank
    };
    let key = |s: &Slot| rank.get(*s as usize).copied().unwrap_or(u32::MAX);
    let order = |a: &(Slot, Score), b: &(Slot, Score)| -> Ordering {
        if by_score {
            b.1.total_cmp(&a.1).then_with(|| key(&a.0).cmp(&key(&b.0)))
        } else {
            key(&a.0).cmp(&key(&b.0))
        }
    };
    let wanted = offset.saturating_add(limit);
    if wanted == 0 {
        return Vec::new();
    }
    if wanted < found.len() {
        found.select_nth_unstable_by(wanted - 1, order);
        found.truncate(wanted);
    }
    found.sort_unstable_by(order);
    found
        .iter()
        .skip(offset)
        .map(|(s, _)| columns.ids[*s as usize])
        .collect()
}

/// Facet counts: `fill` sets the number of matches per interned value; values are then
/// summed per (kind, key), with the first label in byte order (as the SQL `MIN(label)`).
fn count(snapshot: &Snapshot, fill: impl FnOnce(&mut [u64])) -> Vec<FacetCount> {
    let values = snapshot.facets.values();
    let mut per_value = vec![0u64; values.len()];
    fill(&mut per_value);
    let mut by_key: HashMap<(FacetKind, &str), FacetCount> = HashMap::new();
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

/// Answers already computed on one snapshot, by query. A snapshot never changes, so an
/// answer stays right for as long as the snapshot is current; the next write makes a new
/// snapshot with an empty cache. Directory traffic repeats itself (the first page, popular
/// words, the facet links of a page), and the heaviest queries (a word in most co-ops) are
/// the most repeated.
///
/// Bounded by [`AnswerCache::CAPACITY`] answers; when full it starts over, so a stream of
/// distinct queries (a crawler, the bench's uncached load) costs one clear per
/// `CAPACITY` queries and never an ordered eviction list.
#[derive(Debug, Default)]
pub(super) struct AnswerCache {
    answers: std::sync::Mutex<HashMap<String, SearchHits>>,
}

impl AnswerCache {
    /// Answers kept per snapshot (each a page of ids and the facet counts: a few KB).
    pub(super) const CAPACITY: usize = 1024;

    /// The answer to `p` if kept.
    pub(super) fn get(&self, p: &SearchQuery) -> Option<SearchHits> {
        self.lock().get(&Self::key(p)).cloned()
    }

    /// The answer to `p`: kept, or computed by `compute` and kept.
    pub(super) fn get_or(
        &self,
        p: &SearchQuery,
        compute: impl FnOnce() -> Result<SearchHits, DbError>,
    ) -> Result<SearchHits, DbError> {
        let key = Self::key(p);
        if let Some(hits) = self.lock().get(&key) {
            return Ok(hits.clone());
        }
        let hits = compute()?;
        let mut answers = self.lock();
        if answers.len() >= Self::CAPACITY {
            answers.clear();
        }
        answers.insert(key, hits.clone());
        Ok(hits)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SearchHits>> {
        match self.answers.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// What decides an answer: the query itself (text as typed, filters, order, page).
    /// Not its stemmed words: stemming every request to build a key would cost more than
    /// the lookup it serves, and `Web` and `web` merely get an answer each.
    fn key(p: &SearchQuery) -> String {
        format!("{p:?}")
    }
}
