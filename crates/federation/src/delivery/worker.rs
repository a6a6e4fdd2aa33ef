//! The delivery queue: signs and sends claimed deliveries and records the outcome.
//!
//! The loop, the claim-only-when-due rule, the wake-up, stopping and backoff are the shared
//! leased-queue worker's ([`crate::queue`]); this module plugs in what is particular to
//! deliveries. One round: claim a batch (one statement, see `deliveries::claim`), keep at
//! most `per_host_concurrency` deliveries per host (one probe for a host whose circuit breaker
//! has just half-opened) and hand the rest back, send, then record each outcome and each
//! host's health in one commit. Housekeeping prunes old deliveries, activities, hosts and
//! received activity ids, and the directory's change log.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use coopnet_core::Target;
use coopnet_db::repo::deliveries::{self, BreakerPolicy, ClaimedDelivery, Cutoffs};
use coopnet_db::repo::{coops, directory_changes, received};
use coopnet_db::{DbError, TransactionTrait};
use tokio::sync::{Mutex, watch};
use url::Url;

use super::signer::{CONTENT_TYPE, Signer, http_date_now};
use crate::queue::{self, Pace, Progress, Queue, chrono};
use crate::urls::Urls;
use crate::{FedData, FederationError, keys};

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Deliveries claimed per round.
    pub batch: u64,
    /// Deliveries in flight at once.
    pub concurrency: usize,
    /// Deliveries to one host in flight at once (per round); the rest of the host's share of
    /// a batch is handed back for the next round.
    pub per_host_concurrency: usize,
    /// How long a claim lasts before another worker may take the row (crash safety).
    pub lease: Duration,
    /// Wait before each retry, by attempt; the last value repeats.
    pub backoff: Vec<Duration>,
    /// Give up on a delivery this long after it was queued.
    pub max_age: Duration,
    /// Longest `Retry-After` honoured.
    pub retry_after_max: Duration,
    /// Consecutive failures of a host that open its circuit breaker.
    pub breaker_threshold: u32,
    /// Shortest wait of an open breaker before the next probe.
    pub breaker_open: Duration,
    /// Longest wait of an open breaker before the next probe.
    pub breaker_max_open: Duration,
    /// Longest sleep when idle (enqueuers also wake the worker directly).
    pub idle_poll: Duration,
    /// Least time between two housekeeping passes.
    pub housekeeping_interval: Duration,
    /// Delivered rows are deleted after this.
    pub done_retention: Duration,
    /// Given-up rows are deleted after this.
    pub dead_retention: Duration,
    /// Ids of received activities are forgotten after this (longer than any sender retries).
    pub received_retention: Duration,
    /// Sent activities with no delivery left are deleted after this (their URL then 404s).
    pub activity_retention: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        let m = |n: u64| Duration::from_secs(60 * n);
        let days = |n: u64| m(n * 1440);
        Self {
            batch: 64,
            concurrency: 16,
            per_host_concurrency: 4,
            lease: m(5),
            // About three days in all, like Mastodon's 16 retries.
            backoff: vec![m(1), m(5), m(30), m(120), m(360), m(720), m(1440)],
            max_age: days(3),
            retry_after_max: days(1),
            breaker_threshold: 10,
            breaker_open: m(1),
            breaker_max_open: m(60),
            idle_poll: Duration::from_secs(5),
            housekeeping_interval: m(10),
            done_retention: days(7),
            dead_retention: days(30),
            received_retention: days(14),
            activity_retention: days(30),
        }
    }
}

impl DeliveryConfig {
    fn breaker(&self) -> BreakerPolicy {
        BreakerPolicy {
            threshold: self.breaker_threshold,
            min_open: chrono(self.breaker_open),
            max_open: chrono(self.breaker_max_open),
        }
    }

    /// When to try again a delivery queued at `created_at` after its attempt number
    /// `attempts` (0 for the first) failed at `now`, or `None` when it is too old to retry.
    ///
    /// The wait is the backoff for that attempt (±10 % jitter) and never less than the
    /// receiver's `Retry-After`, itself cut to `retry_after_max`.
    pub fn next_attempt(
        &self,
        attempts: i32,
        retry_after: Option<Duration>,
        created_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let asked = retry_after.unwrap_or_default().min(self.retry_after_max);
        let next = now + chrono(queue::backoff(&self.backoff, attempts).max(asked));
        (next < created_at + chrono(self.max_age)).then_some(next)
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver took it.
    Delivered,
    /// Try again later, no sooner than `after` when the receiver said so.
    Retry {
        /// `Retry-After`, if any.
        after: Option<Duration>,
    },
    /// Never try again.
    Dead,
}

/// Classifies a response status (`None`: no response: timeout, connection or DNS error).
///
/// 2xx delivered; 401 (the receiver may not have our key yet), 408, 429, 3xx, 5xx other
/// than 501 and no response are retried; 410 and the other 4xx are dead, as in Mastodon.
pub fn classify(status: Option<u16>, retry_after: Option<Duration>) -> Outcome {
    match status {
        Some(s) if (200..300).contains(&s) => Outcome::Delivered,
        Some(401 | 408 | 429) => Outcome::Retry { after: retry_after },
        Some(501) => Outcome::Dead,
        Some(s) if (400..500).contains(&s) => Outcome::Dead,
        _ => Outcome::Retry { after: retry_after },
    }
}

type SignerCache = Arc<Mutex<HashMap<Target, Signer>>>;

async fn signer_for(
    data: &FedData,
    cache: &SignerCache,
    actor: Target,
) -> Result<Signer, FederationError> {
    if let Some(s) = cache.lock().await.get(&actor) {
        return Ok(s.clone());
    }
    let (actor_id, pair) = match actor {
        Target::Coop(id) => {
            let coop = coops::get_by_id(&data.db, id)
                .await?
                .ok_or(FederationError::NotFound)?;
            (
                data.urls.coop(coop.slug.as_str()),
                keys::for_coop(data, id).await?,
            )
        }
        Target::Network(_) => (data.urls.network(), keys::for_network(data).await?),
    };
    let signer = Signer::new(Urls::key_id(&actor_id), &pair.private_pem)?;
    cache.lock().await.insert(actor, signer.clone());
    Ok(signer)
}

/// Did the receiving host answer like a working server? Feeds its circuit breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostVerdict {
    /// It answered (2xx, 3xx, 4xx other than 408 and 429): up, whatever it thought of us.
    Up,
    /// No answer, 5xx, 408 or 429: down or overloaded.
    Down,
    /// Nothing was sent (bad URL, no signing key): says nothing about the host.
    Untried,
}

fn verdict(status: Option<u16>) -> HostVerdict {
    match status {
        Some(408 | 429) => HostVerdict::Down,
        Some(s) if s < 500 => HostVerdict::Up,
        _ => HostVerdict::Down,
    }
}

/// Reads `Retry-After`: seconds, or an HTTP date (RFC 7231), relative to `now`.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some((at.with_timezone(&Utc) - now).to_std().unwrap_or_default())
}

/// One attempt's result.
struct Attempt {
    outcome: Outcome,
    status: Option<u16>,
    error: Option<String>,
    host: HostVerdict,
}

/// Sends one delivery.
async fn attempt(data: &FedData, cache: &SignerCache, d: &ClaimedDelivery) -> Attempt {
    // Scheme and address are checked by the guarded client, on the address it connects to
    // (never a second DNS answer); a refused destination is dead, not retried.
    let Ok(inbox) = Url::parse(&d.inbox) else {
        return Attempt {
            outcome: Outcome::Dead,
            status: None,
            error: Some("unreadable inbox URL".into()),
            host: HostVerdict::Untried,
        };
    };
    let signer = match signer_for(data, cache, d.activity.actor).await {
        Ok(s) => s,
        Err(e) => {
            return Attempt {
                outcome: Outcome::Retry { after: None },
                status: None,
                error: Some(format!("signing key: {e}")),
                host: HostVerdict::Untried,
            };
        }
    };
    let body = d.activity.body.clone().into_bytes();
    let headers = match signer.sign_post(&inbox, &body, &http_date_now()) {
        Ok(headers) => headers,
        Err(e) => {
            return Attempt {
                outcome: Outcome::Retry { after: None },
                status: None,
                error: Some(e.to_string()),
                host: HostVerdict::Untried,
            };
        }
    };
    // The instance's one guarded client; it never follows redirects (a redirected POST
    // would lose its signature's request-target).
    let result = data
        .http
        .post(inbox.clone())
        .header("Host", headers.host)
        .header("Date", headers.date)
        .header("Digest", headers.digest)
        .header("Signature", headers.signature)
        .header("Content-Type", CONTENT_TYPE)
        .header("Accept", "application/activity+json")
        .body(body)
        .send()
        .await;
    match result {
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, Utc::now()));
            let outcome = classify(Some(status), retry_after);
            Attempt {
                outcome,
                status: Some(status),
                error: (outcome != Outcome::Delivered).then(|| format!("HTTP {status}")),
                host: verdict(Some(status)),
            }
        }
        Err(e) if crate::net::is_refusal(&e) => Attempt {
            outcome: Outcome::Dead,
            status: None,
            error: Some(format!("refused: {e}")),
            host: HostVerdict::Untried,
        },
        Err(e) => Attempt {
            outcome: classify(None, None),
            status: None,
            error: Some(e.to_string()),
            host: HostVerdict::Down,
        },
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Deliveries claimed.
    pub claimed: usize,
    /// Deliveries attempted.
    pub sent: usize,
    /// Deliveries handed back unsent (over a host's limit, breaker, or stopping).
    pub released: usize,
}

/// One attempt's result, to record.
struct Finished {
    id: i64,
    host: String,
    verdict: HostVerdict,
    delivered: bool,
    next: Option<DateTime<Utc>>,
    status: Option<u16>,
    error: Option<String>,
}

/// The delivery queue, as the shared worker runs it.
struct Deliveries {
    data: FedData,
    config: DeliveryConfig,
    cache: SignerCache,
}

impl Deliveries {
    fn new(data: &FedData, config: &DeliveryConfig) -> Self {
        Self {
            data: data.clone(),
            config: config.clone(),
            cache: SignerCache::default(),
        }
    }

    /// How many of a host's deliveries this round may send, for each host in `names`:
    /// none while its breaker is open, one probe once its wait is over (if no other worker
    /// took it first), else `per_host_concurrency`.
    async fn allowances(
        &self,
        names: Vec<String>,
        health: &HashMap<String, deliveries::HostHealth>,
    ) -> Result<HashMap<String, usize>, FederationError> {
        let now = Utc::now();
        let mut allowance = HashMap::with_capacity(names.len());
        for host in names {
            let allowed = match health.get(&host) {
                // Opened by another worker since our claim.
                Some(h) if h.open(now) => 0,
                Some(h) if h.half_open(now) => {
                    let until = now + chrono(self.config.lease);
                    usize::from(deliveries::take_probe(&self.data.db, &host, until).await?)
                }
                _ => self.config.per_host_concurrency.max(1),
            };
            allowance.insert(host, allowed);
        }
        Ok(allowance)
    }

    /// Records the round in one transaction: every outcome, the deliveries handed back
    /// (`hold`) and each host's health. Returns the hosts whose breaker this round opened.
    async fn record(
        &self,
        finished: &[Finished],
        hold: &[i64],
        health: &HashMap<String, deliveries::HostHealth>,
    ) -> Result<Vec<deliveries::HostHealth>, FederationError> {
        // Per host: did it answer at least once this round, how often did it fail?
        let mut hosts: HashMap<&str, (bool, u32)> = HashMap::new();
        for f in finished {
            let entry = hosts.entry(f.host.as_str()).or_default();
            match f.verdict {
                HostVerdict::Up => entry.0 = true,
                HostVerdict::Down => entry.1 += 1,
                HostVerdict::Untried => {}
            }
        }
        // Delivered ones together (by status), the others one by one (each its own retry time).
        let mut delivered: HashMap<Option<u16>, Vec<i64>> = HashMap::new();
        for f in finished.iter().filter(|f| f.delivered) {
            delivered.entry(f.status).or_default().push(f.id);
        }
        let tx = self.data.db.begin().await.map_err(DbError::from)?;
        for (status, ids) in delivered {
            deliveries::finish_many(&tx, &ids, true, None, status, None).await?;
        }
        for f in finished.iter().filter(|f| !f.delivered) {
            deliveries::finish(&tx, f.id, false, f.next, f.status, f.error.as_deref()).await?;
        }
        deliveries::release(&tx, hold).await?;
        // One line per failing host and round in the console's recent errors (a host that
        // is down fails every delivery of the round; one line says so).
        let mut failing: HashMap<&str, (&Finished, usize)> = HashMap::new();
        for f in finished.iter().filter(|f| !f.delivered) {
            failing.entry(f.host.as_str()).or_insert((f, 0)).1 += 1;
        }
        for (host, (first, count)) in failing {
            let what = first.error.as_deref().unwrap_or("failed");
            let then = if first.next.is_some() {
                "will retry"
            } else {
                "given up"
            };
            let reason = if count > 1 {
                format!("{count} deliveries failed ({what}; {then})")
            } else {
                format!("delivery failed ({what}; {then})")
            };
            crate::peer_errors::record(&tx, host, "delivery", &reason).await;
        }
        let mut opened = Vec::new();
        for (host, (answered, failures)) in hosts {
            let known = health.get(host);
            if answered {
                // A host with no failure on record needs no write.
                if known.is_some_and(|h| h.fail_streak > 0 || h.open_until.is_some()) {
                    deliveries::record_host_success(&tx, host).await?;
                }
            } else if failures > 0 {
                let policy = self.config.breaker();
                let h = deliveries::record_host_failures(&tx, host, failures, policy).await?;
                if h.open(Utc::now()) && known.is_none_or(|k| k.open_until.is_none()) {
                    opened.push(h);
                }
            }
        }
        tx.commit().await.map_err(DbError::from)?;
        Ok(opened)
    }

    /// Counts the round's outcomes for `/metrics`.
    fn count(&self, finished: &[Finished], released: usize) {
        for f in finished {
            let outcome = match (f.delivered, f.next) {
                (true, _) => "done",
                (false, Some(_)) => "retry",
                (false, None) => "dead",
            };
            let status = match f.status {
                None => "none",
                Some(s) if s < 300 => "2xx",
                Some(s) if s < 400 => "3xx",
                Some(s) if s < 500 => "4xx",
                Some(_) => "5xx",
            };
            self.data.metrics.inc(
                "coopnet_deliveries_total",
                &[("outcome", outcome), ("status", status)],
            );
        }
        if released > 0 {
            self.data.metrics.add(
                "coopnet_deliveries_total",
                &[("outcome", "released"), ("status", "none")],
                released as u64,
            );
        }
    }
}

/// Sends `d` and says what to record.
async fn send(
    data: FedData,
    config: DeliveryConfig,
    cache: SignerCache,
    d: ClaimedDelivery,
) -> Finished {
    let sent_at = std::time::Instant::now();
    let a = attempt(&data, &cache, &d).await;
    let label = match a.outcome {
        Outcome::Delivered => "done",
        Outcome::Retry { .. } => "retry",
        Outcome::Dead => "dead",
    };
    data.metrics.observe(
        "coopnet_delivery_attempt_duration_seconds",
        &[("outcome", label)],
        sent_at.elapsed().as_secs_f64(),
    );
    let next = match a.outcome {
        Outcome::Delivered | Outcome::Dead => None,
        Outcome::Retry { after } => {
            config.next_attempt(d.attempts, after, d.created_at, Utc::now())
        }
    };
    tracing::debug!(inbox = %d.inbox, activity = %d.activity.ap_id, outcome = ?a.outcome, status = ?a.status, "delivery attempt");
    Finished {
        id: d.id,
        host: d.host,
        verdict: a.host,
        delivered: a.outcome == Outcome::Delivered,
        next,
        status: a.status,
        error: a.error,
    }
}

impl Queue for Deliveries {
    type Row = ClaimedDelivery;
    type Round = Round;
    const NAME: &'static str = "delivery";

    async fn next_due(&self) -> Result<Option<DateTime<Utc>>, DbError> {
        deliveries::next_due(&self.data.db).await
    }

    async fn claim(&self) -> Result<Vec<ClaimedDelivery>, FederationError> {
        Ok(deliveries::claim(&self.data.db, self.config.batch, chrono(self.config.lease)).await?)
    }

    /// Sends what the per-host limits and breakers allow, then records every outcome, hands
    /// the rest back and updates the hosts' health in one transaction (one commit per round,
    /// not per delivery). Once `stop` is true, deliveries not yet started are handed back
    /// instead of sent (the ones in flight finish).
    ///
    /// A crash before that commit loses the round's records, not its deliveries: the rows
    /// stay leased and are sent again when the lease expires (at-least-once, at most one
    /// batch).
    async fn work(
        &self,
        mut batch: Vec<ClaimedDelivery>,
        stop: &watch::Receiver<bool>,
    ) -> Result<Round, FederationError> {
        let started = std::time::Instant::now();
        let claimed = batch.len();
        let mut names: Vec<String> = batch.iter().map(|d| d.host.clone()).collect();
        names.sort_unstable();
        names.dedup();
        let health: HashMap<String, deliveries::HostHealth> =
            deliveries::hosts(&self.data.db, &names)
                .await?
                .into_iter()
                .map(|h| (h.host.clone(), h))
                .collect();
        let mut allowance = self.allowances(names, &health).await?;
        // Over a host's limit: kept leased until the round ends, so that no other worker
        // sends them meanwhile, then handed back, due as before.
        let mut hold = Vec::new();
        batch.retain(|d| match allowance.get_mut(&d.host) {
            Some(left) if *left > 0 => {
                *left -= 1;
                true
            }
            _ => {
                hold.push(d.id);
                false
            }
        });
        let (finished, unsent) = queue::run_each(
            batch,
            self.config.concurrency,
            stop,
            |d| d.id,
            |d| {
                send(
                    self.data.clone(),
                    self.config.clone(),
                    self.cache.clone(),
                    d,
                )
            },
        )
        .await;
        hold.extend(unsent);
        let round = Round {
            claimed,
            sent: finished.len(),
            released: hold.len(),
        };
        let opened = self.record(&finished, &hold, &health).await?;
        self.count(&finished, hold.len());
        tracing::debug!(claimed = round.claimed, sent = round.sent, released = round.released, elapsed = ?started.elapsed(), "delivery round");
        for h in opened {
            tracing::warn!(host = %h.host, failures = h.fail_streak, until = ?h.open_until, "circuit breaker opened: deliveries to the host wait");
        }
        Ok(round)
    }

    fn progress(round: &Round) -> Progress {
        Progress::new(round.claimed, round.sent)
    }

    async fn housekeeping(&self) -> Result<(), FederationError> {
        housekeeping(&self.data, &self.config).await
    }
}

/// One round of the delivery queue (see the shared [`queue::run_once`]).
pub async fn run_once(
    data: &FedData,
    config: &DeliveryConfig,
    stop: &watch::Receiver<bool>,
) -> Result<Round, FederationError> {
    queue::run_once(&Deliveries::new(data, config), stop).await
}

/// Prunes old rows (see [`DeliveryConfig`] for the retention times, and
/// `directory_changes::RETENTION` for the directory's change log).
pub async fn housekeeping(data: &FedData, config: &DeliveryConfig) -> Result<(), FederationError> {
    let now = Utc::now();
    let cutoffs = Cutoffs {
        done_before: now - chrono(config.done_retention),
        dead_before: now - chrono(config.dead_retention),
        expire_before: now - chrono(config.max_age),
        activities_before: now - chrono(config.activity_retention),
    };
    let pruned = deliveries::housekeeping(&data.db, cutoffs).await?;
    let received = received::prune(&data.db, now - chrono(config.received_retention)).await?;
    // The directory's change log: every reader has read rows this old long ago (a reader
    // that paused longer rebuilds by a full diff: `directory_changes::MAX_GAP`).
    let changes = directory_changes::prune(
        &data.db,
        (now - chrono(directory_changes::RETENTION)).timestamp(),
    )
    .await?;
    tracing::debug!(?pruned, received, changes, "delivery housekeeping");
    Ok(())
}

/// Runs the delivery worker until `stop` turns true (or its sender is dropped): the round
/// in flight finishes, and deliveries it claimed but had not started are handed back, due at
/// once. Housekeeping runs at start, then every `housekeeping_interval`.
pub fn spawn(
    data: FedData,
    config: DeliveryConfig,
    stop: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, FederationError> {
    let pace = Pace {
        idle_poll: config.idle_poll,
        housekeeping_interval: config.housekeeping_interval,
        housekeeping_at_start: true,
    };
    let wake = data.wake.clone();
    Ok(queue::spawn(
        Deliveries::new(&data, &config),
        pace,
        wake,
        stop,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified_like_mastodon() {
        assert_eq!(classify(Some(202), None), Outcome::Delivered);
        for retried in [401, 408, 429, 500, 502, 503, 301] {
            assert!(
                matches!(classify(Some(retried), None), Outcome::Retry { .. }),
                "{retried}"
            );
        }
        for dead in [400, 403, 404, 410, 413, 422, 501] {
            assert_eq!(classify(Some(dead), None), Outcome::Dead, "{dead}");
        }
        assert!(matches!(classify(None, None), Outcome::Retry { .. }));
        let after = Some(Duration::from_secs(120));
        assert_eq!(classify(Some(429), after), Outcome::Retry { after });
    }

    #[test]
    fn hosts_are_down_without_an_answer_or_when_overloaded() {
        for down in [None, Some(500), Some(503), Some(408), Some(429)] {
            assert_eq!(verdict(down), HostVerdict::Down, "{down:?}");
        }
        for up in [202, 301, 401, 404, 410] {
            assert_eq!(verdict(Some(up)), HostVerdict::Up, "{up}");
        }
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_a_date() {
        let now = DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
            .expect("a date")
            .with_timezone(&Utc);
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Thu, 26 Nov 2026 12:10:00 GMT", now),
            Some(Duration::from_secs(600))
        );
        assert_eq!(
            parse_retry_after("Thu, 26 Nov 2026 11:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let config = DeliveryConfig::default();
        let now = Utc::now();
        let at = |after: u64| {
            let next = config
                .next_attempt(0, Some(Duration::from_secs(after)), now, now)
                .expect("a retry");
            (next - now).num_seconds()
        };
        // The first backoff is a minute (±10 %); a longer Retry-After wins...
        assert!((54..=66).contains(&at(0)), "{}", at(0));
        assert!(at(3600) >= 3600);
        // ...up to a day.
        assert_eq!(at(30 * 86400), 86400);
        // The backoff grows with attempts and its last value repeats.
        let late = config.next_attempt(50, None, now, now).expect("a retry");
        assert!((late - now).num_seconds() >= 77_760);
        // Past the delivery's maximum age there is no next attempt.
        let old = now - chrono::Duration::days(3);
        assert_eq!(config.next_attempt(3, None, old, now), None);
    }
}
