//! What the index keeps per co-op besides its words: the facet values filters and counts
//! read, and the keys the orders sort by. Held in plain maps next to tantivy because every
//! query needs them for every match (facet counts cover the whole result set), and a lookup
//! by co-op id in a hash map is cheaper than reading tantivy's columns per segment.
//!
//! Facet values are interned: each distinct (kind, key, label) gets a small number, so a
//! co-op's values are a short `Vec<u32>` and counting is indexing into a `Vec<u64>`.
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use coopnet_core::Coop;

use super::text::Texts;
use crate::DbError;
use crate::entities::coop;
use crate::repo::search::{self, FacetKind};

/// The number of an interned facet value.
pub(super) type FacetId = u32;

/// One facet value as the database reports it: kind, key, label.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct FacetValue {
    pub kind: FacetKind,
    pub key: String,
    pub label: String,
}

/// Every facet value seen since the index was built (values are never forgotten: there are
/// few, and a number must keep its meaning while a snapshot uses it).
#[derive(Debug, Clone, Default)]
pub(super) struct FacetTable {
    ids: HashMap<FacetValue, FacetId>,
    values: Vec<FacetValue>,
}

impl FacetTable {
    fn intern(&mut self, value: FacetValue) -> Result<FacetId, DbError> {
        if let Some(id) = self.ids.get(&value) {
            return Ok(*id);
        }
        let id = FacetId::try_from(self.values.len())
            .map_err(|_| DbError::Index("too many facet values".into()))?;
        self.values.push(value.clone());
        self.ids.insert(value, id);
        Ok(id)
    }

    /// All values; a value's position is its number.
    pub(super) fn values(&self) -> &[FacetValue] {
        &self.values
    }
}

/// A listed, live co-op as the index holds it.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// The row's `updated_at` when indexed: what the freshness check compares.
    pub updated_at: DateTime<Utc>,
    /// For the newest-first order.
    pub created_at: DateTime<Utc>,
    /// The folded name, as `coop_search.sort_name` (compared byte by byte, like its
    /// `COLLATE "C"` on PostgreSQL and SQLite's default).
    pub sort_name: String,
    /// Network, country, services, technologies and languages.
    pub facets: Vec<FacetId>,
}

/// The two orders pages are served in, kept sorted as co-ops come and go so laying out a
/// snapshot needs no sort.
#[derive(Debug, Default)]
pub(super) struct Orders {
    /// Folded name, then id (`ORDER BY sort_name, id`).
    pub by_name: BTreeSet<(String, i64)>,
    /// Newest first, then id (`ORDER BY created_at DESC, id`).
    pub by_newest: BTreeSet<(Reverse<DateTime<Utc>>, i64)>,
}

/// The writer's entries by co-op id (ascending: the slot order) with their orders.
#[derive(Debug, Default)]
pub(super) struct Entries {
    pub by_id: BTreeMap<i64, Entry>,
    pub orders: Orders,
}

impl Entries {
    /// Forgets co-op `id` (if held).
    pub(super) fn remove(&mut self, id: i64) {
        if let Some(old) = self.by_id.remove(&id) {
            self.orders.by_name.remove(&(old.sort_name, id));
            self.orders.by_newest.remove(&(Reverse(old.created_at), id));
        }
    }

    /// Holds `entry` for co-op `id`, replacing what was held.
    pub(super) fn insert(&mut self, id: i64, entry: Entry) {
        self.remove(id);
        self.orders.by_name.insert((entry.sort_name.clone(), id));
        self.orders
            .by_newest
            .insert((Reverse(entry.created_at), id));
        self.by_id.insert(id, entry);
    }
}

/// An entry as an index on disk stores it (`text::Fields::entry`): facet values spelled out
/// (their numbers mean something only in one process), times in nanoseconds (exactly as
/// read from the database, so the diff against it on opening finds them equal).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Stored {
    u: i64,
    c: i64,
    n: String,
    f: Vec<(u8, String, String)>,
}

fn kind_number(kind: FacetKind) -> u8 {
    match kind {
        FacetKind::Network => 0,
        FacetKind::Country => 1,
        FacetKind::Service => 2,
        FacetKind::Technology => 3,
        FacetKind::Language => 4,
    }
}

fn kind_of(number: u8) -> Option<FacetKind> {
    Some(match number {
        0 => FacetKind::Network,
        1 => FacetKind::Country,
        2 => FacetKind::Service,
        3 => FacetKind::Technology,
        4 => FacetKind::Language,
        _ => return None,
    })
}

/// `entry` (interned in `table`) in its stored form.
pub(super) fn stored(entry: &Entry, table: &FacetTable) -> Result<String, DbError> {
    let f = entry
        .facets
        .iter()
        .filter_map(|id| table.values().get(*id as usize))
        .map(|v| (kind_number(v.kind), v.key.clone(), v.label.clone()))
        .collect();
    let nanos = |t: DateTime<Utc>| {
        t.timestamp_nanos_opt()
            .ok_or_else(|| DbError::Index("a time outside 1677-2262".into()))
    };
    serde_json::to_string(&Stored {
        u: nanos(entry.updated_at)?,
        c: nanos(entry.created_at)?,
        n: entry.sort_name.clone(),
        f,
    })
    .map_err(|e| DbError::Index(e.to_string()))
}

/// The entry stored as `text`, its facet values interned in `table`.
pub(super) fn from_stored(text: &str, table: &mut FacetTable) -> Result<Entry, DbError> {
    let bad = || DbError::Index("unreadable entry in the search index".into());
    let s: Stored = serde_json::from_str(text).map_err(|_| bad())?;
    let facets =
        s.f.into_iter()
            .map(|(kind, key, label)| {
                let kind = kind_of(kind).ok_or_else(bad)?;
                table.intern(FacetValue { kind, key, label })
            })
            .collect::<Result<Vec<_>, _>>()?;
    Ok(Entry {
        updated_at: DateTime::from_timestamp_nanos(s.u),
        created_at: DateTime::from_timestamp_nanos(s.c),
        sort_name: s.n,
        facets,
    })
}

/// The entry and the searchable texts of a co-op row (live and listed), with its facet
/// values interned in `table`.
pub(super) fn entry_of(
    m: coop::Model,
    table: &mut FacetTable,
) -> Result<(i64, Entry, Texts), DbError> {
    let network = m.network_id.to_string();
    let country = m.country.clone();
    let coop = Coop::try_from(m)?;
    let mut values = vec![FacetValue {
        kind: FacetKind::Network,
        key: network.clone(),
        label: network,
    }];
    if let Some(country) = country {
        values.push(FacetValue {
            kind: FacetKind::Country,
            key: country.clone(),
            label: country,
        });
    }
    values.extend(
        search::facet_values(&coop)
            .into_iter()
            .map(|(kind, key, label)| FacetValue { kind, key, label }),
    );
    let facets = values
        .into_iter()
        .map(|v| table.intern(v))
        .collect::<Result<Vec<_>, _>>()?;
    let entry = Entry {
        updated_at: coop.updated_at,
        created_at: coop.created_at,
        sort_name: search::fold(&coop.profile.name),
        facets,
    };
    Ok((coop.id, entry, Texts::of(&coop)))
}
