//! coopnet-bench: the benchmark suite of coopnet. It owns the scenarios of the performance
//! issue and nothing else in the product:
//!
//! 1. `actor`: co-op actor GET (`application/activity+json`) vs a bare axum handler serving
//!    the same bytes, same process, same runtime;
//! 2. `search`: directory search (JSON API and HTML page, text + two facets) over a
//!    generated directory (100,000 co-ops, 20 networks) on SQLite and PostgreSQL;
//! 3. `inbox`: signed `Follow`s accepted and answered per second vs the RSA verification
//!    ceiling;
//! 4. `fanout`: one post to 1,000 followers on 100 stub hosts through the persistent queue vs
//!    the RSA signing ceiling (and what aws-lc-rs would give);
//! 5. `federation`: edit-to-visible time across a four-instance mesh, and the backfill of a
//!    10,000-member network by a new peer;
//! 6. `footprint`: resident memory, start-up time and binary size of a spawned release
//!    `coopnet serve`.
//!
//! Run it with `scripts/bench [--quick]` (see `docs/benchmarks.md`). Everything binds
//! 127.0.0.1; every load is bounded in time and count. Results are printed, one line per
//! figure, and appended to `<target>/bench/results.{jsonl,md}`.
mod crypto;
mod generate;
mod harness;
mod load;
mod report;
mod scenarios;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use report::{Machine, Reporter};

/// Default PostgreSQL server (a fresh database is created on it and dropped afterwards).
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

const SCENARIOS: [&str; 6] = [
    "actor",
    "inbox",
    "fanout",
    "search",
    "footprint",
    "federation",
];

/// Run-wide options.
pub struct Config {
    /// Tiny sizes and short runs (a CI smoke of about a minute).
    pub quick: bool,
    /// PostgreSQL admin URL, when one answers.
    pub postgres: Option<String>,
}

impl Config {
    /// `full` seconds, or `quick` seconds with `--quick`.
    pub fn secs(&self, full: f64, quick: f64) -> Duration {
        Duration::from_secs_f64(if self.quick { quick } else { full })
    }

    /// `full`, or `quick` with `--quick`.
    pub fn size(&self, full: usize, quick: usize) -> usize {
        if self.quick { quick } else { full }
    }
}

/// State shared between scenarios of one run.
#[derive(Default)]
pub struct Shared {
    /// The generated SQLite directory of `search`, reused by `footprint`.
    pub search_sqlite: Option<(harness::BenchDb, usize)>,
}

const USAGE: &str = "usage: coopnet-bench [all|actor|search|inbox|fanout|federation|footprint]... \
[--quick] [--out DIR] [--postgres URL | --no-postgres]";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("coopnet-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<ExitCode> {
    let mut args = std::env::args().skip(1);
    let mut wanted: Vec<String> = Vec::new();
    let mut quick = false;
    let mut out = report::default_dir();
    let mut postgres =
        Some(std::env::var("BENCH_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned()));
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--out" => out = PathBuf::from(args.next().ok_or_else(|| anyhow::anyhow!(USAGE))?),
            "--postgres" => postgres = Some(args.next().ok_or_else(|| anyhow::anyhow!(USAGE))?),
            "--no-postgres" => postgres = None,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            "all" => wanted.extend(SCENARIOS.iter().map(|s| s.to_string())),
            s if SCENARIOS.contains(&s) => wanted.push(s.to_owned()),
            other => anyhow::bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    if wanted.is_empty() {
        wanted.extend(SCENARIOS.iter().map(|s| s.to_string()));
    }
    if let Some(url) = &postgres
        && !harness::reachable(url).await
    {
        println!("note: no PostgreSQL answers at {url}; PostgreSQL figures are skipped");
        postgres = None;
    }
    let config = Config { quick, postgres };
    let machine = Machine::now(quick);
    let mut reporter = Reporter::start(out, &machine)?;
    let mut shared = Shared::default();
    let mut failed = false;
    for name in &wanted {
        let started = std::time::Instant::now();
        println!("-- {name}");
        let result = match name.as_str() {
            "actor" => scenarios::actor::run(&config, &mut reporter).await,
            "search" => scenarios::search::run(&config, &mut reporter, &mut shared).await,
            "inbox" => scenarios::inbox::run(&config, &mut reporter).await,
            "fanout" => scenarios::fanout::run(&config, &mut reporter).await,
            "federation" => scenarios::federation::run(&config, &mut reporter).await,
            "footprint" => scenarios::footprint::run(&config, &mut reporter, &mut shared).await,
            _ => Ok(()),
        };
        if let Err(e) = result {
            failed = true;
            reporter.failed(name, &e)?;
        }
        println!(
            "-- {name} took {:.1} s (load {})",
            started.elapsed().as_secs_f64(),
            report::loadavg()
        );
    }
    if let Some((db, _)) = shared.search_sqlite.take() {
        db.drop_database().await.ok();
    }
    reporter.finish()?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
