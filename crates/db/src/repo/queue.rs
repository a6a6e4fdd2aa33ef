//! The storage side of every leased queue (outgoing deliveries, background jobs, and the
//! mail outbox to come): one set of statements over any table that has the queue's columns.
//!
//! A queue row is pending until its due time, then a worker `claim`s it with a lease
//! (leased until `lease_until`), works on it and `finish`es it: done, pending again with a
//! later due time (a retry), or dead (given up). A worker that stops hands unstarted rows
//! back with `release`; one that was killed never does, so a row whose lease has expired is
//! claimable again (at-least-once). Long work `renew`s its lease. `prune` deletes old
//! finished rows.
//!
//! A table joins by naming its bookkeeping columns as every queue table does (`id`, `state`,
//! `attempts`, `lease_until`, `last_error`, `updated_at`) and implementing `QueueTable`: its
//! due column, any extra condition on claimable rows, its order. Its repository module
//! (`deliveries`, `jobs`) wraps these functions with its own row types, so entity models
//! never leave the crate. Everything is built with sea-query and runs unchanged on SQLite
//! and PostgreSQL, except the one lock clause explained in `claim_statement`.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{
    DynIden, Expr, ExprTrait, IntoIden, LockBehavior, LockType, Order, Query, SimpleExpr,
    UpdateStatement,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DeriveIden, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::DbError;

/// Row states as stored, the same in every queue table.
pub mod state {
    /// Waiting for its due time.
    pub const PENDING: i16 = 0;
    /// Claimed by a worker until `lease_until`.
    pub const LEASED: i16 = 1;
    /// Finished.
    pub const DONE: i16 = 2;
    /// Given up.
    pub const DEAD: i16 = 3;
}

/// Statements touch at most this many ids each (SQLite's bound-parameter limit is far above,
/// and PostgreSQL plans long `IN` lists badly).
const CHUNK: usize = 500;

/// The bookkeeping columns every queue table has, under these names (its migration creates
/// them so); only the due column's name differs, and is [`QueueTable::DUE`].
#[derive(Debug, Clone, Copy, DeriveIden)]
enum Col {
    /// The `i64` primary key.
    Id,
    /// One of [`state`].
    State,
    /// Attempts finished.
    Attempts,
    /// When a leased row's claim ends (null unless leased).
    LeaseUntil,
    /// Why the last attempt failed.
    LastError,
    /// Last change of state.
    UpdatedAt,
}

/// A table used as a leased queue: the columns of [`Col`], plus its own due column and rule.
pub(crate) trait QueueTable: EntityTrait<Model: Sync> {
    /// When a pending row is due (`next_attempt_at`, `run_after`).
    const DUE: Self::Column;

    /// What else a pending row needs at `now` to be claimable (deliveries: their host's
    /// circuit breaker is closed). `None`: nothing.
    fn claimable(_now: DateTime<Utc>) -> Option<SimpleExpr> {
        None
    }

    /// A row's place in the queue: due time, then id.
    fn order_key(row: &Self::Model) -> (DateTime<Utc>, i64);
}

/// `table.column`, qualified as sea-orm qualifies its own columns.
fn col<T: QueueTable>(column: Col) -> Expr {
    Expr::col((T::default(), column))
}

/// Which rows may be claimed at `now`: pending and due, or leased with an expired lease (its
/// worker crashed or stalled), and claimable by the table's own rule.
fn due<T: QueueTable>(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(
            Condition::any()
                .add(
                    Condition::all()
                        .add(col::<T>(Col::State).eq(state::PENDING))
                        .add(T::DUE.lte(now)),
                )
                .add(
                    Condition::all()
                        .add(col::<T>(Col::State).eq(state::LEASED))
                        .add(col::<T>(Col::LeaseUntil).lt(now)),
                ),
        )
        .add_option(T::claimable(now))
}

/// The claim statement (see [`claim`]):
///
/// ```sql
/// UPDATE t SET state = 1, lease_until = …, updated_at = …
/// WHERE id IN (SELECT id FROM t WHERE <due> ORDER BY <due column>, id LIMIT n
///              FOR UPDATE SKIP LOCKED)          -- PostgreSQL only
/// RETURNING *
/// ```
pub(crate) fn claim_statement<T: QueueTable>(
    backend: DbBackend,
    now: DateTime<Utc>,
    limit: u64,
    lease: Duration,
) -> UpdateStatement {
    let mut candidates = Query::select();
    candidates
        .column(Col::Id)
        .from(T::default())
        .cond_where(due::<T>(now))
        .order_by(T::DUE, Order::Asc)
        .order_by(Col::Id, Order::Asc)
        .limit(limit);
    // The one backend branch: SQLite has no row locks (and no such clause); its writers are
    // serialised, so the plain subquery cannot hand a row to two claimers there.
    if backend == DbBackend::Postgres {
        candidates.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    Query::update()
        .table(T::default())
        .value(Col::State, state::LEASED)
        .value(Col::LeaseUntil, now + lease)
        .value(Col::UpdatedAt, now)
        .and_where(Expr::col(Col::Id).in_subquery(candidates))
        .returning_all()
        .to_owned()
}

/// Claims up to `limit` due rows for `lease`, in queue order, in one statement.
///
/// Several processes on one database never hold the same row: on PostgreSQL the candidate
/// rows are locked and rows another claimer holds are skipped; on SQLite (≥ 3.35 for
/// `RETURNING`) the whole statement runs under the database's single write lock. Even an
/// UPDATE that matches nothing takes that lock on SQLite, so workers ask [`next_due`] first
/// and claim only when something is due.
pub(crate) async fn claim<T: QueueTable>(
    conn: &impl ConnectionTrait,
    limit: u64,
    lease: Duration,
) -> Result<Vec<T::Model>, DbError> {
    let update = claim_statement::<T>(conn.get_database_backend(), Utc::now(), limit, lease);
    let mut rows = conn
        .query_all(&update)
        .await?
        .iter()
        .map(|row| T::Model::from_query_result(row, ""))
        .collect::<Result<Vec<_>, _>>()?;
    // RETURNING gives no order: restore the queue's.
    rows.sort_by_key(T::order_key);
    Ok(rows)
}

/// Extends the lease of a row being worked on; false when it is no longer ours to renew (it
/// was finished, or its lease lapsed and another worker may have it).
pub(crate) async fn renew<T: QueueTable>(
    conn: &impl ConnectionTrait,
    id: i64,
    lease: Duration,
) -> Result<bool, DbError> {
    let now = Utc::now();
    let result = T::update_many()
        .col_expr(Col::LeaseUntil, Expr::value(now + lease))
        .col_expr(Col::UpdatedAt, Expr::value(now))
        .filter(col::<T>(Col::Id).eq(id))
        .filter(col::<T>(Col::State).eq(state::LEASED))
        .filter(col::<T>(Col::LeaseUntil).gte(now))
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Hands claimed rows back unstarted: pending again, due as before (so they keep their place
/// in the queue), no attempt counted. Rows no longer leased are left alone.
pub(crate) async fn release<T: QueueTable>(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<u64, DbError> {
    let now = Utc::now();
    let mut released = 0;
    for chunk in ids.chunks(CHUNK) {
        released += T::update_many()
            .col_expr(Col::State, Expr::value(state::PENDING))
            .col_expr(Col::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(Col::UpdatedAt, Expr::value(now))
            .filter(col::<T>(Col::Id).is_in(chunk.iter().copied()))
            .filter(col::<T>(Col::State).eq(state::LEASED))
            .exec(conn)
            .await?
            .rows_affected;
    }
    Ok(released)
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Done.
    Done,
    /// Failed: pending again, due at this time.
    Retry(DateTime<Utc>),
    /// Failed for the last time: given up.
    Dead,
}

impl Finish {
    /// Done, or a failure retried at `retry_at` (dead when that is `None`).
    pub fn of(done: bool, retry_at: Option<DateTime<Utc>>) -> Self {
        match (done, retry_at) {
            (true, _) => Self::Done,
            (false, Some(at)) => Self::Retry(at),
            (false, None) => Self::Dead,
        }
    }
}

/// Records an attempt on each of `ids`, all with the same outcome, in one statement per
/// [`CHUNK`]: counts it, ends the lease, sets the state and due time from `outcome`, keeps the
/// first 500 characters of `error`, and sets the table's own `extra` columns.
pub(crate) async fn finish<T: QueueTable>(
    conn: &impl ConnectionTrait,
    ids: &[i64],
    outcome: Finish,
    error: Option<&str>,
    extra: &[(T::Column, SimpleExpr)],
) -> Result<(), DbError> {
    let now = Utc::now();
    let (new_state, due) = match outcome {
        Finish::Done => (state::DONE, now),
        Finish::Retry(at) => (state::PENDING, at),
        Finish::Dead => (state::DEAD, now),
    };
    let error = error.map(|e| e.chars().take(500).collect::<String>());
    for chunk in ids.chunks(CHUNK) {
        let mut update = T::update_many()
            .col_expr(Col::State, Expr::value(new_state))
            .col_expr(Col::Attempts, Expr::col(Col::Attempts).add(1))
            .col_expr(T::DUE, Expr::value(due))
            .col_expr(Col::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(Col::LastError, Expr::value(error.clone()))
            .col_expr(Col::UpdatedAt, Expr::value(now));
        for (column, value) in extra {
            update = update.col_expr(*column, value.clone());
        }
        update
            .filter(col::<T>(Col::Id).is_in(chunk.iter().copied()))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// When the next row becomes claimable, if any (lets an idle worker sleep exactly): the
/// earliest due time of a pending row the table's rule lets through, or the earliest lease to
/// expire. (Rows the rule holds back are left to the worker's idle poll.)
pub(crate) async fn next_due<T: QueueTable>(
    conn: &impl ConnectionTrait,
) -> Result<Option<DateTime<Utc>>, DbError> {
    let pending = Condition::all()
        .add(col::<T>(Col::State).eq(state::PENDING))
        .add_option(T::claimable(Utc::now()));
    let pending = earliest::<T>(conn, pending, T::DUE.into_iden()).await?;
    let leased = Condition::all().add(col::<T>(Col::State).eq(state::LEASED));
    let lease = earliest::<T>(conn, leased, Col::LeaseUntil.into_iden()).await?;
    Ok(match (pending, lease) {
        (Some(a), Some(b)) => Some(Ord::min(a, b)),
        (a, b) => a.or(b),
    })
}

/// The earliest time in `column` among the rows that meet `condition`.
async fn earliest<T: QueueTable>(
    conn: &impl ConnectionTrait,
    condition: Condition,
    column: DynIden,
) -> Result<Option<DateTime<Utc>>, DbError> {
    let column = Expr::col((T::default(), column));
    Ok(T::find()
        .select_only()
        .column_as(column.clone(), "at")
        .filter(condition)
        .filter(column.clone().is_not_null())
        .order_by_asc(column)
        .into_tuple::<DateTime<Utc>>()
        .one(conn)
        .await?)
}

/// How many rows are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Waiting (including retries).
    pub pending: u64,
    /// Being worked on, or held by a stopped worker until its lease ends.
    pub leased: u64,
    /// Finished.
    pub done: u64,
    /// Given up.
    pub dead: u64,
}

/// Counts rows by state.
pub(crate) async fn counts<T: QueueTable>(conn: &impl ConnectionTrait) -> Result<Counts, DbError> {
    let count = |s: i16| T::find().filter(col::<T>(Col::State).eq(s)).count(conn);
    Ok(Counts {
        pending: count(state::PENDING).await?,
        leased: count(state::LEASED).await?,
        done: count(state::DONE).await?,
        dead: count(state::DEAD).await?,
    })
}

/// How many rows `prune` deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Done rows.
    pub done: u64,
    /// Dead rows.
    pub dead: u64,
}

/// Deletes done rows last changed before `done_before` and dead ones before `dead_before`.
/// Safe to run from several processes at once.
pub(crate) async fn prune<T: QueueTable>(
    conn: &impl ConnectionTrait,
    done_before: DateTime<Utc>,
    dead_before: DateTime<Utc>,
) -> Result<Pruned, DbError> {
    let delete = |s: i16, before: DateTime<Utc>| {
        T::delete_many()
            .filter(col::<T>(Col::State).eq(s))
            .filter(col::<T>(Col::UpdatedAt).lt(before))
            .exec(conn)
    };
    Ok(Pruned {
        done: delete(state::DONE, done_before).await?.rows_affected,
        dead: delete(state::DEAD, dead_before).await?.rows_affected,
    })
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};

    use super::*;
    use crate::entities::{delivery, job};

    #[test]
    fn the_delivery_claim_is_one_statement_locking_rows_on_postgres_only() {
        let now = Utc::now();
        let pg =
            claim_statement::<delivery::Entity>(DbBackend::Postgres, now, 64, Duration::minutes(5))
                .to_string(PostgresQueryBuilder);
        assert!(
            pg.starts_with(r#"UPDATE "delivery" SET "state" = 1"#),
            "{pg}"
        );
        assert!(
            pg.contains(
                r#"ORDER BY "next_attempt_at" ASC, "id" ASC LIMIT 64 FOR UPDATE SKIP LOCKED)"#
            ),
            "{pg}"
        );
        assert!(
            pg.contains(r#"NOT EXISTS(SELECT 1 FROM "remote_host""#),
            "{pg}"
        );
        assert!(pg.ends_with("RETURNING *"), "{pg}");
        let sqlite =
            claim_statement::<delivery::Entity>(DbBackend::Sqlite, now, 64, Duration::minutes(5))
                .to_string(SqliteQueryBuilder);
        assert!(!sqlite.contains("FOR UPDATE"), "{sqlite}");
        assert!(sqlite.contains("LIMIT 64)"), "{sqlite}");
        assert!(sqlite.ends_with("RETURNING *"), "{sqlite}");
    }

    #[test]
    fn the_job_claim_locks_rows_on_postgres_only() {
        let now = Utc::now();
        let pg = claim_statement::<job::Entity>(DbBackend::Postgres, now, 4, Duration::seconds(60))
            .to_string(PostgresQueryBuilder);
        assert!(pg.contains("FOR UPDATE SKIP LOCKED"), "{pg}");
        assert!(pg.contains("RETURNING"), "{pg}");
        let lite = claim_statement::<job::Entity>(DbBackend::Sqlite, now, 4, Duration::seconds(60))
            .to_string(SqliteQueryBuilder);
        assert!(!lite.contains("FOR UPDATE"), "{lite}");
    }
}
