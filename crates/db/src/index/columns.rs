//! The listed co-ops of one snapshot laid out for queries: dense slots `0..n` instead of a
//! map keyed by co-op id, so what every query touches for every match is a few flat arrays.
//!
//! Profiled at 100,000 co-ops (`docs/benchmarks.md`, run F), answering from the per-co-op
//! map cost 18-25 ms per query even when only 900 co-ops matched: a pass over 100,000 map
//! entries, each a pointer away from its facet list and name, is bound by memory latency.
//! Here:
//!
//! - facet filters start from per-value posting lists (the slots holding the value), so
//!   `country + service` touches the co-ops of that country and that service only;
//! - facet counts read the facets of the matches from one flat array (`facet_list`), and
//!   with neither words nor filters are the posting lists' lengths;
//! - the name and newest-first orders are precomputed (`by_name`, `by_newest`, with each
//!   slot's rank), so a page is a walk of the order or a selection over integer ranks,
//!   never a string comparison;
//! - tantivy's documents map to slots through one array per segment, so a text match
//!   becomes a slot without a hash lookup.
//!
//! Laid out again from the writer's ordered entries whenever a sync changed something: one
//! pass in id order and one walk of each maintained order, no sort (`Orders` keeps them
//! sorted as co-ops come and go), so a sync after one write costs a linear pass, not a
//! sort of every name.
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tantivy::Searcher;

use super::entries::{Entry, FacetTable, Orders};
use super::text::{ID, index_error};
use crate::DbError;

/// A slot: a listed co-op's position in a snapshot's arrays.
pub(super) type Slot = u32;

/// No slot (a deleted tantivy document).
pub(super) const NONE: Slot = Slot::MAX;

/// The columns of one snapshot.
#[derive(Debug, Default)]
pub(super) struct Columns {
    /// Slot to co-op id, ascending (so a co-op's slot is found by binary search).
    pub ids: Vec<i64>,
    /// Slot to the co-op's `updated_at` when indexed (what kept pages are checked against).
    pub updated_at: Vec<DateTime<Utc>>,
    /// Slot to its position in name order.
    pub name_rank: Vec<u32>,
    /// Slots in name order (folded name, then id), as `ORDER BY sort_name, id`.
    pub by_name: Vec<Slot>,
    /// Slot to its position newest first.
    pub newest_rank: Vec<u32>,
    /// Slots newest first (created, then id).
    pub by_newest: Vec<Slot>,
    /// Per slot, where its facet values start in `facet_list` (one more entry than slots).
    pub facet_start: Vec<u32>,
    /// Every slot's interned facet values, one after the other.
    pub facet_list: Vec<u32>,
    /// Per interned facet value, the slots holding it, ascending.
    pub postings: Vec<Vec<Slot>>,
    /// Per tantivy segment (by ordinal), document to slot ([`NONE`] when deleted).
    pub segments: Vec<Arc<Vec<Slot>>>,
}

impl Columns {
    /// Lays out `entries` (interned in `facets`, ordered by `orders`) and maps the
    /// documents `searcher` sees.
    pub(super) fn build(
        entries: &BTreeMap<i64, Entry>,
        orders: &Orders,
        facets: &FacetTable,
        searcher: &Searcher,
    ) -> Result<Self, DbError> {
        // Slots in id order: tantivy's documents are mostly in insertion order, so matches
        // read the columns nearly sequentially.
        let n = entries.len();
        let ids: Vec<i64> = entries.keys().copied().collect();
        let updated_at = entries.values().map(|e| e.updated_at).collect();
        let slot_of = |id: i64| ids.binary_search(&id).ok().map(|s| s as Slot);
        let by_name: Vec<Slot> = orders
            .by_name
            .iter()
            .filter_map(|(_, id)| slot_of(*id))
            .collect();
        let by_newest: Vec<Slot> = orders
            .by_newest
            .iter()
            .filter_map(|(_, id)| slot_of(*id))
            .collect();
        if by_name.len() != n || by_newest.len() != n {
            return Err(DbError::Index(
                "index orders out of step with entries".into(),
            ));
        }

        let mut facet_start = Vec::with_capacity(n + 1);
        let mut facet_list = Vec::new();
        let mut postings: Vec<Vec<Slot>> = vec![Vec::new(); facets.values().len()];
        for (slot, entry) in entries.values().enumerate() {
            facet_start.push(u32::try_from(facet_list.len()).map_err(index_error)?);
            for f in &entry.facets {
                facet_list.push(*f);
                if let Some(list) = postings.get_mut(*f as usize) {
                    list.push(slot as Slot);
                }
            }
        }
        facet_start.push(u32::try_from(facet_list.len()).map_err(index_error)?);

        let mut segments = Vec::new();
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().u64(ID).map_err(index_error)?;
            let alive = segment.alive_bitset();
            let docs = (0..segment.max_doc())
                .map(|doc| {
                    if alive.is_some_and(|a| a.is_deleted(doc)) {
                        return NONE;
                    }
                    column
                        .first(doc)
                        .and_then(|id| i64::try_from(id).ok())
                        .and_then(slot_of)
                        .unwrap_or(NONE)
                })
                .collect();
            segments.push(Arc::new(docs));
        }

        Ok(Self {
            ids,
            updated_at,
            name_rank: ranks(&by_name),
            by_name,
            newest_rank: ranks(&by_newest),
            by_newest,
            facet_start,
            facet_list,
            postings,
            segments,
        })
    }

    /// The `updated_at` of listed co-op `id` when indexed.
    pub(super) fn updated_at_of(&self, id: i64) -> Option<DateTime<Utc>> {
        let slot = self.ids.binary_search(&id).ok()?;
        self.updated_at.get(slot).copied()
    }

    /// Listed co-ops.
    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The interned facet values of `slot`.
    pub(super) fn facets_of(&self, slot: Slot) -> &[u32] {
        let i = slot as usize;
        let (Some(start), Some(end)) = (self.facet_start.get(i), self.facet_start.get(i + 1))
        else {
            return &[];
        };
        self.facet_list
            .get(*start as usize..*end as usize)
            .unwrap_or(&[])
    }
}

/// Position of each slot in `order`.
fn ranks(order: &[Slot]) -> Vec<u32> {
    let mut rank = vec![0; order.len()];
    for (position, slot) in order.iter().enumerate() {
        if let Some(r) = rank.get_mut(*slot as usize) {
            *r = position as u32;
        }
    }
    rank
}

/// A set of slots as bits.
#[derive(Debug, Clone)]
pub(super) struct SlotSet {
    words: Vec<u64>,
}

impl SlotSet {
    /// The empty set over `n` slots.
    pub(super) fn empty(n: usize) -> Self {
        Self {
            words: vec![0; n.div_ceil(64)],
        }
    }

    pub(super) fn insert(&mut self, slot: Slot) {
        if let Some(w) = self.words.get_mut(slot as usize / 64) {
            *w |= 1 << (slot % 64);
        }
    }

    pub(super) fn contains(&self, slot: Slot) -> bool {
        self.words
            .get(slot as usize / 64)
            .is_some_and(|w| w & (1 << (slot % 64)) != 0)
    }

    /// Keeps only what `other` holds too.
    pub(super) fn intersect(&mut self, other: &Self) {
        for (w, o) in self.words.iter_mut().zip(&other.words) {
            *w &= o;
        }
    }

    /// The slots held, ascending.
    pub(super) fn slots(&self) -> impl Iterator<Item = Slot> + '_ {
        self.words.iter().enumerate().flat_map(|(i, w)| {
            let mut bits = *w;
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let b = bits.trailing_zeros();
                bits &= bits - 1;
                Some((i * 64) as Slot + b)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_set_holds_what_was_inserted_and_intersects() {
        let mut a = SlotSet::empty(200);
        for s in [0, 5, 63, 64, 130, 199] {
            a.insert(s);
        }
        assert!(a.contains(63) && a.contains(64) && !a.contains(65));
        assert_eq!(a.slots().collect::<Vec<_>>(), [0, 5, 63, 64, 130, 199]);
        let mut b = SlotSet::empty(200);
        for s in [5, 64, 131, 199] {
            b.insert(s);
        }
        a.intersect(&b);
        assert_eq!(a.slots().collect::<Vec<_>>(), [5, 64, 199]);
        assert!(!a.contains(1000));
    }

    #[test]
    fn ranks_invert_an_order() {
        assert_eq!(ranks(&[2, 0, 1]), [1, 2, 0]);
    }
}
