//! Claims due deliveries, signs and sends them, and records the outcome.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use coopnet_db::repo::coops;
use coopnet_db::repo::deliveries::{self, ClaimedDelivery};
use coopnet_db::repo::followers::Target;
use rand::Rng;
use tokio::sync::{Mutex, watch};
use tokio::task::JoinSet;
use url::Url;

use super::signer::{CONTENT_TYPE, Signer, http_date_now};
use crate::urls::Urls;
use crate::{FedData, FederationError, keys};

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Deliveries claimed per round.
    pub batch: u64,
    /// Deliveries in flight at once.
    pub concurrency: usize,
    /// How long a claim lasts before another worker may take the row (crash safety).
    pub lease: Duration,
    /// Wait before each retry, by attempt; the last value repeats.
    pub backoff: Vec<Duration>,
    /// Give up on a delivery this long after it was queued.
    pub max_age: Duration,
    /// Longest sleep when idle (enqueuers also wake the worker directly).
    pub idle_poll: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        let m = |n: u64| Duration::from_secs(60 * n);
        Self {
            batch: 64,
            concurrency: 16,
            lease: m(5),
            // About three days in all, like Mastodon's 16 retries.
            backoff: vec![m(1), m(5), m(30), m(120), m(360), m(720), m(1440)],
            max_age: m(3 * 1440),
            idle_poll: Duration::from_secs(5),
        }
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

/// Sends one delivery; returns the outcome, the status and an error text.
async fn attempt(
    data: &FedData,
    http: &reqwest::Client,
    cache: &SignerCache,
    d: &ClaimedDelivery,
) -> (Outcome, Option<u16>, Option<String>) {
    let inbox = match Url::parse(&d.inbox) {
        Ok(u) if u.scheme() == "https" || (data.dev_mode && u.scheme() == "http") => u,
        _ => {
            return (
                Outcome::Dead,
                None,
                Some(format!("refused inbox URL {}", d.inbox)),
            );
        }
    };
    let signer = match signer_for(data, cache, d.activity.actor).await {
        Ok(s) => s,
        Err(e) => {
            return (
                Outcome::Retry { after: None },
                None,
                Some(format!("signing key: {e}")),
            );
        }
    };
    let body = d.activity.body.clone().into_bytes();
    let headers = signer.sign_post(&inbox, &body, &http_date_now());
    let result = http
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
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let outcome = classify(Some(status), retry_after);
            let error = (outcome != Outcome::Delivered).then(|| format!("HTTP {status}"));
            (outcome, Some(status), error)
        }
        Err(e) => (classify(None, None), None, Some(e.to_string())),
    }
}

fn jittered(d: Duration) -> Duration {
    let factor = rand::rng().random_range(0.9..1.1);
    d.mul_f64(factor)
}

/// Claims one batch, sends it and records every outcome; returns how many were handled.
pub async fn run_once(
    data: &FedData,
    http: &reqwest::Client,
    config: &DeliveryConfig,
    cache: &SignerCache,
) -> Result<usize, FederationError> {
    let lease = chrono::Duration::from_std(config.lease)
        .map_err(|e| FederationError::Internal(e.to_string()))?;
    let batch = deliveries::claim(&data.db, config.batch, lease).await?;
    let count = batch.len();
    let mut tasks = JoinSet::new();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(config.concurrency.max(1)));
    for d in batch {
        let (data, http, cache, config, semaphore) = (
            data.clone(),
            http.clone(),
            cache.clone(),
            config.clone(),
            semaphore.clone(),
        );
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let (outcome, status, error) = attempt(&data, &http, &cache, &d).await;
            let next = match outcome {
                Outcome::Delivered | Outcome::Dead => None,
                Outcome::Retry { after } => {
                    let index = usize::try_from(d.attempts).unwrap_or(0).min(config.backoff.len().saturating_sub(1));
                    let base = config.backoff.get(index).copied().unwrap_or(Duration::from_secs(60));
                    let wait = jittered(base).max(after.unwrap_or_default());
                    let next = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                    let deadline = d.created_at + chrono::Duration::from_std(config.max_age).unwrap_or_default();
                    (next < deadline).then_some(next)
                }
            };
            let delivered = outcome == Outcome::Delivered;
            tracing::debug!(inbox = %d.inbox, activity = %d.activity.ap_id, ?outcome, ?status, "delivery attempt");
            if let Err(e) = deliveries::finish(&data.db, d.id, delivered, next, status, error.as_deref()).await {
                // The lease will expire and the row be retried: at-least-once.
                tracing::error!(error = %e, "recording a delivery outcome failed");
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    Ok(count)
}

/// Runs the worker until `stop` turns true.
pub fn spawn(
    data: FedData,
    config: DeliveryConfig,
    user_agent: &str,
    mut stop: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, FederationError> {
    let http = reqwest::Client::builder()
        .user_agent(user_agent)
        .timeout(crate::state::REQUEST_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        // A redirected POST would lose its signature's request-target: never follow.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| FederationError::Internal(e.to_string()))?;
    let cache: SignerCache = Arc::default();
    Ok(tokio::spawn(async move {
        loop {
            if *stop.borrow() {
                break;
            }
            let handled = match run_once(&data, &http, &config, &cache).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "delivery round failed");
                    0
                }
            };
            if handled > 0 {
                continue;
            }
            let sleep = match deliveries::next_due(&data.db).await {
                Ok(Some(due)) => (due - Utc::now())
                    .to_std()
                    .unwrap_or_default()
                    .min(config.idle_poll),
                _ => config.idle_poll,
            };
            tokio::select! {
                () = data.wake.notified() => {}
                () = tokio::time::sleep(sleep) => {}
                _ = stop.changed() => {}
            }
        }
    }))
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
}
