//! The persistent job table (backfill and resync of peer networks) and forgetting a peer:
//! an accepted follow's backfill runs as a job; a failing job is retried with backoff; a
//! job leased by a worker that died is claimed again once the lease expires; unfollowing
//! or blocking a peer records each cached member's departure and empties the search index
//! of them. Runs on both backends.
use std::time::Duration;

use chrono::Utc;
use coopnet_app::exchange::{self, ImportMode};
use coopnet_app::{federation, queue};
use coopnet_core::FollowState;
use coopnet_db::ConnectionTrait;
use coopnet_db::repo::jobs;
use coopnet_db::repo::search::membership_events;
use coopnet_federation::jobs::JobConfig;
use coopnet_tests::{TestInstance, eventually, fast_delivery};
use sea_orm::Statement;

const WAIT: Duration = Duration::from_secs(30);

async fn spawn(name: &str) -> TestInstance {
    let name = name.to_owned();
    TestInstance::spawn_with(move |s| {
        s.network.username = name.to_lowercase();
        s.network.name = name;
    })
    .await
    .unwrap()
}

async fn import(i: &TestInstance, dataset: &str, skip: usize, count: usize) {
    let records: Vec<_> = exchange::parse_json(dataset)
        .unwrap()
        .into_iter()
        .skip(skip)
        .take(count)
        .collect();
    exchange::import(&i.ctx, &records, ImportMode::Insert)
        .await
        .unwrap();
}

/// `from`'s network follows `to`'s; waits until the follow is accepted.
async fn follow(from: &TestInstance, to: &TestInstance) {
    federation::follow(&from.ctx, &to.url("/network"))
        .await
        .unwrap();
    let network = to.url("/network");
    eventually(WAIT, "the follow accepted", || async {
        federation::following(&from.ctx)
            .await
            .unwrap()
            .into_iter()
            .any(|f| f.actor_id.as_str() == network && f.state == FollowState::Accepted)
            .then_some(())
    })
    .await;
}

async fn count(i: &TestInstance, sql: &str) -> i64 {
    let db = &i.ctx.db;
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}

/// Remote co-ops of `home` cached by `on`: (co-op rows, search rows).
async fn cached(on: &TestInstance, home: &TestInstance) -> (i64, i64) {
    let prefix = format!("{}/%", home.base_url);
    let coops = count(
        on,
        &format!("SELECT COUNT(*) AS n FROM coop WHERE actor_id LIKE '{prefix}'"),
    )
    .await;
    let indexed = count(
        on,
        &format!(
            "SELECT COUNT(*) AS n FROM coop_search s JOIN coop c ON c.id = s.coop_id \
             WHERE c.actor_id LIKE '{prefix}'"
        ),
    )
    .await;
    (coops, indexed)
}

/// Departures `on` recorded for co-ops of `home`.
async fn departures(on: &TestInstance, home: &TestInstance) -> Vec<String> {
    let prefix = format!("{}/", home.base_url);
    membership_events(&on.ctx.db, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| !e.joined && e.url.as_deref().is_some_and(|u| u.starts_with(&prefix)))
        .map(|e| e.slug)
        .collect()
}

async fn wait_for_cached(on: &TestInstance, home: &TestInstance, n: i64, what: &str) {
    let started = std::time::Instant::now();
    eventually(WAIT, what, || async {
        let got = cached(on, home).await;
        if started.elapsed() > Duration::from_secs(25) {
            let status = queue::status(&on.ctx).await.unwrap();
            let peers = federation::peers(&on.ctx).await.unwrap();
            eprintln!(
                "DEBUG {got:?} {status:?} {:?}",
                peers
                    .iter()
                    .map(|p| (&p.network.domain, p.following, p.members, &p.sync))
                    .collect::<Vec<_>>()
            );
        }
        (got == (n, n)).then_some(())
    })
    .await;
}

/// Backfills run as jobs (visible in the queue status and metrics); unfollowing one peer
/// and blocking another record every cached member as having left and drop them from the
/// search index, in the same transaction as the rest of the forgetting.
#[tokio::test]
async fn backfill_runs_as_a_job_and_forgetting_a_peer_records_departures() {
    let a = spawn("Alpha").await;
    let b = spawn("Beta").await;
    let c = spawn("Gamma").await;
    import(&a, coopnet_app::demo::COTECH_UK, 0, 3).await;
    import(&c, coopnet_app::demo::DE, 0, 2).await;
    follow(&b, &a).await;
    follow(&b, &c).await;
    wait_for_cached(&b, &a, 3, "B's backfill of A").await;
    wait_for_cached(&b, &c, 2, "B's backfill of C").await;

    let done = eventually(WAIT, "both backfill jobs recorded done", || async {
        let status = queue::status(&b.ctx).await.unwrap();
        (status.jobs.done == 2).then_some(status)
    })
    .await;
    assert_eq!(done.jobs.pending + done.jobs.leased + done.jobs.dead, 0);
    assert!(
        done.unfinished_jobs.is_empty(),
        "{:?}",
        done.unfinished_jobs
    );
    let metrics = b.metrics().await;
    assert!(
        metrics.contains("coopnet_jobs{state=\"done\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("coopnet_jobs_total{kind=\"backfill\",outcome=\"done\"} 2"),
        "{metrics}"
    );
    assert!(departures(&b, &a).await.is_empty());

    // Unfollow: A's three members leave B's directory, each with a departure.
    federation::unfollow(&b.ctx, &a.ctx.settings.domain)
        .await
        .unwrap();
    assert_eq!(
        cached(&b, &a).await,
        (0, 0),
        "A's co-ops and index rows gone"
    );
    let mut left = departures(&b, &a).await;
    left.sort();
    assert_eq!(left.len(), 3, "{left:?}");
    left.dedup();
    assert_eq!(left.len(), 3, "one departure each: {left:?}");

    // Block: the same for C.
    federation::block(&b.ctx, &c.ctx.settings.domain, "test")
        .await
        .unwrap();
    assert_eq!(
        cached(&b, &c).await,
        (0, 0),
        "C's co-ops and index rows gone"
    );
    assert_eq!(departures(&b, &c).await.len(), 2);
    assert_eq!(departures(&b, &a).await.len(), 3, "no second departure");

    // The Atom members feed shows the departures.
    let feed = crate::get_text(&b.url("/feeds/members.atom")).await;
    assert!(feed.matches(" left ").count() >= 5, "{feed}");
    // Named by their own host, not as this instance's network.
    let by_host = format!("left the network at {}", c.ctx.settings.domain);
    assert!(feed.contains(&by_host), "{feed}");
    assert!(
        !feed.contains(&format!("left {}", b.ctx.network.name)),
        "a peer's departures are not ours: {feed}"
    );
}

/// A resync of a peer that stopped answering fails and is retried with backoff; the
/// failure is visible in the queue status and the metrics.
#[tokio::test]
async fn a_failing_job_is_retried() {
    let a = spawn("Alpha").await;
    let b = spawn("Beta").await;
    import(&a, coopnet_app::demo::COTECH_UK, 0, 2).await;
    follow(&b, &a).await;
    wait_for_cached(&b, &a, 2, "B's backfill of A").await;
    let a_prefix = format!("{}/", a.base_url);
    drop(a);
    // Let A's listener close.
    tokio::time::sleep(Duration::from_millis(300)).await;

    assert_eq!(federation::enqueue_resyncs(&b.ctx).await.unwrap(), 1);
    let job = eventually(WAIT, "the resync failing twice", || async {
        queue::status(&b.ctx)
            .await
            .unwrap()
            .unfinished_jobs
            .into_iter()
            .find(|j| j.kind == "resync" && j.attempts >= 2)
    })
    .await;
    assert!(
        job.state == "pending" || job.state == "leased",
        "retried, not given up: {job:?}"
    );
    assert!(job.last_error.is_some(), "{job:?}");
    let retries = b.ctx.fed().metrics.counter(
        "coopnet_jobs_total",
        &[("kind", "resync"), ("outcome", "retry")],
    );
    assert!(retries >= 2, "{retries}");
    // The members cached before stay until a resync succeeds.
    let kept = count(
        &b,
        &format!("SELECT COUNT(*) AS n FROM coop WHERE actor_id LIKE '{a_prefix}%'"),
    )
    .await;
    assert_eq!(kept, 2);
}

/// Claims are leases: a job claimed by a worker that then died is not claimed again while
/// the lease runs, is claimed once it expires, and a fresh worker runs it to the end.
#[tokio::test]
async fn an_expired_lease_is_claimed_again() {
    let (ctx, _db) = crate::context().await;
    let payload = r#"{"actor":"http://localhost:9/network"}"#;
    let id = jobs::enqueue(&ctx.db, "backfill", payload, Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        jobs::enqueue(&ctx.db, "backfill", payload, Utc::now())
            .await
            .unwrap(),
        None,
        "the same job is not queued twice"
    );

    // The first worker claims it with a short lease and dies (never finishes it).
    let lease = chrono::Duration::seconds(1);
    let claimed = jobs::claim(&ctx.db, 10, lease).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].id, id);
    assert!(
        jobs::claim(&ctx.db, 10, lease).await.unwrap().is_empty(),
        "held while the lease runs"
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let again = jobs::claim(&ctx.db, 10, lease).await.unwrap();
    assert_eq!(again.len(), 1, "claimed again after the lease expired");
    assert_eq!(again[0].id, id);
    assert_eq!(
        again[0].attempts, 0,
        "an interrupted run is not a failed attempt"
    );

    // That claimer dies too; a worker started now runs it once the lease has passed. (The
    // network is not followed, so the backfill ends at once as skipped.)
    let started = std::time::Instant::now();
    let (_stop, stop) = tokio::sync::watch::channel(false);
    ctx.spawn_workers(
        fast_delivery(),
        JobConfig {
            idle_poll: Duration::from_millis(100),
            ..JobConfig::default()
        },
        stop,
    )
    .unwrap();
    eventually(WAIT, "the job done by the new worker", || async {
        (jobs::counts(&ctx.db).await.unwrap().done == 1).then_some(())
    })
    .await;
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "not before the lease expired: {:?}",
        started.elapsed()
    );
    let status = queue::status(&ctx).await.unwrap();
    assert_eq!(status.jobs.done, 1);
    assert!(status.unfinished_jobs.is_empty());
}

/// A job that keeps failing is given up after its last attempt (dead), and stays visible.
#[tokio::test]
async fn a_job_is_given_up_after_its_last_attempt() {
    let (ctx, _db) = crate::context().await;
    let payload = r#"{"actor":"http://localhost:9/network"}"#;
    let id = jobs::enqueue(&ctx.db, "mystery", payload, Utc::now())
        .await
        .unwrap()
        .unwrap();
    let (_stop, stop) = tokio::sync::watch::channel(false);
    let config = JobConfig {
        backoff: vec![Duration::from_millis(50)],
        max_attempts: 3,
        ..JobConfig::default()
    };
    for _ in 0..3 {
        eventually(WAIT, "the job due", || async {
            let round = coopnet_federation::jobs::run_once(&ctx.federation, &config, &stop)
                .await
                .unwrap();
            (round.claimed == 1).then_some(())
        })
        .await;
    }
    let status = queue::status(&ctx).await.unwrap();
    assert_eq!(status.jobs.dead, 1, "{status:?}");
    let job = &status.unfinished_jobs[0];
    assert_eq!((job.id, job.state, job.attempts), (id, "dead", 3));
    assert!(
        job.last_error
            .as_deref()
            .is_some_and(|e| e.contains("unknown job kind")),
        "{job:?}"
    );
}
