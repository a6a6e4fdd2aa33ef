//! Keeping the index equal to the database: the cheap check (has `directory_version`
//! moved?) and, when it has, what changed: normally the ids the change log
//! (`repo::directory_changes`) holds past the writer's watermark; on the first build, or
//! when the writer has not read the log for too long, the full diff of the live listed
//! co-ops' `(id, updated_at)` against the index. Either way only added or changed co-ops
//! are read in full.
//!
//! The counter and the log's watermark are read before the listing or the log, so a write
//! that lands in between moves the counter past the version this sync records and shows in
//! the log past its watermark: the next sync reads it again, nothing is missed.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::entries::Entry;
use crate::DbError;
use crate::entities::coop;

/// The directory's change counter (one single-row read).
pub(super) async fn version(conn: &impl ConnectionTrait) -> Result<i64, DbError> {
    crate::repo::count_cache::version(conn).await
}

/// `updated_at` of every live, listed co-op, by id.
pub(super) async fn listing(
    conn: &impl ConnectionTrait,
) -> Result<HashMap<i64, DateTime<Utc>>, DbError> {
    let rows: Vec<(i32, DateTime<Utc>)> = coop::Entity::find()
        .select_only()
        .column(coop::Column::Id)
        .column(coop::Column::UpdatedAt)
        .filter(coop::Column::DeletedAt.is_null())
        .filter(coop::Column::Listed.eq(true))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, at)| (i64::from(id), at))
        .collect())
}

/// What differs between the index and the listing.
#[derive(Debug, Default)]
pub(super) struct Diff {
    /// In the index, no longer listed (or gone).
    pub removed: Vec<i64>,
    /// Listed and new to the index, or changed since indexed (from the log: written, listed
    /// or not; `rows` reads only the listed ones).
    pub changed: Vec<i64>,
}

impl Diff {
    pub(super) fn between(
        entries: &BTreeMap<i64, Entry>,
        listing: &HashMap<i64, DateTime<Utc>>,
    ) -> Self {
        let mut diff = Self {
            removed: entries
                .keys()
                .filter(|id| !listing.contains_key(id))
                .copied()
                .collect(),
            changed: listing
                .iter()
                .filter(|(id, at)| entries.get(id).is_none_or(|e| e.updated_at != **at))
                .map(|(id, _)| *id)
                .collect(),
        };
        diff.removed.sort_unstable();
        diff.changed.sort_unstable();
        diff
    }

    /// The co-ops the change log names: each is looked at again (read, and re-indexed if
    /// still listed, whatever changed, even a column `updated_at` does not reflect;
    /// dropped otherwise), so all count as changed.
    pub(super) fn from_log(ids: Vec<i64>) -> Self {
        Self {
            removed: Vec::new(),
            changed: ids,
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Co-ops read per query while catching up.
pub(super) const CHUNK: usize = 500;

/// The rows of co-ops `ids` that are still live and listed ([`CHUNK`] ids per query).
pub(super) async fn rows(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<coop::Model>, DbError> {
    let ids: Vec<i32> = ids
        .iter()
        .filter_map(|id| i32::try_from(*id).ok())
        .collect();
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        rows.extend(
            coop::Entity::find()
                .filter(coop::Column::Id.is_in(chunk.to_vec()))
                .filter(coop::Column::DeletedAt.is_null())
                .filter(coop::Column::Listed.eq(true))
                .all(conn)
                .await?,
        );
    }
    Ok(rows)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_diff_names_added_changed_and_removed_coops() {
        let at = |s: u32| Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, s).unwrap();
        let entry = |s: u32| Entry {
            updated_at: at(s),
            created_at: at(0),
            sort_name: String::new(),
            facets: Vec::new(),
        };
        let entries = BTreeMap::from([(1, entry(1)), (2, entry(2)), (3, entry(3))]);
        let listing = HashMap::from([(1, at(1)), (2, at(9)), (4, at(4))]);
        let diff = Diff::between(&entries, &listing);
        assert_eq!(diff.removed, [3]);
        assert_eq!(diff.changed, [2, 4]);
        assert!(
            Diff::between(
                &entries,
                &HashMap::from([(1, at(1)), (2, at(2)), (3, at(3))])
            )
            .is_empty()
        );
    }
}
