//! The worker side of every leased queue (deliveries, jobs, and the mail outbox to come):
//! the loop that runs rounds, the wake-up rung by enqueuers, and the pieces a round shares.
//!
//! Storage is `coopnet_db::repo::queue` (claim with a lease, renew, release, finish, prune).
//! A queue plugs in by implementing [`Queue`]: how to see the next due row, claim a batch,
//! work a batch and keep its table tidy. [`spawn`] then runs it until told to stop:
//!
//! - a round ([`run_once`]) first reads when the next row is due and claims only if one is:
//!   on SQLite even an UPDATE that matches no row takes the database's write lock, which makes
//!   other connections' read-then-write transactions fail with `SQLITE_BUSY`, so an idle
//!   queue is only read;
//! - after a round that worked on something the next starts at once; otherwise the worker
//!   sleeps until the next row is due, at most `idle_poll`, or until its [`Wake`] is rung;
//! - housekeeping runs between rounds, at most every `housekeeping_interval`;
//! - once `stop` turns true, rows claimed but not started are handed back ([`run_each`]), the
//!   ones in flight finish, and the loop ends.
//!
//! Enqueuers write their rows in the transaction of the change that caused them and commit it
//! through [`commit_and_wake`], which rings the worker's [`Wake`] once the rows are visible.
//! Commits of other processes on the same database ring it too: the app listens for them
//! (`coopnet_db::signals`: PostgreSQL `LISTEN/NOTIFY`, SQLite `data_version`), so a row
//! enqueued by the CLI is picked up at once, not at the next idle poll.
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use coopnet_db::{DatabaseTransaction, DbError};
use rand::Rng;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use crate::FederationError;

/// A worker's doorbell: rung by [`commit_and_wake`] after rows for it were committed.
#[derive(Debug, Clone, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    /// Waits for the next ring. A ring while nobody waits is kept for the next wait, so a
    /// commit made while the worker is busy is not missed.
    pub async fn rung(&self) {
        self.0.notified().await;
    }

    /// Rings it: after a commit of this process ([`commit_and_wake`]), or when another
    /// process signalled a commit (`coopnet_db::signals`, wired up by the app).
    pub fn ring(&self) {
        self.0.notify_one();
    }
}

/// Commits `txn`, then rings each of `wakes` (the workers of the queues it wrote to). The one
/// way enqueuers commit: a worker woken before the commit would find nothing, and one not
/// woken would wait for its next poll.
pub async fn commit_and_wake<'a>(
    txn: DatabaseTransaction,
    wakes: impl IntoIterator<Item = &'a Wake>,
) -> Result<(), DbError> {
    txn.commit().await?;
    for wake in wakes {
        wake.ring();
    }
    Ok(())
}

/// How a worker paces itself between rounds.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Longest sleep when idle (enqueuers also ring the [`Wake`]).
    pub idle_poll: Duration,
    /// Least time between two housekeeping passes.
    pub housekeeping_interval: Duration,
    /// Whether the first housekeeping pass runs at start (else after one interval).
    pub housekeeping_at_start: bool,
}

/// What a round did, as the loop sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Rows claimed.
    pub claimed: usize,
    /// Rows worked on (the rest were handed back).
    pub worked: usize,
}

impl Progress {
    /// `claimed` rows, of which `worked` were worked on.
    pub fn new(claimed: usize, worked: usize) -> Self {
        Self { claimed, worked }
    }
}

/// One queue's specifics, plugged into the shared loop.
pub trait Queue: Send + Sync + 'static {
    /// A claimed row.
    type Row: Send + 'static;
    /// What a round reports.
    type Round: Default + Send;
    /// The queue's name in logs (`delivery`, `job`).
    const NAME: &'static str;

    /// When the next row becomes claimable, if any.
    fn next_due(&self) -> impl Future<Output = Result<Option<DateTime<Utc>>, DbError>> + Send;

    /// Claims a batch of due rows.
    fn claim(&self) -> impl Future<Output = Result<Vec<Self::Row>, FederationError>> + Send;

    /// Works on a claimed (non-empty) batch and records the outcomes; rows not started once
    /// `stop` is true are handed back.
    fn work(
        &self,
        rows: Vec<Self::Row>,
        stop: &watch::Receiver<bool>,
    ) -> impl Future<Output = Result<Self::Round, FederationError>> + Send;

    /// What the loop needs to know of a round.
    fn progress(round: &Self::Round) -> Progress;

    /// Deletes old rows (and whatever else the queue keeps tidy).
    fn housekeeping(&self) -> impl Future<Output = Result<(), FederationError>> + Send;
}

/// One round: claims a batch if anything is due (read before writing, see the module docs)
/// and works on it.
pub async fn run_once<Q: Queue>(
    queue: &Q,
    stop: &watch::Receiver<bool>,
) -> Result<Q::Round, FederationError> {
    if queue.next_due().await?.is_none_or(|due| due > Utc::now()) {
        return Ok(Q::Round::default());
    }
    let rows = queue.claim().await?;
    if rows.is_empty() {
        return Ok(Q::Round::default());
    }
    queue.work(rows, stop).await
}

/// Runs `queue` until `stop` turns true (or its sender is dropped); `wake` cuts an idle
/// sleep short.
pub fn spawn<Q: Queue>(
    queue: Q,
    pace: Pace,
    wake: Wake,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last_housekeeping = (!pace.housekeeping_at_start).then(tokio::time::Instant::now);
        loop {
            if *stop.borrow() {
                break;
            }
            if last_housekeeping.is_none_or(|t| t.elapsed() >= pace.housekeeping_interval) {
                last_housekeeping = Some(tokio::time::Instant::now());
                if let Err(e) = queue.housekeeping().await {
                    tracing::error!(error = %e, "{} housekeeping failed", Q::NAME);
                }
            }
            let progress = match run_once(&queue, &stop).await {
                Ok(round) => Q::progress(&round),
                Err(e) => {
                    tracing::error!(error = %e, "{} round failed", Q::NAME);
                    Progress::default()
                }
            };
            if *stop.borrow() {
                break;
            }
            if progress.worked > 0 {
                continue;
            }
            let until_due = match queue.next_due().await {
                Ok(Some(due)) => (due - Utc::now())
                    .to_std()
                    .unwrap_or_default()
                    .min(pace.idle_poll),
                _ => pace.idle_poll,
            };
            // Something due that this round could not work on (another worker holds it, or
            // every row claimed was handed back, as when a probe raced another worker's):
            // don't spin.
            let floor = if progress.claimed > 0 { 50 } else { 20 };
            let sleep = until_due.max(Duration::from_millis(floor).min(pace.idle_poll));
            tokio::select! {
                () = wake.rung() => {}
                () = tokio::time::sleep(sleep) => {}
                changed = stop.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
    })
}

/// Runs `work` on each of `rows`, at most `concurrency` at once. Once `stop` is true, rows
/// not yet started are not worked on: their ids (by `id`) come back in the second list, to
/// be handed back. A task that panics is logged; its row stays leased and is claimed again
/// when the lease expires.
pub async fn run_each<R, O, Fut>(
    rows: Vec<R>,
    concurrency: usize,
    stop: &watch::Receiver<bool>,
    id: impl Fn(&R) -> i64,
    work: impl Fn(R) -> Fut,
) -> (Vec<O>, Vec<i64>)
where
    R: Send + 'static,
    O: Send + 'static,
    Fut: Future<Output = O> + Send + 'static,
{
    let semaphore = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for row in rows {
        let (row_id, semaphore, stop) = (id(&row), semaphore.clone(), stop.clone());
        let work = work(row);
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            if *stop.borrow() {
                return Err(row_id);
            }
            Ok(work.await)
        });
    }
    let (mut done, mut unstarted) = (Vec::new(), Vec::new());
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(out)) => done.push(out),
            Ok(Err(id)) => unstarted.push(id),
            Err(e) => tracing::error!(error = %e, "queue task failed"),
        }
    }
    (done, unstarted)
}

/// Runs `work` while renewing its row's lease every `every` through `renew` (true: still
/// ours). A lost or failed renewal is logged, not fatal: the work goes on, and at worst
/// another worker runs the row too (at-least-once).
pub async fn renewing_lease<T, RenewFut>(
    work: impl Future<Output = T>,
    row: i64,
    every: Duration,
    renew: impl Fn() -> RenewFut,
) -> T
where
    RenewFut: Future<Output = Result<bool, DbError>>,
{
    tokio::pin!(work);
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tokio::select! {
            result = &mut work => break result,
            _ = tick.tick() => match renew().await {
                Ok(true) => {}
                Ok(false) => tracing::warn!(row, "lease lost; another worker may run it too"),
                Err(e) => tracing::warn!(row, error = %e, "lease not renewed"),
            },
        }
    }
}

/// The wait before retrying after attempt number `attempts` (0 for the first) failed: that
/// step of `steps`, the last one repeating (a minute if there are none), ±10 % jitter so that
/// rows failed together are not retried together.
pub fn backoff(steps: &[Duration], attempts: i32) -> Duration {
    let index = usize::try_from(attempts)
        .unwrap_or(0)
        .min(steps.len().saturating_sub(1));
    let base = steps.get(index).copied().unwrap_or(Duration::from_secs(60));
    base.mul_f64(rand::rng().random_range(0.9..1.1))
}

/// A std duration as chrono's, saturating (configured waits are far below the bound).
pub(crate) fn chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}
