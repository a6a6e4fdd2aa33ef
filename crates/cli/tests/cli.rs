//! End-to-end tests of the `coopnet` binary, run as a process.
//!
//! Each test has its own database ([`TestDb`]: SQLite, or PostgreSQL when
//! `TEST_DATABASE_URL=postgres://…`), its own temporary folder (current directory and config
//! file) and, for `serve`, its own loopback port, so the tests run in parallel. Children get
//! a cleared environment (only `PATH` and `HOME` are kept), so no `COOPNET_*` variable of the
//! caller leaks in.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use coopnet_tests::TestDb;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_coopnet");
/// Longest a one-shot command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest `serve` may take to answer `/healthz`.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// The CoTech demo members, in the JSON import format (29 co-ops).
fn cotech_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/demo/cotech-uk.json")
}

/// A port that was free a moment ago (bind to port 0, read it, let it go).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The coopnet binary with a clean environment, running in `dir`.
fn coopnet(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .current_dir(dir)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    for key in ["PATH", "HOME"] {
        if let Some(value) = std::env::var_os(key) {
            cmd.env(key, value);
        }
    }
    cmd
}

/// What a finished command did.
struct Run {
    args: String,
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Run {
    async fn of(mut cmd: Command, args: &[&str]) -> Self {
        cmd.args(args);
        let output = tokio::time::timeout(COMMAND_TIMEOUT, cmd.output())
            .await
            .unwrap_or_else(|_| panic!("coopnet {args:?} did not finish in time"))
            .unwrap();
        Self {
            args: args.join(" "),
            status: output.status,
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }

    /// Asserts success; returns standard output.
    fn ok(self) -> String {
        assert!(
            self.status.success(),
            "coopnet {} failed ({}):\n{}\n{}",
            self.args,
            self.status,
            self.stdout,
            self.stderr
        );
        self.stdout
    }

    /// Asserts failure; returns standard error.
    fn fails(self) -> String {
        assert!(
            !self.status.success(),
            "coopnet {} should have failed:\n{}\n{}",
            self.args,
            self.stdout,
            self.stderr
        );
        self.stderr
    }

    /// Asserts failure with exactly one line on standard error, `error: …`; returns it.
    fn fails_with_one_line(self) -> String {
        let args = self.args.clone();
        let stderr = self.fails();
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "coopnet {args}: stderr should be one line:\n{stderr}"
        );
        assert!(lines[0].starts_with("error: "), "{stderr}");
        lines[0].to_owned()
    }
}

/// One instance's command line: a database, a folder and a config file pointing at both.
struct Cli {
    /// Kept alive as long as the commands use it.
    _db: TestDb,
    dir: TempDir,
    config: PathBuf,
    env: Vec<(String, String)>,
}

impl Cli {
    /// A fresh database and a config file for `domain = localhost:PORT`.
    async fn new() -> Self {
        Self::on_port(free_port()).await
    }

    async fn on_port(port: u16) -> Self {
        let db = TestDb::new().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("coopnet.toml");
        let text = format!(
            r#"domain = "localhost:{port}"
listen = "127.0.0.1:{port}"
database_url = "{url}"
dev_mode = true

[network]
username = "testnet"
name = "Test Network"
country = "GB"
"#,
            url = db.url
        );
        std::fs::write(&config, text).unwrap();
        Self {
            _db: db,
            dir,
            config,
            env: Vec::new(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The binary in this folder, with `env`, without `--config`.
    fn command(&self) -> Command {
        let mut cmd = coopnet(self.dir.path());
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// `coopnet ARGS… --config FILE` (the flag after the subcommand).
    async fn run(&self, args: &[&str]) -> Run {
        let mut all = args.to_vec();
        all.extend(["--config", self.config.to_str().unwrap()]);
        Run::of(self.command(), &all).await
    }

    /// Runs and asserts success; returns standard output.
    async fn ok(&self, args: &[&str]) -> String {
        self.run(args).await.ok()
    }

    /// `coop show SLUG --json`, parsed.
    async fn show(&self, slug: &str) -> Value {
        serde_json::from_str(&self.ok(&["coop", "show", slug, "--json"]).await).unwrap()
    }

    /// The slugs `coop list` prints, in its order.
    async fn slugs(&self) -> Vec<String> {
        self.ok(&["coop", "list"])
            .await
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_owned())
            .collect()
    }

    /// `coop export --format json` to standard output.
    async fn export_json(&self) -> String {
        self.ok(&["coop", "export", "--format", "json"]).await
    }

    /// Writes `records` as a JSON import file in this folder.
    fn write_json(&self, name: &str, records: &Value) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, serde_json::to_string_pretty(records).unwrap()).unwrap();
        path
    }
}

/// A child process killed when dropped, even when an assertion fails first.
struct Server {
    child: std::process::Child,
    base_url: String,
    stderr_file: PathBuf,
}

impl Server {
    /// Starts `coopnet serve` (extra args allowed) from `cmd` and waits for `/healthz`.
    async fn start(cmd: Command, args: &[&str], port: u16, log_dir: &Path) -> Self {
        let stderr_file = log_dir.join("serve.log");
        let log = std::fs::File::create(&stderr_file).unwrap();
        let mut cmd = cmd.into_std();
        cmd.arg("serve")
            .args(args)
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        let mut server = Self {
            child: cmd.spawn().unwrap(),
            base_url: format!("http://127.0.0.1:{port}"),
            stderr_file,
        };
        server.wait_healthy().await;
        server
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_file).unwrap_or_default()
    }

    async fn wait_healthy(&mut self) {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("coopnet serve exited early ({status}):\n{}", self.log());
            }
            if let Ok(response) = http.get(self.url("/healthz")).send().await
                && response.status() == reqwest::StatusCode::OK
            {
                assert_eq!(response.text().await.unwrap(), "ok");
                return;
            }
            assert!(
                Instant::now() < deadline,
                "coopnet serve did not answer /healthz within {STARTUP_TIMEOUT:?}:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Adds the co-op most tests use.
async fn add_acme(cli: &Cli) {
    let out = cli
        .ok(&[
            "coop",
            "add",
            "acme",
            "--name",
            "Acme Digital",
            "--country",
            "GB",
            "--services",
            "Web; Hosting",
            "--summary",
            "en=Hello",
            "--link",
            "github=https://github.com/x",
        ])
        .await;
    assert_eq!(out.trim(), "added acme (Acme Digital)");
}

// --- help and argument errors ---

#[tokio::test]
async fn help_lists_commands_and_unknown_subcommands_fail() {
    let dir = tempfile::tempdir().unwrap();
    let help = Run::of(coopnet(dir.path()), &["--help"]).await.ok();
    assert!(help.contains("Usage: coopnet"), "{help}");
    for command in ["serve", "migrate", "coop", "token", "config"] {
        assert!(
            help.lines()
                .any(|l| l.trim_start().starts_with(&format!("{command} "))),
            "--help does not list {command}:\n{help}"
        );
    }

    let help = Run::of(coopnet(dir.path()), &["coop", "--help"]).await.ok();
    for command in ["add", "edit", "remove", "show", "list", "import", "export"] {
        assert!(
            help.lines()
                .any(|l| l.trim_start().starts_with(&format!("{command} "))),
            "coop --help does not list {command}:\n{help}"
        );
    }

    let stderr = Run::of(coopnet(dir.path()), &["frobnicate"]).await.fails();
    assert!(stderr.contains("frobnicate"), "{stderr}");
    // Neither help nor a usage error touches a database.
    assert!(!dir.path().join("data").exists());
}

// --- migrations ---

#[tokio::test]
async fn migrate_up_down_up() {
    let cli = Cli::new().await;
    let status = cli.ok(&["migrate", "status"]).await;
    assert!(status.lines().any(|l| l.starts_with("pending")), "{status}");
    assert!(!status.contains("applied"), "{status}");

    assert!(cli.ok(&["migrate"]).await.contains("up to date"));
    let status = cli.ok(&["migrate", "status"]).await;
    assert!(status.lines().any(|l| l.starts_with("applied")), "{status}");
    assert!(!status.contains("pending"), "{status}");

    // A co-op proves the schema works; rolling everything back drops it.
    add_acme(&cli).await;
    assert!(
        cli.ok(&["migrate", "down", "--all"])
            .await
            .contains("rolled back every migration")
    );
    let status = cli.ok(&["migrate", "status"]).await;
    assert!(status.lines().any(|l| l.starts_with("pending")), "{status}");
    assert!(!status.contains("applied"), "{status}");

    cli.ok(&["migrate", "up"]).await;
    let status = cli.ok(&["migrate", "status"]).await;
    assert!(status.lines().any(|l| l.starts_with("applied")), "{status}");
    assert!(!status.contains("pending"), "{status}");
    assert_eq!(cli.slugs().await, Vec::<String>::new());
}

// --- co-op administration ---

#[tokio::test]
async fn coop_add_show_list_edit_remove() {
    let cli = Cli::new().await;
    add_acme(&cli).await;

    let shown = cli.show("acme").await;
    assert_eq!(shown["slug"], "acme");
    assert_eq!(shown["name"], "Acme Digital");
    assert_eq!(shown["country"], "GB");
    assert_eq!(shown["services"], json!(["Web", "Hosting"]));
    assert_eq!(shown["summary"], json!({"en": "Hello"}));
    assert_eq!(
        shown["links"],
        json!([{"kind": "github", "url": "https://github.com/x"}])
    );
    assert_eq!(shown["listed"], true);
    assert_eq!(shown["workers"], Value::Null);

    let list = cli.ok(&["coop", "list"]).await;
    assert!(
        list.lines().any(|l| l.starts_with("acme\tAcme Digital")),
        "{list}"
    );

    assert_eq!(
        cli.ok(&["coop", "edit", "acme", "--workers", "5"])
            .await
            .trim(),
        "updated acme"
    );
    let edited = cli.show("acme").await;
    assert_eq!(edited["workers"], 5);
    for field in [
        "name",
        "country",
        "services",
        "summary",
        "links",
        "created_at",
    ] {
        assert_eq!(edited[field], shown[field], "{field} changed");
    }

    cli.ok(&["coop", "edit", "acme", "--json", r#"{"locality":"Leeds"}"#])
        .await;
    let edited = cli.show("acme").await;
    assert_eq!(edited["locality"], "Leeds");
    assert_eq!(edited["workers"], 5);
    assert_eq!(edited["name"], "Acme Digital");

    assert_eq!(
        cli.ok(&["coop", "remove", "acme"]).await.trim(),
        "removed acme (Acme Digital)"
    );
    let line = cli
        .run(&["coop", "show", "acme"])
        .await
        .fails_with_one_line();
    assert!(line.contains("acme") && line.contains("removed"), "{line}");
    assert_eq!(cli.slugs().await, Vec::<String>::new());
}

#[tokio::test]
async fn posts_are_written_in_a_language() {
    let cli = Cli::new().await;
    add_acme(&cli).await;
    let url = cli
        .ok(&[
            "post",
            "create",
            "--coop",
            "acme",
            "--lang",
            "fr",
            "Bonjour #coops",
        ])
        .await;
    assert!(url.trim().contains("/coops/acme/posts/"), "{url}");
    cli.ok(&["post", "create", "--coop", "acme", "Hello again"])
        .await;
    let list = cli.ok(&["post", "list", "--coop", "acme"]).await;
    let languages: Vec<&str> = list.lines().filter_map(|l| l.split('\t').nth(2)).collect();
    // Newest first: the default (the co-op's first language), then the one asked for.
    assert_eq!(languages, vec!["en", "fr"], "{list}");

    let line = cli
        .run(&[
            "post",
            "create",
            "--coop",
            "acme",
            "--lang",
            "not a tag!",
            "Hi",
        ])
        .await
        .fails_with_one_line();
    assert!(line.contains("language"), "{line}");
}

#[tokio::test]
async fn invalid_add_is_one_error_line_naming_every_bad_field() {
    let cli = Cli::new().await;
    let line = cli
        .run(&["coop", "add", "BAD", "--name", "", "--country", "UK"])
        .await
        .fails_with_one_line();
    for field in ["slug:", "name:", "country:"] {
        assert!(line.contains(field), "no {field} in: {line}");
    }
    assert!(line.contains("'UK'"), "{line}");

    let line = cli
        .run(&["coop", "add", "good", "--name", "Good", "--country", "UK"])
        .await
        .fails_with_one_line();
    assert!(line.contains("country:"), "{line}");
    assert!(!line.contains("name:"), "{line}");

    assert_eq!(cli.slugs().await, Vec::<String>::new());
    assert!(
        cli.run(&["coop", "show", "good"])
            .await
            .fails_with_one_line()
            .contains("not found")
    );
}

// --- where settings come from ---

#[tokio::test]
async fn config_comes_from_flag_anywhere_or_env_var() {
    let cli = Cli::new().await;
    add_acme(&cli).await;
    let config = cli.config.to_str().unwrap();

    // --config after the subcommand (what `Cli::run` does) and before it.
    assert_eq!(cli.slugs().await, ["acme"]);
    let out = Run::of(cli.command(), &["--config", config, "coop", "list"])
        .await
        .ok();
    assert!(out.starts_with("acme\t"), "{out}");
    let out = Run::of(cli.command(), &["coop", "list", "-c", config])
        .await
        .ok();
    assert!(out.starts_with("acme\t"), "{out}");

    // COOPNET_CONFIG instead of the flag. (Without it the demo settings would list CoTech.)
    let mut cmd = cli.command();
    cmd.env("COOPNET_CONFIG", config);
    let out = Run::of(cmd, &["coop", "list"]).await.ok();
    assert_eq!(out.lines().collect::<Vec<_>>().len(), 1, "{out}");
    assert!(out.starts_with("acme\t"), "{out}");

    // A missing file is an error, not a silent fallback to the demo.
    let mut cmd = cli.command();
    cmd.env("COOPNET_CONFIG", cli.path("missing.toml"));
    let line = Run::of(cmd, &["coop", "list"]).await.fails_with_one_line();
    assert!(line.contains("missing.toml"), "{line}");
}

#[tokio::test]
async fn env_var_overrides_the_files_database_url() {
    let mut cli = Cli::new().await;
    let other = TestDb::new().await.unwrap();
    add_acme(&cli).await;

    cli.env
        .push(("COOPNET_DATABASE_URL".into(), other.url.clone()));
    assert_eq!(cli.slugs().await, Vec::<String>::new());
    cli.ok(&["coop", "add", "beta", "--name", "Beta"]).await;
    assert_eq!(cli.slugs().await, ["beta"]);

    cli.env.clear();
    assert_eq!(cli.slugs().await, ["acme"]);
    drop(other);
}

// --- import and export ---

#[tokio::test]
async fn import_export_round_trips_through_the_binary() {
    let cli = Cli::new().await;
    let out = cli
        .ok(&["coop", "import", cotech_file().to_str().unwrap()])
        .await;
    assert_eq!(out.trim(), "imported 29 co-op(s): 29 added, 0 updated");
    let slugs = cli.slugs().await;
    assert_eq!(slugs.len(), 29, "{slugs:?}");
    assert!(slugs.iter().any(|s| s == "outlandish"));

    let run = cli
        .run(&["coop", "export", "--format", "json", "-o", "out.json"])
        .await;
    assert!(
        run.stderr.contains("exported 29 co-op(s)"),
        "{}",
        run.stderr
    );
    assert_eq!(run.ok(), "", "-o writes nothing to standard output");
    let json_text = std::fs::read_to_string(cli.path("out.json")).unwrap();
    let records: Vec<Value> = serde_json::from_str(&json_text).unwrap();
    assert_eq!(records.len(), 29);
    assert!(records.iter().all(|r| r["created_at"].is_string()));

    cli.ok(&["coop", "export", "--format", "csv", "-o", "out.csv"])
        .await;
    let csv_text = std::fs::read_to_string(cli.path("out.csv")).unwrap();
    assert!(
        csv_text.starts_with(
            "slug,name,website,email,locality,region,country,latitude,longitude,founded,\
             workers,legal_form,services,technologies,languages,logo,links,listed,created_at,\
             updated_at,contact_public,summary_en\n"
        ),
        "{}",
        csv_text.lines().next().unwrap_or_default()
    );
    assert!(csv_text.contains("\noutlandish,Outlandish,"));

    let original = cli.export_json().await;
    assert_eq!(original, json_text, "-o and standard output agree");

    let from_csv = Cli::new().await;
    let out = from_csv
        .ok(&["coop", "import", cli.path("out.csv").to_str().unwrap()])
        .await;
    assert!(out.contains("29 added"), "{out}");
    let from_json = Cli::new().await;
    let out = from_json
        .ok(&["coop", "import", cli.path("out.json").to_str().unwrap()])
        .await;
    assert!(out.contains("29 added"), "{out}");

    let via_csv = from_csv.export_json().await;
    let via_json = from_json.export_json().await;
    assert_eq!(via_csv, via_json, "CSV and JSON imports differ");
    assert_eq!(
        via_json, original,
        "export -> import -> export changed data"
    );
}

#[tokio::test]
async fn csv_export_neutralises_formulas_and_imports_back() {
    let cli = Cli::new().await;
    let formula = "=HYPERLINK(\"http://x\",\"y\")";
    let file = cli.write_json(
        "formula.json",
        &json!([{
            "slug": "formula", "name": formula, "locality": "@SUM(1)",
            "region": "'=quoted", "latitude": 51.5, "longitude": -0.1276,
        }]),
    );
    cli.ok(&["coop", "import", file.to_str().unwrap()]).await;
    cli.ok(&["coop", "export", "--format", "csv", "-o", "out.csv"])
        .await;
    let csv_text = std::fs::read_to_string(cli.path("out.csv")).unwrap();
    let row = csv_text.lines().nth(1).unwrap();
    assert!(
        row.starts_with("formula,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",,,'@SUM(1),''=quoted,,51.5,-0.1276,"),
        "{row}"
    );

    let again = Cli::new().await;
    again
        .ok(&["coop", "import", cli.path("out.csv").to_str().unwrap()])
        .await;
    assert_eq!(again.export_json().await, cli.export_json().await);
    assert_eq!(again.show("formula").await["name"], formula);
}

#[tokio::test]
async fn a_file_with_bad_records_imports_nothing() {
    let cli = Cli::new().await;
    let file = cli.write_json(
        "mixed.json",
        &json!([
            {"slug": "good-one", "name": "Good One"},
            {"slug": "Bad Slug", "name": "Bad"},
            {"slug": "good-two", "name": "Good Two", "country": "DE"},
            {"slug": "good-three", "name": "Good Three", "services": ["Web"]},
            {"slug": "bad-country", "name": "Bad Country", "country": "UK"},
            {"slug": "good-four", "name": "Good Four"},
        ]),
    );
    let stderr = cli
        .run(&["coop", "import", file.to_str().unwrap()])
        .await
        .fails();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(lines[0].contains("row 2 (Bad Slug): slug:"), "{stderr}");
    assert!(
        lines[1].contains("row 5 (bad-country): country:"),
        "{stderr}"
    );
    assert!(
        lines[2].starts_with("error: 2 invalid record(s)") && lines[2].contains("nothing"),
        "{stderr}"
    );
    assert!(!stderr.contains("good-"), "{stderr}");
    assert_eq!(cli.slugs().await, Vec::<String>::new());
    let export: Vec<Value> = serde_json::from_str(&cli.export_json().await).unwrap();
    assert!(export.is_empty());
}

#[tokio::test]
async fn existing_slugs_need_upsert() {
    let cli = Cli::new().await;
    add_acme(&cli).await;
    let file = cli.write_json(
        "update.json",
        &json!([
            {"slug": "acme", "name": "Acme Renamed", "workers": 9},
            {"slug": "newco", "name": "New Co"},
        ]),
    );
    let path = file.to_str().unwrap();

    let stderr = cli.run(&["coop", "import", path]).await.fails();
    assert!(stderr.contains("row 1 (acme): slug: is taken"), "{stderr}");
    assert!(stderr.contains("--upsert"), "{stderr}");
    assert_eq!(cli.slugs().await, ["acme"], "newco was not imported either");
    assert_eq!(cli.show("acme").await["name"], "Acme Digital");

    let out = cli.ok(&["coop", "import", path, "--upsert"]).await;
    assert_eq!(out.trim(), "imported 2 co-op(s): 1 added, 1 updated");
    let acme = cli.show("acme").await;
    assert_eq!(
        (&acme["name"], &acme["workers"]),
        (&json!("Acme Renamed"), &json!(9))
    );
    assert_eq!(cli.slugs().await, ["acme", "newco"]);
}

// --- tokens ---

#[tokio::test]
async fn tokens_create_list_revoke() {
    let cli = Cli::new().await;
    add_acme(&cli).await;

    let admin = cli
        .ok(&["token", "create", "--admin", "--label", "x"])
        .await;
    assert_eq!(admin.lines().count(), 1, "{admin}");
    let admin = admin.trim().to_owned();
    assert!(admin.starts_with("coopnet_"), "{admin}");

    let editor = cli.ok(&["token", "create", "--coop", "acme"]).await;
    assert_eq!(editor.lines().count(), 1, "{editor}");
    let editor = editor.trim().to_owned();
    assert!(editor.starts_with("coopnet_") && editor != admin);

    // A token for a co-op that does not exist is refused.
    cli.run(&["token", "create", "--coop", "nosuch"])
        .await
        .fails_with_one_line();

    let list = cli.ok(&["token", "list"]).await;
    assert!(!list.contains(&admin) && !list.contains(&editor), "{list}");
    assert!(!list.contains("coopnet_"), "{list}");
    let rows: Vec<Vec<&str>> = list.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2, "{list}");
    let admin_row = rows.iter().find(|r| r[1] == "admin").unwrap();
    assert_eq!(admin_row[2..4], ["active", "x"], "{list}");
    let editor_row = rows.iter().find(|r| r[1] == "coop:acme").unwrap();
    assert_eq!(editor_row[2], "active", "{list}");

    let id = admin_row[0].to_owned();
    assert_eq!(
        cli.ok(&["token", "revoke", &id]).await.trim(),
        format!("revoked token {id}")
    );
    let list = cli.ok(&["token", "list"]).await;
    let state = |scope: &str| {
        list.lines()
            .find(|l| l.split('\t').nth(1) == Some(scope))
            .and_then(|l| l.split('\t').nth(2))
            .map(str::to_owned)
    };
    assert_eq!(state("admin").as_deref(), Some("revoked"), "{list}");
    assert_eq!(state("coop:acme").as_deref(), Some("active"), "{list}");
    cli.run(&["token", "revoke", "999999"])
        .await
        .fails_with_one_line();
}

// --- serving ---

#[tokio::test]
async fn serve_answers_the_api_with_a_cli_token() {
    let port = free_port();
    let cli = Cli::on_port(port).await;
    let token = cli
        .ok(&["token", "create", "--admin", "--label", "serve test"])
        .await
        .trim()
        .to_owned();

    let config = cli.config.to_str().unwrap();
    let server = Server::start(cli.command(), &["--config", config], port, cli.dir.path()).await;
    let http = reqwest::Client::new();
    let body = json!({"slug": "viaapi", "name": "Via API", "country": "GB"});

    let response = http
        .post(server.url("/api/v1/admin/coops"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::UNAUTHORIZED);

    let response = http
        .post(server.url("/api/v1/admin/coops"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        reqwest::StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );

    let list: Value = http
        .get(server.url("/api/v1/coops"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["slug"], "viaapi", "{list}");
    assert_eq!(list["items"][0]["name"], "Via API", "{list}");

    // The CLI sees what the running server wrote.
    assert_eq!(cli.slugs().await, ["viaapi"]);

    // And the server's search index what the CLI wrote, once the commit signal arrived
    // (SQLite: the next read of `data_version`, every 100 ms; PostgreSQL: at once), and
    // within `coopnet_db::index::RECHECK` (1 s) in any case.
    let search = |q: &'static str| {
        let http = http.clone();
        let url = server.url(&format!("/api/v1/coops?q={q}"));
        async move {
            let page: Value = http.get(url).send().await.unwrap().json().await.unwrap();
            page
        }
    };
    let until = |q: &'static str, total: u64| async move {
        let started = Instant::now();
        loop {
            let page = search(q).await;
            if page["total"] == total {
                return (page, started.elapsed());
            }
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{q}: still {page} after {:?}",
                started.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    assert_eq!(search("hello").await["total"], 0);
    add_acme(&cli).await;
    let (found, took) = until("hello", 1).await;
    assert!(took < Duration::from_millis(1500), "took {took:?}");
    assert_eq!(found["items"][0]["slug"], "acme", "{found}");
    cli.ok(&["coop", "remove", "acme"]).await;
    let (_, took) = until("hello", 0).await;
    assert!(took < Duration::from_millis(1500), "took {took:?}");
    drop(server);
}

#[tokio::test]
async fn serve_without_config_runs_the_demo_in_the_current_folder() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut cmd = coopnet(dir.path());
    cmd.env("COOPNET_LISTEN", format!("127.0.0.1:{port}"))
        .env("COOPNET_DOMAIN", format!("localhost:{port}"));
    let server = Server::start(cmd, &[], port, dir.path()).await;
    let http = reqwest::Client::new();

    let list: Value = http
        .get(server.url("/api/v1/coops?limit=200"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 29, "{list}");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(29));
    assert!(
        dir.path().join("data/coopnet.db").is_file(),
        "no data/coopnet.db in the current folder"
    );

    let response = http.get(server.url("/")).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html")),
        "{:?}",
        response.headers()
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("CoTech"), "{html}");

    let log = server.log();
    assert!(
        log.contains(&format!("at http://localhost:{port}")),
        "{log}"
    );
    drop(server);
}

/// Four consecutive ports that were free a moment ago.
fn free_port_run(n: u16) -> u16 {
    for _ in 0..50 {
        let base = free_port();
        if base > u16::MAX - n {
            continue;
        }
        let all_free = (0..n).all(|i| std::net::TcpListener::bind(("127.0.0.1", base + i)).is_ok());
        if all_free {
            return base;
        }
    }
    panic!("no run of {n} free ports found");
}

#[tokio::test]
async fn demo_runs_four_networks_that_converge() {
    let dir = TempDir::new().unwrap();
    let base = free_port_run(4);
    let out = dir.path().join("demo.log");
    let log = std::fs::File::create(&out).unwrap();
    let mut cmd = coopnet(dir.path()).into_std();
    cmd.args([
        "demo",
        "--base-port",
        &base.to_string(),
        "--data-dir",
        "federation",
    ])
    .stdout(log.try_clone().unwrap())
    .stderr(log);
    let mut child = cmd.spawn().unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        if text.contains("converged: every instance lists 73 co-ops") {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("coopnet demo exited ({status}):\n{text}");
        }
        assert!(Instant::now() < deadline, "demo did not converge:\n{text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _guard = Kill(child);
    let text = std::fs::read_to_string(&out).unwrap();
    for (i, name) in [
        "CoTech (demo)",
        "Digitale Genossenschaften (demo)",
        "Tech Coöperaties NL (demo)",
        "SCOP Tech France (demo)",
    ]
    .iter()
    .enumerate()
    {
        let url = format!("http://localhost:{}", base + i as u16);
        assert!(
            text.contains(name) && text.contains(&url),
            "{name} at {url} not printed:\n{text}"
        );
        let page: Value = reqwest::get(format!("{url}/api/v1/coops?limit=200"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 73, "{url}");
        let networks: std::collections::BTreeSet<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["network"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            networks.len(),
            4,
            "{url} shows co-ops of every network: {networks:?}"
        );
    }
    for db in ["cotech", "digital", "techcoops", "scoptech"] {
        assert!(
            dir.path()
                .join("federation")
                .join(format!("{db}.db"))
                .exists(),
            "{db}.db"
        );
    }
}

// --- web console invites ---

#[tokio::test]
async fn invite_prints_a_one_time_console_link() {
    let cli = Cli::new().await;
    let out = cli.ok(&["invite", "--role", "admin"]).await;
    let link = out.trim();
    let (base, token) = link.rsplit_once('/').unwrap();
    assert!(
        base.starts_with("http://localhost:") && base.ends_with("/console/invite"),
        "{link}"
    );
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));

    // Editor invites name an existing co-op; admins none.
    let err = cli
        .run(&["invite", "--role", "editor"])
        .await
        .fails_with_one_line();
    assert!(err.contains("co-op"), "{err}");
    let err = cli
        .run(&["invite", "--role", "editor", "--coop", "nobody"])
        .await
        .fails_with_one_line();
    assert!(err.contains("nobody"), "{err}");
    cli.ok(&["coop", "add", "acme", "--name", "Acme"]).await;
    let out = cli
        .ok(&[
            "invite",
            "--role",
            "editor",
            "--coop",
            "acme",
            "--email",
            "Ed@Acme.example",
        ])
        .await;
    assert!(out.contains("/console/invite/"));
    cli.run(&["invite", "--role", "root"]).await.fails();
}

// --- linked accounts ---

/// A fediverse account on a stub server (WebFinger and its actor document), which points
/// back to `profile` in a profile field once `backlink` is set.
async fn fake_account(
    profile: String,
    backlink: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> coopnet_tests::FakeServer {
    use std::sync::atomic::Ordering;
    let port = free_port();
    let base = format!("http://localhost:{port}");
    let pem = include_str!("../../../tests/fixtures/keys/key1.pub.pem");
    coopnet_tests::FakeServer::start("127.0.0.1", port, move |request| {
        let actor = format!("{base}/users/coop");
        match request.uri().path() {
            "/.well-known/webfinger" => coopnet_tests::respond(
                200,
                &[("content-type", "application/jrd+json")],
                json!({
                    "subject": format!("acct:coop@localhost:{port}"),
                    "links": [{"rel": "self", "type": "application/activity+json", "href": actor}],
                })
                .to_string(),
            ),
            "/users/coop" => {
                let mut doc = json!({
                    "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                    "id": actor,
                    "type": "Person",
                    "preferredUsername": "coop",
                    "inbox": format!("{actor}/inbox"),
                    "publicKey": {"id": format!("{actor}#main-key"), "owner": actor, "publicKeyPem": pem},
                });
                if backlink.load(Ordering::SeqCst) {
                    doc["attachment"] = json!([{
                        "type": "PropertyValue",
                        "name": "Directory",
                        "value": format!("<a href=\"{profile}\">directory</a>"),
                    }]);
                }
                coopnet_tests::activity_json(&doc)
            }
            _ => coopnet_tests::respond(404, &[], ""),
        }
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn coop_link_refuses_without_a_backlink_then_links_and_unlinks() {
    let port = free_port();
    let cli = Cli::on_port(port).await;
    add_acme(&cli).await;
    let backlink = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let profile = format!("http://localhost:{port}/coops/acme");
    let server = fake_account(profile.clone(), backlink.clone()).await;
    let account = format!("@coop@localhost:{}", server.port());

    let line = cli
        .run(&["coop", "link", "acme", &account])
        .await
        .fails_with_one_line();
    assert!(
        line.contains("does not link back to this co-op")
            && line.contains(&format!("whose value is {profile}")),
        "{line}"
    );

    backlink.store(true, std::sync::atomic::Ordering::SeqCst);
    let out = cli.ok(&["coop", "link", "acme", &account]).await;
    assert_eq!(
        out.trim(),
        format!(
            "linked {account} to acme (backlink in its field); the network's follow is pending"
        )
    );
    assert_eq!(
        cli.ok(&["coop", "unlink", "acme"]).await.trim(),
        "unlinked the fediverse account of acme; the network unfollows it"
    );
    let line = cli
        .run(&["coop", "unlink", "acme"])
        .await
        .fails_with_one_line();
    assert!(line.contains("linked account of co-op 'acme'"), "{line}");
}
