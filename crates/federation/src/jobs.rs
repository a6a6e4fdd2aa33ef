//! Slow federation work run from the persistent job table (`coopnet_db::repo::jobs`), not
//! inside an inbox request: backfilling a peer network's member directory once our follow
//! is accepted, and resyncing it.
//!
//! The inbox only enqueues (in the transaction that records the `Accept`, committed through
//! [`crate::queue::commit_and_wake`]) and answers 202. The job worker is the shared
//! leased-queue worker ([`crate::queue`]) with this module's specifics: it claims up to
//! `concurrency` due jobs, renews each one's lease while it runs, retries a failed job with
//! backoff and gives up after `max_attempts`. A job whose worker was killed is claimed again
//! once its lease expires.
use std::time::Duration;

use activitypub_federation::config::FederationConfig;
use chrono::{DateTime, Utc};
use coopnet_core::FollowState;
use coopnet_db::repo::following;
use coopnet_db::repo::{jobs, networks};
use coopnet_db::{ConnectionTrait, DbError};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use url::Url;

use crate::queue::{self, Pace, Progress, Queue, chrono};
use crate::{FedData, FederationError};

/// A unit of background work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Record the peer network (its `Group` actor) and walk its whole members collection,
    /// ignoring an unchanged digest: after our follow of it is accepted.
    Backfill {
        /// The peer's network actor.
        actor: Url,
    },
    /// Resync the peer's members (an unchanged digest ends it at once): periodic.
    Resync {
        /// The peer's network actor.
        actor: Url,
    },
}

#[derive(Serialize, Deserialize)]
struct Payload {
    actor: Url,
}

impl Job {
    /// `host[:port]` of the peer the job is about.
    pub fn host(&self) -> String {
        match self {
            Self::Backfill { actor } | Self::Resync { actor } => crate::urls::host_port(actor),
        }
    }

    /// The stored `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Backfill { .. } => "backfill",
            Self::Resync { .. } => "resync",
        }
    }

    fn actor(&self) -> &Url {
        match self {
            Self::Backfill { actor } | Self::Resync { actor } => actor,
        }
    }

    fn payload(&self) -> Result<String, FederationError> {
        serde_json::to_string(&Payload {
            actor: self.actor().clone(),
        })
        .map_err(|e| FederationError::Internal(e.to_string()))
    }

    /// Reads a stored job back.
    pub fn from_stored(kind: &str, payload: &str) -> Result<Self, String> {
        let Payload { actor } =
            serde_json::from_str(payload).map_err(|e| format!("bad {kind} payload: {e}"))?;
        match kind {
            "backfill" => Ok(Self::Backfill { actor }),
            "resync" => Ok(Self::Resync { actor }),
            other => Err(format!("unknown job kind {other}")),
        }
    }
}

/// Queues `job`, due now, on `conn` (a caller's transaction, so the job commits with the
/// change that asked for it); the same job already waiting is not queued twice. Commit with
/// [`crate::queue::commit_and_wake`] and [`FedData::jobs_wake`].
pub async fn enqueue(conn: &impl ConnectionTrait, job: &Job) -> Result<bool, FederationError> {
    Ok(jobs::enqueue(conn, job.kind(), &job.payload()?, Utc::now())
        .await?
        .is_some())
}

/// How the job worker paces itself.
#[derive(Debug, Clone)]
pub struct JobConfig {
    /// Jobs run at once by one worker.
    pub concurrency: usize,
    /// How long a claim lasts; the worker renews it every third of this while a job runs,
    /// so a killed worker's jobs are claimed again within this time.
    pub lease: Duration,
    /// Wait before each retry, by attempt; the last value repeats (±10 % jitter).
    pub backoff: Vec<Duration>,
    /// Attempts before a job is given up (dead).
    pub max_attempts: i32,
    /// Longest sleep when idle (enqueuers also wake the worker).
    pub idle_poll: Duration,
    /// Least time between two housekeeping passes.
    pub housekeeping_interval: Duration,
    /// Done jobs are deleted after this.
    pub done_retention: Duration,
    /// Dead jobs are deleted after this.
    pub dead_retention: Duration,
}

impl Default for JobConfig {
    fn default() -> Self {
        let m = |n: u64| Duration::from_secs(60 * n);
        Self {
            concurrency: 2,
            lease: m(2),
            backoff: vec![m(1), m(5), m(30), m(120), m(360)],
            max_attempts: 8,
            idle_poll: Duration::from_secs(5),
            housekeeping_interval: m(10),
            done_retention: m(7 * 1440),
            dead_retention: m(30 * 1440),
        }
    }
}

impl JobConfig {
    /// When to retry after attempt number `attempts` (0 for the first) failed, or `None`
    /// when that was the last one allowed.
    pub fn retry_at(&self, attempts: i32) -> Option<chrono::DateTime<Utc>> {
        if attempts + 1 >= self.max_attempts {
            return None;
        }
        Some(Utc::now() + chrono(queue::backoff(&self.backoff, attempts)))
    }
}

/// Runs one job; `Ok` carries a summary for the log.
pub async fn run(fed: &FederationConfig<FedData>, job: &Job) -> Result<String, FederationError> {
    let data = fed.to_request_data();
    let actor = job.actor();
    // Unfollowed (or blocked) since it was queued: nothing to fetch, nothing to store.
    let followed = following::list(&data.db)
        .await?
        .into_iter()
        .any(|f| &f.actor_id == actor && f.state == FollowState::Accepted);
    if !followed {
        return Ok("no longer followed; skipped".into());
    }
    let (network, force) = match job {
        Job::Backfill { .. } => (crate::sync::record_peer(&data, actor).await?, true),
        Job::Resync { .. } => match networks::find_by_actor(&data.db, actor).await? {
            Some(n) => (n, false),
            None => (crate::sync::record_peer(&data, actor).await?, true),
        },
    };
    let report = crate::sync::resync(&data, &network, force).await?;
    Ok(report.to_string())
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobRound {
    /// Jobs claimed.
    pub claimed: usize,
    /// Jobs that finished.
    pub done: usize,
    /// Jobs that failed and will be retried.
    pub retried: usize,
    /// Jobs given up.
    pub dead: usize,
}

enum Ran {
    Done,
    Retry,
    Dead,
}

/// The job table, as the shared worker runs it.
struct Jobs {
    fed: FederationConfig<FedData>,
    config: JobConfig,
}

/// Runs `claimed` to its end, renewing its lease meanwhile, and records the outcome.
async fn run_claimed(
    fed: FederationConfig<FedData>,
    config: JobConfig,
    claimed: jobs::ClaimedJob,
) -> Result<Ran, FederationError> {
    let db = &fed.db;
    let outcome = match Job::from_stored(&claimed.kind, &claimed.payload) {
        Err(e) => Err(e),
        Ok(job) => {
            let renew = || jobs::renew(db, claimed.id, chrono(config.lease));
            queue::renewing_lease(run(&fed, &job), claimed.id, config.lease / 3, renew)
                .await
                .map_err(|e| {
                    tracing::warn!(job = claimed.id, error = %e, "job failed");
                    e.brief()
                })
        }
    };
    let kind = claimed.kind.as_str();
    let ran = match &outcome {
        Ok(summary) => {
            tracing::info!(job = claimed.id, kind, %summary, "job done");
            jobs::finish(db, claimed.id, Ok(()), None).await?;
            Ran::Done
        }
        Err(e) => {
            let retry_at = config.retry_at(claimed.attempts);
            if retry_at.is_some() {
                tracing::warn!(job = claimed.id, kind, attempts = claimed.attempts + 1, error = %e, "job failed; will retry");
            } else {
                tracing::warn!(job = claimed.id, kind, attempts = claimed.attempts + 1, error = %e, "job failed; given up");
            }
            if let Ok(job) = Job::from_stored(&claimed.kind, &claimed.payload) {
                let then = if retry_at.is_some() {
                    "will retry"
                } else {
                    "given up"
                };
                let reason = format!("{kind} failed ({e}; {then})");
                crate::peer_errors::record(db, &job.host(), kind, &reason).await;
            }
            jobs::finish(db, claimed.id, Err(e), retry_at).await?;
            if retry_at.is_some() {
                Ran::Retry
            } else {
                Ran::Dead
            }
        }
    };
    let label = match ran {
        Ran::Done => "done",
        Ran::Retry => "retry",
        Ran::Dead => "dead",
    };
    fed.metrics
        .inc("coopnet_jobs_total", &[("kind", kind), ("outcome", label)]);
    Ok(ran)
}

impl Queue for Jobs {
    type Row = jobs::ClaimedJob;
    type Round = JobRound;
    const NAME: &'static str = "job";

    async fn next_due(&self) -> Result<Option<DateTime<Utc>>, DbError> {
        jobs::next_due(&self.fed.db).await
    }

    /// Up to `concurrency` jobs: each runs in a task of its own.
    async fn claim(&self) -> Result<Vec<jobs::ClaimedJob>, FederationError> {
        let limit = self.config.concurrency.max(1) as u64;
        Ok(jobs::claim(&self.fed.db, limit, chrono(self.config.lease)).await?)
    }

    /// Runs the claimed jobs to their end. Once `stop` is true, jobs not yet started are
    /// handed back.
    async fn work(
        &self,
        claimed: Vec<jobs::ClaimedJob>,
        stop: &watch::Receiver<bool>,
    ) -> Result<JobRound, FederationError> {
        let mut round = JobRound {
            claimed: claimed.len(),
            ..JobRound::default()
        };
        let (ran, unrun) = queue::run_each(
            claimed,
            self.config.concurrency,
            stop,
            |job| job.id,
            |job| run_claimed(self.fed.clone(), self.config.clone(), job),
        )
        .await;
        for result in ran {
            match result {
                Ok(Ran::Done) => round.done += 1,
                Ok(Ran::Retry) => round.retried += 1,
                Ok(Ran::Dead) => round.dead += 1,
                // The job stays leased and is claimed again when the lease expires.
                Err(e) => tracing::error!(error = %e, "job outcome not recorded"),
            }
        }
        jobs::release(&self.fed.db, &unrun).await?;
        Ok(round)
    }

    /// Every job claimed was run (a round stopped early ends the loop anyway).
    fn progress(round: &JobRound) -> Progress {
        Progress::new(round.claimed, round.claimed)
    }

    async fn housekeeping(&self) -> Result<(), FederationError> {
        let now = Utc::now();
        jobs::prune(
            &self.fed.db,
            now - chrono(self.config.done_retention),
            now - chrono(self.config.dead_retention),
        )
        .await?;
        Ok(())
    }
}

/// Claims up to `concurrency` due jobs and runs them to their end (see the shared
/// [`queue::run_once`]). Once `stop` is true, jobs not yet started are handed back.
pub async fn run_once(
    fed: &FederationConfig<FedData>,
    config: &JobConfig,
    stop: &watch::Receiver<bool>,
) -> Result<JobRound, FederationError> {
    let jobs = Jobs {
        fed: fed.clone(),
        config: config.clone(),
    };
    queue::run_once(&jobs, stop).await
}

/// Runs the job worker until `stop` turns true (or its sender is dropped): jobs running
/// finish, claimed ones not started are handed back. The first housekeeping pass comes after
/// one interval: start-up is busy enough.
pub fn spawn(
    fed: FederationConfig<FedData>,
    config: JobConfig,
    stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let pace = Pace {
        idle_poll: config.idle_poll,
        housekeeping_interval: config.housekeeping_interval,
        housekeeping_at_start: false,
    };
    let wake = fed.jobs_wake.clone();
    queue::spawn(Jobs { fed, config }, pace, wake, stop)
}

/// Jobs by state, for `coopnet queue status` and `/metrics`.
pub async fn counts(db: &impl ConnectionTrait) -> Result<jobs::JobCounts, DbError> {
    jobs::counts(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_round_trip_through_storage() {
        let actor = Url::parse("https://peer.example/network").expect("url");
        for job in [
            Job::Backfill {
                actor: actor.clone(),
            },
            Job::Resync { actor },
        ] {
            let stored = job.payload().expect("payload");
            assert_eq!(Job::from_stored(job.kind(), &stored), Ok(job));
        }
        assert!(Job::from_stored("mystery", r#"{"actor":"https://x.example/"}"#).is_err());
        assert!(Job::from_stored("backfill", "{").is_err());
    }

    #[test]
    fn retries_back_off_then_give_up() {
        let config = JobConfig {
            backoff: vec![Duration::from_secs(60), Duration::from_secs(600)],
            max_attempts: 3,
            ..JobConfig::default()
        };
        let now = Utc::now();
        let first = config.retry_at(0).expect("retried");
        assert!(first > now + chrono::Duration::seconds(50));
        assert!(first < now + chrono::Duration::seconds(70));
        let second = config.retry_at(1).expect("retried");
        assert!(second > now + chrono::Duration::seconds(500));
        assert_eq!(config.retry_at(2), None);
    }
}
