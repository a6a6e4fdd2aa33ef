//! The co-ops a result page shows, kept in memory so a page is served without reading the
//! database: the index answers with ids, and reading 50 rows by id and decoding their
//! profiles costs more than the index query itself.
//!
//! A kept co-op is used only while the snapshot answering the query lists it with the same
//! `updated_at` (every write of a co-op moves it, which is also what the index's own
//! freshness check relies on), so the page shows the co-op exactly as the index found it;
//! anything else is read from the database and kept for the next page.
//!
//! Bounded: past [`CAPACITY`] co-ops, the least recently shown half is dropped; long pages
//! (exports, the map) are served but not kept.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use coopnet_core::Coop;
use sea_orm::ConnectionTrait;

use super::Snapshot;
use crate::DbError;

/// Co-ops kept; at about 2 KB each, some 30 MB at most. Sized for the co-ops of the pages
/// visitors are shown between two writes: at 8,192, the bench's 256 distinct queries of 50
/// co-ops each (12,800 co-ops) cycled through the cache and every page was read again
/// (`docs/benchmarks.md`, run G).
pub const CAPACITY: usize = 16_384;

/// Pages longer than this are served but not kept: exports and the map walk the whole
/// directory in long pages and would push out what visitors are shown.
pub const KEEP_PAGES_UP_TO: usize = 100;

/// A kept co-op and when it was last shown.
struct Kept {
    coop: Arc<Coop>,
    shown: u64,
}

/// The page cache of one search index.
#[derive(Default)]
pub(super) struct PageCache {
    kept: Mutex<(HashMap<i64, Kept>, u64)>,
}

impl PageCache {
    /// The co-ops `ids` (a page of `snapshot`'s answer) in order: kept ones when still
    /// current in `snapshot`, the others read from `conn`. A co-op no longer in the
    /// database is left out, as `repo::search::load` does.
    pub(super) async fn load<C: ConnectionTrait>(
        &self,
        conn: &C,
        snapshot: &Snapshot,
        ids: &[i64],
    ) -> Result<Vec<Arc<Coop>>, DbError> {
        let mut page: Vec<Option<Arc<Coop>>> = vec![None; ids.len()];
        let mut missing = Vec::new();
        {
            let mut kept = self.lock();
            let (entries, clock) = &mut *kept;
            *clock += 1;
            for (slot, id) in page.iter_mut().zip(ids) {
                let current = snapshot.updated_at(*id);
                match entries.get_mut(id) {
                    Some(k) if Some(k.coop.updated_at) == current => {
                        k.shown = *clock;
                        *slot = Some(k.coop.clone());
                    }
                    _ => missing.push(*id),
                }
            }
        }
        if !missing.is_empty() {
            let read: Vec<Arc<Coop>> = crate::repo::search::load(conn, &missing)
                .await?
                .into_iter()
                .map(Arc::new)
                .collect();
            let by_id: HashMap<i64, Arc<Coop>> = read.iter().map(|c| (c.id, c.clone())).collect();
            for (slot, id) in page.iter_mut().zip(ids) {
                if slot.is_none() {
                    *slot = by_id.get(id).cloned();
                }
            }
            if ids.len() <= KEEP_PAGES_UP_TO {
                self.keep(read);
            }
        }
        Ok(page.into_iter().flatten().collect())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (HashMap<i64, Kept>, u64)> {
        match self.kept.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn keep(&self, coops: Vec<Arc<Coop>>) {
        let mut kept = self.lock();
        let (entries, clock) = &mut *kept;
        if !entries.is_empty() && entries.len() + coops.len() > CAPACITY {
            // Drop the least recently shown half: rare, and cheaper than an ordered list
            // kept on every hit.
            let mut shown: Vec<u64> = entries.values().map(|k| k.shown).collect();
            let middle = shown.len() / 2;
            let (_, cut, _) = shown.select_nth_unstable(middle);
            let cut = *cut;
            entries.retain(|_, k| k.shown > cut);
        }
        for coop in coops {
            entries.insert(
                coop.id,
                Kept {
                    coop,
                    shown: *clock,
                },
            );
        }
    }
}
