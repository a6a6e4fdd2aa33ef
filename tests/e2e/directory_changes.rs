//! The directory's change log (`coopnet_db::repo::directory_changes`, migration
//! `m20261211_100000_create_directory_change`) on the backend under test: the triggers log
//! every write the search index must see and nothing else, a reader gets each id past its
//! watermark, and on PostgreSQL a row whose transaction commits after a later-numbered one
//! was read is still read next time.
use coopnet_app::coops;
use coopnet_core::TokenScope;
use coopnet_db::repo::directory_changes::{self, Watermark};
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use serde_json::json;

use crate::context;

async fn read(db: &impl ConnectionTrait, since: Watermark) -> (Vec<i64>, Watermark) {
    directory_changes::since(db, since).await.unwrap()
}

/// Rows in the log. (What a reader gets past its watermark is not the measure of "nothing
/// logged" on PostgreSQL: while an older transaction of any database on the server runs,
/// rows already read are read again, by design.)
async fn logged(db: &impl ConnectionTrait) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM directory_change",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn writes_the_index_reads_are_logged_and_nothing_else() {
    let (ctx, _db) = context().await;
    let start = directory_changes::watermark(&ctx.db).await.unwrap();
    let (ids, _) = read(&ctx.db, start).await;
    assert!(ids.is_empty());
    let empty = logged(&ctx.db).await;

    let input = serde_json::from_value(json!({"slug": "logged", "name": "Logged Co-op"})).unwrap();
    let coop = coops::create(&ctx, &input).await.unwrap();
    let (ids, mark) = read(&ctx.db, start).await;
    assert_eq!(ids, [coop.id], "insert");
    assert!(mark.seq > start.seq);
    assert_eq!(logged(&ctx.db).await, empty + 1, "one row for the insert");

    let patch = |v: serde_json::Value| serde_json::from_value(v).unwrap();
    coops::update(
        &ctx,
        &TokenScope::Admin,
        "logged",
        &patch(json!({"summary": {"en": "Now with words."}})),
    )
    .await
    .unwrap();
    let (ids, mark) = read(&ctx.db, mark).await;
    assert_eq!(ids, [coop.id], "profile edit");

    coops::update(
        &ctx,
        &TokenScope::Admin,
        "logged",
        &patch(json!({"listed": false})),
    )
    .await
    .unwrap();
    let (ids, mark) = read(&ctx.db, mark).await;
    assert_eq!(ids, [coop.id], "unlisted");

    // A column the index never reads (the key pair): not logged.
    let before = logged(&ctx.db).await;
    let backend = ctx.db.get_database_backend();
    ctx.db
        .execute_raw(Statement::from_string(
            backend,
            format!(
                "UPDATE coop SET public_key_pem = 'rotated' WHERE id = {}",
                coop.id
            ),
        ))
        .await
        .unwrap();
    assert_eq!(logged(&ctx.db).await, before, "key rotation logged");

    coops::remove(&ctx, "logged").await.unwrap();
    let (ids, mark) = read(&ctx.db, mark).await;
    assert_eq!(ids, [coop.id], "removed");

    // Housekeeping drops what is older than the cut-off, and only that.
    let now = chrono::Utc::now().timestamp();
    assert_eq!(
        directory_changes::prune(&ctx.db, now - 3600).await.unwrap(),
        0
    );
    assert!(directory_changes::prune(&ctx.db, now + 3600).await.unwrap() >= 4);
    assert_eq!(logged(&ctx.db).await, 0, "an empty log");
    assert_eq!(
        directory_changes::watermark(&ctx.db).await.unwrap().seq,
        0,
        "an empty log"
    );
    let _ = mark;
}

/// PostgreSQL numbers a row when it is inserted, not when its transaction commits: here
/// the row numbered first commits last, after a reader has already read past it.
#[tokio::test]
async fn a_change_committed_after_a_later_one_was_read_is_not_missed() {
    let (ctx, db) = context().await;
    let insert = |coop_id: i64| {
        Statement::from_string(
            ctx.db.get_database_backend(),
            format!("INSERT INTO directory_change (coop_id) VALUES ({coop_id})"),
        )
    };
    let start = directory_changes::watermark(&ctx.db).await.unwrap();
    if !db.is_postgres() {
        // One writer at a time: numbers follow commits. Two commits in turn are both read.
        for id in [901, 902] {
            let txn = ctx.db.begin().await.unwrap();
            txn.execute_raw(insert(id)).await.unwrap();
            txn.commit().await.unwrap();
        }
        assert_eq!(read(&ctx.db, start).await.0, [901, 902]);
        return;
    }
    let slow = ctx.db.begin().await.unwrap();
    slow.execute_raw(insert(901)).await.unwrap();
    let quick = ctx.db.begin().await.unwrap();
    quick.execute_raw(insert(902)).await.unwrap();
    quick.commit().await.unwrap();

    let (ids, mark) = read(&ctx.db, start).await;
    assert_eq!(ids, [902], "the uncommitted row is not visible yet");
    slow.commit().await.unwrap();
    let (ids, mark) = read(&ctx.db, mark).await;
    assert!(ids.contains(&901), "the late commit was missed: {ids:?}");
    // Rows may be read again while an older transaction (of any database on the server)
    // runs; never rows that do not exist.
    assert!(ids.iter().all(|id| [901, 902].contains(id)), "{ids:?}");
    let _ = mark;
}
