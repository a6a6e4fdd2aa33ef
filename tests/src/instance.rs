//! [`TestInstance`]: a whole coopnet instance (router, workers, database) on a loopback
//! port named `localhost:PORT`, for federation tests over real HTTP.
use std::net::SocketAddr;

use anyhow::Context;
use std::time::Duration;

use coopnet_app::AppContext;
use coopnet_app::Externals;
use coopnet_config::{MetricsSettings, NetworkSettings, Settings};
use coopnet_federation::delivery::DeliveryConfig;
use coopnet_federation::net::Resolve;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

use crate::{TestDb, fixture_keys};

/// Delivery pacing for tests: retries after fractions of a second, not minutes.
pub fn fast_delivery() -> DeliveryConfig {
    DeliveryConfig {
        backoff: vec![
            Duration::from_millis(200),
            Duration::from_millis(500),
            Duration::from_secs(1),
        ],
        max_age: Duration::from_secs(60),
        idle_poll: Duration::from_millis(200),
        lease: Duration::from_secs(30),
        ..DeliveryConfig::default()
    }
}

/// The `metrics.token` of test instances ([`TestInstance::metrics`] sends it).
pub const METRICS_TOKEN: &str = "test-metrics-token";

/// Settings for a test instance: dev mode, no demo data, the given database and port.
pub fn test_settings(database_url: &str, port: u16) -> Settings {
    Settings {
        domain: format!("localhost:{port}"),
        listen: format!("127.0.0.1:{port}"),
        database_url: database_url.to_owned(),
        dev_mode: true,
        demo_data: false,
        network: NetworkSettings {
            username: "testnet".into(),
            name: "Test Network".into(),
            country: Some("GB".into()),
            languages: vec!["en".into()],
            summary: "A network under test.".into(),
        },
        metrics: MetricsSettings {
            token: METRICS_TOKEN.into(),
            listen: String::new(),
        },
        ..Settings::default()
    }
}

/// A running instance on `localhost:PORT`, stopped when dropped.
pub struct TestInstance {
    /// Its use-case context (drive it directly, or over HTTP).
    pub ctx: AppContext,
    /// `http://localhost:PORT`
    pub base_url: String,
    /// The bound address.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    stop_worker: watch::Sender<bool>,
    /// Keeps the database alive as long as the instance.
    pub db: TestDb,
}

impl TestInstance {
    /// Starts an instance on a fresh database with default test settings.
    pub async fn spawn() -> anyhow::Result<Self> {
        Self::spawn_with(|_| {}).await
    }

    /// Starts an instance, letting `adjust` change the settings first.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> anyhow::Result<Self> {
        Self::spawn_resolving(adjust, None).await
    }

    /// Like [`TestInstance::spawn_with`], resolving outgoing requests' host names with
    /// `resolver` (its answers still pass the instance's address rules).
    pub async fn spawn_resolving(
        adjust: impl FnOnce(&mut Settings),
        resolver: Option<std::sync::Arc<dyn Resolve>>,
    ) -> anyhow::Result<Self> {
        Self::spawn_full(adjust, resolver, fast_delivery()).await
    }

    /// Like [`TestInstance::spawn_with`], its workers paced by `delivery` instead of
    /// [`fast_delivery`] (e.g. an idle poll so long that only a wake-up can explain a
    /// prompt delivery).
    pub async fn spawn_paced(
        adjust: impl FnOnce(&mut Settings),
        delivery: DeliveryConfig,
    ) -> anyhow::Result<Self> {
        Self::spawn_full(adjust, None, delivery).await
    }

    async fn spawn_full(
        adjust: impl FnOnce(&mut Settings),
        resolver: Option<std::sync::Arc<dyn Resolve>>,
        delivery: DeliveryConfig,
    ) -> anyhow::Result<Self> {
        let db = TestDb::new().await?;
        let listener = TcpListener::bind("127.0.0.1:0").await.context("bind")?;
        let addr = listener.local_addr()?;
        let mut settings = test_settings(&db.url, addr.port());
        adjust(&mut settings);
        let mut externals = Externals {
            keys: fixture_keys(),
            ..Externals::default()
        };
        if let Some(resolver) = resolver {
            externals.resolver = resolver;
        }
        let ctx = AppContext::start_with(settings, externals)
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
            db,
        })
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The Prometheus text of `/metrics`, fetched with [`METRICS_TOKEN`].
    pub async fn metrics(&self) -> String {
        let response = reqwest::Client::new()
            .get(self.url("/metrics"))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .expect("GET /metrics");
        assert_eq!(response.status(), 200, "metrics with the token");
        response.text().await.expect("metrics text")
    }
}

impl Drop for TestInstance {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.stop_worker.send(true);
    }
}
