//! One change, four doors: the same edit of a co-op made through the web console's form,
//! the admin API's JSON, the `coopnet coop edit` command line and a CSV file given to
//! `coopnet coop import --upsert` must store the same record. Each door writes in its own
//! syntax (a decimal comma in the form, `;`-separated lists on the command line, `KIND URL`
//! lines, `kind:url` CSV cells, `null` in JSON); all of them parse into one `CoopPatch`.
//!
//! The instance runs in this process (console and API over real HTTP); the command line
//! runs as the real binary against the same database.
#![allow(clippy::unwrap_used)]

use std::process::Stdio;

use coopnet_app::{coops, tokens};
use coopnet_core::CoopInput;
use coopnet_tests::TestInstance;
use coopnet_tests::console::admin;
use serde_json::json;
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_coopnet");

/// One co-op per door.
const DOORS: [&str; 4] = ["door-console", "door-api", "door-cli", "door-import"];

/// The record every door starts from (its slug aside).
fn start(slug: &str) -> CoopInput {
    serde_json::from_value(json!({
        "slug": slug,
        "name": "Four Doors Co-op",
        "summary": {"en": "Old words."},
        "website": "https://four-doors.example",
        "locality": "Bristol",
        "country": "GB",
        "services": ["Design"],
        "languages": ["en"],
        "links": [{"kind": "fediverse", "url": "https://social.example/@doors"}],
    }))
    .unwrap()
}

/// What must be stored after the edit, whichever door it came through.
fn expected(slug: &str) -> CoopInput {
    serde_json::from_value(json!({
        "slug": slug,
        "name": "Four Doors Co-op",
        "summary": {"en": "New words."},
        "locality": "Leeds",
        "country": "GB",
        "latitude": 53.8,
        "longitude": -1.55,
        "workers": 7,
        "services": ["Web", "Hosting"],
        "technologies": ["Rust", "PostgreSQL"],
        "languages": ["en", "cy"],
        "links": [{"kind": "github", "url": "https://github.com/four-doors"}],
        "listed": false,
    }))
    .unwrap()
}

/// The stored record of `slug`, timestamps left out.
async fn stored(instance: &TestInstance, slug: &str) -> CoopInput {
    let mut record = CoopInput::from(&coops::get(&instance.ctx, slug).await.unwrap());
    record.created_at = None;
    record.updated_at = None;
    record
}

/// Runs the binary with a config file naming the instance's database and domain.
async fn coopnet(instance: &TestInstance, dir: &std::path::Path, args: &[&str]) -> String {
    let config = dir.join("coopnet.toml");
    std::fs::write(
        &config,
        format!(
            "domain = \"{}\"\ndatabase_url = \"{}\"\ndev_mode = true\n",
            instance.ctx.settings.domain, instance.db.url
        ),
    )
    .unwrap();
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .current_dir(dir)
        .stdin(Stdio::null())
        .arg("--config")
        .arg(&config)
        .args(args);
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    let output = cmd.output().await.unwrap();
    assert!(
        output.status.success(),
        "coopnet {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn the_same_edit_through_every_door_stores_the_same_record() {
    let instance = TestInstance::spawn().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    for door in DOORS {
        coops::create(&instance.ctx, &start(door)).await.unwrap();
    }

    // The console: the whole form as an editor would send it after changing it.
    let mut console = admin(&instance).await;
    let page = console
        .post_form(
            "/console/coops/door-console",
            &[
                ("name", "Four Doors Co-op"),
                ("summary_en", "New words."),
                ("website", ""),
                ("email", ""),
                ("locality", "Leeds"),
                ("region", ""),
                ("country", "GB"),
                ("latitude", "53,8"),
                ("longitude", "-1,55"),
                ("founded", ""),
                ("workers", "7"),
                ("legal_form", ""),
                ("services", "Web; Hosting"),
                ("technologies", "Rust\nPostgreSQL"),
                ("languages", "en, cy"),
                ("links", "github https://github.com/four-doors"),
                ("contact_public", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);

    // The admin API: only what changes, `null` to clear.
    let token = tokens::create(&instance.ctx, None, "surfaces")
        .await
        .unwrap();
    let response = reqwest::Client::new()
        .patch(instance.url("/api/v1/admin/coops/door-api"))
        .bearer_auth(&token.secret)
        .json(&json!({
            "summary": {"en": "New words."},
            "website": null,
            "locality": "Leeds",
            "latitude": 53.8,
            "longitude": -1.55,
            "workers": 7,
            "services": ["Web", "Hosting"],
            "technologies": ["Rust", "PostgreSQL"],
            "languages": ["en", "cy"],
            "links": [{"kind": "github", "url": "https://github.com/four-doors"}],
            "listed": false,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());

    // The command line: flags for what changes, "" to clear.
    coopnet(
        &instance,
        dir.path(),
        &[
            "coop",
            "edit",
            "door-cli",
            "--summary",
            "en=New words.",
            "--website",
            "",
            "--locality",
            "Leeds",
            "--latitude",
            "53.8",
            "--longitude",
            "-1.55",
            "--workers",
            "7",
            "--services",
            "Web; Hosting",
            "--technologies",
            "Rust,PostgreSQL",
            "--languages",
            "en; cy",
            "--link",
            "github=https://github.com/four-doors",
            "--listed",
            "false",
        ],
    )
    .await;

    // An import file: the whole record, as CSV, given with --upsert.
    let csv = format!(
        "{}\n{}\n",
        "slug,name,website,email,locality,region,country,latitude,longitude,founded,workers,\
         legal_form,services,technologies,languages,logo,links,listed,created_at,updated_at,\
         contact_public,summary_en",
        "door-import,Four Doors Co-op,,,Leeds,,GB,53.8,-1.55,,7,,Web; Hosting,Rust; PostgreSQL,en; cy,,\
         github:https://github.com/four-doors,false,,,true,New words."
    );
    let file = dir.path().join("changes.csv");
    std::fs::write(&file, csv).unwrap();
    coopnet(
        &instance,
        dir.path(),
        &[
            "coop",
            "import",
            file.to_str().unwrap(),
            "--format",
            "csv",
            "--upsert",
        ],
    )
    .await;

    for door in DOORS {
        assert_eq!(
            stored(&instance, door).await,
            expected(door),
            "through the {door}"
        );
    }
}
