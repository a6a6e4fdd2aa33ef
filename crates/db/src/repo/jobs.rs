//! The persistent job table: slow work handed off by the inbox (backfill, resync) and run
//! by a worker with retries.
//!
//! Jobs are claimed like deliveries (see [`super::deliveries::claim`]): one `UPDATE … WHERE
//! id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING *` on PostgreSQL, the same statement
//! without the lock clause on SQLite (whose writers are serialised). A claim is a lease: the
//! worker renews it while the job runs, and a job whose lease expired (its process was
//! killed) is claimed again.
use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Order, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter,
};

use crate::DbError;
use crate::entities::job;

/// Job states as stored (the same values as deliveries').
pub mod state {
    /// Waiting for `run_after`.
    pub const PENDING: i16 = 0;
    /// Claimed by a worker until `lease_until`.
    pub const LEASED: i16 = 1;
    /// Finished.
    pub const DONE: i16 = 2;
    /// Given up after its last attempt.
    pub const DEAD: i16 = 3;
}

/// A job a worker now holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    /// Storage id.
    pub id: i64,
    /// What to do (`backfill`, `resync`).
    pub kind: String,
    /// Its arguments, JSON.
    pub payload: String,
    /// Attempts made before this one.
    pub attempts: i32,
}

/// Queues a job due at `run_after`, unless the same job (kind and payload) is already
/// waiting or running; returns its id, or `None` when it was already queued.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    kind: &str,
    payload: &str,
    run_after: DateTime<Utc>,
) -> Result<Option<i64>, DbError> {
    let queued = job::Entity::find()
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::Payload.eq(payload))
        .filter(job::Column::State.is_in([state::PENDING, state::LEASED]))
        .count(conn)
        .await?;
    if queued > 0 {
        return Ok(None);
    }
    let now = Utc::now();
    let stored = job::ActiveModel {
        id: NotSet,
        kind: Set(kind.to_owned()),
        payload: Set(payload.to_owned()),
        state: Set(state::PENDING),
        attempts: Set(0),
        run_after: Set(run_after),
        lease_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(Some(stored.id))
}

fn due(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(job::Column::State.eq(state::PENDING))
                .add(job::Column::RunAfter.lte(now)),
        )
        .add(
            Condition::all()
                .add(job::Column::State.eq(state::LEASED))
                .add(job::Column::LeaseUntil.lt(now)),
        )
}

fn claim_statement(
    backend: DbBackend,
    now: DateTime<Utc>,
    limit: u64,
    lease: Duration,
) -> sea_orm::sea_query::UpdateStatement {
    let mut candidates = Query::select();
    candidates
        .column(job::Column::Id)
        .from(job::Entity)
        .cond_where(due(now))
        .order_by(job::Column::RunAfter, Order::Asc)
        .order_by(job::Column::Id, Order::Asc)
        .limit(limit);
    // As for deliveries, the one backend branch: SQLite has no row locks.
    if backend == DbBackend::Postgres {
        candidates.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    Query::update()
        .table(job::Entity)
        .value(job::Column::State, state::LEASED)
        .value(job::Column::LeaseUntil, now + lease)
        .value(job::Column::UpdatedAt, now)
        .and_where(Expr::col(job::Column::Id).in_subquery(candidates))
        .returning_all()
        .to_owned()
}

/// Claims up to `limit` due jobs for `lease`, oldest first: pending jobs whose time has
/// come and leased jobs whose lease expired. Several processes never hold the same job.
pub async fn claim(
    conn: &impl ConnectionTrait,
    limit: u64,
    lease: Duration,
) -> Result<Vec<ClaimedJob>, DbError> {
    let update = claim_statement(conn.get_database_backend(), Utc::now(), limit, lease);
    let mut rows = conn
        .query_all(&update)
        .await?
        .iter()
        .map(|row| job::Model::from_query_result(row, ""))
        .collect::<Result<Vec<_>, _>>()?;
    rows.sort_by_key(|j| (j.run_after, j.id));
    Ok(rows
        .into_iter()
        .map(|j| ClaimedJob {
            id: j.id,
            kind: j.kind,
            payload: j.payload,
            attempts: j.attempts,
        })
        .collect())
}

/// Extends the lease of a running job; false when the job is no longer ours to renew (it
/// was finished, or its lease lapsed and another worker may have it).
pub async fn renew(conn: &impl ConnectionTrait, id: i64, lease: Duration) -> Result<bool, DbError> {
    let now = Utc::now();
    let result = job::Entity::update_many()
        .col_expr(job::Column::LeaseUntil, Expr::value(now + lease))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::State.eq(state::LEASED))
        .filter(job::Column::LeaseUntil.gte(now))
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Records an attempt: `Ok` ends the job as done; `Err(error)` schedules a retry at
/// `retry_at`, or gives up (dead) when that is `None`.
pub async fn finish(
    conn: &impl ConnectionTrait,
    id: i64,
    outcome: Result<(), &str>,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), DbError> {
    let now = Utc::now();
    let (new_state, run_after, error) = match outcome {
        Ok(()) => (state::DONE, now, None),
        Err(e) => (
            if retry_at.is_some() {
                state::PENDING
            } else {
                state::DEAD
            },
            retry_at.unwrap_or(now),
            Some(e.chars().take(500).collect::<String>()),
        ),
    };
    job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(new_state))
        .col_expr(
            job::Column::Attempts,
            Expr::col(job::Column::Attempts).add(1),
        )
        .col_expr(job::Column::RunAfter, Expr::value(run_after))
        .col_expr(
            job::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::LastError, Expr::value(error))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Hands claimed jobs back unrun (at shutdown): pending again, due now, no attempt counted.
pub async fn release(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<u64, DbError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let now = Utc::now();
    Ok(job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(state::PENDING))
        .col_expr(job::Column::RunAfter, Expr::value(now))
        .col_expr(
            job::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.is_in(ids.iter().copied()))
        .filter(job::Column::State.eq(state::LEASED))
        .exec(conn)
        .await?
        .rows_affected)
}

/// How many jobs are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// Waiting (including retries).
    pub pending: u64,
    /// Running, or held by a stopped worker until its lease ends.
    pub leased: u64,
    /// Finished.
    pub done: u64,
    /// Given up.
    pub dead: u64,
}

/// Counts jobs by state.
pub async fn counts(conn: &impl ConnectionTrait) -> Result<JobCounts, DbError> {
    let count = |s: i16| {
        job::Entity::find()
            .filter(job::Column::State.eq(s))
            .count(conn)
    };
    Ok(JobCounts {
        pending: count(state::PENDING).await?,
        leased: count(state::LEASED).await?,
        done: count(state::DONE).await?,
        dead: count(state::DEAD).await?,
    })
}

/// A job as an operator sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    /// Storage id.
    pub id: i64,
    /// What it does.
    pub kind: String,
    /// Its arguments, JSON.
    pub payload: String,
    /// One of [`state`].
    pub state: i16,
    /// Attempts made.
    pub attempts: i32,
    /// When it is (or was) due.
    pub run_after: DateTime<Utc>,
    /// The lease of a running job.
    pub lease_until: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// Every job not done (pending, leased, dead), oldest first, at most `limit`.
pub async fn unfinished(conn: &impl ConnectionTrait, limit: u64) -> Result<Vec<JobRow>, DbError> {
    use sea_orm::{QueryOrder, QuerySelect};
    Ok(job::Entity::find()
        .filter(job::Column::State.ne(state::DONE))
        .order_by_asc(job::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(|j| JobRow {
            id: j.id,
            kind: j.kind,
            payload: j.payload,
            state: j.state,
            attempts: j.attempts,
            run_after: j.run_after,
            lease_until: j.lease_until,
            last_error: j.last_error,
        })
        .collect())
}

/// When the next job becomes claimable (earliest pending `run_after` or lease end), if any.
pub async fn next_due(conn: &impl ConnectionTrait) -> Result<Option<DateTime<Utc>>, DbError> {
    use sea_orm::QueryOrder;
    let pending = job::Entity::find()
        .filter(job::Column::State.eq(state::PENDING))
        .order_by_asc(job::Column::RunAfter)
        .one(conn)
        .await?
        .map(|j| j.run_after);
    let lease = job::Entity::find()
        .filter(job::Column::State.eq(state::LEASED))
        .order_by_asc(job::Column::LeaseUntil)
        .one(conn)
        .await?
        .and_then(|j| j.lease_until);
    Ok(match (pending, lease) {
        (Some(a), Some(b)) => Some(Ord::min(a, b)),
        (a, b) => a.or(b),
    })
}

/// Deletes done jobs finished before `done_before` and dead ones before `dead_before`.
pub async fn prune(
    conn: &impl ConnectionTrait,
    done_before: DateTime<Utc>,
    dead_before: DateTime<Utc>,
) -> Result<u64, DbError> {
    let done = job::Entity::delete_many()
        .filter(job::Column::State.eq(state::DONE))
        .filter(job::Column::UpdatedAt.lt(done_before))
        .exec(conn)
        .await?
        .rows_affected;
    let dead = job::Entity::delete_many()
        .filter(job::Column::State.eq(state::DEAD))
        .filter(job::Column::UpdatedAt.lt(dead_before))
        .exec(conn)
        .await?
        .rows_affected;
    Ok(done + dead)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};

    #[test]
    fn the_claim_locks_rows_on_postgres_only() {
        let now = Utc::now();
        let pg = claim_statement(DbBackend::Postgres, now, 4, Duration::seconds(60))
            .to_string(PostgresQueryBuilder);
        assert!(pg.contains("FOR UPDATE SKIP LOCKED"), "{pg}");
        assert!(pg.contains("RETURNING"), "{pg}");
        let lite = claim_statement(DbBackend::Sqlite, now, 4, Duration::seconds(60))
            .to_string(SqliteQueryBuilder);
        assert!(!lite.contains("FOR UPDATE"), "{lite}");
    }
}
