//! The transactional outbox: activities we send, and one delivery row per target inbox.
//!
//! Producers call [`enqueue`] inside the same transaction as the change that caused the
//! activity, so nothing is committed without its deliveries. Workers [`claim`] due rows with
//! a lease; a crashed worker's lease expires and the row is claimed again (at-least-once).
use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use url::Url;

use super::followers::Target;
use crate::DbError;
use crate::entities::{delivery, outbox_activity};

/// Delivery states as stored.
pub mod state {
    /// Waiting for its next attempt.
    pub const PENDING: i16 = 0;
    /// Claimed by a worker until `lease_until`.
    pub const LEASED: i16 = 1;
    /// Accepted by the receiver.
    pub const DONE: i16 = 2;
    /// Given up.
    pub const DEAD: i16 = 3;
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
    /// Attempts made before this one.
    pub attempts: i32,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// The activity.
    pub activity: StoredActivity,
}

fn target_parts(t: Target) -> Result<(&'static str, i32), DbError> {
    let (kind, id) = match t {
        Target::Coop(id) => ("coop", id),
        Target::Network(id) => ("network", id),
    };
    Ok((kind, i32::try_from(id).map_err(|_| DbError::NotFound)?))
}

fn stored(m: outbox_activity::Model) -> Result<StoredActivity, DbError> {
    let actor = match m.actor_kind.as_str() {
        "coop" => Target::Coop(i64::from(m.actor_id)),
        "network" => Target::Network(i64::from(m.actor_id)),
        other => {
            return Err(DbError::Corrupt(format!(
                "outbox_activity {}: actor kind {other}",
                m.id
            )));
        }
    };
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

/// Claims up to `limit` due deliveries for `lease`, oldest first.
///
/// Each row is taken with a conditional UPDATE that succeeds for exactly one claimer, so
/// several processes on one database never hold the same row.
pub async fn claim(
    conn: &impl ConnectionTrait,
    limit: u64,
    lease: Duration,
) -> Result<Vec<ClaimedDelivery>, DbError> {
    let now = Utc::now();
    let due = Condition::any()
        .add(
            Condition::all()
                .add(delivery::Column::State.eq(state::PENDING))
                .add(delivery::Column::NextAttemptAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(delivery::Column::State.eq(state::LEASED))
                .add(delivery::Column::LeaseUntil.lt(now)),
        );
    let candidates = delivery::Entity::find()
        .filter(due.clone())
        .order_by_asc(delivery::Column::NextAttemptAt)
        .order_by_asc(delivery::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for row in candidates {
        let taken = delivery::Entity::update_many()
            .col_expr(delivery::Column::State, Expr::value(state::LEASED))
            .col_expr(delivery::Column::LeaseUntil, Expr::value(now + lease))
            .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
            .filter(delivery::Column::Id.eq(row.id))
            .filter(due.clone())
            .exec(conn)
            .await?;
        if taken.rows_affected == 1 {
            let activity = outbox_activity::Entity::find_by_id(row.activity_id)
                .one(conn)
                .await?
                .ok_or(DbError::NotFound)?;
            claimed.push(ClaimedDelivery {
                id: row.id,
                inbox: row.inbox,
                attempts: row.attempts,
                created_at: row.created_at,
                activity: stored(activity)?,
            });
        }
    }
    Ok(claimed)
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
    let now = Utc::now();
    let new_state = match (delivered, next) {
        (true, _) => state::DONE,
        (false, Some(_)) => state::PENDING,
        (false, None) => state::DEAD,
    };
    delivery::Entity::update_many()
        .col_expr(delivery::Column::State, Expr::value(new_state))
        .col_expr(
            delivery::Column::Attempts,
            Expr::col(delivery::Column::Attempts).add(1),
        )
        .col_expr(
            delivery::Column::NextAttemptAt,
            Expr::value(next.unwrap_or(now)),
        )
        .col_expr(
            delivery::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            delivery::Column::LastStatus,
            Expr::value(status.map(i32::from)),
        )
        .col_expr(
            delivery::Column::LastError,
            Expr::value(error.map(|e| e.chars().take(500).collect::<String>())),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .filter(delivery::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// How many deliveries are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// Waiting.
    pub pending: u64,
    /// Being sent.
    pub leased: u64,
    /// Delivered.
    pub done: u64,
    /// Given up.
    pub dead: u64,
}

/// Counts deliveries by state.
pub async fn counts(conn: &impl ConnectionTrait) -> Result<QueueCounts, DbError> {
    let count = |s: i16| {
        delivery::Entity::find()
            .filter(delivery::Column::State.eq(s))
            .count(conn)
    };
    Ok(QueueCounts {
        pending: count(state::PENDING).await?,
        leased: count(state::LEASED).await?,
        done: count(state::DONE).await?,
        dead: count(state::DEAD).await?,
    })
}

/// When the next pending delivery is due, if any (lets an idle worker sleep exactly).
pub async fn next_due(conn: &impl ConnectionTrait) -> Result<Option<DateTime<Utc>>, DbError> {
    Ok(delivery::Entity::find()
        .filter(delivery::Column::State.is_in([state::PENDING, state::LEASED]))
        .order_by_asc(delivery::Column::NextAttemptAt)
        .one(conn)
        .await?
        .map(|d| d.lease_until.unwrap_or(d.next_attempt_at)))
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
