//! Fault tests of the delivery queue with real `coopnet serve` processes: `kill -9` in the
//! middle of a backlog, a graceful stop, a receiver outage and a dead host (circuit
//! breaker), and two processes draining one PostgreSQL queue.
//!
//! Receivers are axum stubs in this process on loopback ports named `localhost:PORT`: every
//! POST gets 202 and its activity id is counted per inbox, so lost and duplicated deliveries
//! both show. Deliveries are enqueued straight into the sender's database (one activity per
//! delivery), as the transactional outbox would. Each test has its own [`TestDb`] (SQLite,
//! or PostgreSQL with `TEST_DATABASE_URL=postgres://…`) and short `[delivery]` timings.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use coopnet_app::AppContext;
use coopnet_core::Target;
use coopnet_db::TransactionTrait;
use coopnet_db::repo::deliveries::{self, NewActivity, QueueCounts};
use coopnet_tests::{ServeProcess, TestDb, eventually, fixture_keys, free_port, test_settings};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use tempfile::TempDir;
use url::Url;

const BIN: &str = env!("CARGO_BIN_EXE_coopnet");
/// Longest `serve` may take to answer `/healthz`.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// The claim size every test uses (the bound on what one `kill -9` can leave in flight).
const BATCH: u64 = 64;
/// Lease of a claim: the shortest allowed, so a killed worker's rows come back quickly.
const LEASE_SECS: u64 = 15;

type Seen = Arc<Mutex<HashMap<(String, String), u32>>>;

/// A stub inbox server: down (its port closed) until [`Receiver::up`].
struct Receiver {
    port: u16,
    delay: Duration,
    seen: Seen,
    task: Option<tokio::task::JoinHandle<()>>,
}

async fn accept(
    State((seen, delay)): State<(Seen, Duration)>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> StatusCode {
    if method != Method::POST {
        return StatusCode::NOT_FOUND;
    }
    let Some(id) = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["id"].as_str().map(str::to_owned))
    else {
        return StatusCode::BAD_REQUEST;
    };
    // Counted on arrival: a sender killed while waiting for the answer has still delivered.
    *seen
        .lock()
        .unwrap()
        .entry((uri.path().to_owned(), id))
        .or_default() += 1;
    tokio::time::sleep(delay).await;
    StatusCode::ACCEPTED
}

impl Receiver {
    /// A receiver on a port of its own that answers each POST after `delay`; down for now.
    fn new(delay: Duration) -> Self {
        Self {
            port: free_port(),
            delay,
            seen: Seen::default(),
            task: None,
        }
    }

    fn host(&self) -> String {
        format!("localhost:{}", self.port)
    }

    fn inbox(&self) -> Url {
        Url::parse(&format!("http://{}/inbox", self.host())).unwrap()
    }

    /// Starts listening.
    async fn up(&mut self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .unwrap();
        let app = axum::Router::new()
            .fallback(accept)
            .with_state((self.seen.clone(), self.delay));
        self.task = Some(tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }));
    }

    /// Distinct (inbox, activity id) pairs received.
    fn distinct(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// Receptions beyond the first of each (inbox, activity id).
    fn duplicates(&self) -> u32 {
        self.seen.lock().unwrap().values().map(|n| n - 1).sum()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn distinct(receivers: &[Receiver]) -> usize {
    receivers.iter().map(Receiver::distinct).sum()
}

fn duplicates(receivers: &[Receiver]) -> u32 {
    receivers.iter().map(Receiver::duplicates).sum()
}

/// The sending instance: its database (migrated, with the network's key), a config file,
/// and a context in this process to enqueue and inspect.
struct Sender {
    db: TestDb,
    dir: TempDir,
    config: PathBuf,
    ctx: AppContext,
}

impl Sender {
    /// A fresh instance whose config has `delivery` (TOML keys) as its `[delivery]` section.
    async fn new(delivery: &str) -> Self {
        let db = TestDb::new().await.unwrap();
        let port = free_port();
        let settings = test_settings(&db.url, port);
        let ctx = AppContext::start_with_keys(settings, fixture_keys())
            .await
            .unwrap();
        // The processes find the network's key in the database: none generates one.
        coopnet_federation::keys::for_network(ctx.fed())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("coopnet.toml");
        let text = format!(
            r#"domain = "localhost:{port}"
listen = "127.0.0.1:{port}"
database_url = "{url}"
dev_mode = true

[network]
username = "testnet"
name = "Test Network"
country = "GB"
languages = ["en"]
summary = "A network under test."

[delivery]
batch = {BATCH}
lease_secs = {LEASE_SECS}
idle_poll_ms = 100
{delivery}
"#,
            url = db.url
        );
        std::fs::write(&config, text).unwrap();
        Self {
            db,
            dir,
            config,
            ctx,
        }
    }

    /// Queues `n` distinct activities, one delivery each to `inbox`, in one transaction.
    async fn enqueue(&self, inbox: &Url, n: usize, tag: &str) {
        let actor = self.ctx.fed().urls.network();
        let tx = self.ctx.db.begin().await.unwrap();
        for i in 0..n {
            let id = Url::parse(&format!("{}/test/{tag}/{i}", self.ctx.base_url())).unwrap();
            let body = json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": id,
                "type": "Create",
                "actor": actor,
                "object": {"type": "Note", "content": format!("{tag} {i}")},
            })
            .to_string();
            let activity = NewActivity {
                ap_id: &id,
                actor: Target::Network(self.ctx.network.id),
                kind: "Create",
                body: &body,
            };
            deliveries::enqueue(&tx, activity, std::slice::from_ref(inbox))
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
    }

    /// One integer from `sql` (a `SELECT … AS n`).
    async fn scalar(&self, sql: &str) -> i64 {
        let backend = self.ctx.db.get_database_backend();
        let row = self
            .ctx
            .db
            .query_one_raw(Statement::from_string(backend, sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }

    /// Attempts made so far at deliveries to `host`.
    async fn attempts_to(&self, host: &str) -> i64 {
        self.scalar(&format!(
            "SELECT CAST(COALESCE(SUM(attempts), 0) AS BIGINT) AS n FROM delivery WHERE host = '{host}'"
        ))
        .await
    }

    async fn counts(&self) -> QueueCounts {
        deliveries::counts(&self.ctx.db).await.unwrap()
    }

    /// `coopnet queue status --json`, run as a process.
    async fn queue_status(&self) -> Value {
        let out = tokio::process::Command::new(BIN)
            .env_clear()
            .envs(std::env::vars().filter(|(k, _)| k == "PATH" || k == "HOME"))
            .current_dir(self.dir.path())
            .args(["queue", "status", "--json", "--config"])
            .arg(&self.config)
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "coopnet queue status failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Starts `coopnet serve` on a port of its own (several may share the database).
    async fn serve(&self, name: &str) -> Serve {
        let port = free_port();
        let log = self.dir.path().join(format!("{name}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let child = std::process::Command::new(BIN)
            .env_clear()
            .envs(std::env::vars().filter(|(k, _)| k == "PATH" || k == "HOME"))
            .env("COOPNET_LOG", "warn,coopnet_federation::delivery=debug")
            .current_dir(self.dir.path())
            .args(["serve", "--config"])
            .arg(&self.config)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        let mut serve = Serve(ServeProcess::new(child, port, log));
        serve.wait_healthy(STARTUP_TIMEOUT).await;
        serve
    }
}

/// A `coopnet serve` process (the shared harness), with what these tests read from its log.
struct Serve(ServeProcess);

impl std::ops::Deref for Serve {
    type Target = ServeProcess;
    fn deref(&self) -> &ServeProcess {
        &self.0
    }
}

impl std::ops::DerefMut for Serve {
    fn deref_mut(&mut self) -> &mut ServeProcess {
        &mut self.0
    }
}

impl Serve {
    /// Deliveries this process attempted (from its debug log).
    fn attempts_logged(&self) -> usize {
        self.log().matches("delivery attempt").count()
    }
}

// --- crash ---

#[tokio::test]
async fn deliveries_survive_kill_9_and_each_arrives() {
    let mut receivers: Vec<Receiver> = (0..4)
        .map(|_| Receiver::new(Duration::from_millis(5)))
        .collect();
    let sender = Sender::new(
        "per_host_concurrency = 16\nbackoff_secs = [1, 2]\nmax_age_secs = 3600\n\
         breaker_threshold = 10\nbreaker_open_secs = 1\nbreaker_max_open_secs = 2",
    )
    .await;
    for (i, r) in receivers.iter().enumerate() {
        sender.enqueue(&r.inbox(), 250, &format!("r{i}")).await;
    }
    assert_eq!(sender.counts().await.pending, 1000);

    // 1. The receivers are down: attempts fail. Kill the server without warning.
    let mut first = sender.serve("first").await;
    eventually(Duration::from_secs(20), "failed attempts", || async {
        let n = sender
            .scalar("SELECT COUNT(*) AS n FROM delivery WHERE attempts > 0")
            .await;
        (n >= 8).then_some(())
    })
    .await;
    first.kill9();
    assert_eq!(distinct(&receivers), 0);
    // What the killed worker had claimed stays leased until the lease expires (the second
    // server drains the rest meanwhile).
    let held_first = sender.counts().await.leased;
    assert!(
        held_first <= BATCH,
        "{held_first} leased rows, more than one batch"
    );

    // 2. The receivers come up; a new server drains the backlog and is killed half-way.
    for r in &mut receivers {
        r.up().await;
    }
    let mut second = sender.serve("second").await;
    eventually(
        Duration::from_secs(30),
        "half the backlog at the receivers",
        || async { (distinct(&receivers) >= 400).then_some(()) },
    )
    .await;
    second.kill9();
    // Leased now: the first server's rows (unless their lease ran out and the second server
    // took them) and the second's, at most one batch each.
    let held = sender.counts().await.leased;
    let arrived = distinct(&receivers);
    assert!(arrived < 1000, "the kill came too late to test anything");
    assert!(
        held <= 2 * BATCH,
        "{held} leased rows, more than two batches"
    );

    // 3. A third server sends the rest, and the held rows once their lease has expired.
    let _third = sender.serve("third").await;
    eventually(
        Duration::from_secs(LEASE_SECS + 30),
        "every activity at the receivers",
        || async { (distinct(&receivers) == 1000).then_some(()) },
    )
    .await;
    eventually(
        Duration::from_secs(10),
        "every delivery recorded as done",
        || async {
            let c = sender.counts().await;
            (c.done == 1000).then_some(())
        },
    )
    .await;
    let c = sender.counts().await;
    assert_eq!((c.pending, c.leased, c.dead), (0, 0, 0), "{c:?}");
    // At-least-once: only a delivery in flight at the second kill may arrive twice (the
    // receivers were down at the first); a coopnet receiver drops the repeat by its id.
    let dup = u64::from(duplicates(&receivers));
    assert!(
        dup <= held.min(BATCH),
        "{dup} duplicates, but at most {} deliveries were in flight at the kill",
        held.min(BATCH)
    );
    eprintln!(
        "kill -9 test: {held_first} leased at the first kill; {arrived} arrived and {held} \
         leased at the second; {dup} duplicates"
    );
}

// --- graceful stop ---

#[tokio::test]
async fn a_stopped_server_hands_back_what_it_had_not_sent() {
    // One send at a time, 8 per round, 150 ms each: a stop always lands mid-round.
    let mut receiver = Receiver::new(Duration::from_millis(150));
    receiver.up().await;
    let sender = Sender::new("concurrency = 1\nper_host_concurrency = 8").await;
    sender.enqueue(&receiver.inbox(), 60, "stop").await;

    let mut server = sender.serve("stopped").await;
    eventually(Duration::from_secs(20), "the first deliveries", || async {
        (receiver.distinct() >= 3).then_some(())
    })
    .await;
    let started = Instant::now();
    let status = server.terminate().await;
    assert!(status.success(), "{status}:\n{}", server.log());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the stop took {:?}",
        started.elapsed()
    );
    // The round in flight finished and recorded its sends; the rest was handed back.
    let c = sender.counts().await;
    assert_eq!(c.leased, 0, "claimed rows left leased: {c:?}");
    assert_eq!(c.done, receiver.distinct() as u64, "{c:?}");
    assert_eq!(c.done + c.pending, 60, "{c:?}");
    assert!(c.pending > 0, "everything was sent before the stop: {c:?}");

    // A restart sends the rest at once (no lease to wait for), nothing twice.
    let _again = sender.serve("again").await;
    eventually(
        Duration::from_secs(LEASE_SECS),
        "the rest after the restart",
        || async { (receiver.distinct() == 60).then_some(()) },
    )
    .await;
    assert_eq!(receiver.duplicates(), 0);
}

// --- outage, dead host, circuit breaker ---

#[tokio::test]
async fn an_outage_is_caught_up_and_a_dead_host_trips_its_breaker() {
    const THRESHOLD: i64 = 5;
    const PER_HOST: i64 = 4;
    let mut outage = Receiver::new(Duration::ZERO);
    let dead = Receiver::new(Duration::ZERO); // never comes up: its port stays closed
    let mut healthy = Receiver::new(Duration::ZERO);
    healthy.up().await;
    let sender = Sender::new(&format!(
        "per_host_concurrency = {PER_HOST}\nbackoff_secs = [1, 1, 2]\nmax_age_secs = 3600\n\
         breaker_threshold = {THRESHOLD}\nbreaker_open_secs = 1\nbreaker_max_open_secs = 3"
    ))
    .await;
    sender.enqueue(&outage.inbox(), 200, "outage").await;
    sender.enqueue(&dead.inbox(), 100, "dead").await;
    sender.enqueue(&healthy.inbox(), 50, "healthy").await;

    let _server = sender.serve("outage").await;
    let started = Instant::now();
    eventually(
        Duration::from_secs(20),
        "the healthy host's deliveries",
        || async { (healthy.distinct() == 50).then_some(()) },
    )
    .await;
    // Both failing hosts trip their breakers; `coopnet queue status` lists them.
    let status = eventually(
        Duration::from_secs(20),
        "open breakers for the failing hosts",
        || async {
            let status = sender.queue_status().await;
            let failing = status["failing_hosts"].as_array().unwrap();
            let tripped = |host: &str| {
                failing.iter().any(|h| {
                    h["host"] == host
                        && h["breaker"] != "closed"
                        && h["fail_streak"].as_i64().unwrap() >= THRESHOLD
                })
            };
            (tripped(&dead.host()) && tripped(&outage.host())).then_some(status)
        },
    )
    .await;
    let dead_entry = status["failing_hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["host"] == dead.host())
        .unwrap()
        .clone();
    assert_eq!(dead_entry["pending"], 100, "{status:#}");
    let dead_attempts = sender.attempts_to(&dead.host()).await;
    // Tripped after the threshold: one round may overshoot by the per-host limit.
    assert!(
        dead_attempts < THRESHOLD + PER_HOST + 3,
        "{dead_attempts} attempts at the dead host before its breaker opened"
    );
    let tripped_at = Instant::now();

    // While the breakers are open, new deliveries to the healthy host still flow.
    sender.enqueue(&healthy.inbox(), 50, "healthy-later").await;
    eventually(
        Duration::from_secs(10),
        "later deliveries to the healthy host",
        || async { (healthy.distinct() == 100).then_some(()) },
    )
    .await;

    // The outage lasts several retry intervals and breaker waits, then ends.
    let outage_for = Duration::from_secs(8);
    tokio::time::sleep(outage_for.saturating_sub(started.elapsed())).await;
    assert_eq!(outage.distinct(), 0);
    assert!(sender.attempts_to(&outage.host()).await >= THRESHOLD);
    outage.up().await;
    eventually(
        Duration::from_secs(30),
        "the whole backlog after the outage",
        || async { (outage.distinct() == 200).then_some(()) },
    )
    .await;
    let recovered = sender.queue_status().await;
    assert!(
        !recovered["failing_hosts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["host"] == outage.host()),
        "a success closes the breaker: {recovered:#}"
    );

    // The dead host meanwhile got only probes: one at a time, seconds apart (the breaker
    // waits 1 to 3 s), where 100 deliveries retried every 1–2 s would have made hundreds.
    let probes = sender.attempts_to(&dead.host()).await - dead_attempts;
    let elapsed = tripped_at.elapsed().as_secs_f64();
    assert!(
        (probes as f64) <= elapsed + 2.0,
        "{probes} attempts at the dead host in {elapsed:.1} s with its breaker open"
    );
    let c = sender.counts().await;
    assert_eq!(c.dead, 0, "{c:?}");
    assert_eq!(c.done, 300, "{c:?}");
    assert_eq!(
        outage.duplicates() + healthy.duplicates(),
        0,
        "nothing was in flight at a crash: nothing may arrive twice"
    );
}

// --- several processes ---

#[tokio::test]
async fn servers_sharing_one_database_send_each_delivery_once() {
    let mut receivers: Vec<Receiver> = (0..4)
        .map(|_| Receiver::new(Duration::from_millis(2)))
        .collect();
    for r in &mut receivers {
        r.up().await;
    }
    let sender = Sender::new("per_host_concurrency = 16").await;
    // Several `coopnet serve` processes claim from one queue only on PostgreSQL (row locks,
    // SKIP LOCKED); on SQLite this test runs its single-process variant.
    let processes = if sender.db.is_postgres() { 2 } else { 1 };
    let mode = if processes == 2 {
        "two `coopnet serve` processes on one PostgreSQL database"
    } else {
        "SQLite: ONE `coopnet serve` process (the two-process variant needs TEST_DATABASE_URL=postgres://…)"
    };
    let mut servers = Vec::new();
    for i in 0..processes {
        servers.push(sender.serve(&format!("shared-{i}")).await);
    }
    for (i, r) in receivers.iter().enumerate() {
        sender.enqueue(&r.inbox(), 500, &format!("shared{i}")).await;
    }
    eventually(
        Duration::from_secs(45),
        "2,000 deliveries at the receivers",
        || async { (distinct(&receivers) == 2000).then_some(()) },
    )
    .await;
    eventually(Duration::from_secs(10), "2,000 done", || async {
        (sender.counts().await.done == 2000).then_some(())
    })
    .await;
    assert_eq!(
        duplicates(&receivers),
        0,
        "an activity reached the same inbox twice ({mode})"
    );
    let per_process: Vec<usize> = servers.iter().map(Serve::attempts_logged).collect();
    assert_eq!(
        per_process.iter().sum::<usize>(),
        2000,
        "attempts per process {per_process:?} ({mode})"
    );
    assert!(
        per_process.iter().all(|n| *n > 0),
        "a process sent nothing: {per_process:?} ({mode})"
    );
    eprintln!("{mode}: attempts per process {per_process:?}");
}
