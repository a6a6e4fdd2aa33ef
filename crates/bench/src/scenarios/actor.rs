//! Scenario 1: a co-op's `Organization` actor by URL with `Accept: application/activity+json`
//! (the full router: middleware, DB lookup, key, JSON) vs a bare axum handler returning the
//! same bytes, both served by this process on the same runtime and driven by the same
//! driver. Goal: coopnet throughput ≥ 0.6 × bare.
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::http::header;
use axum::routing::get;
use bytes::Bytes;
use coopnet_app::{coops, exchange};
use serde_json::json;

use crate::harness::{BenchDb, Instance};
use crate::load::{self, Mode, Req, Spec, Stats};
use crate::report::{Outcome, Reporter};
use crate::{Config, scenarios};

const ACCEPT: &str = "application/activity+json";
/// The connection count at which C.4 of the research notes found axum's peak.
const CONNECTIONS: usize = 64;

/// Runs the scenario.
pub async fn run(config: &Config, rep: &mut Reporter) -> anyhow::Result<()> {
    let db = BenchDb::sqlite()?;
    let instance = Instance::start(&db.url, |_| {}).await?;
    let records = exchange::parse_json(coopnet_app::demo::COTECH_UK)
        .map_err(|e| anyhow::anyhow!("demo data: {e}"))?;
    let record = records.first().context("demo data is empty")?;
    coops::create(&instance.ctx, record).await?;
    let path = format!("/coops/{}", record.slug);

    // The bytes coopnet serves (the first GET also creates the co-op's key).
    let http = scenarios::client()?;
    let response = http
        .get(instance.url(&path))
        .header("Accept", ACCEPT)
        .send()
        .await?;
    anyhow::ensure!(
        response.status().is_success(),
        "actor GET: {}",
        response.status()
    );
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or(ACCEPT)
        .to_owned();
    let body: Bytes = response.bytes().await?;

    // The bare handler: same path, same bytes, same content type.
    let bare_body = body.clone();
    let bare_type = content_type.clone();
    let bare = Router::new().route(
        "/coops/{slug}",
        get(move || {
            let (b, t) = (bare_body.clone(), bare_type.clone());
            async move { ([(header::CONTENT_TYPE, t)], b) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let bare_addr = listener.local_addr()?;
    let bare_task = tokio::spawn(async move {
        let _ = axum::serve(listener, bare).await;
    });

    let requests = Arc::new(vec![Req::get(path.clone(), &[("accept", ACCEPT)])?]);
    // The same router without the handler's work: where the middleware stack stands.
    let healthz = Arc::new(vec![Req::get("/healthz", &[])?]);
    let spec = Spec {
        connections: CONNECTIONS,
        mode: Mode::Timed {
            warmup: config.secs(1.0, 0.3),
            measure: config.secs(10.0, 1.0),
        },
    };
    let rounds = config.size(2, 1);
    let (mut bare_runs, mut coop_runs, mut floor_runs): (Vec<Stats>, Vec<Stats>, Vec<Stats>) =
        (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        bare_runs.push(
            load::run(
                bare_addr,
                format!("localhost:{}", bare_addr.port()),
                requests.clone(),
                spec,
            )
            .await?,
        );
        coop_runs.push(load::run(instance.addr, instance.host(), requests.clone(), spec).await?);
        floor_runs.push(load::run(instance.addr, instance.host(), healthz.clone(), spec).await?);
    }
    bare_task.abort();
    instance.stop().await;

    let best = |runs: &[Stats]| {
        runs.iter()
            .max_by(|a, b| a.rps.total_cmp(&b.rps))
            .cloned()
            .unwrap_or_default()
    };
    let (b, c, f) = (best(&bare_runs), best(&coop_runs), best(&floor_runs));
    anyhow::ensure!(
        b.errors == 0 && c.errors == 0,
        "errors: bare {:?}, coopnet {:?}",
        b.first_error,
        c.first_error
    );
    let ratio = if b.rps > 0.0 { c.rps / b.rps } else { 0.0 };
    rep.record(Outcome::goal(
        "actor",
        &format!("actor GET, {} B JSON, {CONNECTIONS} conns", body.len()),
        format!(
            "coopnet {} | bare axum {} | ratio {ratio:.2} (best of {rounds} interleaved runs of {:.0} s) | coopnet /healthz (router without the handler) {}",
            c.short(),
            b.short(),
            spec_secs(&spec),
            f.short()
        ),
        "throughput ratio ≥ 0.6",
        ratio >= 0.6,
        json!({"coopnet": coop_runs, "bare": bare_runs, "healthz": floor_runs, "ratio": ratio, "body_bytes": body.len()}),
    ))?;
    Ok(())
}

fn spec_secs(spec: &Spec) -> f64 {
    match spec.mode {
        Mode::Timed { measure, .. } => measure.as_secs_f64(),
        Mode::Once { limit } => limit.as_secs_f64(),
    }
}
