//! Databases, in-process instances and stub fediverse servers for the scenarios. Everything
//! binds 127.0.0.1 and is named `localhost:PORT`, as in the test harness.
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use coopnet_app::AppContext;
use coopnet_config::Settings;
use coopnet_federation::delivery::DeliveryConfig;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

/// The fixture key pairs of `tests/fixtures/keys/` (test-only keys): (private, public).
pub const KEYS: [(&str, &str); 4] = [
    (
        include_str!("../../../tests/fixtures/keys/key1.pem"),
        include_str!("../../../tests/fixtures/keys/key1.pub.pem"),
    ),
    (
        include_str!("../../../tests/fixtures/keys/key2.pem"),
        include_str!("../../../tests/fixtures/keys/key2.pub.pem"),
    ),
    (
        include_str!("../../../tests/fixtures/keys/key3.pem"),
        include_str!("../../../tests/fixtures/keys/key3.pub.pem"),
    ),
    (
        include_str!("../../../tests/fixtures/keys/key4.pem"),
        include_str!("../../../tests/fixtures/keys/key4.pub.pem"),
    ),
];

/// Which engine a scenario runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// A SQLite file in a temporary folder.
    Sqlite,
    /// A fresh database on the PostgreSQL server.
    Postgres,
}

impl Engine {
    /// `SQLite` / `PostgreSQL`
    pub fn label(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// A throw-away database: a SQLite file (its folder removed on drop) or a PostgreSQL
/// database `coopnet_bench_<uuid>` (dropped by [`BenchDb::drop_database`]).
pub struct BenchDb {
    /// Connection URL.
    pub url: String,
    /// The engine.
    pub engine: Engine,
    /// The SQLite file, for SQLite.
    pub file: Option<PathBuf>,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl BenchDb {
    /// A SQLite file in a new temporary folder.
    pub fn sqlite() -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("coopnet-bench-")
            .tempdir()
            .context("temp dir")?;
        let file = dir.path().join("coopnet.db");
        Ok(Self {
            url: sqlite_url(&file),
            engine: Engine::Sqlite,
            file: Some(file),
            _dir: Some(dir),
            pg: None,
        })
    }

    /// A fresh database on the server `admin_url` names.
    pub async fn postgres(admin_url: &str) -> anyhow::Result<Self> {
        let name = format!("coopnet_bench_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(admin_url)
            .await
            .with_context(|| format!("connect to {admin_url}"))?;
        admin
            .execute_raw(Statement::from_string(
                admin.get_database_backend(),
                format!("CREATE DATABASE {name}"),
            ))
            .await
            .context("create benchmark database")?;
        admin.close().await.ok();
        let mut url = url::Url::parse(admin_url)?;
        url.set_path(&format!("/{name}"));
        Ok(Self {
            url: url.to_string(),
            engine: Engine::Postgres,
            file: None,
            _dir: None,
            pg: Some((admin_url.to_owned(), name)),
        })
    }

    /// Drops a PostgreSQL database (a no-op for SQLite, whose folder goes with `self`).
    pub async fn drop_database(mut self) -> anyhow::Result<()> {
        if let Some((admin_url, name)) = self.pg.take() {
            let admin = Database::connect(&admin_url).await?;
            admin
                .execute_raw(Statement::from_string(
                    admin.get_database_backend(),
                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                ))
                .await?;
            admin.close().await.ok();
        }
        Ok(())
    }
}

/// `sqlite://PATH?mode=rwc`
pub fn sqlite_url(file: &Path) -> String {
    format!("sqlite://{}?mode=rwc", file.display())
}

/// True when something accepts TCP connections at the URL's host and port.
pub async fn reachable(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    let host = u.host_str().unwrap_or("127.0.0.1").to_owned();
    let port = u.port().unwrap_or(5432);
    matches!(
        tokio::time::timeout(
            Duration::from_secs(2),
            tokio::net::TcpStream::connect((host.as_str(), port))
        )
        .await,
        Ok(Ok(_))
    )
}

/// A running instance on `localhost:PORT` (real migrations, real router, delivery worker),
/// in this process and on this runtime.
pub struct Instance {
    /// Its use-case context.
    pub ctx: AppContext,
    /// The bound address.
    pub addr: SocketAddr,
    /// `http://localhost:PORT`
    pub base_url: String,
    stop: Option<oneshot::Sender<()>>,
    stop_worker: watch::Sender<bool>,
}

impl Instance {
    /// Starts an instance on `db_url` with the test settings, changed by `adjust`.
    pub async fn start(db_url: &str, adjust: impl FnOnce(&mut Settings)) -> anyhow::Result<Self> {
        Self::start_with(db_url, adjust, coopnet_tests::fast_delivery()).await
    }

    /// Like [`Instance::start`] with a chosen delivery configuration.
    pub async fn start_with(
        db_url: &str,
        adjust: impl FnOnce(&mut Settings),
        delivery: DeliveryConfig,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await.context("bind")?;
        let addr = listener.local_addr()?;
        let mut settings = coopnet_tests::test_settings(db_url, addr.port());
        adjust(&mut settings);
        let ctx = AppContext::start_with_keys(settings, coopnet_tests::fixture_keys())
            .await
            .context("start instance")?;
        let (stop_worker, worker_stop) = watch::channel(false);
        ctx.spawn_delivery_worker(delivery, worker_stop)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let (stop, stopped) = oneshot::channel::<()>();
        let serve_ctx = ctx.clone();
        tokio::spawn(async move {
            let _ = coopnet_web::serve(serve_ctx, listener, async {
                let _ = stopped.await;
            })
            .await;
        });
        Ok(Self {
            base_url: format!("http://localhost:{}", addr.port()),
            ctx,
            addr,
            stop: Some(stop),
            stop_worker,
        })
    }

    /// `base_url` + `path`
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `localhost:PORT`
    pub fn host(&self) -> String {
        format!("localhost:{}", self.addr.port())
    }

    /// Stops serving and the worker, and closes the pool.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.stop_worker.send(true);
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _ = self.ctx.db.clone().close().await;
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.stop_worker.send(true);
    }
}

/// Polls `check` every `every` until it returns `Some`, or fails after `timeout`.
pub async fn wait_for<T, F, Fut>(
    timeout: Duration,
    every: Duration,
    what: &str,
    mut check: F,
) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return Ok(v);
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(every).await;
    }
}

// ---------------------------------------------------------------------------------------
// Stub fediverse servers: actors with fixture keys, inboxes that count what they receive.
// ---------------------------------------------------------------------------------------

/// What every host of a [`Stub`] received.
#[derive(Default)]
pub struct StubCounters {
    /// POSTs received.
    pub posts: AtomicU64,
    /// POSTs whose body is an `Accept`.
    pub accepts: AtomicU64,
    /// Actor documents served.
    pub actor_gets: AtomicU64,
    /// When each POST arrived (bounded by the scenarios' sizes).
    pub arrivals: Mutex<Vec<Instant>>,
}

impl StubCounters {
    /// POSTs so far.
    pub fn posts(&self) -> u64 {
        self.posts.load(Ordering::Relaxed)
    }

    /// Accepts so far.
    pub fn accepts(&self) -> u64 {
        self.accepts.load(Ordering::Relaxed)
    }

    /// Arrival time of the `n`-th POST (1-based), if it came.
    pub fn arrival(&self, n: usize) -> Option<Instant> {
        let arrivals = self.arrivals.lock().ok()?;
        n.checked_sub(1).and_then(|i| arrivals.get(i).copied())
    }
}

#[derive(Clone)]
struct HostState {
    base: String,
    counters: Arc<StubCounters>,
}

/// One stub actor's document. `group` is `users` (with a shared inbox) or `people`
/// (personal inbox only).
pub fn actor_doc(base: &str, group: &str, n: usize) -> serde_json::Value {
    let id = format!("{base}/{group}/{n}");
    let public = KEYS[n % KEYS.len()].1;
    let mut doc = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": "Person",
        "preferredUsername": format!("{group}{n}"),
        "name": format!("Bench {group} {n}"),
        "inbox": format!("{id}/inbox"),
        "outbox": format!("{id}/outbox"),
        "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": public},
    });
    if group == "users" {
        doc["endpoints"] = json!({"sharedInbox": format!("{base}/inbox")});
    }
    doc
}

async fn serve_actor(
    State(s): State<HostState>,
    UrlPath((group, n)): UrlPath<(String, usize)>,
) -> Response {
    if group != "users" && group != "people" {
        return StatusCode::NOT_FOUND.into_response();
    }
    s.counters.actor_gets.fetch_add(1, Ordering::Relaxed);
    (
        [(header::CONTENT_TYPE, "application/activity+json")],
        actor_doc(&s.base, &group, n).to_string(),
    )
        .into_response()
}

async fn receive(State(s): State<HostState>, body: Bytes) -> StatusCode {
    let now = Instant::now();
    // `"type":"Accept"` as serde_json writes it; no parse on the hot path.
    if body.windows(15).any(|w| w == b"\"type\":\"Accept\"") {
        s.counters.accepts.fetch_add(1, Ordering::Relaxed);
    }
    if let Ok(mut arrivals) = s.counters.arrivals.lock() {
        arrivals.push(now);
    }
    s.counters.posts.fetch_add(1, Ordering::Relaxed);
    StatusCode::ACCEPTED
}

/// Stub servers, one per host (`localhost:PORT`), sharing counters.
pub struct Stub {
    /// `http://localhost:PORT` of each host.
    pub bases: Vec<String>,
    /// What all hosts received.
    pub counters: Arc<StubCounters>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Stub {
    /// Starts `hosts` stub servers.
    pub async fn start(hosts: usize) -> anyhow::Result<Self> {
        let counters = Arc::new(StubCounters::default());
        let mut bases = Vec::new();
        let mut tasks = Vec::new();
        for _ in 0..hosts {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let base = format!("http://localhost:{}", listener.local_addr()?.port());
            let state = HostState {
                base: base.clone(),
                counters: counters.clone(),
            };
            let app = Router::new()
                .route("/{group}/{n}", get(serve_actor))
                .route("/{group}/{n}/inbox", axum::routing::post(receive))
                .route("/inbox", axum::routing::post(receive))
                .with_state(state);
            tasks.push(tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            }));
            bases.push(base);
        }
        Ok(Self {
            bases,
            counters,
            tasks,
        })
    }

    /// Forgets what was received so far.
    pub fn reset(&self) {
        self.counters.posts.store(0, Ordering::Relaxed);
        self.counters.accepts.store(0, Ordering::Relaxed);
        if let Ok(mut a) = self.counters.arrivals.lock() {
            a.clear();
        }
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The remote-actor record of stub actor `n` of `group` on `base`, as the instance would
/// store it after fetching it.
pub fn actor_record(
    base: &str,
    group: &str,
    n: usize,
) -> anyhow::Result<coopnet_db::repo::remote_actors::RemoteActorRecord> {
    let id = url::Url::parse(&format!("{base}/{group}/{n}"))?;
    let domain = format!(
        "{}:{}",
        id.host_str().unwrap_or("localhost"),
        id.port().unwrap_or(80)
    );
    Ok(coopnet_db::repo::remote_actors::RemoteActorRecord {
        id: 0,
        kind: coopnet_core::ActorKind::Person,
        username: format!("{group}{n}"),
        domain,
        name: Some(format!("Bench {group} {n}")),
        inbox: url::Url::parse(&format!("{id}/inbox"))?,
        shared_inbox: (group == "users")
            .then(|| url::Url::parse(&format!("{base}/inbox")))
            .transpose()?,
        public_key_id: format!("{id}#main-key"),
        public_key_pem: KEYS[n % KEYS.len()].1.to_owned(),
        fetched_at: chrono::Utc::now(),
        actor_id: id,
    })
}
