//! The persistent job table: slow work handed off by the inbox (backfill, resync) and run
//! by a worker with retries.
//!
//! The `job` table is a leased queue ([`super::queue`]): claimed with a lease in one
//! statement, finished, released, pruned like deliveries. A worker renews a job's lease while
//! it runs, and a job whose lease expired (its process was killed) is claimed again. This
//! module adds what is particular to jobs: a kind and a JSON payload, and no second copy of a
//! job already waiting.
use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::queue::{self, Finish, QueueTable};
pub use super::queue::{Counts as JobCounts, state};
use crate::DbError;
use crate::entities::job;

impl QueueTable for job::Entity {
    const DUE: job::Column = job::Column::RunAfter;

    fn order_key(row: &job::Model) -> (DateTime<Utc>, i64) {
        (row.run_after, row.id)
    }
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

/// Claims up to `limit` due jobs for `lease`, oldest first: pending jobs whose time has
/// come and leased jobs whose lease expired. Several processes never hold the same job.
pub async fn claim(
    conn: &impl ConnectionTrait,
    limit: u64,
    lease: Duration,
) -> Result<Vec<ClaimedJob>, DbError> {
    let rows = queue::claim::<job::Entity>(conn, limit, lease).await?;
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
    queue::renew::<job::Entity>(conn, id, lease).await
}

/// Records an attempt: `Ok` ends the job as done; `Err(error)` schedules a retry at
/// `retry_at`, or gives up (dead) when that is `None`.
pub async fn finish(
    conn: &impl ConnectionTrait,
    id: i64,
    outcome: Result<(), &str>,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), DbError> {
    let finish = Finish::of(outcome.is_ok(), retry_at);
    queue::finish::<job::Entity>(conn, &[id], finish, outcome.err(), &[]).await
}

/// Hands claimed jobs back unrun (at shutdown): pending again, due as before, no attempt
/// counted.
pub async fn release(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<u64, DbError> {
    queue::release::<job::Entity>(conn, ids).await
}

/// Counts jobs by state.
pub async fn counts(conn: &impl ConnectionTrait) -> Result<JobCounts, DbError> {
    queue::counts::<job::Entity>(conn).await
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
    queue::next_due::<job::Entity>(conn).await
}

/// Deletes done jobs finished before `done_before` and dead ones before `dead_before`.
pub async fn prune(
    conn: &impl ConnectionTrait,
    done_before: DateTime<Utc>,
    dead_before: DateTime<Utc>,
) -> Result<u64, DbError> {
    let pruned = queue::prune::<job::Entity>(conn, done_before, dead_before).await?;
    Ok(pruned.done + pruned.dead)
}
