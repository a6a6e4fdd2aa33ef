//! Rendered co-op actor documents, kept per process and keyed by the co-op's `updated_at`.
//!
//! Building an `Organization` costs far more than reading the row: the summary goes
//! through Markdown and the HTML sanitiser, fields and hashtags are assembled, the key is
//! read, and about 8 KB of JSON is written. Every profile change (logo included) moves
//! `updated_at`, and the key of a co-op never changes once made, so the bytes of
//! `(id, updated_at)` stay right until the row says otherwise; another process's edit is
//! seen in the row read that every request still makes.
use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use chrono::{DateTime, Utc};

/// Co-ops remembered; past it the cache starts over.
pub const CAPACITY: usize = 4096;

/// The cache (held by `FedData`).
#[derive(Debug, Default)]
pub struct ActorCache {
    entries: Mutex<HashMap<i64, (DateTime<Utc>, Bytes)>>,
}

impl ActorCache {
    /// The document of co-op `id` if it was rendered at version `updated`.
    pub fn get(&self, id: i64, updated: DateTime<Utc>) -> Option<Bytes> {
        let entries = self.entries.lock().ok()?;
        match entries.get(&id) {
            Some((at, body)) if *at == updated => Some(body.clone()),
            _ => None,
        }
    }

    /// Remembers the document of co-op `id` at version `updated`.
    pub fn put(&self, id: i64, updated: DateTime<Utc>, body: Bytes) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY && !entries.contains_key(&id) {
            entries.clear();
        }
        entries.insert(id, (updated, body));
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_newer_version_misses() {
        let cache = ActorCache::default();
        let t1 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let t2 = Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap();
        cache.put(7, t1, Bytes::from_static(b"old"));
        assert_eq!(cache.get(7, t1).as_deref(), Some(&b"old"[..]));
        assert_eq!(cache.get(7, t2), None);
        assert_eq!(cache.get(8, t1), None);
        cache.put(7, t2, Bytes::from_static(b"new"));
        assert_eq!(cache.get(7, t2).as_deref(), Some(&b"new"[..]));
    }
}
