//! The web console over real HTTP: invites and login, lockout, CSRF, per-co-op access, the
//! co-op editor (and that its saves reach the public page and the actor), join applications
//! federated to a peer, and logo uploads.
use std::time::Duration;

use base64::Engine;
use coopnet_app::{accounts, coops, federation};
use coopnet_core::FollowState;
use coopnet_core::Role;
use coopnet_tests::console::{Client, PASSWORD, admin, signed_in};
use coopnet_tests::{TestInstance, eventually};
use reqwest::StatusCode;
use serde_json::Value;

async fn editor_of(instance: &TestInstance, slug: &str, email: &str) -> Client {
    let link = accounts::invite(&instance.ctx, None, Role::Editor, Some(slug), Some(email))
        .await
        .unwrap();
    signed_in(instance, &link.url, "").await
}

/// The public HTML page at `path`.
async fn public_html(instance: &TestInstance, path: &str) -> String {
    reqwest::get(instance.url(path))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The ActivityPub actor of co-op `slug`.
async fn coop_actor(instance: &TestInstance, slug: &str) -> Value {
    reqwest::Client::new()
        .get(instance.url(&format!("/coops/{slug}")))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub(crate) async fn add_coop(instance: &TestInstance, slug: &str, name: &str) {
    let input = serde_json::from_value(serde_json::json!({
        "slug": slug, "name": name, "services": ["Hosting"], "email": format!("hello@{slug}.example"),
    }))
    .unwrap();
    coops::create(&instance.ctx, &input).await.unwrap();
}

#[tokio::test]
async fn invite_set_password_login_logout_and_password_change() {
    let a = TestInstance::spawn().await.unwrap();
    let link = accounts::invite(&a.ctx, None, Role::Admin, None, None)
        .await
        .unwrap();
    assert!(link.url.starts_with(&a.url("/console/invite/")));
    let mut c = Client::new(&a);

    // Not signed in: the console sends you to the login page.
    let page = c.get("/console").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/console/login"));

    // A short password is refused with an inline message tied to its field.
    let page = c.accept(&link.url, "Boss@Example.org", "short").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("must be at least 10 characters"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("aria-describedby=\"f-password-hint f-password-error\"")
    );

    let page = c.accept(&link.url, "Boss@Example.org", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let cookie = page
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("coopnet_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/")
    );
    let page = c.get("/console").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("boss@example.org"),
        "e-mail is lowercased"
    );

    // The link works once.
    let mut other = Client::new(&a);
    let page = other.get(&link.url).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // Log out, then log in again (wrong password first).
    let page = c.submit("/console", "/console/logout", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/console").await.status, StatusCode::SEE_OTHER);
    let page = c.login("boss@example.org", "wrong password!").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.body.contains("Wrong e-mail or password."));
    let page = c.login("BOSS@example.org", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), "/console");

    // A second session; changing the password needs the current one and ends the others.
    let mut second = Client::new(&a);
    assert_eq!(
        second.login("boss@example.org", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let new = "another long password";
    let page = c
        .post_form(
            "/console/password",
            &[
                ("current_password", "nope"),
                ("password", new),
                ("password_confirm", new),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("is not your current password"));
    let page = c
        .post_form(
            "/console/password",
            &[
                ("current_password", PASSWORD),
                ("password", new),
                ("password_confirm", new),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(
        c.get("/console").await.status,
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        second.get("/console").await.status,
        StatusCode::SEE_OTHER,
        "the other ended"
    );

    // Log out everywhere ends this one too.
    assert_eq!(
        second.login("boss@example.org", new).await.status,
        StatusCode::SEE_OTHER
    );
    let page = c
        .submit("/console", "/console/logout-everywhere", &[])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(second.get("/console").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account() {
    let a = TestInstance::spawn().await.unwrap();
    let _admin = admin(&a).await;
    let mut c = Client::new(&a);
    for attempt in 1..=4 {
        let page = c.login("admin@example.org", "not the password").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let page = c.login("admin@example.org", "not the password").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        page.body.contains("this account is locked"),
        "{}",
        page.body
    );
    // Even the right password is refused while locked.
    let page = c.login("admin@example.org", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!c.cookies.contains_key("coopnet_session"));
}

#[tokio::test]
async fn posts_without_a_valid_csrf_token_are_refused() {
    let a = TestInstance::spawn().await.unwrap();
    add_coop(&a, "alpha", "Alpha").await;
    let mut c = admin(&a).await;
    let csrf = c.get("/console/coops/alpha").await.csrf();

    let page = c
        .post("/console/coops/alpha", &[("name", "Hijacked")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("Form refused"), "{}", page.body);
    let page = c
        .post(
            "/console/coops/alpha",
            &[("csrf", "0000"), ("name", "Hijacked")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // The right token from another site.
    let page = c
        .post_from(
            "https://evil.example",
            "/console/coops/alpha",
            &[("csrf", &csrf), ("name", "Hijacked")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = c.post("/console/logout", &[]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        coops::get(&a.ctx, "alpha").await.unwrap().profile.name,
        "Alpha"
    );

    // Anonymous forms: the token must match the cookie.
    let mut anon = Client::new(&a);
    let page = anon
        .post(
            "/console/login",
            &[("email", "admin@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = anon.post("/apply", &[("name", "X")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn editors_reach_only_their_own_coop() {
    let a = TestInstance::spawn().await.unwrap();
    add_coop(&a, "alpha", "Alpha").await;
    add_coop(&a, "beta", "Beta").await;
    let mut e = editor_of(&a, "alpha", "ed@alpha.example").await;
    assert_eq!(e.get("/console/coops/alpha").await.status, StatusCode::OK);
    let dashboard = e.get("/console").await.body;
    assert!(
        dashboard.contains("/console/coops/alpha") && !dashboard.contains("/console/coops/beta")
    );
    let csrf = e.get("/console/coops/alpha").await.csrf();
    for path in [
        "/console/coops/beta",
        "/console/coops/beta/posts",
        "/console/coops/beta/editors",
        "/console/admin/members",
        "/console/admin/federation",
    ] {
        let page = e.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "GET {path}");
        assert!(page.body.contains("Not allowed"));
    }
    for path in [
        "/console/coops/beta",
        "/console/coops/beta/posts",
        "/console/coops/beta/editors",
        "/console/admin/members/beta/remove",
    ] {
        let page = e
            .post(
                path,
                &[
                    ("csrf", &csrf),
                    ("name", "Taken"),
                    ("content", "x"),
                    ("reason", "x"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    assert_eq!(
        coops::get(&a.ctx, "beta").await.unwrap().profile.name,
        "Beta"
    );
}

#[tokio::test]
async fn an_editor_changes_services_and_the_public_page_and_actor_follow() {
    let a = TestInstance::spawn().await.unwrap();
    add_coop(&a, "alpha", "Alpha").await;
    let mut e = editor_of(&a, "alpha", "ed@alpha.example").await;
    let form = e.get("/console/coops/alpha").await;
    assert!(form.body.contains("value=\"Hosting\""));

    // Domain validation errors come back inline, tied to their fields.
    let page = e
        .post_form(
            "/console/coops/alpha",
            &[
                ("name", "Alpha"),
                ("country", "XX"),
                ("services", "Bike repair"),
                ("listed", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("id=\"f-country-error\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("unknown country code"));
    assert!(page.body.contains("aria-invalid=\"true\""));

    let page = e
        .post_form(
            "/console/coops/alpha",
            &[
                ("name", "Alpha Workers"),
                ("summary_en", "We fix **bikes**."),
                ("services", "Bike repair; Training"),
                ("email", "hello@alpha.example"),
                ("country", "GB"),
                ("listed", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), "/console/coops/alpha?notice=saved");

    let html = public_html(&a, "/coops/alpha").await;
    assert!(html.contains("Alpha Workers") && html.contains("Bike repair"));
    assert!(
        !html.contains("hello@alpha.example"),
        "contact not public: unchecked"
    );
    let actor = coop_actor(&a, "alpha").await;
    assert_eq!(actor["name"], "Alpha Workers");
    let tags = actor["tag"].to_string();
    assert!(
        tags.contains("#BikeRepair") && !tags.contains("#Hosting"),
        "{tags}"
    );
    assert!(!actor.to_string().contains("hello@alpha.example"));

    // Making the contact public shows it.
    let page = e
        .post_form(
            "/console/coops/alpha",
            &[
                ("name", "Alpha Workers"),
                ("services", "Bike repair; Training"),
                ("email", "hello@alpha.example"),
                ("contact_public", "on"),
                ("listed", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let html = public_html(&a, "/coops/alpha").await;
    assert!(html.contains("hello@alpha.example"));

    // News: preview, publish, delete.
    let page = e
        .post_form(
            "/console/coops/alpha/posts",
            &[("content", "Now **open**"), ("action", "preview")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<strong>open</strong>"));
    let page = e
        .post_form(
            "/console/coops/alpha/posts",
            &[("content", "Now **open**"), ("action", "publish")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let list = e.get("/console/coops/alpha/posts").await.body;
    let marker = "/console/coops/alpha/posts/";
    let start = list.find(marker).unwrap() + marker.len();
    let id = list[start..].split('/').next().unwrap().to_owned();
    let page = e
        .submit(
            "/console/coops/alpha/posts",
            &format!("/console/coops/alpha/posts/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let gone = reqwest::get(a.url(&format!("/coops/alpha/posts/{id}")))
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::GONE);

    // The editor invites a colleague; the link is shown once.
    let page = e
        .post_form(
            "/console/coops/alpha/editors",
            &[("email", "colleague@alpha.example")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&a.url("/console/invite/")));
}

#[tokio::test]
async fn an_approved_application_joins_the_directory_and_the_peer() {
    let a = TestInstance::spawn().await.unwrap();
    let b = TestInstance::spawn_with(|s| {
        s.network.username = "othernet".into();
        s.network.name = "Other Network".into();
    })
    .await
    .unwrap();
    let network = a.url("/network");
    federation::follow(&b.ctx, &network).await.unwrap();
    eventually(Duration::from_secs(15), "A accepts B's follow", || async {
        let state = federation::following(&b.ctx)
            .await
            .unwrap()
            .into_iter()
            .find(|f| f.actor_id.as_str() == network)
            .map(|f| f.state);
        (state == Some(FollowState::Accepted)).then_some(())
    })
    .await;

    // Anyone applies (with validation first).
    let mut applicant = Client::new(&a);
    let page = applicant
        .post_form(
            "/apply",
            &[
                ("name", "Gamma"),
                ("slug", "Not OK!"),
                ("contact_email", "x"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("id=\"f-contact_email-error\""),
        "{}",
        page.body
    );
    let page = applicant
        .post_form(
            "/apply",
            &[
                ("name", "Gamma Co-op"),
                ("slug", "gamma"),
                ("website", "https://gamma.example/"),
                ("summary", "We grow vegetables."),
                ("summary_lang", "en"),
                ("country", "GB"),
                ("applicant_name", "Gail"),
                ("contact_email", "Gail@Gamma.example"),
                ("message", "Hello!"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Thank you"));
    assert!(
        coops::get(&a.ctx, "gamma").await.is_err(),
        "pending: not a member yet"
    );

    let mut admin = admin(&a).await;
    let page = admin.get("/console/admin/applications").await;
    assert!(page.body.contains("Gamma Co-op") && page.body.contains("gail@gamma.example"));
    let approve = "/console/admin/applications/1/approve";
    assert!(page.body.contains(approve));
    let page = admin
        .submit("/console/admin/applications", approve, &[])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let marker = a.url("/console/invite/");
    let start = page.body.find(&marker).expect("the invite link is shown");
    let link: String = page.body[start..]
        .chars()
        .take_while(|c| *c != '<' && *c != '"')
        .collect();

    // In the directory here, and at the peer.
    let api = reqwest::get(a.url("/api/v1/coops/gamma")).await.unwrap();
    assert_eq!(api.status(), StatusCode::OK);
    let domain = format!("localhost:{}", a.addr.port());
    eventually(Duration::from_secs(20), "gamma at the peer", || async {
        coops::get_remote(&b.ctx, &domain, "gamma").await.ok()
    })
    .await;

    // The applicant's link makes them its editor.
    let mut gail = signed_in(&a, &link, "").await;
    assert_eq!(
        gail.get("/console/coops/gamma").await.status,
        StatusCode::OK
    );
    let mut again = Client::new(&a);
    assert_eq!(
        again.login("gail@gamma.example", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );

    // A second application is rejected with a reason.
    let mut other = Client::new(&a);
    let page = other
        .post_form(
            "/apply",
            &[
                ("name", "Delta"),
                ("slug", "delta"),
                ("summary", "Not a co-op."),
                ("summary_lang", "en"),
                ("applicant_name", "Dan"),
                ("contact_email", "dan@delta.example"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let page = admin
        .submit(
            "/console/admin/applications",
            "/console/admin/applications/2/reject",
            &[("reason", "Not a co-operative")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = admin.get("/console/admin/applications").await;
    assert!(page.body.contains("Not a co-operative"));
    assert!(coops::get(&a.ctx, "delta").await.is_err());
}

#[tokio::test]
async fn logos_are_checked_reencoded_and_served_with_an_etag() {
    let a = TestInstance::spawn().await.unwrap();
    add_coop(&a, "alpha", "Alpha").await;
    let mut e = editor_of(&a, "alpha", "ed@alpha.example").await;

    let page = e
        .upload("alpha", "notes.png", "image/png", b"this is not an image")
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("is not a PNG, JPEG or WebP image"),
        "{}",
        page.body
    );
    assert!(
        coops::get(&a.ctx, "alpha")
            .await
            .unwrap()
            .profile
            .logo
            .is_none()
    );

    let png = base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGM4IScHRww4OQD1xwwxB+utmQAAAABJRU5ErkJggg==")
        .unwrap();
    let page = e.upload("alpha", "logo.png", "image/png", &png).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);

    let logo = reqwest::get(a.url("/coops/alpha/logo.png")).await.unwrap();
    assert_eq!(logo.status(), StatusCode::OK);
    assert_eq!(logo.headers()["content-type"], "image/png");
    assert!(
        logo.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let etag = logo.headers()["etag"].clone();
    assert!(logo.bytes().await.unwrap().starts_with(b"\x89PNG"));
    let again = reqwest::Client::new()
        .get(a.url("/coops/alpha/logo.png"))
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // The profile points at it, so the actor's icon does too.
    let actor = coop_actor(&a, "alpha").await;
    let icon = actor["icon"]["url"].as_str().unwrap_or_default().to_owned();
    assert!(
        icon.starts_with(&a.url("/coops/alpha/logo.png?v=")),
        "{actor}"
    );
    assert_eq!(
        reqwest::get(a.url("/coops/nobody/logo.png"))
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn admins_manage_members_tokens_invites_and_federation() {
    let a = TestInstance::spawn().await.unwrap();
    let mut admin = admin(&a).await;

    // Members: add (validated by the domain rules), then remove with a reason.
    let page = admin
        .post_form(
            "/console/admin/members",
            &[("slug", "Bad Slug"), ("name", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"f-slug-error\"") && page.body.contains("id=\"f-name-error\""));
    let page = admin
        .post_form(
            "/console/admin/members",
            &[
                ("slug", "omega"),
                ("name", "Omega Co-op"),
                ("country", "GB"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), "/console/coops/omega?notice=saved");
    assert_eq!(
        coops::get(&a.ctx, "omega").await.unwrap().profile.name,
        "Omega Co-op"
    );
    let page = admin
        .submit(
            "/console/admin/members",
            "/console/admin/members/omega/remove",
            &[("reason", "")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    let page = admin
        .submit(
            "/console/admin/members",
            "/console/admin/members/omega/remove",
            &[("reason", "Dissolved in 2026")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(matches!(
        coops::get(&a.ctx, "omega").await,
        Err(coopnet_app::AppError::Gone(_))
    ));
    let page = admin.get("/console/admin/members").await;
    assert!(
        page.body.contains("Dissolved in 2026"),
        "history shows the reason"
    );
    assert!(page.body.contains("Omega Co-op (omega)"));

    // Tokens: the secret is shown once, then it works against the API, then revoked.
    let page = admin
        .post_form("/console/admin/tokens", &[("label", "ci"), ("coop", "")])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let start = page.body.find("coopnet_").unwrap();
    let secret: String = page.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let api = reqwest::Client::new()
        .get(a.url("/api/v1/admin/tokens"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::OK);
    let page = admin
        .submit(
            "/console/admin/tokens",
            "/console/admin/tokens/1/revoke",
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    // Invites: an editor invite needs a co-op; an admin invite gives a link.
    let page = admin
        .post_form(
            "/console/admin/invites",
            &[("role", "editor"), ("coop", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = admin
        .post_form(
            "/console/admin/invites",
            &[
                ("role", "admin"),
                ("coop", ""),
                ("email", "second@example.org"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&a.url("/console/invite/")));
    assert!(page.body.contains("second@example.org"));

    // Federation and queue pages render; a block is added and lifted.
    assert_eq!(
        admin.get("/console/admin/federation").await.status,
        StatusCode::OK
    );
    assert_eq!(
        admin.get("/console/admin/queue").await.status,
        StatusCode::OK
    );
    let page = admin
        .post_form(
            "/console/admin/federation",
            &[
                ("op", "block"),
                ("domain", "spam.example"),
                ("reason", "spam"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(
        federation::blocked(&a.ctx)
            .await
            .unwrap()
            .iter()
            .any(|b| b.domain == "spam.example")
    );
    let page = admin
        .post_form(
            "/console/admin/federation",
            &[("op", "unblock"), ("domain", "spam.example")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(federation::blocked(&a.ctx).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_members_list_is_paged_by_fifty() {
    let a = TestInstance::spawn().await.unwrap();
    for i in 1..=53 {
        add_coop(&a, &format!("member-{i:03}"), &format!("Member {i:03}")).await;
    }
    let mut admin = admin(&a).await;
    let row = |i: u32| format!(">Member {i:03}</a>");

    let first = admin.get("/console/admin/members").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        first.body.contains("53 member co-ops in all"),
        "{}",
        first.body
    );
    assert!(first.body.contains("Page 1 of 2"));
    assert!(
        first
            .body
            .contains("href=\"/console/admin/members?page=2\" rel=\"next\"")
    );
    assert!(!first.body.contains("rel=\"prev\""));
    assert!((1..=50).all(|i| first.body.contains(&row(i))));
    assert!((51..=53).all(|i| !first.body.contains(&row(i))));

    let second = admin.get("/console/admin/members?page=2").await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("53 member co-ops in all"));
    assert!(second.body.contains("Page 2 of 2"));
    assert!(
        second
            .body
            .contains("href=\"/console/admin/members\" rel=\"prev\"")
    );
    assert!(!second.body.contains("rel=\"next\""));
    assert!(
        (51..=53).all(|i| second.body.contains(&row(i))),
        "{}",
        second.body
    );
    assert!((1..=50).all(|i| !second.body.contains(&row(i))));

    // Past the end: the last page; unreadable: the first.
    let past = admin.get("/console/admin/members?page=9").await;
    assert!(past.body.contains("Page 2 of 2") && past.body.contains(&row(53)));
    let odd = admin.get("/console/admin/members?page=two").await;
    assert_eq!(odd.status, StatusCode::OK);
    assert!(odd.body.contains("Page 1 of 2") && odd.body.contains(&row(1)));

    // Removing a member leaves 52 (the form posts from page 2 just as from page 1).
    let page = admin
        .submit(
            "/console/admin/members?page=2",
            "/console/admin/members/member-053/remove",
            &[("reason", "Closed")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let second = admin.get("/console/admin/members?page=2").await;
    assert!(second.body.contains("52 member co-ops in all"));
    assert!(second.body.contains(&row(52)) && !second.body.contains(&row(53)));

    // In the reader's language (remembered from here on).
    let de = admin.get("/console/admin/members?lang=de").await;
    assert!(de.body.contains("52 Mitgliedsgenossenschaften insgesamt"));
    assert!(de.body.contains("Seite 1 von 2") && de.body.contains(">Weiter</a>"));
}
