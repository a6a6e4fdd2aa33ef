//! Results: one line per figure on standard output, appended as JSON lines to
//! `<target>/bench/results.jsonl` and as table rows to `<target>/bench/results.md`.
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The search index source this binary was built with (`crates/db/src/repo/search.rs`):
/// another engineer is rewriting it, so results name the version they measured.
const SEARCH_SOURCE: &str = include_str!("../../db/src/repo/search.rs");

/// One reported figure.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// `actor`, `search`, `inbox`, `fanout`, `federation`, `footprint`, `crypto`.
    pub scenario: String,
    /// What was measured (`actor GET vs bare axum`).
    pub name: String,
    /// The one-line result.
    pub summary: String,
    /// The goal, when the issue sets one.
    pub goal: Option<String>,
    /// Whether the goal was met.
    pub met: Option<bool>,
    /// Every number, for later comparison.
    pub data: Value,
}

impl Outcome {
    /// An outcome without a goal.
    pub fn info(scenario: &str, name: &str, summary: String, data: Value) -> Self {
        Self {
            scenario: scenario.into(),
            name: name.into(),
            summary,
            goal: None,
            met: None,
            data,
        }
    }

    /// An outcome judged against `goal`.
    pub fn goal(
        scenario: &str,
        name: &str,
        summary: String,
        goal: &str,
        met: bool,
        data: Value,
    ) -> Self {
        Self {
            goal: Some(goal.into()),
            met: Some(met),
            ..Self::info(scenario, name, summary, data)
        }
    }
}

/// Where results go, and the run they belong to.
pub struct Reporter {
    run_id: String,
    dir: PathBuf,
    /// Every outcome of this run, in order.
    pub outcomes: Vec<Outcome>,
}

/// The machine and build a run happened on.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// CPUs available to the process.
    pub nproc: usize,
    /// `model name` of /proc/cpuinfo.
    pub cpu_model: String,
    /// `rustc --version`.
    pub rustc: String,
    /// /proc/loadavg.
    pub loadavg: String,
    /// Other compiler processes (rustc, cargo, ld, cc) running right now.
    pub other_builds: usize,
    /// `git rev-parse --short HEAD` plus `-dirty` when the tree has changes.
    pub git: String,
    /// First 12 hex digits of the SHA-256 of the compiled-in `repo/search.rs`.
    pub search_rs: String,
    /// Whether this was a `--quick` run.
    pub quick: bool,
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn command(cmd: &str, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// /proc/loadavg's first three fields.
pub fn loadavg() -> String {
    read("/proc/loadavg")
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Compiler and linker processes of anyone on the machine (a concurrent build skews every
/// figure on a 2-core box).
pub fn other_builds() -> usize {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != me)
        .filter(|pid| {
            let comm = read(&format!("/proc/{pid}/comm"));
            matches!(
                comm.trim(),
                "rustc" | "cargo" | "cc" | "cc1" | "ld" | "rust-lld" | "clippy-driver" | "c++"
            )
        })
        .count()
}

impl Machine {
    /// Reads the machine now.
    pub fn now(quick: bool) -> Self {
        let cpu_model = read("/proc/cpuinfo")
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
            .unwrap_or_else(|| "unknown".into());
        let head = command("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_default();
        let dirty = command("git", &["status", "--porcelain"]).is_some_and(|s| !s.is_empty());
        Self {
            nproc: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model,
            rustc: command("rustc", &["--version"]).unwrap_or_else(|| "unknown".into()),
            loadavg: loadavg(),
            other_builds: other_builds(),
            git: if dirty { format!("{head}-dirty") } else { head },
            search_rs: hex12(SEARCH_SOURCE.as_bytes()),
            quick,
        }
    }
}

fn hex12(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `<CARGO_TARGET_DIR or workspace/target>/bench`.
pub fn default_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("bench")
}

impl Reporter {
    /// Starts a run: writes the machine line to both files.
    pub fn start(dir: PathBuf, machine: &Machine) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
        let run_id = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let me = Self {
            run_id,
            dir,
            outcomes: Vec::new(),
        };
        let line = format!(
            "run {}: {} × {}, {}, load {}, other build processes {}, git {}, search.rs {}{}",
            me.run_id,
            machine.nproc,
            machine.cpu_model,
            machine.rustc,
            machine.loadavg,
            machine.other_builds,
            machine.git,
            machine.search_rs,
            if machine.quick { ", --quick" } else { "" }
        );
        println!("{line}");
        me.append_json(&serde_json::json!({"run": me.run_id, "machine": machine}))?;
        me.append_md(&format!(
            "\n## {line}\n\n| scenario | figure | result | goal | met |\n| --- | --- | --- | --- | --- |\n"
        ))?;
        Ok(me)
    }

    /// Prints and appends one outcome.
    pub fn record(&mut self, outcome: Outcome) -> anyhow::Result<()> {
        let verdict = match outcome.met {
            Some(true) => " [goal met]",
            Some(false) => " [goal NOT met]",
            None => "",
        };
        let goal = outcome
            .goal
            .as_deref()
            .map(|g| format!(" (goal {g})"))
            .unwrap_or_default();
        println!(
            "[{}] {}: {}{goal}{verdict}",
            outcome.scenario, outcome.name, outcome.summary
        );
        self.append_json(&serde_json::json!({"run": self.run_id, "outcome": outcome}))?;
        self.append_md(&format!(
            "| {} | {} | {} | {} | {} |\n",
            outcome.scenario,
            outcome.name,
            outcome.summary.replace('|', "/"),
            outcome.goal.as_deref().unwrap_or("–"),
            match outcome.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "–",
            }
        ))?;
        self.outcomes.push(outcome);
        Ok(())
    }

    /// Records a scenario that failed to run at all.
    pub fn failed(&mut self, scenario: &str, error: &anyhow::Error) -> anyhow::Result<()> {
        self.record(Outcome::info(
            scenario,
            "FAILED",
            format!("{error:#}"),
            serde_json::json!({"error": format!("{error:#}")}),
        ))
    }

    /// Appends a closing line (load average after).
    pub fn finish(&self) -> anyhow::Result<()> {
        let line = format!(
            "end of run {}: load {}, other build processes {}",
            self.run_id,
            loadavg(),
            other_builds()
        );
        println!("{line}");
        self.append_json(&serde_json::json!({"run": self.run_id, "end": {"loadavg": loadavg(), "other_builds": other_builds()}}))?;
        self.append_md(&format!("\n{line}\n"))?;
        println!(
            "results appended to {} and {}",
            self.dir.join("results.jsonl").display(),
            self.dir.join("results.md").display()
        );
        Ok(())
    }

    fn append_json(&self, value: &Value) -> anyhow::Result<()> {
        self.append("results.jsonl", &format!("{value}\n"))
    }

    fn append_md(&self, text: &str) -> anyhow::Result<()> {
        self.append("results.md", text)
    }

    fn append(&self, file: &str, text: &str) -> anyhow::Result<()> {
        let path = self.dir.join(file);
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("open {}", path.display()))?;
        f.write_all(text.as_bytes())?;
        Ok(())
    }
}
