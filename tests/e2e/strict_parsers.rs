//! Strict judges for every kind of document we serve: a real instance with demo-like data
//! (co-ops with full profiles in several languages, news with `#hashtags` and a mention, a
//! peer network following ours) is fetched over HTTP, and `tests/interop/strict_check.py`
//! (in the interop venv) judges what came back:
//!
//! - NodeInfo 2.0 and 2.1 against the published JSON Schemas (`tests/fixtures/nodeinfo/`),
//!   plus what Fedify's parser refuses (empty strings, non-URL `repository`/`homepage`);
//! - every ActivityStreams document (the three actor kinds, collections and their pages,
//!   Notes, Tombstones, and every activity either instance sent, fetched at its id) expanded
//!   by pyld with local copies of the contexts: no term may be undefined or dropped.
//!
//! The checker's own `--selftest` runs first, so a judge that cannot fail fails the test.
//! As in `interop.rs`, a venv that cannot be built fails the test: it is never skipped.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use coopnet_app::posts::{self, Draft, PostAuthor};
use coopnet_app::{coops, federation};
use coopnet_core::{FollowState, TokenScope};
use coopnet_tests::{TestInstance, eventually};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

const AP_ACCEPT: &str = r#"application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams""#;
const REPOSITORY: &str = "https://github.com/coopnet/coopnet";
const HOMEPAGE: &str = "https://coopnet.example/";

/// The interop venv's python (`tests/interop/setup.sh`, once per process, shared with
/// `interop.rs`). A venv that cannot be built fails the test.
fn python() -> PathBuf {
    match crate::interop::setup_python() {
        Ok(python) => python,
        Err(report) => panic!("interop venv setup (tests/interop/setup.sh) failed:\n{report}"),
    }
}

/// Runs `strict_check.py` with `args`; its output, and whether it exited 0.
async fn strict_check(args: &[&str]) -> (bool, String) {
    let python = tokio::task::spawn_blocking(python).await.unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("interop/strict_check.py");
    let out = tokio::process::Command::new(python)
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run strict_check.py");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `GET url` as ActivityStreams (Mastodon's `Accept`): its status and JSON body.
async fn get_ap(url: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(url)
        .header("Accept", AP_ACCEPT)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    let body = response
        .json()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: not JSON: {e}"));
    (status, body)
}

/// `GET url`, which must answer `want`; its JSON body.
async fn fetch(url: &str, want: u16) -> Value {
    let (status, body) = get_ap(url).await;
    assert_eq!(status, want, "GET {url}: {body:#}");
    body
}

/// The ids of the activities `instance` has sent (the transactional outbox), oldest first.
async fn sent_activity_ids(instance: &TestInstance) -> Vec<String> {
    let db = &instance.ctx.db;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT ap_id FROM outbox_activity ORDER BY id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| row.try_get::<String>("", "ap_id").unwrap())
        .collect()
}

async fn follow_accepted(instance: &TestInstance, actor: &str) {
    eventually(
        Duration::from_secs(15),
        &format!("Accept of {actor}"),
        || async {
            federation::following(&instance.ctx)
                .await
                .unwrap()
                .iter()
                .any(|f| f.actor_id.as_str() == actor && f.state == FollowState::Accepted)
                .then_some(())
        },
    )
    .await;
}

/// A co-op with every profile field, described in three languages.
fn full_profile(slug: &str) -> coopnet_core::CoopInput {
    serde_json::from_value(json!({
        "slug": slug,
        "name": "Tafarn Workers' Co-operative",
        "summary": {
            "en": "We build *federated* software for co-operatives.",
            "cy": "Rydym yn adeiladu meddalwedd *ffederal* ar gyfer cydweithfeydd.",
            "fr": "Nous construisons des logiciels *fédérés* pour les coopératives."
        },
        "website": "https://tafarn.example.coop/",
        "email": "hello@tafarn.example.coop",
        "contact_public": true,
        "locality": "Cardiff",
        "region": "Wales",
        "country": "GB",
        "latitude": 51.48,
        "longitude": -3.18,
        "founded": 2014,
        "workers": 12,
        "legal_form": "Co-operative society",
        "services": ["Web Development", "Hosting", "Training"],
        "technologies": ["Rust", "PostgreSQL"],
        "languages": ["cy", "en", "fr"],
        "links": [
            { "kind": "fediverse", "url": "https://social.example/@tafarn" },
            { "kind": "forge", "url": "https://code.example/tafarn" }
        ],
        "listed": true
    }))
    .expect("co-op input")
}

#[tokio::test]
async fn served_documents_pass_strict_parsers() {
    let (ok, selftest) = strict_check(&["--selftest"]).await;
    assert!(
        ok && selftest.contains(" 0 failed"),
        "strict_check.py --selftest: a judge that cannot fail is no judge\n{selftest}"
    );

    let a = TestInstance::spawn_with(|s| {
        s.network.languages = vec!["en".into(), "cy".into()];
        s.nodeinfo.repository = REPOSITORY.into();
        s.nodeinfo.homepage = HOMEPAGE.into();
    })
    .await
    .unwrap();
    let b = TestInstance::spawn_with(|s| {
        s.network.username = "othernet".into();
        s.network.name = "Other Network".into();
    })
    .await
    .unwrap();
    let port_a = a.addr.port();
    let port_b = b.addr.port();

    // Members: one full trilingual profile, and two from the demo directory.
    let slug = "tafarn";
    coops::create(&a.ctx, &full_profile(slug)).await.unwrap();
    let demo: Vec<_> = crate::cotech_fixture().into_iter().take(2).collect();
    for input in &demo {
        coops::create(&a.ctx, input).await.unwrap();
    }

    // B's network follows A's network and the co-op: A sends Accepts, then sends B every
    // kind of activity below.
    for handle in [
        format!("@testnet@localhost:{port_a}"),
        format!("@{slug}@localhost:{port_a}"),
    ] {
        federation::follow(&b.ctx, &handle).await.unwrap();
    }
    follow_accepted(&b, &a.url("/network")).await;
    follow_accepted(&b, &a.url(&format!("/coops/{slug}"))).await;

    let scope = TokenScope::Admin;
    let newcomer: coopnet_core::CoopInput = serde_json::from_value(
        json!({"slug": "newcomer", "name": "Newcomer Co-op", "services": ["Design"]}),
    )
    .unwrap();
    coops::create(&a.ctx, &newcomer).await.unwrap(); // Add to peers
    // Followed, so that its removal sends its followers a Delete of the actor.
    federation::follow(&b.ctx, &format!("@newcomer@localhost:{port_a}"))
        .await
        .unwrap();
    follow_accepted(&b, &a.url("/coops/newcomer")).await;
    let patch = serde_json::from_value(json!({"locality": "Swansea"})).unwrap();
    coops::update(&a.ctx, &scope, slug, &patch).await.unwrap(); // Update to followers and peers
    let post = posts::create(
        &a.ctx,
        &scope,
        &PostAuthor::Coop(slug.into()),
        Draft {
            content: format!(
                "Newyddion! Our #FediverseCoops meetup is on, with @othernet@localhost:{port_b} \
                 and #RustLang friends."
            ),
            language: Some("cy".into()),
        },
    )
    .await
    .unwrap(); // Create, and the network's Announce
    let network_post = posts::create(
        &a.ctx,
        &scope,
        &PostAuthor::Network,
        "A **network** announcement about #cooperation.",
    )
    .await
    .unwrap();
    let doomed = posts::create(&a.ctx, &scope, &PostAuthor::Coop(slug.into()), "Typo #oops")
        .await
        .unwrap();
    posts::delete(&a.ctx, &scope, &doomed.record.public_id)
        .await
        .unwrap(); // Delete{Tombstone}
    coops::remove(&a.ctx, "newcomer").await.unwrap(); // Remove and Delete of the actor
    federation::unfollow(&b.ctx, &a.url(&format!("/coops/{slug}")))
        .await
        .unwrap(); // B's Undo{Follow}

    // NodeInfo.
    let links = fetch(&a.url("/.well-known/nodeinfo"), 200).await;
    let v20 = fetch(&a.url("/nodeinfo/2.0"), 200).await;
    let v21 = fetch(&a.url("/nodeinfo/2.1"), 200).await;
    let v21_bare = fetch(&b.url("/nodeinfo/2.1"), 200).await;
    assert_eq!(
        v20["software"],
        json!({"name": "coopnet", "version": env!("CARGO_PKG_VERSION")}),
        "2.0 states nothing beyond name and version"
    );
    assert_eq!(v21["software"]["repository"], REPOSITORY, "{v21:#}");
    assert_eq!(v21["software"]["homepage"], HOMEPAGE, "{v21:#}");
    let bare_software = v21_bare["software"].as_object().unwrap();
    assert!(
        !bare_software.contains_key("repository") && !bare_software.contains_key("homepage"),
        "unconfigured links are left out, not empty: {v21_bare:#}"
    );

    // ActivityStreams documents, served on their own.
    let mut jsonld: Vec<(String, Value)> = Vec::new();
    let coop_path = format!("/coops/{slug}");
    let demo_slug = demo[0].slug.clone();
    for path in [
        "/network".to_owned(),
        "/actor".to_owned(),
        coop_path.clone(),
        format!("/coops/{demo_slug}"),
        "/network/followers".to_owned(),
        "/network/following".to_owned(),
        "/network/outbox".to_owned(),
        "/network/outbox?page=1".to_owned(),
        "/network/members".to_owned(),
        "/network/members?page=1".to_owned(),
        format!("{coop_path}/outbox"),
        format!("{coop_path}/outbox?page=1"),
        format!("{coop_path}/followers"),
        format!("{coop_path}/following"),
    ] {
        jsonld.push((format!("GET A {path}"), fetch(&a.url(&path), 200).await));
    }
    for path in ["/network", "/network/following"] {
        jsonld.push((format!("GET B {path}"), fetch(&b.url(path), 200).await));
    }
    for (label, url) in [
        ("Note (co-op, cy)", post.url.to_string()),
        ("Note (network)", network_post.url.to_string()),
    ] {
        let note = fetch(&url, 200).await;
        assert!(
            note["tag"].as_array().is_some_and(|t| !t.is_empty()),
            "{label}: no tags: {note:#}"
        );
        jsonld.push((format!("GET {label}"), note));
    }
    let tombstone = fetch(doomed.url.as_str(), 410).await;
    assert_eq!(tombstone["type"], "Tombstone");
    jsonld.push(("GET deleted Note (Tombstone)".into(), tombstone));
    jsonld.push((
        "GET removed co-op (Tombstone)".into(),
        fetch(&a.url("/coops/newcomer"), 410).await,
    ));

    // Every activity either instance sent, as sent, at its id.
    let mut kinds = BTreeSet::new();
    for (name, instance) in [("A", &a), ("B", &b)] {
        for id in sent_activity_ids(instance).await {
            let activity = fetch(&id, 200).await;
            let kind = activity["type"].as_str().unwrap_or("?").to_owned();
            let object = activity["object"]["type"].as_str().unwrap_or("");
            kinds.insert(format!(
                "{kind}{}",
                if object.is_empty() {
                    String::new()
                } else {
                    format!("{{{object}}}")
                }
            ));
            jsonld.push((format!("{name} sent {kind} {id}"), activity));
        }
    }
    for wanted in [
        "Accept{Follow}",
        "Create{Note}",
        "Announce",
        "Update{Organization}",
        "Delete{Tombstone}",
        "Delete",
        "Add{Organization}",
        "Remove",
        "Follow",
        "Undo{Follow}",
    ] {
        assert!(
            kinds.contains(wanted),
            "no {wanted} among the sent activities: {kinds:?}"
        );
    }

    let documents = json!({
        "nodeinfo_links": [{"label": "GET A /.well-known/nodeinfo", "document": links}],
        "nodeinfo": [
            {"label": "GET A /nodeinfo/2.0", "version": "2.0", "document": v20},
            {"label": "GET A /nodeinfo/2.1 (links configured)", "version": "2.1", "document": v21},
            {"label": "GET B /nodeinfo/2.1 (no links)", "version": "2.1", "document": v21_bare},
        ],
        "jsonld": jsonld
            .iter()
            .map(|(label, document)| json!({"label": label, "document": document}))
            .collect::<Vec<_>>(),
    });
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), serde_json::to_vec_pretty(&documents).unwrap()).unwrap();
    let (ok, verdict) = strict_check(&[file.path().to_str().unwrap()]).await;
    println!("{verdict}");
    let expected = format!("checked {} documents, 0 failed", 4 + jsonld.len());
    assert!(
        ok && verdict.contains(&expected),
        "strict parsers refuse what we serve (want '{expected}'):\n{verdict}"
    );
}
