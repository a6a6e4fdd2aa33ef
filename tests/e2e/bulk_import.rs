//! An import of 1,000 co-ops goes through the co-op use case: one `Add` per co-op for each
//! peer network's inbox, queued batch by batch while an admin keeps editing the directory,
//! one welcome post for all the newcomers, and every `Add` delivered.
use std::time::Duration;

use coopnet_app::exchange::{self, ImportMode};
use coopnet_core::{ActorKind, CoopInput, FollowerState, Target};
use coopnet_db::repo::followers;
use coopnet_db::repo::remote_actors::{self, RemoteActorRecord};
use coopnet_tests::{FakeServer, TestInstance, eventually, respond};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use url::Url;

const CO_OPS: usize = 1_000;

/// A peer network whose inbox takes everything (202) and records it.
async fn peer() -> FakeServer {
    FakeServer::start("127.0.0.1", 0, |_| respond(202, &[], ""))
        .await
        .unwrap()
}

/// `peer`'s network follows `on`'s network (accepted), as a real peer would after its Follow.
async fn follows(on: &TestInstance, peer: &FakeServer) {
    let base = format!("http://localhost:{}", peer.port());
    let actor = remote_actors::upsert(
        &on.ctx.db,
        &RemoteActorRecord {
            id: 0,
            actor_id: Url::parse(&format!("{base}/network")).unwrap(),
            kind: ActorKind::Group,
            username: "peer".into(),
            domain: format!("localhost:{}", peer.port()),
            name: Some("Peer".into()),
            inbox: Url::parse(&format!("{base}/network/inbox")).unwrap(),
            shared_inbox: Some(Url::parse(&format!("{base}/inbox")).unwrap()),
            public_key_id: format!("{base}/network#main-key"),
            public_key_pem: String::new(),
            fetched_at: chrono::Utc::now(),
        },
    )
    .await
    .unwrap();
    followers::add(
        &on.ctx.db,
        Target::Network(on.ctx.network.id),
        &actor,
        &Url::parse(&format!("{base}/follows/1")).unwrap(),
        FollowerState::Accepted,
    )
    .await
    .unwrap();
}

async fn count(i: &TestInstance, sql: &str) -> i64 {
    let db = &i.ctx.db;
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}

fn records() -> Vec<CoopInput> {
    (0..CO_OPS)
        .map(|i| {
            serde_json::from_value(json!({
                "slug": format!("bulk-{i:04}"),
                "name": format!("Bulk Co-op {i}"),
                "country": "GB",
                "services": ["Hosting"],
            }))
            .unwrap()
        })
        .collect()
}

#[tokio::test]
async fn a_thousand_imported_co_ops_reach_every_peer_without_blocking_writers() {
    let instance = TestInstance::spawn().await.unwrap();
    let (one, two) = (peer().await, peer().await);
    follows(&instance, &one).await;
    follows(&instance, &two).await;

    // An admin keeps adding co-ops while the import runs: none of those writes may fail.
    let writer = {
        let ctx = instance.ctx.clone();
        tokio::spawn(async move {
            for i in 0..20 {
                let input = serde_json::from_value(json!({
                    "slug": format!("by-hand-{i}"), "name": format!("By Hand {i}"),
                }))
                .unwrap();
                coopnet_app::coops::create(&ctx, &input)
                    .await
                    .unwrap_or_else(|e| panic!("admin write {i} during the import: {e}"));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let report = exchange::import(&instance.ctx, &records(), ImportMode::Insert)
        .await
        .unwrap();
    writer.await.unwrap();
    assert_eq!(report.created, CO_OPS);

    // One Add per co-op (1,000 imported, 20 by hand), each queued for both peers' inboxes.
    let adds = count(
        &instance,
        "SELECT COUNT(*) AS n FROM outbox_activity WHERE kind = 'Add'",
    )
    .await;
    assert_eq!(adds, (CO_OPS + 20) as i64);
    for peer in [&one, &two] {
        let host = format!("localhost:{}", peer.port());
        let queued = count(
            &instance,
            &format!(
                "SELECT COUNT(*) AS n FROM delivery d JOIN outbox_activity a \
                 ON a.id = d.activity_id WHERE a.kind = 'Add' AND d.host = '{host}'"
            ),
        )
        .await;
        assert_eq!(queued, (CO_OPS + 20) as i64, "{host}");
    }
    // One welcome post for the whole import (and one per co-op added by hand).
    let welcomes = count(
        &instance,
        "SELECT COUNT(*) AS n FROM post WHERE author_kind = 'network'",
    )
    .await;
    assert_eq!(welcomes, 1 + 20);

    // Every activity reaches both inboxes.
    let sent = CO_OPS + 20 + 1 + 20;
    for peer in [&one, &two] {
        eventually(Duration::from_secs(120), "every Add delivered", || async {
            let posts = peer
                .hits()
                .iter()
                .filter(|h| h.starts_with("POST /inbox"))
                .count();
            (posts >= sent).then_some(())
        })
        .await;
    }
}

/// Whether the planner has statistics for table `coop`: on PostgreSQL `pg_class.reltuples`
/// (-1 until the first ANALYZE, set by it in the same transaction), on SQLite a row of
/// `sqlite_stat1` (written only by ANALYZE).
pub(crate) async fn coop_statistics(db: &sea_orm::DatabaseConnection) -> Option<f64> {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT reltuples::float8 AS n FROM pg_class WHERE relname = 'coop' AND reltuples >= 0"
        }
        _ => {
            "SELECT CAST(substr(stat, 1, instr(stat || ' ', ' ') - 1) AS REAL) AS n \
             FROM sqlite_stat1 WHERE tbl = 'coop' LIMIT 1"
        }
    };
    let row = match db.query_one_raw(Statement::from_string(backend, sql)).await {
        Ok(row) => row,
        // No sqlite_stat1 table yet: nothing was ever analyzed.
        Err(_) => return None,
    };
    row.map(|r| r.try_get::<f64>("", "n").unwrap())
}

#[tokio::test]
async fn a_bulk_import_leaves_planner_statistics() {
    let (ctx, _db) = crate::context().await;
    assert_eq!(
        coop_statistics(&ctx.db).await,
        None,
        "fresh tables are unanalyzed"
    );
    let records: Vec<CoopInput> = (0..120)
        .map(|i| {
            let country = ["GB", "DE", "NL", "FR"][i % 4];
            serde_json::from_value(json!({
                "slug": format!("bulk-{i:03}"),
                "name": format!("Bulk {i}"),
                "country": country,
                "services": ["Hosting"],
            }))
            .unwrap()
        })
        .collect();
    exchange::import(&ctx, &records, ImportMode::Insert)
        .await
        .unwrap();
    let rows = coop_statistics(&ctx.db)
        .await
        .expect("the import analyzed the co-op table");
    assert_eq!(rows, 120.0, "statistics count what was imported");
}
