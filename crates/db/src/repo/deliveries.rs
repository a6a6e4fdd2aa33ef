//! The transactional outbox: activities we send, and one delivery row per target inbox.
//!
//! Producers call [`enqueue`] inside the same transaction as the change that caused the
//! activity, so nothing is committed without its deliveries. The `delivery` table is a
//! leased queue ([`super::queue`]: claim with a lease, finish, release, prune); this module
//! adds what is particular to deliveries: the activity each row carries, and `remote_host`,
//! each receiving host's health for the circuit breaker: after a streak of failures the
//! host's deliveries are not claimed until `open_until`, then one probes it.
use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, ExprTrait, Func, OnConflict, Query, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use url::Url;

use coopnet_core::Target;

use super::queue::{self, Finish, QueueTable};
pub use super::queue::{Counts as QueueCounts, state};
use crate::DbError;
use crate::convert::{target_from, target_parts};
use crate::entities::{delivery, outbox_activity, remote_host};

impl QueueTable for delivery::Entity {
    const DUE: delivery::Column = delivery::Column::NextAttemptAt;

    /// Not to a host whose circuit breaker is open.
    fn claimable(now: DateTime<Utc>) -> Option<SimpleExpr> {
        let breaker_open = Query::select()
            .expr(Expr::val(1))
            .from(remote_host::Entity)
            .and_where(
                Expr::col((remote_host::Entity, remote_host::Column::Host))
                    .equals((delivery::Entity, delivery::Column::Host)),
            )
            .and_where(Expr::col((remote_host::Entity, remote_host::Column::OpenUntil)).gt(now))
            .to_owned();
        Some(Expr::not_exists(breaker_open))
    }

    fn order_key(row: &delivery::Model) -> (DateTime<Utc>, i64) {
        (row.next_attempt_at, row.id)
    }
}

/// An activity to store and deliver.
#[derive(Debug, Clone)]
pub struct NewActivity<'a> {
    /// Its id URL.
    pub ap_id: &'a Url,
    /// The local actor sending it.
    pub actor: Target,
    /// `Create`, `Update`, ...
    pub kind: &'a str,
    /// The JSON body.
    pub body: &'a str,
}

/// A stored outgoing activity.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredActivity {
    /// Storage id.
    pub id: i64,
    /// Its id URL.
    pub ap_id: String,
    /// The local actor that sent it.
    pub actor: Target,
    /// The JSON body.
    pub body: String,
}

/// A delivery a worker now holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedDelivery {
    /// Storage id.
    pub id: i64,
    /// Target inbox.
    pub inbox: String,
    /// `host[:port]` of the inbox (the circuit breaker's and the per-host limit's key).
    pub host: String,
    /// Attempts made before this one.
    pub attempts: i32,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// The activity.
    pub activity: StoredActivity,
}

fn stored(m: outbox_activity::Model) -> Result<StoredActivity, DbError> {
    let actor = target_from(&m.actor_kind, m.actor_id)?;
    Ok(StoredActivity {
        id: m.id,
        ap_id: m.ap_id,
        actor,
        body: m.body,
    })
}

fn host_of(inbox: &Url) -> String {
    match (inbox.host_str(), inbox.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => String::new(),
    }
}

/// Stores `activity` and one pending delivery per distinct inbox, due now.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    activity: NewActivity<'_>,
    inboxes: &[Url],
) -> Result<i64, DbError> {
    let (kind, id) = target_parts(activity.actor)?;
    let now = Utc::now();
    let stored = outbox_activity::ActiveModel {
        id: NotSet,
        ap_id: Set(activity.ap_id.to_string()),
        actor_kind: Set(kind.to_owned()),
        actor_id: Set(id),
        kind: Set(activity.kind.to_owned()),
        body: Set(activity.body.to_owned()),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    let rows: Vec<delivery::ActiveModel> = inboxes
        .iter()
        .map(|inbox| delivery::ActiveModel {
            id: NotSet,
            activity_id: Set(stored.id),
            inbox: Set(inbox.to_string()),
            host: Set(host_of(inbox)),
            state: Set(state::PENDING),
            attempts: Set(0),
            next_attempt_at: Set(now),
            lease_until: Set(None),
            last_status: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    // One multi-row INSERT per chunk: a fan-out to thousands of inboxes stays a few statements.
    for chunk in rows.chunks(500) {
        delivery::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([delivery::Column::ActivityId, delivery::Column::Inbox])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
    }
    Ok(stored.id)
}

/// Claims up to `limit` due deliveries for `lease`, oldest first, in one statement (see
/// `queue::claim`: several processes never hold the same row; a row whose lease expired is
/// claimable again, so a crashed worker's deliveries are retried). Deliveries to a host whose
/// circuit breaker is open are not claimed.
pub async fn claim(
    conn: &impl ConnectionTrait,
    limit: u64,
    lease: Duration,
) -> Result<Vec<ClaimedDelivery>, DbError> {
    let rows = queue::claim::<delivery::Entity>(conn, limit, lease).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<i64> = rows.iter().map(|d| d.activity_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut activities = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        for a in outbox_activity::Entity::find()
            .filter(outbox_activity::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            activities.insert(a.id, stored(a)?);
        }
    }
    rows.into_iter()
        .map(|row| {
            let activity = activities.get(&row.activity_id).cloned().ok_or_else(|| {
                DbError::Corrupt(format!(
                    "delivery {}: no activity {}",
                    row.id, row.activity_id
                ))
            })?;
            Ok(ClaimedDelivery {
                id: row.id,
                inbox: row.inbox,
                host: row.host,
                attempts: row.attempts,
                created_at: row.created_at,
                activity,
            })
        })
        .collect()
}

/// Hands claimed deliveries back unsent: pending again, due as before, no attempt counted.
/// (Used for the part of a batch over the per-host limit, and at shutdown.)
pub async fn release(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<u64, DbError> {
    queue::release::<delivery::Entity>(conn, ids).await
}

/// Records the outcome of an attempt: `next` `Some(time)` schedules a retry, `None` with
/// `delivered` ends it as done or dead.
pub async fn finish(
    conn: &impl ConnectionTrait,
    id: i64,
    delivered: bool,
    next: Option<DateTime<Utc>>,
    status: Option<u16>,
    error: Option<&str>,
) -> Result<(), DbError> {
    finish_many(conn, &[id], delivered, next, status, error).await
}

/// [`finish`] for several deliveries with the same outcome, in one statement per 500 (a
/// round's successful deliveries are recorded together).
pub async fn finish_many(
    conn: &impl ConnectionTrait,
    ids: &[i64],
    delivered: bool,
    next: Option<DateTime<Utc>>,
    status: Option<u16>,
    error: Option<&str>,
) -> Result<(), DbError> {
    let status = (
        delivery::Column::LastStatus,
        Expr::value(status.map(i32::from)),
    );
    queue::finish::<delivery::Entity>(conn, ids, Finish::of(delivered, next), error, &[status])
        .await
}

/// Counts deliveries by state.
pub async fn counts(conn: &impl ConnectionTrait) -> Result<QueueCounts, DbError> {
    queue::counts::<delivery::Entity>(conn).await
}

/// When the next delivery becomes claimable, if any (lets an idle worker sleep exactly):
/// the earliest pending delivery to a host whose breaker is closed, or the earliest lease
/// to expire. (Hosts with an open breaker are left to the worker's idle poll.)
pub async fn next_due(conn: &impl ConnectionTrait) -> Result<Option<DateTime<Utc>>, DbError> {
    queue::next_due::<delivery::Entity>(conn).await
}

/// A stored outgoing activity by its id URL (served at that URL).
pub async fn find_activity(
    conn: &impl ConnectionTrait,
    ap_id: &str,
) -> Result<Option<StoredActivity>, DbError> {
    outbox_activity::Entity::find()
        .filter(outbox_activity::Column::ApId.eq(ap_id))
        .one(conn)
        .await?
        .map(stored)
        .transpose()
}

/// A receiving host's delivery health (its circuit breaker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostHealth {
    /// `host[:port]`.
    pub host: String,
    /// Consecutive failed attempts (0 once an attempt succeeds).
    pub fail_streak: i32,
    /// While set, the breaker is open: nothing is claimed for the host before this time,
    /// then one probe delivery goes ("half-open" once it has passed).
    pub open_until: Option<DateTime<Utc>>,
    /// Last successful attempt.
    pub last_success_at: Option<DateTime<Utc>>,
    /// Last failed attempt.
    pub last_failure_at: Option<DateTime<Utc>>,
    /// Start of the current failure streak.
    pub first_failure_at: Option<DateTime<Utc>>,
}

impl HostHealth {
    /// The breaker has opened and its wait is over: the next delivery is a probe.
    pub fn half_open(&self, now: DateTime<Utc>) -> bool {
        self.open_until.is_some_and(|t| t <= now)
    }

    /// The breaker is open: deliveries wait.
    pub fn open(&self, now: DateTime<Utc>) -> bool {
        self.open_until.is_some_and(|t| t > now)
    }
}

impl From<remote_host::Model> for HostHealth {
    fn from(m: remote_host::Model) -> Self {
        Self {
            host: m.host,
            fail_streak: m.fail_streak,
            open_until: m.open_until,
            last_success_at: m.last_success_at,
            last_failure_at: m.last_failure_at,
            first_failure_at: m.first_failure_at,
        }
    }
}

/// The recorded health of `hosts` (hosts never recorded are absent: healthy).
pub async fn hosts(
    conn: &impl ConnectionTrait,
    hosts: &[String],
) -> Result<Vec<HostHealth>, DbError> {
    let mut out = Vec::with_capacity(hosts.len());
    for chunk in hosts.chunks(500) {
        out.extend(
            remote_host::Entity::find()
                .filter(remote_host::Column::Host.is_in(chunk.iter().cloned()))
                .all(conn)
                .await?
                .into_iter()
                .map(HostHealth::from),
        );
    }
    Ok(out)
}

/// Takes the probe of a half-open host: moves `open_until` to `until` (the probe's lease) if
/// it has passed. True for exactly one caller, so only one probe is in flight per host even
/// with several workers; if the prober dies, the host is half-open again at `until`.
pub async fn take_probe(
    conn: &impl ConnectionTrait,
    host: &str,
    until: DateTime<Utc>,
) -> Result<bool, DbError> {
    let now = Utc::now();
    let taken = remote_host::Entity::update_many()
        .col_expr(remote_host::Column::OpenUntil, Expr::value(until))
        .filter(remote_host::Column::Host.eq(host))
        .filter(remote_host::Column::OpenUntil.lte(now))
        .exec(conn)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Records that `host` answered: resets its failure streak and closes its breaker.
pub async fn record_host_success(conn: &impl ConnectionTrait, host: &str) -> Result<(), DbError> {
    let now = Utc::now();
    let row = remote_host::ActiveModel {
        host: Set(host.to_owned()),
        fail_streak: Set(0),
        open_until: Set(None),
        last_success_at: Set(Some(now)),
        last_failure_at: Set(None),
        first_failure_at: Set(None),
    };
    remote_host::Entity::insert(row)
        .on_conflict(
            OnConflict::column(remote_host::Column::Host)
                .update_columns([
                    remote_host::Column::FailStreak,
                    remote_host::Column::OpenUntil,
                    remote_host::Column::LastSuccessAt,
                    remote_host::Column::FirstFailureAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// How the breaker reacts to failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerPolicy {
    /// Consecutive failures that open the breaker.
    pub threshold: u32,
    /// Shortest time it stays open.
    pub min_open: Duration,
    /// Longest time it stays open.
    pub max_open: Duration,
}

impl BreakerPolicy {
    /// How long the breaker stays open after a failure at `now` of a host failing since
    /// `since`: as long as it has been failing, so every failed probe about doubles the
    /// wait (exponential whatever the number of failures per round), within the bounds.
    pub fn open_for(&self, since: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
        Ord::clamp(
            now - since,
            self.min_open,
            Ord::max(self.max_open, self.min_open),
        )
    }
}

/// Records `failures` failed attempts to `host`; opens its breaker once the streak reaches
/// the threshold (and re-opens it, longer, when a probe fails). Returns the new health.
pub async fn record_host_failures(
    conn: &impl ConnectionTrait,
    host: &str,
    failures: u32,
    policy: BreakerPolicy,
) -> Result<HostHealth, DbError> {
    let now = Utc::now();
    let failures = i32::try_from(failures).unwrap_or(i32::MAX);
    let row = remote_host::ActiveModel {
        host: Set(host.to_owned()),
        fail_streak: Set(failures),
        open_until: Set(None),
        last_success_at: Set(None),
        last_failure_at: Set(Some(now)),
        first_failure_at: Set(Some(now)),
    };
    remote_host::Entity::insert(row)
        .on_conflict(
            OnConflict::column(remote_host::Column::Host)
                .value(
                    remote_host::Column::FailStreak,
                    Expr::col((remote_host::Entity, remote_host::Column::FailStreak)).add(failures),
                )
                .value(remote_host::Column::LastFailureAt, now)
                .value(
                    remote_host::Column::FirstFailureAt,
                    Func::coalesce([
                        Expr::col((remote_host::Entity, remote_host::Column::FirstFailureAt)),
                        Expr::value(now),
                    ]),
                )
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    let mut health: HostHealth = remote_host::Entity::find_by_id(host.to_owned())
        .one(conn)
        .await?
        .ok_or(DbError::NotFound)?
        .into();
    if u32::try_from(health.fail_streak).unwrap_or(0) >= Ord::max(policy.threshold, 1) {
        let until = now + policy.open_for(health.first_failure_at.unwrap_or(now), now);
        remote_host::Entity::update_many()
            .col_expr(remote_host::Column::OpenUntil, Expr::value(until))
            .filter(remote_host::Column::Host.eq(host))
            .exec(conn)
            .await?;
        health.open_until = Some(until);
    }
    Ok(health)
}

/// A host that is failing, with the deliveries waiting for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingHost {
    /// Its health.
    pub health: HostHealth,
    /// Deliveries pending or leased for it.
    pub pending: u64,
}

/// Hosts with an open (or half-open) breaker or a failure streak, open ones first, then by
/// longest streak.
pub async fn failing_hosts(conn: &impl ConnectionTrait) -> Result<Vec<FailingHost>, DbError> {
    let failing: Vec<HostHealth> = remote_host::Entity::find()
        .filter(
            Condition::any()
                .add(remote_host::Column::FailStreak.gt(0))
                .add(remote_host::Column::OpenUntil.is_not_null()),
        )
        .all(conn)
        .await?
        .into_iter()
        .map(HostHealth::from)
        .collect();
    let names: Vec<String> = failing.iter().map(|h| h.host.clone()).collect();
    let mut pending = std::collections::HashMap::new();
    for chunk in names.chunks(500) {
        let counts: Vec<(String, i64)> = delivery::Entity::find()
            .select_only()
            .column(delivery::Column::Host)
            .column_as(Expr::col(delivery::Column::Id).count(), "n")
            .filter(delivery::Column::State.is_in([state::PENDING, state::LEASED]))
            .filter(delivery::Column::Host.is_in(chunk.iter().cloned()))
            .group_by(delivery::Column::Host)
            .into_tuple()
            .all(conn)
            .await?;
        pending.extend(counts);
    }
    let mut out: Vec<FailingHost> = failing
        .into_iter()
        .map(|health| FailingHost {
            pending: pending
                .get(&health.host)
                .map_or(0, |n| u64::try_from(*n).unwrap_or(0)),
            health,
        })
        .collect();
    out.sort_by(|a, b| {
        (
            b.health.open_until.is_some(),
            b.health.fail_streak,
            &a.health.host,
        )
            .cmp(&(
                a.health.open_until.is_some(),
                a.health.fail_streak,
                &b.health.host,
            ))
    });
    Ok(out)
}

/// What [`housekeeping`] removes: everything older than each cut-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    /// Delivered rows last updated before this are deleted.
    pub done_before: DateTime<Utc>,
    /// Given-up rows last updated before this are deleted.
    pub dead_before: DateTime<Utc>,
    /// Pending deliveries queued before this are given up (their host's breaker kept them
    /// from being tried until they were too old).
    pub expire_before: DateTime<Utc>,
    /// Activities created before this with no delivery left are deleted (their id URL then
    /// answers 404), as are hosts with nothing queued and no news since.
    pub activities_before: DateTime<Utc>,
}

/// How many rows [`housekeeping`] removed or changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Housekept {
    /// Delivered rows deleted.
    pub done: u64,
    /// Given-up rows deleted.
    pub dead: u64,
    /// Pending rows given up as too old.
    pub expired: u64,
    /// Outbox activities deleted.
    pub activities: u64,
    /// `remote_host` rows deleted.
    pub hosts: u64,
}

/// Deletes old finished deliveries, gives up too-old pending ones, then deletes old
/// activities with no delivery left and forgotten hosts. Safe to run from several
/// processes at once.
pub async fn housekeeping(
    conn: &impl ConnectionTrait,
    cutoffs: Cutoffs,
) -> Result<Housekept, DbError> {
    let now = Utc::now();
    let queue::Pruned { done, dead } =
        queue::prune::<delivery::Entity>(conn, cutoffs.done_before, cutoffs.dead_before).await?;
    let expired = delivery::Entity::update_many()
        .col_expr(delivery::Column::State, Expr::value(state::DEAD))
        .col_expr(
            delivery::Column::LastError,
            Expr::value("expired: too old to deliver"),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .filter(delivery::Column::State.eq(state::PENDING))
        .filter(delivery::Column::CreatedAt.lt(cutoffs.expire_before))
        .exec(conn)
        .await?
        .rows_affected;
    let any_delivery = Query::select()
        .expr(Expr::val(1))
        .from(delivery::Entity)
        .and_where(
            Expr::col((delivery::Entity, delivery::Column::ActivityId))
                .equals((outbox_activity::Entity, outbox_activity::Column::Id)),
        )
        .to_owned();
    let activities = outbox_activity::Entity::delete_many()
        .filter(outbox_activity::Column::CreatedAt.lt(cutoffs.activities_before))
        .filter(Expr::not_exists(any_delivery))
        .exec(conn)
        .await?
        .rows_affected;
    let queued = Query::select()
        .expr(Expr::val(1))
        .from(delivery::Entity)
        .and_where(
            Expr::col((delivery::Entity, delivery::Column::Host))
                .equals((remote_host::Entity, remote_host::Column::Host)),
        )
        .and_where(
            Expr::col((delivery::Entity, delivery::Column::State))
                .is_in([state::PENDING, state::LEASED]),
        )
        .to_owned();
    let quiet = |col: remote_host::Column| {
        Condition::any()
            .add(col.is_null())
            .add(col.lt(cutoffs.activities_before))
    };
    let hosts = remote_host::Entity::delete_many()
        .filter(Expr::not_exists(queued))
        .filter(quiet(remote_host::Column::LastSuccessAt))
        .filter(quiet(remote_host::Column::LastFailureAt))
        .exec(conn)
        .await?
        .rows_affected;
    Ok(Housekept {
        done,
        dead,
        expired,
        activities,
        hosts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_breaker_waits_as_long_as_the_host_has_failed() {
        let policy = BreakerPolicy {
            threshold: 10,
            min_open: Duration::minutes(1),
            max_open: Duration::hours(1),
        };
        let now = Utc::now();
        assert_eq!(policy.open_for(now, now), Duration::minutes(1));
        assert_eq!(
            policy.open_for(now - Duration::minutes(7), now),
            Duration::minutes(7)
        );
        assert_eq!(
            policy.open_for(now - Duration::days(2), now),
            Duration::hours(1)
        );
    }
}
