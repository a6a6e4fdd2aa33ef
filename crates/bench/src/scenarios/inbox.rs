//! Scenario 3: signed `Follow`s of a co-op POSTed to its inbox, as fast as 16 connections
//! can send them: how many per second are accepted (202: digest, signature, actor lookup,
//! follower row, `Accept` queued) and answered (the `Accept`, signed by the co-op, received
//! by the follower's stub server). The follower actors live on a stub axum server, so the
//! instance fetches their keys; the actor cache is warmed by one `Follow` per actor first.
//! The `Follow`s are signed before the clock starts (the sender's signing is not measured).
//!
//! Baseline in the same run: `rsa` crate verification of the same signature in a tight loop
//! on 2 threads (plus, for reference, signing: every answer costs one signature).
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::http::{HeaderName, HeaderValue};
use bytes::Bytes;
use coopnet_app::{coops, exchange};
use coopnet_federation::delivery::signer::{CONTENT_TYPE, Signer, http_date_now};
use serde_json::json;
use url::Url;

use crate::crypto;
use crate::harness::{BenchDb, Instance, KEYS, Stub, wait_for};
use crate::load::{self, Mode, Req, Spec, thousands};
use crate::report::{Outcome, Reporter};
use crate::{Config, scenarios};

const CONNECTIONS: usize = 16;

fn follow_body(base: &str, actor: usize, k: usize, coop: &str) -> Vec<u8> {
    let id = format!("{base}/people/{actor}");
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{id}/follows/{k}"),
        "type": "Follow",
        "actor": id,
        "object": coop,
    })
    .to_string()
    .into_bytes()
}

fn signed_post(signer: &Signer, inbox: &Url, body: Vec<u8>) -> anyhow::Result<Req> {
    let s = signer.sign_post(inbox, &body, &http_date_now())?;
    let h = |name: &'static str, value: &str| -> anyhow::Result<(HeaderName, HeaderValue)> {
        Ok((HeaderName::from_static(name), HeaderValue::from_str(value)?))
    };
    Ok(Req {
        method: hyper::Method::POST,
        path: inbox.path().to_owned(),
        headers: vec![
            h("host", &s.host)?,
            h("date", &s.date)?,
            h("digest", &s.digest)?,
            h("signature", &s.signature)?,
            h("content-type", CONTENT_TYPE)?,
        ],
        body: Bytes::from(body),
    })
}

/// Signs `count` Follows (actor `k % actors`) on 2 threads.
async fn sign_all(
    signers: Arc<Vec<Signer>>,
    base: String,
    inbox: Url,
    coop: String,
    first: usize,
    count: usize,
) -> anyhow::Result<Vec<Req>> {
    tokio::task::spawn_blocking(move || {
        let actors = signers.len();
        let half = count / 2;
        std::thread::scope(|scope| {
            let parts: Vec<_> = [(0, half), (half, count)]
                .into_iter()
                .map(|(from, to)| {
                    let (signers, base, inbox, coop) = (&signers, &base, &inbox, &coop);
                    scope.spawn(move || {
                        (from..to)
                            .map(|k| {
                                let actor = k % actors;
                                let body = follow_body(base, actor, first + k, coop);
                                signed_post(&signers[actor], inbox, body)
                            })
                            .collect::<anyhow::Result<Vec<_>>>()
                    })
                })
                .collect();
            let mut out = Vec::with_capacity(count);
            for p in parts {
                out.extend(p.join().map_err(|_| anyhow::anyhow!("signing thread"))??);
            }
            Ok(out)
        })
    })
    .await?
}

/// Runs the scenario.
pub async fn run(config: &Config, rep: &mut Reporter) -> anyhow::Result<()> {
    let actors = config.size(200, 20);
    let follows = config.size(5_000, 300);
    let db = BenchDb::sqlite()?;
    let instance = Instance::start(&db.url, |_| {}).await?;
    let records = exchange::parse_json(coopnet_app::demo::COTECH_UK)
        .map_err(|e| anyhow::anyhow!("demo data: {e}"))?;
    let record = records.first().context("demo data is empty")?;
    coops::create(&instance.ctx, record).await?;
    let coop = instance.url(&format!("/coops/{}", record.slug));
    let inbox = Url::parse(&format!("{coop}/inbox"))?;
    let http = scenarios::client()?;
    scenarios::get_json(&http, &coop, "application/activity+json").await?;

    let stub = Stub::start(1).await?;
    let base = stub.bases[0].clone();
    let signers = Arc::new(
        (0..actors)
            .map(|n| {
                Signer::new(
                    format!("{base}/people/{n}#main-key"),
                    KEYS[n % KEYS.len()].0,
                )
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    );

    // Warm-up: one Follow per actor; the instance fetches every actor (the cache) and its
    // worker signs and sends the first Accepts.
    let warm = sign_all(
        signers.clone(),
        base.clone(),
        inbox.clone(),
        coop.clone(),
        0,
        actors,
    )
    .await?;
    let once = |limit: u64| Spec {
        connections: CONNECTIONS,
        mode: Mode::Once {
            limit: Duration::from_secs(limit),
        },
    };
    let warm_stats = load::run(instance.addr, instance.host(), Arc::new(warm), once(60)).await?;
    anyhow::ensure!(
        warm_stats.errors == 0,
        "warm-up Follows refused: {:?}",
        warm_stats.first_error
    );
    wait_for(
        Duration::from_secs(60),
        Duration::from_millis(20),
        "the warm-up Accepts",
        || async { (stub.counters.accepts() >= actors as u64).then_some(()) },
    )
    .await?;

    // The ceilings, measured now (nothing else running in this process).
    let dur = config.secs(3.0, 0.5);
    let verify = crypto::measure(move || crypto::rsa_verify(2, dur)).await?;
    let parse_verify = crypto::measure(move || crypto::rsa_parse_verify(2, dur)).await?;
    let sign = crypto::measure(move || crypto::rsa_sign(2, dur)).await?;
    let aws_verify = crypto::measure(move || crypto::aws_lc_verify(2, dur)).await?;

    let requests = sign_all(signers, base, inbox, coop, actors, follows).await?;
    stub.reset();
    let t0 = Instant::now();
    let stats = load::run(
        instance.addr,
        instance.host(),
        Arc::new(requests),
        once(300),
    )
    .await?;
    anyhow::ensure!(
        stats.errors == 0,
        "{} Follows refused: {:?}",
        stats.errors,
        stats.first_error
    );
    wait_for(
        Duration::from_secs(300),
        Duration::from_millis(5),
        "every Accept",
        || async { (stub.counters.accepts() >= follows as u64).then_some(()) },
    )
    .await?;
    let answered_s = stub
        .counters
        .arrival(follows)
        .map(|t| t.duration_since(t0).as_secs_f64())
        .context("arrival times")?;
    let accepted = stats.ok as f64 / stats.seconds.max(1e-9);
    let answered = follows as f64 / answered_s.max(1e-9);
    let counts = coopnet_db::repo::deliveries::counts(&instance.ctx.db).await?;
    instance.stop().await;

    let ratio = answered / verify.per_second;
    // One verification and one signature per answered Follow, on the same 2 cores.
    let combined = 1.0 / (1.0 / verify.per_second + 1.0 / sign.per_second);
    rep.record(Outcome::info(
        "inbox",
        &format!("signed Follow → 202 → Accept, {follows} Follows from {actors} actors, {CONNECTIONS} conns"),
        format!(
            "accepted {} /s (POST p50 {:.2} ms, p99 {:.2} ms), answered {} /s | verify ceiling (rsa, 2 threads) {} /s → ratio {ratio:.3} | parse+verify {} /s; sign {} /s; verify+sign per Follow {} /s → answered/that {:.2}; aws-lc-rs verify {} /s",
            thousands(accepted),
            stats.p50_ms,
            stats.p99_ms,
            thousands(answered),
            thousands(verify.per_second),
            thousands(parse_verify.per_second),
            thousands(sign.per_second),
            thousands(combined),
            answered / combined,
            thousands(aws_verify.per_second)
        ),
        json!({
            "follows": follows, "actors": actors, "post": stats,
            "accepted_per_s": accepted, "answered_per_s": answered, "answered_seconds": answered_s,
            "verify_ceiling": verify, "parse_verify_ceiling": parse_verify, "sign_ceiling": sign, "aws_lc_verify_ceiling": aws_verify,
            "ratio_vs_verify": ratio, "verify_plus_sign_ceiling": combined,
            "queue": {"done": counts.done, "dead": counts.dead, "pending": counts.pending},
        }),
    ))?;
    Ok(())
}
