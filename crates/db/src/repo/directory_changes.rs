//! The directory's change log (`directory_change`, migration
//! `m20261211_100000_create_directory_change`): which co-ops were written since a reader last
//! looked. Row triggers on `coop` append to it in the writer's own transaction; the search
//! index of every process reads past its [`Watermark`] and re-reads only those co-ops.
//!
//! A read returns every id committed since the watermark, on both backends:
//!
//! - SQLite commits one writer at a time, so `seq` is in commit order and `seq > last` is
//!   exact.
//! - PostgreSQL takes a sequence value before its transaction commits: a row with a lower
//!   `seq` can become visible after one with a higher `seq` was read. Such a row belongs to
//!   a transaction still running when the reader last read, whose id is therefore at or past
//!   that read's `pg_snapshot_xmin`; so a read takes `seq > last OR txid >= xmin` and
//!   records a new `xmin` taken *before* it reads (an older snapshot's `xmin` is never
//!   larger, so the bound only errs towards reading a row twice). A row read twice costs one
//!   more look at a co-op: readers treat ids as "look again", never as a count.
//!
//! Rows older than a day are pruned by housekeeping ([`prune`]); a reader that has not read
//! for longer than [`MAX_GAP`] must not trust its watermark and starts over with a full
//! diff.
use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::DbError;

/// How long rows are kept.
pub const RETENTION: Duration = Duration::from_secs(24 * 3600);

/// The longest a reader may go between reads and still trust its watermark (well inside
/// [`RETENTION`], so nothing it needs can have been pruned).
pub const MAX_GAP: Duration = Duration::from_secs(3600);

/// Where a reader stands in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watermark {
    /// The highest `seq` read.
    pub seq: i64,
    /// PostgreSQL: the oldest transaction running when the log was last read; rows of
    /// transactions from it on are read again. `None` on SQLite.
    pub xmin: Option<i64>,
}

/// The log's current end: what a reader that is about to read everything else (a full
/// diff) starts from. Read it *before* that full read: whatever commits meanwhile is then
/// read again from the log, never missed.
pub async fn watermark(conn: &impl ConnectionTrait) -> Result<Watermark, DbError> {
    let backend = conn.get_database_backend();
    let xmin = xmin(conn).await?;
    let row = conn
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS seq FROM directory_change",
        ))
        .await?;
    let seq = match row {
        Some(row) => row.try_get::<i64>("", "seq")?,
        None => 0,
    };
    Ok(Watermark { seq, xmin })
}

/// The ids of co-ops written since `since` (each once, ascending) and the watermark to
/// read from next time.
pub async fn since(
    conn: &impl ConnectionTrait,
    since: Watermark,
) -> Result<(Vec<i64>, Watermark), DbError> {
    let backend = conn.get_database_backend();
    let xmin = xmin(conn).await?;
    let statement = match (backend, since.xmin) {
        (DbBackend::Postgres, Some(old_xmin)) => Statement::from_sql_and_values(
            backend,
            "SELECT seq, coop_id FROM directory_change WHERE seq > $1 OR txid >= $2",
            [Value::from(since.seq), Value::from(old_xmin)],
        ),
        _ => Statement::from_sql_and_values(
            backend,
            match backend {
                DbBackend::Postgres => "SELECT seq, coop_id FROM directory_change WHERE seq > $1",
                _ => "SELECT seq, coop_id FROM directory_change WHERE seq > ?",
            },
            [Value::from(since.seq)],
        ),
    };
    let rows = conn.query_all_raw(statement).await?;
    let mut seq = since.seq;
    let mut ids = Vec::with_capacity(rows.len());
    for row in rows {
        seq = seq.max(row.try_get::<i64>("", "seq")?);
        ids.push(row.try_get::<i64>("", "coop_id")?);
    }
    ids.sort_unstable();
    ids.dedup();
    Ok((ids, Watermark { seq, xmin }))
}

/// Drops rows written before `before` (Unix seconds); returns how many.
pub async fn prune(conn: &impl ConnectionTrait, before: i64) -> Result<u64, DbError> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "DELETE FROM directory_change WHERE at < $1",
        _ => "DELETE FROM directory_change WHERE at < ?",
    };
    let done = conn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::from(before)],
        ))
        .await?;
    Ok(done.rows_affected())
}

/// PostgreSQL: the oldest transaction id still running as of this statement.
async fn xmin(conn: &impl ConnectionTrait) -> Result<Option<i64>, DbError> {
    if conn.get_database_backend() != DbBackend::Postgres {
        return Ok(None);
    }
    let row = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS text) AS BIGINT) AS xmin",
        ))
        .await?;
    Ok(match row {
        Some(row) => Some(row.try_get::<i64>("", "xmin")?),
        None => None,
    })
}
