//! Planner statistics after bulk writes. A bulk load (an import of thousands of co-ops, a
//! restore) changes a table's size by orders of magnitude at once; until statistics are
//! refreshed the planner works from empty or stale ones. PostgreSQL's autovacuum would catch
//! up eventually, but servers run with it off or slow, and a country + service filter at
//! 20,000 co-ops measured 5.7-6.8 s without statistics and 30-37 ms with them. So the bulk
//! paths analyze what they wrote themselves, on both backends (SQLite's planner reads
//! `sqlite_stat1` likewise).
use sea_orm::ConnectionTrait;

use crate::DbError;

/// The tables a co-op write fills: the co-op rows, their search and facet index, and the
/// queued deliveries and posts that announce them.
pub const COOP_TABLES: &[&str] = &["coop", "coop_search", "coop_facet", "delivery", "post"];

/// Refreshes the planner's statistics of `tables`, or of every table for `None`. Table names
/// are this crate's constants, never input.
pub async fn analyze(db: &impl ConnectionTrait, tables: Option<&[&str]>) -> Result<(), DbError> {
    match tables {
        None => {
            db.execute_unprepared("ANALYZE").await?;
        }
        Some(tables) => {
            // One statement per table: SQLite's ANALYZE takes a single name.
            for table in tables {
                db.execute_unprepared(&format!("ANALYZE {table}")).await?;
            }
        }
    }
    Ok(())
}
