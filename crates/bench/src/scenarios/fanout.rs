//! Scenario 4: one co-op post fanned out to 1,000 followers on 100 stub hosts through the
//! persistent delivery queue (enqueue in the post's transaction, worker claims, signs with the
//! product's signer, POSTs). Two layouts of the same 1,000 followers:
//!
//! - shared inboxes: each host advertises a `sharedInbox`, so one post is 100 deliveries
//!   (the "1,000 followers on 100 receiving inboxes");
//! - personal inboxes: no `sharedInbox`, so one post is 1,000 deliveries (enough work to
//!   measure a rate against the signing ceiling).
//!
//! Deliveries per second = deliveries / (last arrival at a stub − start of `posts::create`).
//! Baseline in the same run: aws-lc-rs signing in a loop on 2 threads, the product's signer
//! (`coopnet_federation::delivery::signer`); the pure-Rust `rsa` crate's signing, which the
//! signer used before, is measured too, as the reference for the switch.
use std::time::{Duration, Instant};

use coopnet_app::coops;
use coopnet_app::posts::{self, PostAuthor};
use coopnet_core::{CoopInput, TokenScope};
use coopnet_core::{FollowerState, Target};
use coopnet_db::TransactionTrait;
use coopnet_db::repo::followers;
use coopnet_db::repo::remote_actors;
use serde_json::json;

use crate::crypto;
use crate::harness::{BenchDb, Instance, Stub, actor_record, wait_for};
use crate::load::thousands;
use crate::report::{Outcome, Reporter};
use crate::{Config, scenarios};

/// Followers per stub host.
const PER_HOST: usize = 10;

/// CPU seconds this process has used (user + system; Linux clock ticks of 1/100 s).
pub fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the `(comm)`, which may contain spaces.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after `)` and the state.
    (ticks(11) + ticks(12)) / 100.0
}

struct Variant {
    label: &'static str,
    slug: &'static str,
    group: &'static str,
}

const VARIANTS: [Variant; 2] = [
    Variant {
        label: "shared inboxes",
        slug: "fanout-shared",
        group: "users",
    },
    Variant {
        label: "personal inboxes",
        slug: "fanout-personal",
        group: "people",
    },
];

/// Runs the scenario.
pub async fn run(config: &Config, rep: &mut Reporter) -> anyhow::Result<()> {
    let hosts = config.size(100, 10);
    let followers_n = hosts * PER_HOST;
    let runs = config.size(4, 1);
    let db = BenchDb::sqlite()?;
    let instance = Instance::start(&db.url, |_| {}).await?;
    let stub = Stub::start(hosts).await?;
    let http = scenarios::client()?;

    let mut coop_ids = Vec::new();
    for v in &VARIANTS {
        let input: CoopInput = serde_json::from_value(json!({
            "slug": v.slug, "name": format!("Fan-out {}", v.label), "country": "GB",
            "services": ["Web Design"],
        }))?;
        let coop = coops::create(&instance.ctx, &input).await?;
        // The first GET creates the co-op's key, as a follower's fetch would.
        scenarios::get_json(
            &http,
            &instance.url(&format!("/coops/{}", v.slug)),
            "application/activity+json",
        )
        .await?;
        coop_ids.push(coop.id);
    }
    // The followers, as the inbox would have stored them.
    let txn = instance.ctx.db.begin().await?;
    for (v, coop_id) in VARIANTS.iter().zip(&coop_ids) {
        for n in 0..followers_n {
            let base = &stub.bases[n / PER_HOST];
            let actor = remote_actors::upsert(&txn, &actor_record(base, v.group, n)?).await?;
            let follow = url::Url::parse(&format!("{}/follows/{}", actor.actor_id, v.slug))?;
            followers::add(
                &txn,
                Target::Coop(*coop_id),
                &actor,
                &follow,
                FollowerState::Accepted,
            )
            .await?;
        }
    }
    txn.commit().await?;

    let dur = config.secs(3.0, 0.5);
    let rsa = crypto::measure(move || crypto::rsa_sign(2, dur)).await?;
    let aws = crypto::measure(move || crypto::aws_lc_sign(2, dur)).await?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;

    for v in &VARIANTS {
        let expected = if v.group == "users" {
            hosts
        } else {
            followers_n
        };
        let mut rates = Vec::new();
        let mut cpu_shares = Vec::new();
        for r in 0..runs {
            stub.reset();
            let cpu0 = process_cpu_seconds();
            let t0 = Instant::now();
            posts::create(
                &instance.ctx,
                &TokenScope::Admin,
                &PostAuthor::Coop(v.slug.into()),
                &format!("Benchmark post {r} to {expected} inboxes: **hello**, followers."),
            )
            .await?;
            wait_for(
                Duration::from_secs(120),
                Duration::from_millis(2),
                "every delivery",
                || async { (stub.counters.posts() >= expected as u64).then_some(()) },
            )
            .await?;
            let last = stub.counters.arrival(expected).unwrap_or_else(Instant::now);
            let secs = last.duration_since(t0).as_secs_f64();
            cpu_shares.push((process_cpu_seconds() - cpu0) / (secs * cores));
            rates.push(expected as f64 / secs.max(1e-9));
        }
        let counts = coopnet_db::repo::deliveries::counts(&instance.ctx.db).await?;
        let rate = scenarios::median(&rates);
        let ratio = rate / aws.per_second;
        let cpu = scenarios::median(&cpu_shares);
        // Core-seconds per delivery (from the process's CPU time) and the signing part of it.
        let per_delivery = cpu * cores / rate;
        let signing = (aws.threads as f64 / aws.per_second).min(per_delivery);
        rep.record(Outcome::goal(
            "fanout",
            &format!(
                "one post → {followers_n} followers on {hosts} hosts, {} ({expected} deliveries)",
                v.label
            ),
            format!(
                "{} deliveries/s (median of {runs}; first {}) | aws-lc-rs sign ceiling (2 threads) {} /s → ratio {ratio:.2} | CPU busy {:.0} %, signing ≈ {:.0} % of the CPU per delivery | rsa crate sign ceiling {} /s → {:.2} × that",
                thousands(rate),
                thousands(rates[0]),
                thousands(aws.per_second),
                cpu * 100.0,
                signing / per_delivery * 100.0,
                thousands(rsa.per_second),
                rate / rsa.per_second,
            ),
            "≥ 0.7 × signing ceiling",
            ratio >= 0.7,
            json!({
                "deliveries": expected, "rates": rates, "rate": rate, "ratio": ratio,
                "cpu_share": cpu_shares, "rsa_sign": rsa, "aws_lc_sign": aws,
                "queue": {"done": counts.done, "dead": counts.dead, "pending": counts.pending, "leased": counts.leased},
            }),
        ))?;
    }
    instance.stop().await;
    Ok(())
}
