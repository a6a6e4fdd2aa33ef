//! Scenario 2: directory search over a generated directory (100,000 co-ops in 20 networks,
//! vocabulary of the demo data) through the HTTP API (`/api/v1/coops?q=…&country=…&service=…`)
//! and the HTML page (`/coops?…`), on SQLite and on PostgreSQL, for two shapes of text
//! (`generate::Shape`):
//!
//! - demo sentences drawn uniformly: each query is a word of a co-op's name plus its
//!   country and one of its services (so every query has matches); the driver cycles
//!   through 256 such queries. Goal: p99 ≤ 20 ms and ≥ 2,000 req/s.
//! - Zipf-shaped words: the query classes of issue 15, each its own load ([`Class`]):
//!   the unfiltered first page, one popular word (in about 60% of co-ops; goal p99 ≤ 50 ms
//!   and ≥ 500 req/s), words drawn by the law, a word with a country and a service, and a
//!   country with a service without words (goal p99 ≤ 20 ms and ≥ 2,000 req/s).
//!
//! Baselines in the same run: `/healthz` on the same instance (the HTTP stack's floor) and
//! `coopnet_app::directory::search` called in-process, one query at a time (the query's
//! own cost, without HTTP or rendering).
use std::sync::Arc;
use std::time::Instant;

use coopnet_app::directory;
use coopnet_core::SearchQuery;
use coopnet_core::Tag;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::generate::{self, Shape, Vocab};
use crate::harness::{BenchDb, Engine, Instance};
use crate::load::{self, Mode, Req, Spec, percentile_ms, thousands};
use crate::report::{Outcome, Reporter};
use crate::{Config, Shared, scenarios};

/// Networks in the generated directory.
pub const NETWORKS: usize = 20;
/// Concurrent connections of the search load.
pub const CONNECTIONS: usize = 16;
/// Distinct queries cycled through: few enough that their counts stay cached (the
/// directory's popular queries).
const QUERIES: usize = 256;
/// Distinct queries of the uncached variant: more than the count cache holds
/// (`coopnet_db::repo::count_cache::CAPACITY`), cycled in order, so every request counts.
const QUERIES_UNCACHED: usize = 4096;
/// Distinct clients the requests come from (see [`requests`]).
const CLIENTS: usize = 4096;

/// The load's requests: the queries under `prefix`, each from one of [`CLIENTS`] clients.
///
/// The instance rate-limits searches per client (`limits.search_per_minute`, 20/s by
/// default) and, by default, trusts `X-Forwarded-For` from 127.0.0.1: the driver plays a
/// reverse proxy in front of many visitors, so the limiter stays in the measured path and
/// no client goes over its budget (each sends ~1 request per 2 s at 2,000 req/s).
pub fn requests(
    queries: &[(String, SearchQuery)],
    prefix: &str,
    accept: &str,
) -> anyhow::Result<Vec<Req>> {
    (0..CLIENTS)
        .map(|k| {
            let ip = format!("10.77.{}.{}", k / 256, k % 256);
            Req::get(
                format!("{prefix}{}", queries[k % queries.len()].0),
                &[("accept", accept), ("x-forwarded-for", &ip)],
            )
        })
        .collect()
}

/// Runs the scenario on SQLite, then PostgreSQL when a server answers.
pub async fn run(config: &Config, rep: &mut Reporter, shared: &mut Shared) -> anyhow::Result<()> {
    let total = config.size(100_000, 2_000);
    let mut engines = vec![Engine::Sqlite];
    if config.postgres.is_some() {
        engines.push(Engine::Postgres);
    }
    let mut first_error = None;
    for shape in shapes()? {
        let vocab = Arc::new(Vocab::with_shape(shape)?);
        for engine in engines.iter().copied() {
            let db = match (engine, &config.postgres) {
                (Engine::Postgres, Some(url)) => BenchDb::postgres(url).await?,
                _ => BenchDb::sqlite()?,
            };
            let result = measure(config, rep, &db, &vocab, total).await;
            match (&result, engine, shape) {
                // The footprint scenario reuses the first generated SQLite directory.
                (Ok(()), Engine::Sqlite, Shape::Sentences) => {
                    shared.search_sqlite = Some((db, total))
                }
                _ => {
                    db.drop_database().await.ok();
                }
            }
            if let Err(e) = result {
                rep.failed(
                    &format!("search ({}, {})", engine.label(), shape.label()),
                    &e,
                )?;
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// The text shapes to measure: both, or those named in `BENCH_SEARCH_SHAPES`
/// (`sentences`, `zipf`, comma-separated) to profile one.
fn shapes() -> anyhow::Result<Vec<Shape>> {
    let Ok(names) = std::env::var("BENCH_SEARCH_SHAPES") else {
        return Ok(vec![Shape::Sentences, Shape::Zipf]);
    };
    names
        .split(',')
        .map(|name| match name.trim() {
            "sentences" => Ok(Shape::Sentences),
            "zipf" => Ok(Shape::Zipf),
            other => anyhow::bail!("BENCH_SEARCH_SHAPES: unknown shape {other}"),
        })
        .collect()
}

/// The query of co-op `i` as API and page query strings, and as a use-case query.
fn query(vocab: &Vocab, i: usize) -> (String, SearchQuery) {
    let (word, country, service) = vocab.query(i, NETWORKS);
    // The facet key (`web-design`): the page takes keys only, the API keys or labels.
    let service = Tag::parse(&service).map(|t| t.key()).unwrap_or(service);
    let qs = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", &word)
        .append_pair("country", &country)
        .append_pair("service", &service)
        .finish();
    let search = SearchQuery {
        text: word,
        countries: vec![country],
        services: vec![service],
        limit: API_LIMIT,
        ..SearchQuery::default()
    };
    (qs, search)
}

/// The API's default page size (what `/api/v1/coops` without `limit` returns).
pub const API_LIMIT: u64 = 50;

/// Writes a generated directory of `total` co-ops into a running instance's database.
pub async fn populate(
    instance: &Instance,
    vocab: &Arc<Vocab>,
    total: usize,
    engine: Engine,
) -> anyhow::Result<generate::Populated> {
    let parallel = if engine == Engine::Postgres { 4 } else { 1 };
    let populated = generate::populate(
        &instance.ctx.db,
        instance.ctx.network.id,
        vocab,
        total,
        NETWORKS,
        parallel,
    )
    .await?;
    if engine == Engine::Postgres {
        // Autovacuum would analyse the new tables within a minute; do it now.
        instance
            .ctx
            .db
            .execute_raw(Statement::from_string(
                instance.ctx.db.get_database_backend(),
                "ANALYZE",
            ))
            .await?;
    }
    Ok(populated)
}

/// `n` query strings and use-case queries drawn from random co-ops.
pub fn queries(vocab: &Vocab, total: usize, n: usize) -> Vec<(String, SearchQuery)> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    (0..n)
        .map(|_| query(vocab, rng.random_range(0..total)))
        .collect()
}

async fn measure(
    config: &Config,
    rep: &mut Reporter,
    db: &BenchDb,
    vocab: &Arc<Vocab>,
    total: usize,
) -> anyhow::Result<()> {
    let engine = db.engine;
    let shape = if vocab.zipf().is_some() {
        Shape::Zipf
    } else {
        Shape::Sentences
    };
    let label = format!("{}, {}", engine.label(), shape.label());
    let instance = Instance::start(&db.url, |_| {}).await?;
    let populated = populate(&instance, vocab, total, engine).await?;
    rep.record(Outcome::info(
        "search",
        &format!("generate ({label})"),
        format!(
            "{} co-ops in {} networks written through coopnet_db::repo in {:.1} s ({} co-ops/s)",
            thousands(total as f64),
            NETWORKS,
            populated.seconds,
            thousands(total as f64 / populated.seconds.max(1e-9))
        ),
        json!({"coops": total, "networks": NETWORKS, "seconds": populated.seconds}),
    ))?;

    let queries = queries(vocab, total, QUERIES);

    // What `serve` does in the background at start (searches meanwhile go to the SQL
    // path); done here first so the first HTTP query does not wait for it.
    let t = Instant::now();
    let built = directory::build_index(&instance.ctx).await?;
    rep.record(Outcome::info(
        "search",
        &format!("index build at start ({label})"),
        format!(
            "{} co-ops indexed in {:.1} s",
            thousands(built as f64),
            t.elapsed().as_secs_f64()
        ),
        json!({"coops": built, "seconds": t.elapsed().as_secs_f64()}),
    ))?;

    // Sanity, and the query cost without HTTP: each query once through the use case.
    let http = scenarios::client()?;
    let first = scenarios::get_json(
        &http,
        &instance.url(&format!("/api/v1/coops?{}", queries[0].0)),
        "application/json",
    )
    .await?;
    anyhow::ensure!(
        first["total"].as_u64().unwrap_or(0) >= 1,
        "a generated query found nothing: {}",
        queries[0].0
    );
    let page = http
        .get(instance.url(&format!("/coops?{}", queries[0].0)))
        .header("Accept", "text/html")
        .send()
        .await?
        .text()
        .await?;
    anyhow::ensure!(
        !page.contains("<span id=\"total\">0</span>"),
        "the directory page found nothing for {}",
        queries[0].0
    );
    let mut direct_us = Vec::new();
    let mut totals = Vec::new();
    for (_, q) in &queries {
        let t = Instant::now();
        let result = directory::search(&instance.ctx, q).await?;
        direct_us.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
        totals.push(result.total as f64);
    }
    direct_us.sort_unstable();
    let direct = json!({
        "p50_ms": percentile_ms(&direct_us, 50.0),
        "p99_ms": percentile_ms(&direct_us, 99.0),
        "median_matches": scenarios::median(&totals),
    });
    rep.record(Outcome::info(
        "search",
        &format!("directory::search in-process ({label})"),
        format!(
            "one at a time: p50 {:.2} ms, p99 {:.2} ms; median {} matches per query (page of {API_LIMIT})",
            percentile_ms(&direct_us, 50.0),
            percentile_ms(&direct_us, 99.0),
            scenarios::median(&totals)
        ),
        direct.clone(),
    ))?;

    let spec = Spec {
        connections: CONNECTIONS,
        mode: Mode::Timed {
            warmup: config.secs(1.0, 0.3),
            measure: config.secs(10.0, 1.0),
        },
    };
    let healthz = load::run(
        instance.addr,
        instance.host(),
        Arc::new(vec![Req::get("/healthz", &[])?]),
        spec,
    )
    .await?;
    if let Some(zipf) = vocab.zipf() {
        let classes = classes(vocab, zipf, total);
        let caught_up = catch_up_after_a_write(&instance).await?;
        rep.record(Outcome::info(
            "search",
            &format!("catch-up after one write ({label})"),
            format!(
                "one co-op's summary changed: the next query waits {caught_up:.1} ms for the index (counter moved, change log read, one co-op re-indexed, columns laid out again)"
            ),
            json!({"ms": caught_up}),
        ))?;
        let t = Instant::now();
        let rebuilt = coopnet_db::index::SearchIndex::new()
            .fresh(&instance.ctx.db)
            .await?
            .len();
        let rebuild_s = t.elapsed().as_secs_f64();
        rep.record(Outcome::info(
            "search",
            &format!("full index build ({label})"),
            format!(
                "{} co-ops read and indexed from the database in {rebuild_s:.1} s (what `serve` does at start, in the background)",
                thousands(rebuilt as f64)
            ),
            json!({"coops": rebuilt, "seconds": rebuild_s}),
        ))?;
        on_disk(rep, &instance, &label).await?;
        for class in &classes {
            let stages = stages(&instance, &class.queries).await?;
            rep.record(Outcome::info(
                "search",
                &format!("stages in-process, {} ({label})", class.name),
                stages.summary(),
                stages.json(),
            ))?;
        }
        measure_classes(rep, &instance, &classes, spec, &healthz, &label, total).await?;
        instance.stop().await;
        return Ok(());
    }
    let uncached = self::queries(vocab, total, QUERIES_UNCACHED);
    for (what, prefix, accept, queries) in [
        ("JSON API", "/api/v1/coops?", "application/json", &queries),
        ("HTML page", "/coops?", "text/html", &queries),
        (
            "JSON API, counts uncached",
            "/api/v1/coops?",
            "application/json",
            &uncached,
        ),
    ] {
        let requests = requests(queries, prefix, accept)?;
        let stats = load::run(instance.addr, instance.host(), Arc::new(requests), spec).await?;
        let met = stats.errors == 0 && stats.p99_ms <= 20.0 && stats.rps >= 2000.0;
        rep.record(Outcome::goal(
            "search",
            &format!(
                "{what}, {} co-ops, {label}, {CONNECTIONS} conns",
                thousands(total as f64)
            ),
            format!(
                "{} ({} B/answer) | baseline /healthz {} | in-process p99 {:.2} ms",
                stats.short(),
                stats.body_bytes,
                healthz.short(),
                percentile_ms(&direct_us, 99.0)
            ),
            "p99 ≤ 20 ms and ≥ 2,000 req/s",
            met,
            json!({"load": stats, "healthz": healthz, "direct": direct, "engine": label, "coops": total}),
        ))?;
    }
    instance.stop().await;
    Ok(())
}

/// One query class of the Zipf-shaped directory and its goal.
pub struct Class {
    /// How reports name it.
    pub name: String,
    /// Its queries: API/page query string and use-case query.
    pub queries: Vec<(String, SearchQuery)>,
    /// Goal: highest p99 in ms.
    pub p99_ms: f64,
    /// Goal: lowest throughput.
    pub rps: f64,
}

/// A query string and use-case query from words and filters.
fn class_query(text: &str, country: Option<&str>, service: Option<&str>) -> (String, SearchQuery) {
    let mut qs = url::form_urlencoded::Serializer::new(String::new());
    if !text.is_empty() {
        qs.append_pair("q", text);
    }
    if let Some(c) = country {
        qs.append_pair("country", c);
    }
    if let Some(s) = service {
        qs.append_pair("service", s);
    }
    let search = SearchQuery {
        text: text.to_owned(),
        countries: country.map(|c| vec![c.to_owned()]).unwrap_or_default(),
        services: service.map(|s| vec![s.to_owned()]).unwrap_or_default(),
        limit: API_LIMIT,
        ..SearchQuery::default()
    };
    (qs.finish(), search)
}

/// Issue 15's query classes over a Zipf-shaped directory of `total` co-ops.
pub fn classes(vocab: &Vocab, zipf: &generate::Zipf, total: usize) -> Vec<Class> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(15);
    let (popular, share) = zipf.popular(0.65);
    let service_key = |s: &str| {
        Tag::parse(s)
            .map(|t| t.key())
            .unwrap_or_else(|_| s.to_owned())
    };
    let mut by_law = Vec::new();
    let mut word_filters = Vec::new();
    let mut filters_only = Vec::new();
    for _ in 0..QUERIES {
        let n = rng.random_range(1..=2);
        let words: Vec<&str> = (0..n).map(|_| zipf.draw(&mut rng)).collect();
        by_law.push(class_query(&words.join(" "), None, None));
        // A word of co-op i's own summary with its country and a service: it has matches.
        let c = vocab.coop(rng.random_range(0..total), NETWORKS);
        let text: Vec<&str> = c.summary.values().flat_map(|t| t.split(' ')).collect();
        let word = text
            .get(rng.random_range(0..text.len().max(1)))
            .copied()
            .unwrap_or("coop");
        let country = c.country.clone().unwrap_or_else(|| "GB".into());
        let service = service_key(c.services.first().map_or("", String::as_str));
        word_filters.push(class_query(word, Some(&country), Some(&service)));
        filters_only.push(class_query("", Some(&country), Some(&service)));
    }
    vec![
        Class {
            name: "unfiltered first page".into(),
            queries: vec![class_query("", None, None)],
            p99_ms: 20.0,
            rps: 2000.0,
        },
        Class {
            name: format!(
                "popular word '{popular}' (in ~{:.0}% of co-ops)",
                share * 100.0
            ),
            queries: vec![class_query(popular, None, None)],
            p99_ms: 50.0,
            rps: 500.0,
        },
        Class {
            name: "1-2 words drawn by the law".into(),
            queries: by_law,
            p99_ms: 20.0,
            rps: 2000.0,
        },
        Class {
            name: "word + country + service".into(),
            queries: word_filters,
            p99_ms: 20.0,
            rps: 2000.0,
        },
        Class {
            name: "country + service, no words".into(),
            queries: filters_only,
            p99_ms: 20.0,
            rps: 2000.0,
        },
    ]
}

/// Loads each class through the JSON API and the HTML page.
async fn measure_classes(
    rep: &mut Reporter,
    instance: &Instance,
    classes: &[Class],
    spec: Spec,
    healthz: &load::Stats,
    label: &str,
    total: usize,
) -> anyhow::Result<()> {
    for class in classes {
        for (what, prefix, accept) in [
            ("JSON API", "/api/v1/coops?", "application/json"),
            ("HTML page", "/coops?", "text/html"),
        ] {
            let requests = requests(&class.queries, prefix, accept)?;
            let stats = load::run(instance.addr, instance.host(), Arc::new(requests), spec).await?;
            let met = stats.errors == 0 && stats.p99_ms <= class.p99_ms && stats.rps >= class.rps;
            rep.record(Outcome::goal(
                "search",
                &format!(
                    "{}, {what}, {} co-ops, {label}, {CONNECTIONS} conns",
                    class.name,
                    thousands(total as f64)
                ),
                format!(
                    "{} ({} B/answer) | baseline /healthz {}",
                    stats.short(),
                    stats.body_bytes,
                    healthz.short()
                ),
                &format!("p99 ≤ {} ms and ≥ {} req/s", class.p99_ms, thousands(class.rps)),
                met,
                json!({"load": stats, "healthz": healthz, "engine": label, "coops": total, "class": class.name}),
            ))?;
        }
    }
    Ok(())
}

/// Where one in-process query's time goes, stage by stage (medians over a class's queries,
/// each run once cold and then [`STAGE_ROUNDS`] times): the freshness check, the index
/// query, loading the page's co-ops, and the facet labels. The HTTP load adds routing,
/// limits and rendering on top.
struct Stages {
    fresh_us: Vec<u32>,
    index_us: Vec<u32>,
    load_us: Vec<u32>,
    page_us: Vec<u32>,
    whole_us: Vec<u32>,
    matches: Vec<f64>,
}

/// Rounds per query of the stage breakdown.
const STAGE_ROUNDS: usize = 5;

fn micros(t: Instant) -> u32 {
    u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX)
}

async fn stages(instance: &Instance, queries: &[(String, SearchQuery)]) -> anyhow::Result<Stages> {
    let ctx = &instance.ctx;
    let mut s = Stages {
        fresh_us: Vec::new(),
        index_us: Vec::new(),
        load_us: Vec::new(),
        page_us: Vec::new(),
        whole_us: Vec::new(),
        matches: Vec::new(),
    };
    for (_, q) in queries.iter().take(64) {
        for _ in 0..STAGE_ROUNDS {
            let t = Instant::now();
            let snapshot = ctx.search_index.fresh(&ctx.db).await?;
            s.fresh_us.push(micros(t));
            let t = Instant::now();
            let hits = snapshot.search(q)?;
            s.index_us.push(micros(t));
            let t = Instant::now();
            coopnet_db::repo::search::load(&ctx.db, &hits.ids).await?;
            s.load_us.push(micros(t));
            let t = Instant::now();
            ctx.search_index.page(&ctx.db, &snapshot, &hits.ids).await?;
            s.page_us.push(micros(t));
            let t = Instant::now();
            directory::search(ctx, q).await?;
            s.whole_us.push(micros(t));
            s.matches.push(hits.total as f64);
        }
    }
    for v in [
        &mut s.fresh_us,
        &mut s.index_us,
        &mut s.load_us,
        &mut s.page_us,
        &mut s.whole_us,
    ] {
        v.sort_unstable();
    }
    Ok(s)
}

impl Stages {
    fn summary(&self) -> String {
        format!(
            "p50 / p99 ms: freshness check {:.3} / {:.3}, index {:.3} / {:.3}, page from the database {:.3} / {:.3}, page through its cache {:.3} / {:.3}, whole directory::search {:.3} / {:.3}; median {} matches",
            percentile_ms(&self.fresh_us, 50.0),
            percentile_ms(&self.fresh_us, 99.0),
            percentile_ms(&self.index_us, 50.0),
            percentile_ms(&self.index_us, 99.0),
            percentile_ms(&self.load_us, 50.0),
            percentile_ms(&self.load_us, 99.0),
            percentile_ms(&self.page_us, 50.0),
            percentile_ms(&self.page_us, 99.0),
            percentile_ms(&self.whole_us, 50.0),
            percentile_ms(&self.whole_us, 99.0),
            scenarios::median(&self.matches),
        )
    }

    fn json(&self) -> serde_json::Value {
        let stage =
            |v: &[u32]| json!({"p50_ms": percentile_ms(v, 50.0), "p99_ms": percentile_ms(v, 99.0)});
        json!({
            "fresh": stage(&self.fresh_us),
            "index": stage(&self.index_us),
            "load": stage(&self.load_us),
            "page": stage(&self.page_us),
            "whole": stage(&self.whole_us),
            "median_matches": scenarios::median(&self.matches),
        })
    }
}

/// The index kept on disk (`directory.index_dir`): built into an empty folder, then opened
/// again after one write, as a restart of `serve` does: how long until it answers, and the
/// folder's size.
async fn on_disk(rep: &mut Reporter, instance: &Instance, label: &str) -> anyhow::Result<()> {
    let folder = tempfile::tempdir()?;
    let dir = folder.path().join("index");
    let t = Instant::now();
    let built = coopnet_db::index::SearchIndex::on_disk(&dir)
        .fresh(&instance.ctx.db)
        .await?
        .len();
    let build_s = t.elapsed().as_secs_f64();
    let bytes: u64 = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    // A write while no process keeps it, then a restart.
    catch_up_after_a_write(instance).await?;
    let reopened = coopnet_db::index::SearchIndex::on_disk(&dir);
    let t = Instant::now();
    let len = reopened.fresh(&instance.ctx.db).await?.len();
    let open_s = t.elapsed().as_secs_f64();
    let syncs = reopened.syncs();
    rep.record(Outcome::info(
        "search",
        &format!("index on disk ({label})"),
        format!(
            "{} co-ops: first build into the folder {build_s:.1} s, {:.0} MB on disk; reopened after one write in {:.0} ms ({} restored, {} read again)",
            thousands(built as f64),
            bytes as f64 / 1e6,
            open_s * 1000.0,
            syncs.restored,
            syncs.indexed
        ),
        json!({"coops": len, "build_seconds": build_s, "bytes": bytes, "open_ms": open_s * 1000.0, "restored": syncs.restored, "indexed": syncs.indexed}),
    ))?;
    Ok(())
}

/// Changes one local co-op's summary through the use case and returns how long the next
/// freshness check takes (ms): what a query pays after each write at this size.
async fn catch_up_after_a_write(instance: &Instance) -> anyhow::Result<f64> {
    let ctx = &instance.ctx;
    let local = directory::search(
        ctx,
        &SearchQuery {
            networks: vec![ctx.network.id],
            limit: 1,
            ..SearchQuery::default()
        },
    )
    .await?;
    let coop = local
        .items
        .first()
        .ok_or_else(|| anyhow::anyhow!("no local co-op to change"))?;
    // A summary never written before, so each call is a real change.
    let summary = format!(
        "Changed for the catch-up measure at {}.",
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    );
    let patch: coopnet_core::CoopPatch =
        serde_json::from_value(json!({"summary": {"en": summary}}))?;
    coopnet_app::coops::update(
        ctx,
        &coopnet_core::TokenScope::Admin,
        coop.slug.as_str(),
        &patch,
    )
    .await?;
    let t = Instant::now();
    ctx.search_index.fresh(&ctx.db).await?;
    Ok(t.elapsed().as_secs_f64() * 1000.0)
}
