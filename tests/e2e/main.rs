//! End-to-end suite: one binary, a module per area. Runs on SQLite by default and on
//! PostgreSQL with `TEST_DATABASE_URL=postgres://…` (see README, Testing).
#![allow(clippy::unwrap_used)]

mod admin_api;
mod applications;
mod backup;
mod bulk_import;
mod console;
mod console_lockout;
mod csv_injection;
mod directory_changes;
mod exchange;
mod federation_news;
mod federation_rules;
mod fixtures;
mod follow_answers;
mod hostile_peer;
mod interop;
mod jobs;
mod linked_accounts;
mod mesh;
mod open_data;
mod ops;
mod public_api;
mod rate_limits;
mod search;
mod search_index;
mod signatures;
mod ssrf;
mod storage;
mod strict_parsers;
mod two_instances;
mod wakeups;

use coopnet_app::AppContext;
use coopnet_tests::{TestDb, test_settings};

/// An instance context on a fresh database, without HTTP.
pub async fn context() -> (AppContext, TestDb) {
    let db = TestDb::new().await.expect("test database");
    let ctx = AppContext::start_with_keys(test_settings(&db.url, 1), coopnet_tests::fixture_keys())
        .await
        .expect("start");
    (ctx, db)
}

/// The CoTech demo fixture.
pub fn cotech_fixture() -> Vec<coopnet_core::CoopInput> {
    coopnet_app::exchange::parse_json(coopnet_app::demo::COTECH_UK).expect("fixture parses")
}

/// The body of `GET url` as text (any status).
pub async fn get_text(url: &str) -> String {
    reqwest::get(url).await.unwrap().text().await.unwrap()
}
