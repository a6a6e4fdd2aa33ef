//! Recent refused or failed federation steps per remote host, for the console's federation
//! page. Written beside the warning log line of each failure; only the newest
//! [`KEPT_PER_HOST`] per host are kept, so a misbehaving peer cannot grow the table.
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::DbError;
use crate::entities::federation_error;

/// How many errors are kept per host.
pub const KEPT_PER_HOST: u64 = 20;

/// Longest stored reason, in characters (longer ones are cut).
pub const MAX_REASON_CHARS: usize = 300;

/// One recorded failure.
#[derive(Debug, Clone, PartialEq)]
pub struct FederationErrorRecord {
    /// `host[:port]` of the peer.
    pub host: String,
    /// What failed: `follow`, `delivery`, `backfill`, `resync`, `inbox`, …
    pub step: String,
    /// Why, in our words.
    pub reason: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Records that `step` failed with `host` for `reason` (cut to [`MAX_REASON_CHARS`]), and
/// forgets that host's older errors beyond [`KEPT_PER_HOST`].
pub async fn record(
    conn: &impl ConnectionTrait,
    host: &str,
    step: &str,
    reason: &str,
) -> Result<(), DbError> {
    let reason: String = reason.chars().take(MAX_REASON_CHARS).collect();
    federation_error::Entity::insert(federation_error::ActiveModel {
        id: NotSet,
        host: Set(host.to_owned()),
        step: Set(step.to_owned()),
        reason: Set(reason),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(conn)
    .await?;
    // The id of the oldest one kept; everything older goes.
    let oldest_kept: Option<i32> = federation_error::Entity::find()
        .select_only()
        .column(federation_error::Column::Id)
        .filter(federation_error::Column::Host.eq(host))
        .order_by_desc(federation_error::Column::Id)
        .offset(KEPT_PER_HOST - 1)
        .limit(1)
        .into_tuple()
        .one(conn)
        .await?;
    if let Some(oldest) = oldest_kept {
        federation_error::Entity::delete_many()
            .filter(federation_error::Column::Host.eq(host))
            .filter(federation_error::Column::Id.lt(oldest))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// The newest `limit` errors of every host, newest first.
pub async fn recent(
    conn: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<FederationErrorRecord>, DbError> {
    let rows = federation_error::Entity::find()
        .order_by_desc(federation_error::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| FederationErrorRecord {
            host: r.host,
            step: r.step,
            reason: r.reason,
            at: r.created_at,
        })
        .collect())
}
