//! One lockout for every password check: console login, accepting an invite with an existing
//! account and changing the password all count towards the same lock, no door gives a locked
//! account a session, and known and unknown addresses get the same answers, lock included.
//! Also the `login_throttle` table itself: hashed keys, pruning, and its migration.
use chrono::{Duration, Utc};
use coopnet_app::accounts;
use coopnet_core::{LoginAttempts, Role};
use coopnet_db::repo::login_throttle;
use coopnet_tests::{TestDb, TestInstance};
use reqwest::StatusCode;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, Statement};

use crate::console::add_coop;
use coopnet_tests::console::{Client, PASSWORD, Page, admin};

const WRONG: &str = "not the password at all";

/// An instance whose public forms are not rate-limited in the way of these tests.
async fn instance() -> TestInstance {
    TestInstance::spawn_with(|s| s.limits.login_per_minute = 1000)
        .await
        .unwrap()
}

/// A new editor invite of co-op `alpha` for any e-mail: its link's path.
async fn open_invite(a: &TestInstance) -> String {
    let link = accounts::invite(&a.ctx, None, Role::Editor, Some("alpha"), None)
        .await
        .unwrap();
    link.url.trim_start_matches(&a.base_url).to_owned()
}

/// Accepts the invite at `path` with an existing account's e-mail and password.
async fn accept_existing(c: &mut Client, path: &str, email: &str, password: &str) -> Page {
    c.submit(
        path,
        &format!("{path}/existing"),
        &[("email", email), ("password", password)],
    )
    .await
}

/// The page with what may differ between two requests masked: CSRF tokens and the e-mail
/// typed (echoed in the form).
fn masked(page: &Page, email: &str) -> (StatusCode, String) {
    let mut body = page.body.clone();
    if body.contains("name=\"csrf\"") {
        body = body.replace(&page.csrf(), "CSRF");
    }
    (page.status, body.replace(email, "EMAIL"))
}

fn has_session(c: &Client) -> bool {
    c.cookies.contains_key(accounts::SESSION_COOKIE)
}

#[tokio::test]
async fn wrong_passwords_through_invites_lock_the_login_too() {
    let a = instance().await;
    add_coop(&a, "alpha", "Alpha").await;
    let _admin = admin(&a).await;
    let invite = open_invite(&a).await;
    let mut c = Client::new(&a);
    for attempt in 1..=4 {
        let page = accept_existing(&mut c, &invite, "admin@example.org", WRONG).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        assert!(
            page.body.contains("Wrong e-mail or password."),
            "the login's answer: {}",
            page.body
        );
        assert!(!page.body.contains("exists"), "{}", page.body);
    }
    let page = accept_existing(&mut c, &invite, "admin@example.org", WRONG).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        page.body.contains("this account is locked"),
        "{}",
        page.body
    );

    // The right password is refused at the login page now, and through the invite.
    let page = c.login("admin@example.org", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
    let page = accept_existing(&mut c, &invite, "admin@example.org", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
    assert!(!has_session(&c));
    // The invite was not used up by any of it.
    assert!(c.get(&invite).await.status == StatusCode::OK);
}

#[tokio::test]
async fn a_locked_account_gets_no_session_by_any_door() {
    let a = instance().await;
    add_coop(&a, "alpha", "Alpha").await;
    let mut signed_in = admin(&a).await;
    let invite = open_invite(&a).await;

    // Locked through the login page.
    let mut attacker = Client::new(&a);
    for _ in 0..5 {
        attacker.login("admin@example.org", WRONG).await;
    }
    let mut c = Client::new(&a);
    let page = c.login("admin@example.org", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    let page = accept_existing(&mut c, &invite, "admin@example.org", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    // A new account for a locked address is not made either (and says nothing else).
    let page = c
        .accept(&a.url(&invite), "admin@example.org", PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
    assert!(!has_session(&c));
    assert!(matches!(
        accounts::login(&a.ctx, "ADMIN@example.org ", PASSWORD).await,
        Err(accounts::LoginError::Locked(_))
    ));

    // A session from before the lock stays, but cannot change the password while locked.
    let page = signed_in
        .post_form(
            "/console/password",
            &[
                ("current_password", PASSWORD),
                ("password", "a new long password"),
                ("password_confirm", "a new long password"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
    assert!(page.body.contains("this account is locked"));
    let session = accounts::session(&a.ctx, &signed_in.cookies[accounts::SESSION_COOKIE])
        .await
        .unwrap()
        .unwrap();
    assert!(accounts::verify_password(
        &session.account.password_hash,
        PASSWORD
    ));
}

#[tokio::test]
async fn wrong_current_passwords_count_towards_the_lock() {
    let a = instance().await;
    let mut c = admin(&a).await;
    let new = "another long password";
    let change = |current: &'static str| {
        [
            ("current_password", current),
            ("password", new),
            ("password_confirm", new),
        ]
    };
    for attempt in 1..=4 {
        let page = c.post_form("/console/password", &change(WRONG)).await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {attempt}"
        );
        assert!(page.body.contains("is not your current password"));
    }
    let page = c.post_form("/console/password", &change(WRONG)).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    let mut other = Client::new(&a);
    let page = other.login("admin@example.org", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!has_session(&other));
}

#[tokio::test]
async fn known_and_unknown_addresses_get_the_same_answers() {
    let a = instance().await;
    add_coop(&a, "alpha", "Alpha").await;
    let _admin = admin(&a).await;
    let mut known = Client::new(&a);
    let mut unknown = Client::new(&a);

    // At the login page, up to and after the lock.
    for attempt in 1..=6 {
        let k = known.login("admin@example.org", WRONG).await;
        let u = unknown.login("nobody@example.org", WRONG).await;
        assert_eq!(
            masked(&k, "admin@example.org"),
            masked(&u, "nobody@example.org"),
            "login attempt {attempt}"
        );
    }
    let k = known.login("admin@example.org", PASSWORD).await;
    let u = unknown.login("nobody@example.org", PASSWORD).await;
    assert_eq!(k.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        masked(&k, "admin@example.org"),
        masked(&u, "nobody@example.org")
    );

    // Accepting an invite with an "existing" account: the same again, same invite.
    let link = accounts::invite(&a.ctx, None, Role::Editor, Some("alpha"), None)
        .await
        .unwrap();
    let mut editor = coopnet_tests::console::signed_in(&a, &link.url, "ed@alpha.example").await;
    editor.submit("/console", "/console/logout", &[]).await;
    let invite = open_invite(&a).await;
    for attempt in 1..=6 {
        let k = accept_existing(&mut known, &invite, "ed@alpha.example", WRONG).await;
        let u = accept_existing(&mut unknown, &invite, "ghost@alpha.example", WRONG).await;
        assert_eq!(
            masked(&k, "ed@alpha.example"),
            masked(&u, "ghost@alpha.example"),
            "invite attempt {attempt}"
        );
        let expected = if attempt < 5 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(k.status, expected, "invite attempt {attempt}");
    }
}

#[tokio::test]
async fn counters_are_keyed_by_a_hash_and_pruned() {
    let a = instance().await;
    let ctx = &a.ctx;
    assert!(matches!(
        accounts::login(ctx, " Someone@Example.org", WRONG).await,
        Err(accounts::LoginError::BadCredentials)
    ));
    let key = accounts::sha256_hex("someone@example.org");
    let stored = login_throttle::find(&ctx.db, &key).await.unwrap().unwrap();
    assert_eq!(stored.failures, 1);
    let backend = ctx.db.get_database_backend();
    let rows = ctx
        .db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT key_hash FROM login_throttle",
        ))
        .await
        .unwrap();
    for row in rows {
        let k: String = row.try_get("", "key_hash").unwrap();
        assert!(k.len() == 64 && !k.contains('@'), "{k}");
    }

    // A quiet record goes at the next check; a lock in force stays however old.
    let now = Utc::now();
    let quiet = LoginAttempts {
        failures: 3,
        locked_until: None,
        updated_at: now - Duration::hours(1),
    };
    let locked = LoginAttempts {
        failures: 0,
        locked_until: Some(now + Duration::minutes(5)),
        updated_at: now - Duration::hours(1),
    };
    for (k, attempts) in [("quiet", quiet), ("locked", locked)] {
        login_throttle::claim(&ctx.db, k, now).await.unwrap();
        login_throttle::save(&ctx.db, k, &attempts).await.unwrap();
    }
    let _ = accounts::login(ctx, "other@example.org", WRONG).await;
    assert!(
        login_throttle::find(&ctx.db, "quiet")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        login_throttle::find(&ctx.db, "locked")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn the_migration_carries_locks_over_and_back() {
    let test_db = TestDb::new().await.unwrap();
    let db = coopnet_app::open_database(&test_db.url).await.unwrap();
    coopnet_app::schema::migrate_up(&db).await.unwrap();
    // Back to just before the login_throttle migration, however many came after it.
    let (applied, _) = coopnet_app::schema::status(&db).await.unwrap();
    let at = applied
        .iter()
        .position(|m| m == "m20261206_100000_create_login_throttle")
        .unwrap();
    let steps = u32::try_from(applied.len() - at).unwrap();
    coopnet_app::schema::migrate_down(&db, Some(steps))
        .await
        .unwrap();
    let until = Utc::now() + Duration::minutes(10);
    let insert = Query::insert()
        .into_table(Alias::new("account"))
        .columns(
            [
                "email",
                "display_name",
                "password_hash",
                "role",
                "failed_logins",
                "locked_until",
                "created_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            "locked@example.org".into(),
            "L".into(),
            "x".into(),
            "editor".into(),
            0.into(),
            until.into(),
            Utc::now().into(),
        ])
        .values_panic([
            "fine@example.org".into(),
            "F".into(),
            "x".into(),
            "editor".into(),
            2.into(),
            Option::<chrono::DateTime<Utc>>::None.into(),
            Utc::now().into(),
        ])
        .to_owned();
    db.execute(&insert).await.unwrap();

    coopnet_app::schema::migrate_up(&db).await.unwrap();
    let key = accounts::sha256_hex("locked@example.org");
    let carried = login_throttle::find(&db, &key).await.unwrap().unwrap();
    let millis = |t: chrono::DateTime<Utc>| t.timestamp_millis();
    assert_eq!(carried.locked_until.map(millis), Some(millis(until)));
    let fine = accounts::sha256_hex("fine@example.org");
    assert!(login_throttle::find(&db, &fine).await.unwrap().is_none());

    coopnet_app::schema::migrate_down(&db, Some(steps))
        .await
        .unwrap();
    // A fresh pool reads the re-added column: SQLite connections that were open across the
    // schema change may decode it by its old declared type.
    let db = coopnet_app::open_database(&test_db.url).await.unwrap();
    let select = Query::select()
        .column(Alias::new("locked_until"))
        .from(Alias::new("account"))
        .and_where(Expr::col(Alias::new("email")).eq("locked@example.org"))
        .to_owned();
    let row = db.query_one(&select).await.unwrap().unwrap();
    let back: Option<chrono::DateTime<Utc>> = row.try_get("", "locked_until").unwrap();
    assert_eq!(back.map(millis), Some(millis(until)));
    coopnet_app::schema::migrate_up(&db).await.unwrap();
}

#[tokio::test]
async fn parallel_guesses_cannot_overtake_the_lock() {
    let a = instance().await;
    let _admin = admin(&a).await;
    let mut guesses = tokio::task::JoinSet::new();
    for i in 0..12 {
        let ctx = a.ctx.clone();
        guesses.spawn(async move {
            accounts::check_password(&ctx, "admin@example.org", &format!("guess number {i}")).await
        });
    }
    let mut wrong = 0;
    let mut locked = 0;
    while let Some(result) = guesses.join_next().await {
        match result.unwrap() {
            Err(accounts::LoginError::BadCredentials) => wrong += 1,
            Err(accounts::LoginError::Locked(_)) => locked += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    // Five attempts are checked (the fifth answers "locked"), the other seven are refused
    // unchecked: the lock is counted before each verification.
    assert_eq!((wrong, locked), (4, 8));
    assert!(matches!(
        accounts::check_password(&a.ctx, "admin@example.org", PASSWORD).await,
        Err(accounts::LoginError::Locked(_))
    ));
}
