//! Rendered co-op actor documents, kept per process and served without touching the
//! database while nothing changed.
//!
//! Building an `Organization` costs far more than serving bytes: the row and the key are
//! read, the summary goes through Markdown and the HTML sanitiser, fields and hashtags are
//! assembled, and about 8 KB of JSON is written. So documents are kept by handle, stamped
//! with the cache's *epoch*, and served while the epoch has not moved. The epoch moves
//! ([`ActorCache::invalidate`]) on every change that can alter a document:
//!
//! - a co-op write of this process, right after its commit (the app's one door for co-op
//!   writes, `app::coops`), so a process reads its own writes at once;
//! - a commit signalled by the database (`coopnet_db::signals`): on PostgreSQL a trigger on
//!   `coop` and `linked_account` notifies every process sharing the database; on SQLite any
//!   other connection's commit is seen within 100 ms.
//!
//! A reader takes the epoch *before* it reads the row, and stores what it rendered under
//! that epoch: if a write committed meanwhile, the entry is stale from birth and never
//! served. Another process's edit is thus served at most one signal late (milliseconds on
//! PostgreSQL, 100 ms on SQLite).
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;

/// Co-ops remembered; past it the cache starts over.
pub const CAPACITY: usize = 4096;

/// The cache (held by `FedData`).
#[derive(Debug, Default)]
pub struct ActorCache {
    epoch: AtomicU64,
    entries: Mutex<HashMap<String, (u64, Bytes)>>,
}

impl ActorCache {
    /// The current epoch: read it before reading what a document is built from.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// The document of co-op `slug` if it was rendered in the current epoch.
    pub fn get(&self, slug: &str) -> Option<Bytes> {
        let epoch = self.epoch();
        let entries = self.entries.lock().ok()?;
        match entries.get(slug) {
            Some((at, body)) if *at == epoch => Some(body.clone()),
            _ => None,
        }
    }

    /// Remembers the document of co-op `slug`, rendered from what was read in `epoch`.
    pub fn put(&self, slug: &str, epoch: u64, body: Bytes) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if epoch != self.epoch() {
            return;
        }
        if entries.len() >= CAPACITY && !entries.contains_key(slug) {
            entries.clear();
        }
        entries.insert(slug.to_owned(), (epoch, body));
    }

    /// Something a document is built from changed: every entry is stale.
    pub fn invalidate(&self) {
        let Ok(mut entries) = self.entries.lock() else {
            self.epoch.fetch_add(1, Ordering::AcqRel);
            return;
        };
        self.epoch.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalidation_stales_every_entry() {
        let cache = ActorCache::default();
        let e0 = cache.epoch();
        cache.put("a", e0, Bytes::from_static(b"old"));
        assert_eq!(cache.get("a").as_deref(), Some(&b"old"[..]));
        assert_eq!(cache.get("b"), None);
        cache.invalidate();
        assert_eq!(cache.get("a"), None);
        let e1 = cache.epoch();
        assert_ne!(e0, e1);
        cache.put("a", e1, Bytes::from_static(b"new"));
        assert_eq!(cache.get("a").as_deref(), Some(&b"new"[..]));
    }

    #[test]
    fn a_document_read_before_a_write_is_never_served() {
        let cache = ActorCache::default();
        // A reader takes the epoch and reads the row; a write commits and invalidates;
        // the reader then stores what it rendered from the old row.
        let read_at = cache.epoch();
        cache.invalidate();
        cache.put("a", read_at, Bytes::from_static(b"stale"));
        assert_eq!(cache.get("a"), None);
    }
}
