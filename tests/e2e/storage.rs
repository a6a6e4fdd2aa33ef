//! Schema and repositories on the backend under test.
use coopnet_app::schema;
use coopnet_db::DatabaseConnection;
use coopnet_tests::TestDb;

use crate::context;

async fn table_names(db: &DatabaseConnection, postgres: bool) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = if postgres {
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
    };
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .collect()
}

#[tokio::test]
async fn migrations_go_up_down_up() {
    let test_db = TestDb::new().await.unwrap();
    let db = coopnet_app::open_database(&test_db.url).await.unwrap();
    schema::migrate_up(&db).await.unwrap();
    let up = table_names(&db, test_db.is_postgres()).await;
    for table in ["network", "coop", "api_token"] {
        assert!(
            up.contains(&table.to_string()),
            "{table} missing after up: {up:?}"
        );
    }
    let (applied, pending) = schema::status(&db).await.unwrap();
    assert!(!applied.is_empty() && pending.is_empty());

    schema::migrate_down(&db, None).await.unwrap();
    let down = table_names(&db, test_db.is_postgres()).await;
    for table in ["network", "coop", "api_token"] {
        assert!(
            !down.contains(&table.to_string()),
            "{table} left after down: {down:?}"
        );
    }
    let (_, pending) = schema::status(&db).await.unwrap();
    assert!(!pending.is_empty());

    schema::migrate_up(&db).await.unwrap();
    assert_eq!(table_names(&db, test_db.is_postgres()).await, up);
}

#[tokio::test]
async fn local_network_follows_configuration() {
    let test_db = TestDb::new().await.unwrap();
    let mut settings = coopnet_tests::test_settings(&test_db.url, 1);
    let first =
        coopnet_app::AppContext::start_with_keys(settings.clone(), coopnet_tests::fixture_keys())
            .await
            .unwrap();
    settings.network.name = "Renamed".into();
    let second = coopnet_app::AppContext::start_with_keys(settings, coopnet_tests::fixture_keys())
        .await
        .unwrap();
    assert_eq!(
        first.network.id, second.network.id,
        "one local network row, updated in place"
    );
    assert_eq!(second.network.name, "Renamed");
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode() {
    let test_db = TestDb::new().await.unwrap();
    if test_db.is_postgres() {
        return; // WAL is a SQLite setting; PostgreSQL has its own write-ahead log.
    }
    let db = coopnet_app::open_database(&test_db.url).await.unwrap();
    use sea_orm::{ConnectionTrait, Statement};
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "PRAGMA journal_mode",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<String>("", "journal_mode").unwrap(), "wal");
}

#[tokio::test]
async fn removed_coop_keeps_its_slug_and_is_gone() {
    let (ctx, _db) = context().await;
    let input: coopnet_core::CoopInput =
        serde_json::from_value(serde_json::json!({"slug": "gone-coop", "name": "Gone"})).unwrap();
    coopnet_app::coops::create(&ctx, &input).await.unwrap();
    coopnet_app::coops::remove(&ctx, "gone-coop").await.unwrap();
    assert!(matches!(
        coopnet_app::coops::get(&ctx, "gone-coop").await,
        Err(coopnet_app::AppError::Gone(_))
    ));
    assert!(matches!(
        coopnet_app::coops::create(&ctx, &input).await,
        Err(coopnet_app::AppError::Conflict(_))
    ));
}

#[tokio::test]
async fn demo_data_seeds_only_an_empty_database() {
    let test_db = TestDb::new().await.unwrap();
    let mut settings = coopnet_tests::test_settings(&test_db.url, 1);
    settings.demo_data = true;
    let ctx =
        coopnet_app::AppContext::start_with_keys(settings.clone(), coopnet_tests::fixture_keys())
            .await
            .unwrap();
    assert_eq!(coopnet_app::coops::all(&ctx).await.unwrap().len(), 29);
    coopnet_app::coops::remove(&ctx, "outlandish")
        .await
        .unwrap();
    let again = coopnet_app::AppContext::start_with_keys(settings, coopnet_tests::fixture_keys())
        .await
        .unwrap();
    assert_eq!(
        coopnet_app::coops::all(&again).await.unwrap().len(),
        28,
        "a second start does not re-seed"
    );
}

#[tokio::test]
async fn federation_errors_are_bounded_per_host_and_listed_newest_first() {
    use coopnet_db::repo::federation_errors::{self, KEPT_PER_HOST, MAX_REASON_CHARS};
    let (ctx, _db) = context().await;
    for i in 0..KEPT_PER_HOST + 5 {
        federation_errors::record(
            &ctx.db,
            "noisy.example",
            "delivery",
            &format!("failure {i}"),
        )
        .await
        .unwrap();
    }
    let long = "x".repeat(MAX_REASON_CHARS * 3);
    federation_errors::record(&ctx.db, "quiet.example:8443", "follow", &long)
        .await
        .unwrap();

    let all = federation_errors::recent(&ctx.db, 1000).await.unwrap();
    let noisy: Vec<_> = all.iter().filter(|e| e.host == "noisy.example").collect();
    assert_eq!(noisy.len() as u64, KEPT_PER_HOST, "{all:#?}");
    // The newest first, and the oldest ones were the ones dropped.
    assert_eq!(noisy[0].reason, format!("failure {}", KEPT_PER_HOST + 4));
    assert_eq!(noisy.last().unwrap().reason, "failure 5");
    let quiet = &all[0];
    assert_eq!(quiet.host, "quiet.example:8443");
    assert_eq!(quiet.step, "follow");
    assert_eq!(quiet.reason.chars().count(), MAX_REASON_CHARS);

    let two = federation_errors::recent(&ctx.db, 2).await.unwrap();
    assert_eq!(two.len(), 2);
    assert_eq!(two[0].host, "quiet.example:8443");
}
