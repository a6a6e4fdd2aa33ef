//! The outgoing delivery queue: its pacing from the settings, and its state for operators
//! (`coopnet queue status`, metrics, admin pages).
use std::time::Duration;

use chrono::{DateTime, Utc};
use coopnet_config::DeliverySettings;
use coopnet_db::repo::deliveries;
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

/// The queue at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueStatus {
    /// Deliveries by state.
    pub counts: QueueCounts,
    /// Hosts with an open breaker or a failure streak, open ones first.
    pub failing_hosts: Vec<FailingHost>,
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
    Ok(QueueStatus {
        counts: QueueCounts {
            pending: c.pending,
            leased: c.leased,
            done: c.done,
            dead: c.dead,
        },
        failing_hosts,
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
