//! Totals and facet counts of recent directory queries, kept until the directory changes.
//!
//! Counting facets over most of the directory reads nearly every `coop_facet` row (about a
//! second at 100,000 co-ops, see `docs/search.md`), and the broadest queries (the first
//! page of `/coops`, one network, one country) are also the most frequent. Counts depend
//! only on which co-ops match, never on the page or the order, so they are cached per
//! query (words and filters) and stamped with `directory_version`, a counter the database
//! bumps by trigger on every write that can change a match (migration
//! `m20261126_000007_create_directory_version`). A search reads the counter in its own
//! transaction: a different value empties the cache. Several processes on one PostgreSQL
//! database each keep their own cache and all see the same counter, so none serves counts
//! older than the last committed write it can see.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sea_orm::{ConnectionTrait, Statement};

use coopnet_core::SearchQuery;

use super::facets::FacetCount;
use crate::DbError;

/// Queries remembered per directory version; past it the cache starts over (a full cache
/// means many distinct queries, where the oldest entry is no better a guess than any).
pub const CAPACITY: usize = 1024;

/// What a query matches, independent of page and order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountKey {
    text: Option<String>,
    networks: Vec<i64>,
    countries: Vec<String>,
    services: Vec<String>,
    technologies: Vec<String>,
    languages: Vec<String>,
}

fn sorted<T: Ord + Clone>(values: &[T]) -> Vec<T> {
    let mut v = values.to_vec();
    v.sort();
    v.dedup();
    v
}

impl CountKey {
    /// The key of `p`, given its text condition as the backend will run it. Filter values
    /// are alternatives, so their order and repetitions do not matter.
    pub fn new(p: &SearchQuery, text: Option<&str>) -> Self {
        Self {
            text: text.map(str::to_owned),
            networks: sorted(&p.networks),
            countries: sorted(&p.countries),
            services: sorted(&p.services),
            technologies: sorted(&p.technologies),
            languages: sorted(&p.languages),
        }
    }

    /// True for the query with no words and no filter (every listed co-op).
    pub fn is_everything(&self) -> bool {
        self.text.is_none()
            && self.networks.is_empty()
            && self.countries.is_empty()
            && self.services.is_empty()
            && self.technologies.is_empty()
            && self.languages.is_empty()
    }
}

/// The number of matches and the facet counts over them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counts {
    /// Matches.
    pub total: u64,
    /// Facet counts over the matches, unordered.
    pub facets: Vec<FacetCount>,
}

#[derive(Debug, Default)]
struct Entries {
    version: i64,
    counts: HashMap<CountKey, Arc<Counts>>,
    /// Live, listed co-ops (SQLite's plans need it for every filtered query).
    listed: Option<u64>,
}

impl Entries {
    /// Forgets everything older than `version`.
    fn advance(&mut self, version: i64) {
        if version > self.version {
            self.version = version;
            self.counts.clear();
            self.listed = None;
        }
    }
}

/// The cache. One per process (held by the application context), shared by its requests.
#[derive(Debug, Default)]
pub struct CountCache {
    entries: Mutex<Entries>,
}

impl CountCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The counts of `key` if they were computed at `version`.
    pub fn get(&self, version: i64, key: &CountKey) -> Option<Arc<Counts>> {
        let entries = self.entries.lock().ok()?;
        if entries.version != version {
            return None;
        }
        entries.counts.get(key).cloned()
    }

    /// Remembers `counts` of `key`, computed at `version`; a newer version empties the
    /// cache, an older one (a search that started before a write) is not kept.
    pub fn put(&self, version: i64, key: CountKey, counts: Arc<Counts>) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if version < entries.version {
            return;
        }
        entries.advance(version);
        if entries.counts.len() >= CAPACITY {
            entries.counts.clear();
        }
        entries.counts.insert(key, counts);
    }

    /// The number of live, listed co-ops if it was counted at `version`.
    pub fn listed(&self, version: i64) -> Option<u64> {
        let entries = self.entries.lock().ok()?;
        if entries.version != version {
            return None;
        }
        entries.listed
    }

    /// Remembers the number of live, listed co-ops, counted at `version`.
    pub fn put_listed(&self, version: i64, listed: u64) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if version < entries.version {
            return;
        }
        entries.advance(version);
        entries.listed = Some(listed);
    }

    /// Queries remembered (for tests and metrics).
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.counts.len()).unwrap_or(0)
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The directory's change counter (see the module header): the sum of its rows, one on
/// SQLite and 64 on PostgreSQL, where each connection bumps its own so parallel writers do
/// not queue on one row (migration `m20261210_120000_shard_directory_version`).
pub async fn version(conn: &impl ConnectionTrait) -> Result<i64, DbError> {
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) AS version FROM directory_version",
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get::<i64>("", "version")?,
        None => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::facets::FacetKind;

    fn counts(total: u64) -> Arc<Counts> {
        Arc::new(Counts {
            total,
            facets: vec![FacetCount {
                kind: FacetKind::Country,
                key: "GB".into(),
                label: "GB".into(),
                count: total,
            }],
        })
    }

    #[test]
    fn filter_order_and_repeats_do_not_change_the_key() {
        let a = SearchQuery {
            countries: vec!["GB".into(), "DE".into(), "GB".into()],
            ..SearchQuery::default()
        };
        let b = SearchQuery {
            countries: vec!["DE".into(), "GB".into()],
            limit: 5,
            offset: 40,
            ..SearchQuery::default()
        };
        assert_eq!(CountKey::new(&a, None), CountKey::new(&b, None));
        assert_ne!(CountKey::new(&a, None), CountKey::new(&a, Some("rust*")));
        assert!(CountKey::new(&SearchQuery::default(), None).is_everything());
        assert!(!CountKey::new(&b, None).is_everything());
    }

    #[test]
    fn entries_live_until_the_version_changes() {
        let cache = CountCache::new();
        let key = CountKey::new(&SearchQuery::default(), None);
        cache.put(3, key.clone(), counts(10));
        assert_eq!(cache.get(3, &key).map(|c| c.total), Some(10));
        assert_eq!(cache.get(4, &key), None, "a newer version misses");
        // A search that began before the write must not replace newer counts.
        cache.put(4, key.clone(), counts(11));
        cache.put(3, key.clone(), counts(10));
        assert_eq!(cache.get(4, &key).map(|c| c.total), Some(11));
        assert_eq!(cache.len(), 1);
        cache.put_listed(4, 90);
        assert_eq!(cache.listed(4), Some(90));
        cache.put(5, key.clone(), counts(12));
        assert_eq!(
            cache.listed(5),
            None,
            "a new version forgets the directory size"
        );
    }

    #[test]
    fn a_full_cache_starts_over() {
        let cache = CountCache::new();
        for i in 0..CAPACITY {
            let p = SearchQuery {
                networks: vec![i as i64],
                ..SearchQuery::default()
            };
            cache.put(1, CountKey::new(&p, None), counts(1));
        }
        assert_eq!(cache.len(), CAPACITY);
        cache.put(1, CountKey::new(&SearchQuery::default(), None), counts(2));
        assert_eq!(cache.len(), 1);
    }
}
