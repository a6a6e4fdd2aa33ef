//! Backup and restore: everything local survives, keys and tokens included, also from
//! SQLite to PostgreSQL.
use coopnet_app::directory::{self, SearchQuery};
use coopnet_app::exchange::{self, ImportMode};
use coopnet_app::{AppContext, backup, coops, posts, tokens};
use coopnet_core::TokenScope;
use coopnet_db::repo::keys;
use coopnet_tests::{TestDb, fixture_keys, test_settings};

#[tokio::test]
async fn backup_then_restore_into_a_new_database_keeps_everything() {
    // The source is always SQLite; the target is PostgreSQL when the suite runs on it.
    let dir = tempfile::tempdir().unwrap();
    let source_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("source.db").display()
    );
    let settings = test_settings(&source_url, 1);
    let source = AppContext::start_with_keys(settings.clone(), fixture_keys())
        .await
        .unwrap();
    exchange::import(&source, &crate::cotech_fixture(), ImportMode::Insert)
        .await
        .unwrap();
    posts::create(
        &source,
        &TokenScope::Admin,
        &posts::PostAuthor::Coop("outlandish".into()),
        "News *here*",
    )
    .await
    .unwrap();
    let token = tokens::create(&source, Some("outlandish"), "editor")
        .await
        .unwrap()
        .secret;
    let outlandish = coops::get(&source, "outlandish").await.unwrap();
    let key = coopnet_federation::keys::for_coop(source.fed(), outlandish.id)
        .await
        .unwrap();
    let before = exchange::to_json(&coops::all(&source).await.unwrap()).unwrap();

    let file = dir.path().join("backup.json");
    let written = backup::write(&source_url, &settings.domain, &file)
        .await
        .unwrap();
    assert!(
        written.iter().any(|(t, n)| *t == "coop" && *n == 29),
        "{written:?}"
    );

    let target = TestDb::new().await.unwrap();
    let restored = backup::read(&target.url, &file).await.unwrap();
    assert_eq!(restored, written);
    let ctx = AppContext::start_with_keys(test_settings(&target.url, 1), fixture_keys())
        .await
        .unwrap();
    assert_eq!(
        normalised(&exchange::to_json(&coops::all(&ctx).await.unwrap()).unwrap()),
        normalised(&before),
        "co-ops identical"
    );
    let principal = tokens::authenticate(&ctx, &token).await.unwrap();
    assert_eq!(
        principal.scope,
        TokenScope::Coop(outlandish.slug.clone()),
        "tokens keep working"
    );
    let restored_key = keys::coop(&ctx.db, outlandish.id).await.unwrap().unwrap();
    assert_eq!(
        restored_key, key,
        "actor keys survive (followers keep verifying)"
    );
    let (posts, total) = posts::list(&ctx, &posts::PostAuthor::Coop("outlandish".into()), 10, 0)
        .await
        .unwrap();
    assert_eq!(
        (total, posts[0].record.content.as_str()),
        (1, "News *here*")
    );
    let hits = directory::search(
        &ctx,
        &SearchQuery {
            text: "outlandish".into(),
            limit: 10,
            ..SearchQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(hits.total, 1, "the search index is rebuilt");
    // New rows get fresh ids after a restore (PostgreSQL sequences moved past the restored ids).
    let new = serde_json::from_value(serde_json::json!({"slug": "after-restore", "name": "After"}))
        .unwrap();
    coops::create(&ctx, &new).await.unwrap();

    // A second restore into the same (now non-empty) database is refused.
    let err = backup::read(&target.url, &file).await.unwrap_err();
    assert!(matches!(err, coopnet_app::AppError::Conflict(_)), "{err}");
}

/// Records sorted by slug with times at microsecond precision (PostgreSQL keeps
/// microseconds, SQLite nanoseconds; name order also follows each backend's collation).
fn normalised(json: &str) -> Vec<coopnet_core::CoopInput> {
    use chrono::SubsecRound;
    let mut records = exchange::parse_json(json).unwrap();
    for r in &mut records {
        r.created_at = r.created_at.map(|t| t.trunc_subsecs(6));
        r.updated_at = r.updated_at.map(|t| t.trunc_subsecs(6));
    }
    records.sort_by(|a, b| a.slug.cmp(&b.slug));
    records
}
