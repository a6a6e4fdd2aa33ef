//! The search index of a real `coopnet serve` process against the database, after what can
//! go wrong between processes: two other processes writing while the server answers (an
//! import and a stream of `coop add`/`edit`/`remove`), `kill -9` of the server while it
//! catches up and of an importer mid-batch, a restart, and a rebuild from a backup restored
//! into a new database. The servers keep their index on disk (`directory.index_dir`), so a
//! restart, including after `kill -9` mid-commit, opens the index the killed process left
//! and catches it up.
//!
//! Why real processes: the index lives in the server and learns of other processes' writes
//! only through the database (commit signals, the change log, and on opening a diff of
//! `(id, updated_at)`; `docs/search.md`, "The search index"), so only separate processes show
//! whether that is enough. The reference is the SQL path (`directory::search_database`) answered by a context
//! in this test process on the same database: it is written in the writers' own
//! transactions (no sync step of its own to get wrong), and it is the path the index is held
//! to everywhere else. A second, freshly started `serve` would only compare the index with
//! itself.
//!
//! "Agree" means, for every query of [`queries`] paged through to the end: the same total,
//! the same facets (keys, labels, counts, order), and page by page the same co-ops in the
//! same order with the same name, country, services and `updated_at` (the last catches a page
//! served from a stale page cache). Ranked queries (words, relevance order) compare the set of
//! all their pages, as BM25 and the database rank differently (the contract in
//! `docs/search.md`). Each test has its own [`TestDb`] (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL=postgres://…`).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use coopnet_app::AppContext;
use coopnet_app::directory::{self, FacetValue, SearchResult};
use coopnet_core::{SearchQuery, Sort};
use coopnet_tests::{
    Rng, ServeProcess, TestDb, eventually, fixture_keys, free_port, test_settings,
};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_coopnet");
/// Longest `serve` may take to answer `/healthz` (it builds the index first).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest a one-shot command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);
/// How long the server may take to show the last write. `serve`'s index is watched: it
/// catches up on the commit signal (about 100 ms on SQLite, at once on PostgreSQL) and
/// within `coopnet_db::index::RECHECK` (1 s) should one be lost; a little slack keeps a
/// loaded machine from failing the test for nothing.
const SETTLE: Duration = Duration::from_secs(2);
/// Page size for paging through every answer (the API's largest).
const PAGE: u64 = 200;
/// Co-ops an import writes per transaction (`coopnet_app::coops::WRITE_BATCH`).
const IMPORT_BATCH: i64 = 50;

// --- generated co-ops ---

/// A value of `from` from `rng`, skewed towards the front: a few common values, a tail of
/// rare ones.
fn pick<'a>(rng: &mut Rng, from: &[&'a str]) -> &'a str {
    let a = rng.below(from.len());
    let b = rng.below(from.len());
    from[a.min(b)]
}

const WORDS: [&str; 20] = [
    "cooperative",
    "worker",
    "owned",
    "digital",
    "bakery",
    "brauerei",
    "zürich",
    "genossenschaft",
    "solar",
    "energy",
    "housing",
    "garden",
    "café",
    "coöperatie",
    "printing",
    "radio",
    "bicycle",
    "theatre",
    "software",
    "weaving",
];
const COUNTRIES: [&str; 6] = ["GB", "DE", "NL", "FR", "ES", "BE"];
const SERVICES: [&str; 8] = [
    "Hosting",
    "Web Design",
    "Consulting",
    "Training",
    "Catering",
    "Printing",
    "Research",
    "Translation",
];

/// Import record `k` of the batch named `prefix` (its slug `prefix-k`): a few words, a
/// country (sometimes none), one to three services; every 13th unlisted.
fn record(prefix: &str, k: usize) -> Value {
    let seed = prefix.bytes().fold(k as u64, |h, b| {
        h.wrapping_mul(31).wrapping_add(u64::from(b))
    });
    let mut rng = Rng(seed);
    let name = format!(
        "{} {} {k}",
        pick(&mut rng, &WORDS),
        pick(&mut rng, &WORDS).to_uppercase()
    );
    let summary: Vec<&str> = (0..6).map(|_| pick(&mut rng, &WORDS)).collect();
    let services: BTreeSet<&str> = (0..1 + rng.next_u64() % 3)
        .map(|_| pick(&mut rng, &SERVICES))
        .collect();
    let mut r = json!({
        "slug": format!("{prefix}-{k}"),
        "name": name,
        "summary": {"en": summary.join(" ")},
        "services": services,
        "languages": ["en"],
    });
    if !k.is_multiple_of(11) {
        r["country"] = json!(pick(&mut rng, &COUNTRIES));
    }
    if k % 13 == 5 {
        r["listed"] = json!(false);
    }
    r
}

fn records(prefix: &str, n: usize) -> Value {
    Value::Array((0..n).map(|k| record(prefix, k)).collect())
}

// --- queries and answers ---

/// One directory query, as the API's query string takes it.
#[derive(Debug, Clone, Copy)]
struct Query {
    q: &'static str,
    country: &'static str,
    service: &'static str,
    sort: Sort,
}

impl Query {
    const ALL: Self = Self {
        q: "",
        country: "",
        service: "",
        sort: Sort::Name,
    };

    /// Ranked queries order by score, which the two paths compute differently.
    fn ranked(&self) -> bool {
        self.sort == Sort::Relevance && !self.q.is_empty()
    }

    fn sort_name(&self) -> &'static str {
        match self.sort {
            Sort::Relevance => "relevance",
            Sort::Name => "name",
            Sort::Newest => "newest",
        }
    }

    fn query_string(&self, offset: u64) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", self.q),
            ("country", self.country),
            ("service", self.service),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        s.append_pair("sort", self.sort_name())
            .append_pair("limit", &PAGE.to_string())
            .append_pair("offset", &offset.to_string());
        s.finish()
    }

    /// The same query for `directory::search_database` (service given by its key, as the
    /// API turns a label into).
    fn search(&self, offset: u64) -> SearchQuery {
        let list = |v: &str| {
            if v.is_empty() {
                Vec::new()
            } else {
                vec![v.to_owned()]
            }
        };
        SearchQuery {
            text: self.q.to_owned(),
            countries: list(self.country),
            services: list(self.service),
            sort: self.sort,
            limit: PAGE,
            offset,
            ..Default::default()
        }
    }
}

/// What each test asks: everything, one word in each order, a country, a service, word and
/// filters together, a rare word and a word prefix ranked, and a word nobody has.
fn queries() -> Vec<Query> {
    let q = |q, country, service, sort| Query {
        q,
        country,
        service,
        sort,
    };
    vec![
        Query::ALL,
        q("", "", "", Sort::Newest),
        q("cooperative", "", "", Sort::Name),
        q("cooperative", "", "", Sort::Newest),
        q("", "DE", "", Sort::Name),
        q("", "", "hosting", Sort::Name),
        q("solar", "GB", "web-design", Sort::Name),
        q("zurich", "", "", Sort::Relevance),
        q("gen", "", "", Sort::Relevance),
        q("", "", "", Sort::Relevance),
        q("nobodyhasthisword", "", "", Sort::Name),
    ]
}

/// One page as compared: total, facets and, per co-op, what a stale index or page would
/// get wrong.
#[derive(Debug, PartialEq)]
struct Page {
    total: u64,
    facets: Value,
    items: Vec<Value>,
}

fn item(slug: &str, name: &Value, country: &Value, services: &Value, updated: &Value) -> Value {
    json!({"slug": slug, "name": name, "country": country, "services": services, "updated_at": updated})
}

fn facet_list(values: &[FacetValue]) -> Value {
    values
        .iter()
        .map(|v| json!({"key": v.key, "label": v.label, "count": v.count}))
        .collect()
}

impl From<SearchResult> for Page {
    fn from(r: SearchResult) -> Self {
        let f = &r.facets;
        Self {
            total: r.total,
            facets: json!({
                "network": facet_list(&f.network),
                "country": facet_list(&f.country),
                "service": facet_list(&f.service),
                "technology": facet_list(&f.technology),
                "language": facet_list(&f.language),
            }),
            items: r
                .items
                .iter()
                .map(|c| {
                    let p = &c.profile;
                    let services: Vec<String> =
                        p.services.iter().map(ToString::to_string).collect();
                    item(
                        c.slug.as_str(),
                        &json!(p.name),
                        &json!(p.country.map(|c| c.to_string())),
                        &json!(services),
                        &serde_json::to_value(c.updated_at).unwrap(),
                    )
                })
                .collect(),
        }
    }
}

impl Page {
    fn of_api(body: &Value) -> Self {
        let facets = &body["facets"];
        let strip = |kind: &str| -> Value {
            facets[kind]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| json!({"key": v["key"], "label": v["label"], "count": v["count"]}))
                .collect()
        };
        Self {
            total: body["total"].as_u64().unwrap(),
            facets: json!({
                "network": strip("network"),
                "country": strip("country"),
                "service": strip("service"),
                "technology": strip("technology"),
                "language": strip("language"),
            }),
            items: body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    item(
                        c["slug"].as_str().unwrap(),
                        &c["name"],
                        &c["country"],
                        &c["services"],
                        &c["updated_at"],
                    )
                })
                .collect(),
        }
    }

    fn slugs(&self) -> Vec<String> {
        self.items
            .iter()
            .map(|i| i["slug"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// Every page of one query's answer.
type Answer = Vec<Page>;

/// Every page of every query.
type Answers = Vec<(Query, Answer)>;

/// Why two answers to `query` differ, if they do (see the module header for the rules).
fn difference(query: &Query, got: &Answer, want: &Answer) -> Option<String> {
    let (g, w) = (&got[0], &want[0]);
    if g.total != w.total {
        return Some(format!("{query:?}: total {} != {}", g.total, w.total));
    }
    if g.facets != w.facets {
        return Some(format!(
            "{query:?}: facets\n{:#}\n!=\n{:#}",
            g.facets, w.facets
        ));
    }
    if query.ranked() {
        let all = |a: &Answer| -> BTreeSet<String> {
            a.iter()
                .flat_map(|p| p.items.iter().map(Value::to_string))
                .collect()
        };
        let count = |a: &Answer| a.iter().map(|p| p.items.len()).sum::<usize>();
        let (ga, wa) = (all(got), all(want));
        if ga != wa || count(got) != count(want) {
            let missing: Vec<_> = wa.difference(&ga).take(5).collect();
            let extra: Vec<_> = ga.difference(&wa).take(5).collect();
            return Some(format!(
                "{query:?}: co-ops differ; missing {missing:?}, extra {extra:?}"
            ));
        }
        return None;
    }
    for (n, (gp, wp)) in got.iter().zip(want).enumerate() {
        if gp != wp {
            let first = gp.items.iter().zip(&wp.items).position(|(a, b)| a != b);
            return Some(format!(
                "{query:?}, page {n}: {} vs {} co-ops, first difference at {first:?}: {:?} != {:?}",
                gp.items.len(),
                wp.items.len(),
                first.map(|i| &gp.items[i]),
                first.map(|i| &wp.items[i]),
            ));
        }
    }
    (got.len() != want.len()).then(|| format!("{query:?}: {} pages != {}", got.len(), want.len()))
}

fn pages_for(total: u64) -> u64 {
    total.div_ceil(PAGE).max(1)
}

// --- an instance: database, config, a context in this process, `serve` processes ---

struct Instance {
    _db: TestDb,
    dir: TempDir,
    config: PathBuf,
    ctx: AppContext,
}

impl Instance {
    async fn new() -> Self {
        Self::on(TestDb::new().await.unwrap(), free_port()).await
    }

    /// An instance on `db` named `localhost:PORT`: the context migrates it and (unless it
    /// holds one) creates the network and its key, so no process generates keys.
    async fn on(db: TestDb, port: u16) -> Self {
        let ctx = AppContext::start_with_keys(test_settings(&db.url, port), fixture_keys())
            .await
            .unwrap();
        coopnet_federation::keys::for_network(ctx.fed())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("coopnet.toml");
        std::fs::write(&config, config_text(&db.url, port)).unwrap();
        Self {
            _db: db,
            dir,
            config,
            ctx,
        }
    }

    /// The binary with a clean environment (only `PATH` and `HOME`) and this config.
    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(BIN);
        cmd.env_clear()
            .envs(std::env::vars().filter(|(k, _)| k == "PATH" || k == "HOME"))
            .current_dir(self.dir.path())
            .args(args)
            .arg("--config")
            .arg(&self.config)
            .stdin(Stdio::null())
            .kill_on_drop(true);
        cmd
    }

    /// Runs `coopnet ARGS…` and asserts success; returns standard output.
    async fn ok(&self, args: &[&str]) -> String {
        let out = tokio::time::timeout(COMMAND_TIMEOUT, self.command(args).output())
            .await
            .unwrap_or_else(|_| panic!("coopnet {args:?} did not finish in time"))
            .unwrap();
        assert!(
            out.status.success(),
            "coopnet {args:?} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn write(&self, name: &str, value: &Value) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, serde_json::to_vec(value).unwrap()).unwrap();
        path
    }

    /// `coopnet coop import` of `n` generated co-ops named `prefix-…`, to completion.
    async fn import(&self, prefix: &str, n: usize) {
        let file = self.write(&format!("{prefix}.json"), &records(prefix, n));
        let out = self.ok(&["coop", "import", file.to_str().unwrap()]).await;
        assert!(out.contains(&format!("imported {n} ")), "{out}");
    }

    /// An import of `n` generated co-ops, started and left running.
    fn spawn_import(&self, prefix: &str, n: usize) -> tokio::process::Child {
        let file = self.write(&format!("{prefix}.json"), &records(prefix, n));
        self.command(&["coop", "import", file.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

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

    /// Live co-ops whose slug begins with `prefix-`.
    async fn count(&self, prefix: &str) -> i64 {
        self.scalar(&format!(
            "SELECT COUNT(*) AS n FROM coop WHERE slug LIKE '{prefix}-%' AND deleted_at IS NULL"
        ))
        .await
    }

    /// The database's answer to `query`, every page.
    async fn reference(&self, query: &Query) -> Answer {
        let mut pages = Vec::new();
        let mut n = 0;
        loop {
            let page: Page = directory::search_database(&self.ctx, &query.search(n * PAGE))
                .await
                .unwrap()
                .into();
            let total = page.total;
            pages.push(page);
            n += 1;
            if n >= pages_for(total) {
                return pages;
            }
        }
    }

    async fn references(&self) -> Answers {
        let mut out = Vec::new();
        for q in queries() {
            out.push((q, self.reference(&q).await));
        }
        out
    }

    /// Starts `coopnet serve` on a port of its own and waits until it answers.
    async fn serve(&self, name: &str) -> Serve {
        let port = free_port();
        let log = self.dir.path().join(format!("{name}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let child = std::process::Command::new(BIN)
            .env_clear()
            .envs(std::env::vars().filter(|(k, _)| k == "PATH" || k == "HOME"))
            .env(
                "COOPNET_LOG",
                "warn,coopnet_db::index=debug,coopnet_app::directory=info",
            )
            .current_dir(self.dir.path())
            .args(["serve", "--config"])
            .arg(&self.config)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        let mut serve = Serve {
            process: ServeProcess::new(child, port, log),
            http: reqwest::Client::new(),
        };
        serve.wait_healthy(STARTUP_TIMEOUT).await;
        serve
    }

    /// Waits until `serve` answers every query as the database does; returns how many
    /// comparisons that took (1: the first answers already agreed). Fails with the first
    /// difference after [`SETTLE`].
    async fn assert_agree(&self, serve: &Serve, what: &str) -> usize {
        let started = Instant::now();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let want = self.references().await;
            let got = serve.answers().await;
            let problem = want
                .iter()
                .zip(&got)
                .find_map(|((q, w), (_, g))| difference(q, g, w));
            match problem {
                None => return attempts,
                Some(p) => assert!(
                    started.elapsed() < SETTLE,
                    "{what}: the server disagrees with the database after {:?}: {p}",
                    started.elapsed()
                ),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn config_text(url: &str, port: u16) -> String {
    // Searches are rate limited per client; this test is one client asking a lot.
    format!(
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

[limits]
search_per_minute = 1000000

# Kept on disk (in the instance's folder, serve's working directory), so restarts, kill -9
# and a restored database exercise an index opened again and caught up.
[directory]
index_dir = "search-index"
"#
    )
}

/// `line` without the terminal colour codes of the log's text format.
fn without_colours(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ ... m
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A `coopnet serve` process (the shared harness) and a client for its API.
struct Serve {
    process: ServeProcess,
    http: reqwest::Client,
}

impl std::ops::Deref for Serve {
    type Target = ServeProcess;
    fn deref(&self) -> &ServeProcess {
        &self.process
    }
}

impl std::ops::DerefMut for Serve {
    fn deref_mut(&mut self) -> &mut ServeProcess {
        &mut self.process
    }
}

impl Serve {
    /// SIGTERM, then waits for a clean exit.
    async fn terminate(&mut self) {
        let status = self.process.terminate().await;
        assert!(status.success(), "{status}:\n{}", self.log());
    }

    /// `GET /api/v1/coops?QUERY`, which must answer 200.
    async fn get(&self, query: &str) -> Value {
        let url = format!("http://127.0.0.1:{}/api/v1/coops?{query}", self.port);
        let r = self.http.get(&url).send().await.unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        assert!(status.is_success(), "{url}: {status}\n{body}");
        serde_json::from_str(&body).unwrap()
    }

    async fn answer(&self, query: &Query) -> Answer {
        let first = Page::of_api(&self.get(&query.query_string(0)).await);
        let total = first.total;
        let mut pages = vec![first];
        for n in 1..pages_for(total) {
            pages.push(Page::of_api(&self.get(&query.query_string(n * PAGE)).await));
        }
        pages
    }

    async fn answers(&self) -> Answers {
        let mut out = Vec::new();
        for q in queries() {
            out.push((q, self.answer(&q).await));
        }
        out
    }
}

/// Sends directory queries to `port` until `stop`, so the server keeps catching up with
/// whatever the writers commit (a sync per moved counter); returns how many it sent. Errors
/// are ignored: the server may be killed under it.
fn spawn_queries(port: u16, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<usize> {
    tokio::spawn(async move {
        let http = reqwest::Client::new();
        let qs: Vec<String> = queries().iter().map(|q| q.query_string(0)).collect();
        let mut sent = 0;
        while !stop.load(Ordering::Relaxed) {
            let url = format!(
                "http://127.0.0.1:{port}/api/v1/coops?{}",
                qs[sent % qs.len()]
            );
            let _ = http.get(&url).send().await;
            sent += 1;
        }
        sent
    })
}

/// Adds, edits, unlists, relists and removes co-ops with one `coopnet` process per write,
/// `rounds` times; returns how many writes succeeded. `seed` co-ops `seed-0…` must exist.
async fn cli_writes(instance: &Instance, rounds: usize, done: &AtomicUsize) {
    for i in 0..rounds {
        let added = format!("loop-{i}");
        let edited = format!("seed-{}", 2 * i);
        let removed = format!("seed-{}", 2 * i + 1);
        let renamed = format!("Renamed solar cooperative {i}");
        let country = COUNTRIES[i % COUNTRIES.len()];
        instance
            .ok(&[
                "coop",
                "add",
                &added,
                "--name",
                &format!("Loop zürich {i}"),
                "--country",
                "DE",
                "--services",
                "Hosting; Web Design",
            ])
            .await;
        instance
            .ok(&[
                "coop",
                "edit",
                &edited,
                "--name",
                &renamed,
                "--country",
                country,
                "--services",
                "Web Design",
            ])
            .await;
        instance.ok(&["coop", "remove", &removed]).await;
        // Unlisted, then listed again on alternate rounds: leaves and re-enters the index.
        instance
            .ok(&["coop", "edit", &added, "--listed", "false"])
            .await;
        if i % 2 == 0 {
            instance
                .ok(&["coop", "edit", &added, "--listed", "true"])
                .await;
        }
        done.fetch_add(5 - usize::from(i % 2 == 1), Ordering::Relaxed);
    }
}

// --- the tests ---

#[tokio::test]
async fn concurrent_writers_in_two_processes_reach_the_servers_index() {
    let started = Instant::now();
    let instance = Instance::new().await;
    instance.import("seed", 300).await;
    let server = instance.serve("server").await;
    instance.assert_agree(&server, "before the writes").await;

    // While the server answers a steady stream of queries: one process imports 700 co-ops
    // (14 transactions), and one `coopnet` process after another adds, edits, unlists,
    // relists and removes co-ops, interleaving with the import's batches.
    let stop = Arc::new(AtomicBool::new(false));
    let querying = spawn_queries(server.port, stop.clone());
    let writes = AtomicUsize::new(0);
    tokio::join!(
        instance.import("bulk", 700),
        cli_writes(&instance, 12, &writes)
    );
    stop.store(true, Ordering::Relaxed);
    let sent = querying.await.unwrap();
    assert_eq!(instance.count("bulk").await, 700);
    assert_eq!(instance.count("loop").await, 12);

    let settled = instance.assert_agree(&server, "after the writes").await;
    eprintln!(
        "concurrent writers: {} CLI writes and a 700-co-op import during {sent} queries; \
         agreed at comparison {settled}; test took {:?}",
        writes.load(Ordering::Relaxed),
        started.elapsed()
    );
}

#[tokio::test]
async fn kill_9_of_the_server_and_of_an_importer_loses_nothing_and_shows_no_half_import() {
    let started = Instant::now();
    let instance = Instance::new().await;
    instance.import("seed", 200).await;
    let mut first = instance.serve("first").await;

    // The server is killed while it catches up with a running import: every committed
    // batch moves the counter, and queries keep arriving, so it is syncing most of the time.
    let stop = Arc::new(AtomicBool::new(false));
    let querying = spawn_queries(first.port, stop.clone());
    let mut importer = instance.spawn_import("big", 1500);
    eventually(Duration::from_secs(60), "a third of the import", || async {
        (instance.count("big").await >= 500).then_some(())
    })
    .await;
    first.kill9();
    stop.store(true, Ordering::Relaxed);
    querying.await.unwrap();
    let synced = first.log().matches("search index caught up").count();

    // Then the importer, mid-import: the batch it was writing rolls back; the batches it
    // committed stay (an import writes 50 co-ops per transaction, docs/import-format.md).
    eventually(
        Duration::from_secs(60),
        "two thirds of the import",
        || async { (instance.count("big").await >= 1000).then_some(()) },
    )
    .await;
    importer.start_kill().unwrap();
    let status = importer.wait().await.unwrap();
    assert!(!status.success(), "the import finished before the kill");
    let imported = instance.count("big").await;
    assert!(
        imported < 1500,
        "the kill came too late: {imported} imported"
    );
    assert_eq!(
        imported % IMPORT_BATCH,
        0,
        "{imported} co-ops of the killed import: part of a transaction was kept"
    );
    // Each kept co-op is whole: searchable through the SQL index as well as listed.
    let unindexed = instance
        .scalar(
            "SELECT COUNT(*) AS n FROM coop c WHERE c.slug LIKE 'big-%' \
             AND NOT EXISTS (SELECT 1 FROM coop_search s WHERE s.coop_id = c.id)",
        )
        .await;
    assert_eq!(unindexed, 0, "co-ops written without their search rows");

    // A restarted server answers as the database does, and keeps doing so while more
    // co-ops arrive.
    let second = instance.serve("second").await;
    instance.assert_agree(&second, "after the restart").await;
    instance.import("after", 200).await;
    instance.assert_agree(&second, "after a later import").await;
    eprintln!(
        "kill -9: server killed after {synced} syncs; importer killed with {imported} of 1500 \
         written; test took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_restarted_server_answers_as_before() {
    let started = Instant::now();
    let instance = Instance::new().await;
    instance.import("seed", 800).await;
    let mut server = instance.serve("before").await;
    // Changes the running server caught up with one by one, so its index has deletes and
    // several segments where the restarted one builds everything at once.
    let writes = AtomicUsize::new(0);
    cli_writes(&instance, 4, &writes).await;
    instance.assert_agree(&server, "before the restart").await;
    let before = server.answers().await;
    server.terminate().await;

    let again = instance.serve("after").await;
    // The index the first server left on disk is opened, not built again: every co-op
    // restored from it, none read from the database (nothing changed while it was down).
    eventually(Duration::from_secs(60), "the index opened", || async {
        again.log().contains("search index built").then_some(())
    })
    .await;
    let log = again.log();
    let built = log
        .lines()
        .find(|l| l.contains("search index built"))
        .map(without_colours)
        .unwrap_or_default();
    assert!(built.contains("indexed=0"), "{built}");
    assert!(!built.contains("restored=0"), "{built}");
    let after = again.answers().await;
    for ((q, b), (_, a)) in before.iter().zip(&after) {
        // Identical, pages and order included: ranked queries too, when one page holds
        // every match (their order on larger answers may shift with BM25's statistics).
        if let Some(d) = difference(q, a, b) {
            panic!("after the restart: {d}");
        }
        if q.ranked() && b.len() == 1 {
            assert_eq!(a[0].slugs(), b[0].slugs(), "order of {q:?}");
        }
    }
    instance.assert_agree(&again, "after the restart").await;
    eprintln!("restart: test took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_server_on_a_restored_backup_answers_as_the_original() {
    let started = Instant::now();
    let original = Instance::new().await;
    original.import("seed", 600).await;
    let writes = AtomicUsize::new(0);
    cli_writes(&original, 4, &writes).await;
    let server = original.serve("original").await;
    original.assert_agree(&server, "the original").await;
    let want = server.answers().await;

    let backup = original.dir.path().join("backup.json");
    original.ok(&["backup", backup.to_str().unwrap()]).await;
    // A new, empty database (same domain: the restored co-ops are this network's).
    let restored_db = TestDb::new().await.unwrap();
    let domain_port: u16 = original
        .ctx
        .settings
        .domain
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("coopnet.toml");
    std::fs::write(&config, config_text(&restored_db.url, domain_port)).unwrap();
    let out = tokio::process::Command::new(BIN)
        .env_clear()
        .envs(std::env::vars().filter(|(k, _)| k == "PATH" || k == "HOME"))
        .current_dir(dir.path())
        .args(["restore", backup.to_str().unwrap(), "--config"])
        .arg(&config)
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "restore failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The restored database, with a context of its own for the reference answers.
    let restored = Instance::on(restored_db, domain_port).await;
    let rebuilt = restored.serve("restored").await;
    let got = rebuilt.answers().await;
    for ((q, w), (_, g)) in want.iter().zip(&got) {
        if let Some(d) = difference(q, g, w) {
            panic!("restored vs original: {d}");
        }
    }
    restored
        .assert_agree(&rebuilt, "the restored database")
        .await;
    drop(dir);
    eprintln!("restore: test took {:?}", started.elapsed());
}

#[tokio::test]
async fn an_upsert_that_keeps_updated_at_reaches_the_index() {
    // The documented round trip (docs/import-format.md, "Timestamps"): export, edit the
    // file, import it back with --upsert. The export carries each co-op's `updated_at`, and
    // the index finds changed co-ops by `updated_at` alone.
    let instance = Instance::new().await;
    instance.import("seed", 120).await;
    let server = instance.serve("server").await;
    instance.assert_agree(&server, "before the upsert").await;

    let exported: Value =
        serde_json::from_str(&instance.ok(&["coop", "export", "--format", "json"]).await).unwrap();
    let mut edited = exported.as_array().unwrap().clone();
    for r in edited.iter_mut().take(40) {
        r["name"] = json!(format!("Edited {}", r["name"].as_str().unwrap()));
        r["country"] = json!("NL");
        r["services"] = json!(["Research"]);
    }
    let file = instance.write("edited.json", &Value::Array(edited));
    instance
        .ok(&["coop", "import", "--upsert", file.to_str().unwrap()])
        .await;
    instance.assert_agree(&server, "after the upsert").await;
}
