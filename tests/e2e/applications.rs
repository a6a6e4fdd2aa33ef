//! The public "apply to join" form against floods: a per-instance cap on applications per
//! hour and on applications waiting for a decision, both answered politely with the form
//! kept, and a honeypot field whose filled submissions get the usual thanks and are dropped.
use coopnet_core::ApplicationStatus;
use coopnet_db::repo::applications;
use coopnet_tests::TestInstance;
use reqwest::StatusCode;

use coopnet_tests::console::{Client, Page};

async fn instance(per_hour: u32, pending: u32) -> TestInstance {
    TestInstance::spawn_with(|s| {
        s.limits.login_per_minute = 1000;
        s.limits.applications_per_hour = per_hour;
        s.limits.pending_applications = pending;
    })
    .await
    .unwrap()
}

/// Sends a valid application for co-op `slug`, plus `extra` fields.
async fn apply(c: &mut Client, slug: &str, extra: &[(&str, &str)]) -> Page {
    let name = format!("Co-op {slug}");
    let mut fields = vec![
        ("name", name.as_str()),
        ("slug", slug),
        ("summary", "We bake bread."),
        ("summary_lang", "en"),
        ("country", "GB"),
        ("applicant_name", "Rosa"),
        ("contact_email", "rosa@bakery.example"),
    ];
    fields.extend_from_slice(extra);
    c.post_form("/apply", &fields).await
}

async fn stored(a: &TestInstance) -> Vec<String> {
    applications::list(&a.ctx.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.input.slug)
        .collect()
}

/// An admin's decision on the first pending application (a rejection).
async fn reject_one(a: &TestInstance) {
    let first = applications::list(&a.ctx.db).await.unwrap()[0].id;
    let decided = applications::decide(
        &a.ctx.db,
        first,
        ApplicationStatus::Rejected,
        Some("no"),
        None,
    )
    .await
    .unwrap();
    assert!(decided);
}

#[tokio::test]
async fn a_filled_honeypot_is_thanked_and_dropped() {
    let a = instance(20, 200).await;
    let mut c = Client::new(&a);
    let form = c.get("/apply").await;
    let start = form.body.find("name=\"extra_info\"").expect("the honeypot");
    let around = &form.body[form.body[..start].rfind("<div").unwrap()..start + 120];
    assert!(
        around.contains("aria-hidden=\"true\"")
            && around.contains("class=\"visually-hidden\"")
            && around.contains("tabindex=\"-1\"")
            && around.contains("Leave this field empty"),
        "{around}"
    );

    let robot = apply(
        &mut c,
        "spam-bakery",
        &[("extra_info", "http://spam.example")],
    )
    .await;
    let person = apply(&mut c, "real-bakery", &[("extra_info", "")]).await;
    assert_eq!(robot.status, StatusCode::OK);
    assert_eq!(robot.body, person.body, "the robot sees the same thanks");
    assert!(robot.body.contains("Thank you"));
    assert_eq!(stored(&a).await, vec!["real-bakery".to_owned()]);
}

#[tokio::test]
async fn applications_per_hour_are_capped_for_the_whole_instance() {
    let a = instance(2, 200).await;
    let mut c = Client::new(&a);
    for slug in ["one", "two"] {
        assert_eq!(apply(&mut c, slug, &[]).await.status, StatusCode::OK);
    }
    // Another client (another address, as far as the cap cares) is refused too, politely,
    // with what it typed kept.
    let mut other = Client::new(&a);
    let page = apply(&mut other, "three", &[]).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        page.body.contains("many applications in the last hour"),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"three\""), "the form is kept");
    // A decision does not free the hour's budget.
    reject_one(&a).await;
    assert_eq!(
        apply(&mut other, "three", &[]).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Invalid input is still corrected first.
    let page = apply(&mut other, "Not OK!", &[]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored(&a).await.len(), 2);
}

#[tokio::test]
async fn too_many_pending_applications_close_the_form_until_decided() {
    let a = instance(100, 2).await;
    let mut c = Client::new(&a);
    for slug in ["one", "two"] {
        assert_eq!(apply(&mut c, slug, &[]).await.status, StatusCode::OK);
    }
    let page = apply(&mut c, "three", &[]).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        page.body
            .contains("Many applications are waiting for a decision"),
        "{}",
        page.body
    );
    assert_eq!(stored(&a).await.len(), 2);

    // Once an admin decides one, there is room again.
    reject_one(&a).await;
    assert_eq!(apply(&mut c, "three", &[]).await.status, StatusCode::OK);
    assert_eq!(stored(&a).await.len(), 3);
}
