//! The outgoing delivery queue and the background job table: the delivery pacing from the
//! settings, and their state for operators (`coopnet queue status`, metrics, admin pages).
use std::time::Duration;

use chrono::{DateTime, Utc};
use coopnet_config::DeliverySettings;
use coopnet_db::repo::{deliveries, jobs};
use coopnet_federation::delivery::DeliveryConfig;
use serde::Serialize;

use crate::{AppContext, AppError};

/// The worker's configuration from the `[delivery]` settings (retention times keep their
/// defaults).
pub fn delivery_config(settings: &DeliverySettings) -> DeliveryConfig {
    DeliveryConfig {
        batch: settings.batch,
        concurrency: settings.concurrency,
        per_host_concurrency: settings.per_host_concurrency,
        lease: Duration::from_secs(settings.lease_secs),
        backoff: settings
            .backoff_secs
            .iter()
            .map(|s| Duration::from_secs(*s))
            .collect(),
        max_age: Duration::from_secs(settings.max_age_secs),
        retry_after_max: Duration::from_secs(settings.retry_after_max_secs),
        breaker_threshold: settings.breaker_threshold,
        breaker_open: Duration::from_secs(settings.breaker_open_secs),
        breaker_max_open: Duration::from_secs(settings.breaker_max_open_secs),
        idle_poll: Duration::from_millis(settings.idle_poll_ms),
        ..DeliveryConfig::default()
    }
}

/// Deliveries by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueCounts {
    /// Waiting for their next attempt (including those of hosts whose breaker is open).
    pub pending: u64,
    /// Claimed by a worker (being sent, or held by a worker that stopped until the lease ends).
    pub leased: u64,
    /// Delivered (kept 7 days).
    pub done: u64,
    /// Given up (kept 30 days).
    pub dead: u64,
}

/// A host's circuit breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Breaker {
    /// Deliveries flow (the host may have failed fewer times than the threshold).
    Closed,
    /// Deliveries wait until `open_until`.
    Open,
    /// The wait is over: the next delivery probes the host.
    HalfOpen,
}

/// A receiving host that is failing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailingHost {
    /// `host[:port]`.
    pub host: String,
    /// Its breaker.
    pub breaker: Breaker,
    /// Consecutive failed attempts.
    pub fail_streak: i32,
    /// Deliveries pending or leased for it.
    pub pending: u64,
    /// When the open breaker lets the next probe go.
    pub open_until: Option<DateTime<Utc>>,
    /// Start of the failure streak.
    pub first_failure_at: Option<DateTime<Utc>>,
    /// Last failed attempt.
    pub last_failure_at: Option<DateTime<Utc>>,
    /// Last successful attempt (recorded once a host has failed).
    pub last_success_at: Option<DateTime<Utc>>,
}

/// Background jobs (backfill, resync) by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    /// Waiting, including failed ones waiting for their retry.
    pub pending: u64,
    /// Running (or held by a stopped worker until the lease ends).
    pub leased: u64,
    /// Finished (kept 7 days).
    pub done: u64,
    /// Given up after their last attempt (kept 30 days).
    pub dead: u64,
}

/// A job not done yet, or given up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobStatus {
    /// Storage id.
    pub id: i64,
    /// `backfill` or `resync`.
    pub kind: String,
    /// Its arguments (JSON), e.g. the peer network's actor.
    pub payload: String,
    /// `pending`, `leased` or `dead`.
    pub state: &'static str,
    /// Attempts made.
    pub attempts: i32,
    /// When it is due (pending) or was last scheduled.
    pub run_after: DateTime<Utc>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// The queue at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueStatus {
    /// Deliveries by state.
    pub counts: QueueCounts,
    /// Hosts with an open breaker or a failure streak, open ones first.
    pub failing_hosts: Vec<FailingHost>,
    /// Background jobs by state.
    pub jobs: JobCounts,
    /// Jobs waiting, running or given up (at most 50, oldest first).
    pub unfinished_jobs: Vec<JobStatus>,
}

/// Jobs by state.
pub async fn job_counts(ctx: &AppContext) -> Result<JobCounts, AppError> {
    let c = jobs::counts(&ctx.db).await?;
    Ok(JobCounts {
        pending: c.pending,
        leased: c.leased,
        done: c.done,
        dead: c.dead,
    })
}

/// The delivery queue's counts by state and its failing hosts.
pub async fn status(ctx: &AppContext) -> Result<QueueStatus, AppError> {
    let c = deliveries::counts(&ctx.db).await?;
    let now = Utc::now();
    let failing_hosts = deliveries::failing_hosts(&ctx.db)
        .await?
        .into_iter()
        .map(|f| {
            let h = f.health;
            let breaker = if h.open(now) {
                Breaker::Open
            } else if h.half_open(now) {
                Breaker::HalfOpen
            } else {
                Breaker::Closed
            };
            FailingHost {
                breaker,
                fail_streak: h.fail_streak,
                pending: f.pending,
                open_until: h.open_until,
                first_failure_at: h.first_failure_at,
                last_failure_at: h.last_failure_at,
                last_success_at: h.last_success_at,
                host: h.host,
            }
        })
        .collect();
    let unfinished_jobs = jobs::unfinished(&ctx.db, 50)
        .await?
        .into_iter()
        .map(|j| JobStatus {
            id: j.id,
            kind: j.kind,
            payload: j.payload,
            state: match j.state {
                jobs::state::PENDING => "pending",
                jobs::state::LEASED => "leased",
                jobs::state::DONE => "done",
                _ => "dead",
            },
            attempts: j.attempts,
            run_after: j.run_after,
            last_error: j.last_error,
        })
        .collect();
    Ok(QueueStatus {
        counts: QueueCounts {
            pending: c.pending,
            leased: c.leased,
            done: c.done,
            dead: c.dead,
        },
        failing_hosts,
        jobs: job_counts(ctx).await?,
        unfinished_jobs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_settings_give_the_default_worker() {
        let from_settings = delivery_config(&DeliverySettings::default());
        let default = DeliveryConfig::default();
        assert_eq!(format!("{from_settings:?}"), format!("{default:?}"));
    }
}
