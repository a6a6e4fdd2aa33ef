//! Backup and restore: everything local survives, keys, tokens and console accounts
//! included, from SQLite to PostgreSQL and back.
use base64::Engine;
use coopnet_app::accounts::{self, AcceptInvite};
use coopnet_app::directory;
use coopnet_app::exchange::{self, ImportMode};
use coopnet_app::{AppContext, applications, backup, coops, logos, members, posts, tokens};
use coopnet_core::SearchQuery;
use coopnet_core::{ApplicationInput, ApplicationStatus, Role, TokenScope};
use coopnet_db::repo::{keys, removals};
use coopnet_tests::{TestDb, fixture_keys, test_settings};

const PASSWORD: &str = "a long enough password";

/// A 4×3 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGM4IScHRww4OQD1xwwxB+utmQAAAABJRU5ErkJggg==";

#[tokio::test]
async fn backup_then_restore_into_a_new_database_keeps_everything() {
    // The source is SQLite; the target is PostgreSQL when the suite runs on it.
    let dir = tempfile::tempdir().unwrap();
    let source_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("source.db").display()
    );
    let target = TestDb::new().await.unwrap();
    round_trip(&source_url, &target.url, dir.path()).await;
}

#[tokio::test]
async fn backup_on_postgres_restores_into_sqlite() {
    // The reverse direction needs a PostgreSQL source: only when the suite runs on it.
    let source = TestDb::new().await.unwrap();
    if !source.is_postgres() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let target_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("target.db").display()
    );
    round_trip(&source.url, &target_url, dir.path()).await;
}

/// The token at the end of an invite link.
fn token_of(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

/// Accepts an invite through the use case; returns the new session's cookie.
async fn accept(ctx: &AppContext, url: &str, email: &str) -> String {
    accounts::accept_invite(
        ctx,
        token_of(url),
        &AcceptInvite {
            email: email.into(),
            display_name: "Test Person".into(),
            password: PASSWORD.into(),
            password_confirm: PASSWORD.into(),
        },
    )
    .await
    .unwrap()
    .cookie
}

/// Fills `source_url`, backs it up, restores into the empty `target_url`, checks.
async fn round_trip(source_url: &str, target_url: &str, dir: &std::path::Path) {
    let settings = test_settings(source_url, 1);
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

    // The console: an admin and an editor (both through invites), a pending invite, an
    // application, a logo, a removal with its reason, a private contact.
    let admin_link = accounts::invite(&source, None, Role::Admin, None, None)
        .await
        .unwrap();
    let admin_cookie = accept(&source, &admin_link.url, "admin@example.org").await;
    let admin = accounts::session(&source, &admin_cookie)
        .await
        .unwrap()
        .unwrap();
    let editor_link = accounts::invite(
        &source,
        Some(&admin),
        Role::Editor,
        Some("outlandish"),
        Some("ed@outlandish.example"),
    )
    .await
    .unwrap();
    let editor_cookie = accept(&source, &editor_link.url, "").await;
    let editor = accounts::session(&source, &editor_cookie)
        .await
        .unwrap()
        .unwrap();
    let pending = accounts::invite(
        &source,
        Some(&admin),
        Role::Editor,
        Some("outlandish"),
        None,
    )
    .await
    .unwrap();
    let png = base64::engine::general_purpose::STANDARD
        .decode(PNG)
        .unwrap();
    logos::upload(&source, &editor, "outlandish", &png)
        .await
        .unwrap();
    let logo = logos::get(&source, "outlandish").await.unwrap();
    let application = applications::submit(
        &source,
        &ApplicationInput {
            name: "Brand New Co-op".into(),
            slug: "brand-new".into(),
            website: "https://brand-new.example".into(),
            summary: "We make things.".into(),
            summary_lang: "en".into(),
            country: "GB".into(),
            applicant_name: "Ada".into(),
            contact_email: "ada@brand-new.example".into(),
            message: "Please let us in.".into(),
        },
    )
    .await
    .unwrap();
    let leaving = coops::all(&source)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.slug.to_string())
        .find(|s| s != "outlandish")
        .unwrap();
    members::remove(&source, &admin, &leaving, "Wound up")
        .await
        .unwrap();
    let patch = coopnet_core::CoopPatch {
        contact_public: Some(false),
        ..Default::default()
    };
    coops::update(&source, &TokenScope::Admin, "outlandish", &patch)
        .await
        .unwrap();

    let before = exchange::to_json(&coops::all(&source).await.unwrap()).unwrap();

    let file = dir.join("backup.json");
    let written = backup::write(source_url, &settings.domain, &file)
        .await
        .unwrap();
    let count = |t: &str| written.iter().find(|(n, _)| *n == t).map(|(_, n)| *n);
    assert_eq!(count("coop"), Some(29), "{written:?}");
    assert_eq!(count("account"), Some(2), "{written:?}");
    assert_eq!(count("account_coop"), Some(1), "{written:?}");
    assert_eq!(count("invite"), Some(3), "{written:?}");
    assert_eq!(count("join_application"), Some(1), "{written:?}");
    assert_eq!(count("coop_logo"), Some(1), "{written:?}");
    assert_eq!(count("member_removal"), Some(1), "{written:?}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains(&base64::engine::general_purpose::STANDARD.encode(&logo.bytes)),
        "the logo is base64 in the document"
    );
    assert!(!text.contains(&admin_cookie), "no session secrets");

    let restored = backup::read(target_url, &file).await.unwrap();
    assert_eq!(restored, written);
    let ctx = AppContext::start_with_keys(test_settings(target_url, 1), fixture_keys())
        .await
        .unwrap();
    let live = coops::all(&ctx).await.unwrap().len() as f64;
    let analyzed = crate::bulk_import::coop_statistics(&ctx.db).await;
    assert!(
        analyzed.is_some_and(|n| n >= live),
        "the restore analyzed the co-op table: {analyzed:?} rows for {live} co-ops"
    );
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

    // Console: sessions are not kept (everyone logs in again), passwords are.
    assert!(
        accounts::session(&ctx, &admin_cookie)
            .await
            .unwrap()
            .is_none(),
        "restoring logs everyone out"
    );
    let cookie = accounts::login(&ctx, "admin@example.org", PASSWORD)
        .await
        .unwrap()
        .cookie;
    let admin = accounts::session(&ctx, &cookie).await.unwrap().unwrap();
    assert!(admin.is_admin());
    let cookie = accounts::login(&ctx, "ed@outlandish.example", PASSWORD)
        .await
        .unwrap()
        .cookie;
    let editor = accounts::session(&ctx, &cookie).await.unwrap().unwrap();
    assert!(!editor.is_admin());
    assert_eq!(
        editor.coops,
        vec![outlandish.slug.clone()],
        "the editor link"
    );
    assert!(matches!(
        accounts::login(&ctx, "ed@outlandish.example", "wrong password").await,
        Err(accounts::LoginError::BadCredentials)
    ));
    let invite = accounts::invite_by_token(&ctx, token_of(&pending.url))
        .await
        .unwrap();
    assert_eq!(
        invite.id, pending.record.id,
        "the pending invite still works"
    );
    assert!(matches!(
        accounts::invite_by_token(&ctx, token_of(&admin_link.url)).await,
        Err(coopnet_app::AppError::Gone(_))
    ));
    let apps = applications::list(&ctx, &admin).await.unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(
        (apps[0].id, apps[0].status, &apps[0].input),
        (
            application.id,
            ApplicationStatus::Pending,
            &application.input
        )
    );
    let restored_logo = logos::get(&ctx, "outlandish").await.unwrap();
    assert_eq!(restored_logo.bytes, logo.bytes, "logo bytes");
    assert_eq!(restored_logo.etag, logo.etag);
    let gone = removals::list(&ctx.db).await.unwrap();
    assert_eq!(gone.len(), 1);
    assert_eq!(
        (gone[0].slug.as_str(), gone[0].reason.as_str()),
        (leaving.as_str(), "Wound up")
    );
    assert!(
        !coops::get(&ctx, "outlandish")
            .await
            .unwrap()
            .profile
            .contact_public,
        "contact_public survives"
    );
    // New console rows get fresh ids too (PostgreSQL sequences).
    let link = accounts::invite(&ctx, Some(&admin), Role::Admin, None, None)
        .await
        .unwrap();
    accept(&ctx, &link.url, "second@example.org").await;
    applications::approve(&ctx, &admin, application.id)
        .await
        .unwrap();
    members::remove(&ctx, &admin, "outlandish", "Merged")
        .await
        .unwrap();

    // A second restore into the same (now non-empty) database is refused.
    let err = backup::read(target_url, &file).await.unwrap_err();
    assert!(matches!(err, coopnet_app::AppError::Conflict(_)), "{err}");

    // A format 1 document (before the console) still restores, without console rows.
    let mut old: serde_json::Value = serde_json::from_str(&text).unwrap();
    let doc = old.as_object_mut().unwrap();
    doc.insert("format".into(), 1.into());
    for table in [
        "account",
        "account_coop",
        "invite",
        "join_application",
        "coop_logo",
        "member_removal",
    ] {
        doc.remove(table).unwrap();
    }
    let old_file = dir.join("format-1.json");
    std::fs::write(&old_file, serde_json::to_vec(&old).unwrap()).unwrap();
    let fresh = TestDb::new().await.unwrap();
    let counts = backup::read(&fresh.url, &old_file).await.unwrap();
    assert!(counts.iter().any(|(t, n)| *t == "coop" && *n == 29));
    assert!(counts.iter().any(|(t, n)| *t == "account" && *n == 0));
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
