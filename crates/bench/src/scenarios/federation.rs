//! Scenario 5: federation convergence over real HTTP on loopback.
//!
//! - Edit propagation: four instances (UK, DE, NL, FR networks seeded with demo members)
//!   follow each other in a full mesh; a co-op of the UK network is edited
//!   (`coops::update`), and the other three are polled (`GET /api/v1/coops/{slug}@{domain}`,
//!   every 5 ms) until they show the change. Goal: < 1 s.
//! - Backfill: a new instance follows a network of 10,000 members; time from the follow to
//!   all of them being listed by its public API. Goal: < 30 s.
use std::sync::Arc;
use std::time::{Duration, Instant};

use coopnet_app::exchange::{self, ImportMode};
use coopnet_app::{coops, federation};
use coopnet_core::FollowState;
use coopnet_core::TokenScope;
use serde_json::json;

use crate::generate::{self, Vocab};
use crate::harness::{BenchDb, Instance, wait_for};
use crate::load::thousands;
use crate::report::{Outcome, Reporter};
use crate::{Config, scenarios};

const WAIT: Duration = Duration::from_secs(60);

async fn spawn(db: &BenchDb, name: &str, country: &str) -> anyhow::Result<Instance> {
    let (name, country) = (name.to_owned(), country.to_owned());
    Instance::start(&db.url, move |s| {
        s.network.username = name.to_lowercase();
        s.network.name = name;
        s.network.country = Some(country);
    })
    .await
}

/// The public API's `total` of `instance`.
async fn listed(http: &reqwest::Client, instance: &Instance) -> anyhow::Result<u64> {
    let page = scenarios::get_json(
        http,
        &instance.url("/api/v1/coops?limit=1"),
        "application/json",
    )
    .await?;
    page["total"]
        .as_u64()
        .ok_or_else(|| anyhow::anyhow!("no total in {page}"))
}

/// Runs the scenario.
pub async fn run(config: &Config, rep: &mut Reporter) -> anyhow::Result<()> {
    convergence(config, rep).await?;
    backfill(config, rep).await
}

async fn convergence(config: &Config, rep: &mut Reporter) -> anyhow::Result<()> {
    let edits = config.size(10, 3);
    let http = scenarios::client()?;
    let dbs = [
        BenchDb::sqlite()?,
        BenchDb::sqlite()?,
        BenchDb::sqlite()?,
        BenchDb::sqlite()?,
    ];
    let seeds = [
        ("CoTech", "GB", coopnet_app::demo::COTECH_UK, 6),
        ("Digital", "DE", coopnet_app::demo::DE, 3),
        ("TechCoops", "NL", coopnet_app::demo::NL, 2),
        ("ScopTech", "FR", coopnet_app::demo::FR, 5),
    ];
    let mut instances = Vec::new();
    let mut total = 0;
    for (db, (name, country, data, count)) in dbs.iter().zip(seeds) {
        let i = spawn(db, name, country).await?;
        let mut records =
            exchange::parse_json(data).map_err(|e| anyhow::anyhow!("demo data: {e}"))?;
        records.truncate(count);
        total += records.len() as u64;
        exchange::import(&i.ctx, &records, ImportMode::Insert)
            .await
            .map_err(|e| anyhow::anyhow!("import: {e}"))?;
        instances.push(i);
    }
    let mesh_start = Instant::now();
    for a in &instances {
        for b in &instances {
            if a.addr != b.addr {
                federation::follow(&a.ctx, &b.url("/network")).await?;
            }
        }
    }
    for a in &instances {
        wait_for(WAIT, Duration::from_millis(50), "the mesh", || async {
            let list = federation::following(&a.ctx).await.ok()?;
            let accepted = list.len() == instances.len() - 1
                && list.iter().all(|f| f.state == FollowState::Accepted);
            (accepted && listed(&http, a).await.ok()? == total).then_some(())
        })
        .await?;
    }
    let mesh_s = mesh_start.elapsed().as_secs_f64();

    let home = &instances[0];
    let slug = exchange::parse_json(coopnet_app::demo::COTECH_UK)
        .map_err(|e| anyhow::anyhow!("demo data: {e}"))?
        .first()
        .map(|c| c.slug.clone())
        .unwrap_or_default();
    let handle = format!("{slug}@{}", home.host());
    let mut all_three = Vec::new();
    let mut per_peer = Vec::new();
    for r in 0..edits {
        let locality = format!("Benchtown {r}");
        let patch = coopnet_core::CoopPatch {
            locality: Some(Some(locality.clone())),
            ..Default::default()
        };
        let t0 = Instant::now();
        coops::update(&home.ctx, &TokenScope::Admin, &slug, &patch).await?;
        let mut seen = Vec::new();
        let mut polls = tokio::task::JoinSet::new();
        for peer in &instances[1..] {
            let url = peer.url(&format!("/api/v1/coops/{handle}"));
            let (http, locality) = (http.clone(), locality.clone());
            polls.spawn(async move {
                wait_for(WAIT, Duration::from_millis(5), "the edit", || async {
                    let c = scenarios::get_json(&http, &url, "application/json")
                        .await
                        .ok()?;
                    (c["locality"] == locality.as_str()).then(Instant::now)
                })
                .await
            });
        }
        while let Some(done) = polls.join_next().await {
            seen.push(done??.duration_since(t0).as_secs_f64());
        }
        per_peer.extend(seen.iter().copied());
        all_three.push(scenarios::max(&seen));
        // Let the queues settle between edits.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for i in instances {
        i.stop().await;
    }
    let (median, worst) = (scenarios::median(&all_three), scenarios::max(&all_three));
    rep.record(Outcome::goal(
        "federation",
        &format!("edit → visible on the 3 other instances of a 4-instance mesh ({edits} edits)"),
        format!(
            "all three: median {:.0} ms, worst {:.0} ms (single peer median {:.0} ms); mesh of {total} co-ops formed and backfilled in {mesh_s:.1} s",
            median * 1000.0,
            worst * 1000.0,
            scenarios::median(&per_peer) * 1000.0,
        ),
        "< 1 s",
        worst < 1.0,
        json!({"all_three_s": all_three, "per_peer_s": per_peer, "mesh_seconds": mesh_s}),
    ))?;
    Ok(())
}

async fn backfill(config: &Config, rep: &mut Reporter) -> anyhow::Result<()> {
    let members = config.size(10_000, 500);
    let http = scenarios::client()?;
    let (big_db, new_db) = (BenchDb::sqlite()?, BenchDb::sqlite()?);
    let big = spawn(&big_db, "Bignet", "GB").await?;
    let vocab = Arc::new(Vocab::from_demo()?);
    let populated =
        generate::populate(&big.ctx.db, big.ctx.network.id, &vocab, members, 1, 1).await?;
    // Unlisted co-ops (3 %) are neither listed nor published.
    let expected = listed(&http, &big).await?;
    let newbie = spawn(&new_db, "Newnet", "DE").await?;
    let t0 = Instant::now();
    federation::follow(&newbie.ctx, &big.url("/network")).await?;
    let limit = Duration::from_secs(if config.quick { 60 } else { 180 });
    wait_for(
        limit,
        Duration::from_millis(100),
        "the backfill",
        || async { (listed(&http, &newbie).await.ok()? >= expected).then_some(()) },
    )
    .await?;
    let secs = t0.elapsed().as_secs_f64();
    let peers = federation::peers(&newbie.ctx).await?;
    let message = peers
        .first()
        .and_then(|p| p.sync.last_sync_message.clone())
        .unwrap_or_default();
    big.stop().await;
    newbie.stop().await;
    rep.record(Outcome::goal(
        "federation",
        &format!(
            "new peer backfills a {}-member network",
            thousands(members as f64)
        ),
        format!(
            "{} listed members visible {secs:.1} s after the follow ({} members/s; sync: {message}); the network was generated in {:.1} s",
            thousands(expected as f64),
            thousands(expected as f64 / secs),
            populated.seconds
        ),
        "< 30 s",
        secs < 30.0,
        json!({"members": members, "listed": expected, "seconds": secs, "sync": message}),
    ))?;
    Ok(())
}
