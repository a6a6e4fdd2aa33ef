//! Cross-process wake-ups: a co-op added by another process on the same database (as
//! `coopnet coop add` does) reaches a peer network at once, although the serving process's
//! delivery worker polls only once a minute. The other process commits the delivery rows;
//! `coopnet_db::signals` (PostgreSQL `LISTEN/NOTIFY`, SQLite `data_version`) rings the
//! worker; the same signal drops the serving process's rendered actor documents when the
//! other process renames the co-op. Runs on both backends.
use std::time::{Duration, Instant};

use coopnet_app::{AppContext, Externals, coops, federation};
use coopnet_core::{FollowState, TokenScope};
use coopnet_tests::{TestInstance, eventually, fast_delivery, fixture_keys};
use serde_json::Value;

/// Far longer than the test allows: only a wake-up can deliver within the bound.
const IDLE_POLL: Duration = Duration::from_secs(120);

async fn listed_on(instance: &TestInstance, slug: &str) -> bool {
    found(instance, "wakeful", slug).await
}

/// True when `instance`'s directory search for `q` lists co-op `slug`.
async fn found(instance: &TestInstance, q: &str, slug: &str) -> bool {
    let page: Value = reqwest::get(instance.url(&format!("/api/v1/coops?q={q}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["slug"].as_str() == Some(slug))
}

#[tokio::test]
async fn a_coop_added_by_another_process_reaches_the_peer_at_once() {
    let slow = coopnet_federation::delivery::DeliveryConfig {
        idle_poll: IDLE_POLL,
        ..fast_delivery()
    };
    let a = TestInstance::spawn_paced(|_| {}, slow).await.unwrap();
    let b = TestInstance::spawn_with(|s| {
        s.network.username = "peernet".into();
        s.network.name = "Peer Network".into();
    })
    .await
    .unwrap();
    federation::follow(&b.ctx, &a.url("/network"))
        .await
        .unwrap();
    eventually(
        Duration::from_secs(30),
        "B's follow of A accepted",
        || async {
            let list = federation::following(&b.ctx).await.unwrap();
            list.iter()
                .all(|f| f.state == FollowState::Accepted)
                .then_some(())
        },
    )
    .await;

    // "Another process": a context of its own on A's database, without workers (the CLI).
    let cli = AppContext::start_with(
        (*a.ctx.settings).clone(),
        Externals {
            keys: fixture_keys(),
            ..Externals::default()
        },
    )
    .await
    .unwrap();
    // Let A's idle worker settle into its long sleep, so only a wake-up can explain a
    // prompt delivery.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let input = serde_json::from_value(serde_json::json!({
        "slug": "wakeful-coop", "name": "Wakeful Co-op", "services": ["Hosting"]
    }))
    .unwrap();
    let started = Instant::now();
    coops::create(&cli, &input).await.unwrap();
    eventually(Duration::from_secs(10), "the co-op on B", || async {
        listed_on(&b, "wakeful-coop").await.then_some(())
    })
    .await;
    let took = started.elapsed();
    eprintln!("co-op added by another process reached the peer in {took:?}");
    assert!(
        took < Duration::from_secs(3),
        "took {took:?}: A's worker was not woken (its idle poll is {IDLE_POLL:?})"
    );

    // A serves the co-op's actor document from its cache; the other process renames the
    // co-op; A's cache is dropped on the database's signal, not by A's own write.
    assert_eq!(actor_name(&a, "wakeful-coop").await, "Wakeful Co-op");
    assert_eq!(actor_name(&a, "wakeful-coop").await, "Wakeful Co-op");
    let patch = serde_json::from_value(serde_json::json!({"name": "Wide Awake Co-op"})).unwrap();
    let started = Instant::now();
    coops::update(&cli, &TokenScope::Admin, "wakeful-coop", &patch)
        .await
        .unwrap();
    eventually(
        Duration::from_secs(10),
        "the new name in A's actor",
        || async { (actor_name(&a, "wakeful-coop").await == "Wide Awake Co-op").then_some(()) },
    )
    .await;
    let took = started.elapsed();
    eprintln!("a rename by another process reached the serving process's actor in {took:?}");
    assert!(took < Duration::from_secs(1), "took {took:?}");

    // A's search index is watched (A runs the workers, so their commit signals move its
    // epoch and no query reads the database to learn whether anything changed): the next
    // rename by the other process reaches A's search through the same signal, read from the
    // change log, not by a full diff.
    eventually(
        Duration::from_secs(10),
        "A's search finds the co-op",
        || async { found(&a, "awake", "wakeful-coop").await.then_some(()) },
    )
    .await;
    let before = a.ctx.search_index.syncs();
    assert!(before.full >= 1, "{before:?}");
    let patch = serde_json::from_value(serde_json::json!({"name": "Sleepless Co-op"})).unwrap();
    let started = Instant::now();
    coops::update(&cli, &TokenScope::Admin, "wakeful-coop", &patch)
        .await
        .unwrap();
    eventually(
        Duration::from_secs(10),
        "the new name in A's search",
        || async { found(&a, "sleepless", "wakeful-coop").await.then_some(()) },
    )
    .await;
    let took = started.elapsed();
    eprintln!("a rename by another process reached the serving process's search in {took:?}");
    assert!(
        took < coopnet_db::index::RECHECK + Duration::from_millis(500),
        "took {took:?}"
    );
    assert!(!found(&a, "awake", "wakeful-coop").await);
    let after = a.ctx.search_index.syncs();
    assert_eq!(after.full, before.full, "caught up from the change log");
    assert!(after.from_log > before.from_log, "{after:?}");
}

/// The `name` of co-op `slug`'s actor document as `instance` serves it.
async fn actor_name(instance: &TestInstance, slug: &str) -> String {
    let doc: Value = reqwest::Client::new()
        .get(instance.url(&format!("/coops/{slug}")))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    doc["name"].as_str().unwrap_or_default().to_owned()
}
