//! Scenario 6: the footprint of a real `coopnet serve` process (the binary next to this one:
//! `target/release/coopnet` when run by `scripts/bench`), on 127.0.0.1:
//!
//! - start-up time to serving (first `200` from `/healthz`): on a fresh database (migrations
//!   included), on a migrated one, and on the generated 100,000-co-op directory;
//! - resident memory (`VmRSS` of `/proc/PID/status`): idle after start, and under search load
//!   (JSON API and HTML page) with 100,000 co-ops, sampled every 100 ms, plus `VmHWM`;
//! - the binary's size.
//!
//! Goals: idle ≤ 40 MB, loaded ≤ 200 MB, start ≤ 1 s.
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;

use crate::generate::Vocab;
use crate::harness::{BenchDb, Engine, Instance, sqlite_url};
use crate::load::{self, Mode, Spec, thousands};
use crate::report::{Outcome, Reporter};
use crate::scenarios::search;
use crate::{Config, Shared};

const MB: f64 = 1024.0 * 1024.0;

/// A spawned `coopnet serve`, killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    /// Starts the binary with a config file for `database_url` on a free port; returns it
    /// once `/healthz` answers, with the time that took.
    async fn start(
        binary: &Path,
        dir: &Path,
        name: &str,
        database_url: &str,
    ) -> anyhow::Result<(Self, f64)> {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0")?;
            l.local_addr()?.port()
        };
        let config = dir.join(format!("{name}.toml"));
        std::fs::write(
            &config,
            format!(
                "domain = \"localhost:{port}\"\nlisten = \"127.0.0.1:{port}\"\n\
                 database_url = \"{database_url}\"\ndev_mode = true\ndemo_data = false\n\
                 [network]\nusername = \"benchnet\"\nname = \"Bench Network\"\ncountry = \"GB\"\n"
            ),
        )?;
        let log = std::fs::File::create(dir.join(format!("{name}.log")))?;
        let started = Instant::now();
        let mut child = Command::new(binary)
            .arg("serve")
            .env("COOPNET_CONFIG", &config)
            // `info` for the one line that says the search index is built.
            .env("COOPNET_LOG", "warn,coopnet_app::directory=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("spawn {}", binary.display()))?;
        match wait_healthy(&mut child, port, started).await {
            Ok(()) => Ok((Self { child, port }, started.elapsed().as_secs_f64())),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(e.context(format!("see {}", dir.join(format!("{name}.log")).display())))
            }
        }
    }

    fn status_kb(&self, field: &str) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| {
                v.trim_start_matches(':')
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()
            })
            .unwrap_or(0.0)
    }

    /// Resident memory, bytes.
    fn rss(&self) -> f64 {
        self.status_kb("VmRSS") * 1024.0
    }

    /// Peak resident memory, bytes.
    fn hwm(&self) -> f64 {
        self.status_kb("VmHWM") * 1024.0
    }

    fn addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// SIGTERM, then SIGKILL after 5 s.
    async fn stop(mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `/healthz` every 2 ms until it answers 200 (at most 120 s).
async fn wait_healthy(child: &mut Child, port: u16, started: Instant) -> anyhow::Result<()> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()?;
    let url = format!("http://127.0.0.1:{port}/healthz");
    let deadline = started + Duration::from_secs(120);
    loop {
        if let Ok(r) = http.get(&url).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            anyhow::bail!("coopnet serve exited with {status}");
        }
        anyhow::ensure!(Instant::now() < deadline, "coopnet serve did not answer");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `coopnet` binary next to this one.
fn coopnet_binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let path = me
        .parent()
        .map(|d| d.join("coopnet"))
        .context("no folder")?;
    anyhow::ensure!(
        path.exists(),
        "{} is missing: build it first (`cargo build --release -p coopnet-cli`, as scripts/bench does)",
        path.display()
    );
    Ok(path)
}

/// Runs the scenario.
pub async fn run(config: &Config, rep: &mut Reporter, shared: &mut Shared) -> anyhow::Result<()> {
    let binary = coopnet_binary()?;
    let profile = binary
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("?")
        .to_owned();
    let size = std::fs::metadata(&binary)?.len() as f64;
    let dir = tempfile::Builder::new()
        .prefix("coopnet-footprint-")
        .tempdir()?;
    let idle_wait = config.secs(3.0, 1.0);

    // Fresh database, then a restart on it.
    let fresh = sqlite_url(&dir.path().join("fresh.db"));
    let (server, fresh_s) = Server::start(&binary, dir.path(), "fresh", &fresh).await?;
    tokio::time::sleep(idle_wait).await;
    let idle_rss = server.rss();
    server.stop().await;
    let (server, restart_s) = Server::start(&binary, dir.path(), "restart", &fresh).await?;
    tokio::time::sleep(idle_wait).await;
    let idle_rss_restart = server.rss();
    server.stop().await;

    // The generated directory of `search`, or a new one.
    let total = config.size(100_000, 2_000);
    let vocab = Arc::new(Vocab::from_demo()?);
    let (db, total) = match shared.search_sqlite.take() {
        Some(pair) => pair,
        None => {
            let db = BenchDb::sqlite()?;
            let instance = Instance::start(&db.url, |_| {}).await?;
            search::populate(&instance, &vocab, total, Engine::Sqlite).await?;
            instance.stop().await;
            (db, total)
        }
    };
    let (server, loaded_start_s) = Server::start(&binary, dir.path(), "loaded", &db.url).await?;
    tokio::time::sleep(idle_wait).await;
    let loaded_idle_rss = server.rss();
    // The load is meant for the index, not for the SQL path that answers while `serve`
    // builds it in the background: wait for the build (its peak shows in `VmHWM`).
    let log = dir.path().join("loaded.log");
    let built_by = Instant::now() + Duration::from_secs(300);
    let mut build_peak: f64 = 0.0;
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("search index built")
    {
        anyhow::ensure!(Instant::now() < built_by, "the search index was not built");
        build_peak = build_peak.max(server.rss());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let built_rss = server.rss();
    let queries = search::queries(&vocab, total, 256);
    // Alternately the JSON API and the HTML page, each from many clients.
    let mut requests = Vec::new();
    for (api, page) in search::requests(&queries, "/api/v1/coops?", "application/json")?
        .into_iter()
        .zip(search::requests(&queries, "/coops?", "text/html")?)
    {
        requests.push(api);
        requests.push(page);
    }
    let spec = Spec {
        connections: search::CONNECTIONS,
        mode: Mode::Timed {
            warmup: Duration::from_millis(300),
            measure: config.secs(10.0, 2.0),
        },
    };
    let host = format!("localhost:{}", server.port);
    let load_task = tokio::spawn(load::run(server.addr(), host, Arc::new(requests), spec));
    let mut peak_sampled: f64 = 0.0;
    while !load_task.is_finished() {
        peak_sampled = peak_sampled.max(server.rss());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stats = load_task.await??;
    let after_rss = server.rss();
    let hwm = server.hwm();
    server.stop().await;
    shared.search_sqlite = Some((db, total));

    let fmt = |b: f64| format!("{:.1} MB", b / MB);
    rep.record(Outcome::goal(
        "footprint",
        "resident memory, idle",
        format!(
            "{} after start on a fresh database ({} after a restart)",
            fmt(idle_rss),
            fmt(idle_rss_restart)
        ),
        "≤ 40 MB",
        idle_rss.max(idle_rss_restart) <= 40.0 * MB,
        json!({"fresh": idle_rss, "restart": idle_rss_restart}),
    ))?;
    rep.record(Outcome::goal(
        "footprint",
        &format!(
            "resident memory, {} co-ops under search load",
            thousands(total as f64)
        ),
        format!(
            "peak sampled VmRSS under load {} ({} once the index was built, {} after the load); during the background build: {} just after start, peak {} (VmHWM {}) | load: {}",
            fmt(peak_sampled),
            fmt(built_rss),
            fmt(after_rss),
            fmt(loaded_idle_rss),
            fmt(build_peak),
            fmt(hwm),
            stats.short()
        ),
        "≤ 200 MB",
        peak_sampled <= 200.0 * MB,
        json!({"peak_sampled": peak_sampled, "built": built_rss, "build_peak": build_peak, "hwm": hwm, "idle": loaded_idle_rss, "after": after_rss, "load": stats, "coops": total}),
    ))?;
    let worst = fresh_s.max(restart_s);
    rep.record(Outcome::goal(
        "footprint",
        "start-up to /healthz 200",
        format!(
            "fresh database (migrations) {:.0} ms, restart {:.0} ms, {} co-ops {:.0} ms",
            fresh_s * 1000.0,
            restart_s * 1000.0,
            thousands(total as f64),
            loaded_start_s * 1000.0
        ),
        "≤ 1 s",
        worst.max(loaded_start_s) <= 1.0,
        json!({"fresh_s": fresh_s, "restart_s": restart_s, "loaded_s": loaded_start_s}),
    ))?;
    rep.record(Outcome::info(
        "footprint",
        "binary size",
        format!("{} ({profile} build, {})", fmt(size), binary.display()),
        json!({"bytes": size, "profile": profile}),
    ))?;
    Ok(())
}
