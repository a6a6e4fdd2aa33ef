//! The public JSON list and the plain HTML list.
use coopnet_app::exchange::{self, ImportMode};
use coopnet_tests::TestInstance;
use serde_json::Value;

use crate::cotech_fixture;

#[tokio::test]
async fn lists_only_listed_coops_with_paging() {
    let instance = TestInstance::spawn().await.unwrap();
    let mut records = cotech_fixture();
    records[0].listed = false;
    let hidden = records[0].slug.clone();
    exchange::import(&instance.ctx, &records, ImportMode::Insert)
        .await
        .unwrap();
    let http = reqwest::Client::new();

    let page: Value = http
        .get(instance.url("/api/v1/coops?limit=10&offset=5"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 28);
    assert_eq!(page["items"].as_array().unwrap().len(), 10);
    assert_eq!(page["offset"], 5);
    let first = &page["items"][0];
    assert_eq!(first["network"]["username"], "testnet");
    assert!(
        first["handle"]
            .as_str()
            .unwrap()
            .ends_with(&format!("@localhost:{}", instance.addr.port()))
    );

    let all: Value = http
        .get(instance.url("/api/v1/coops?limit=200"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["slug"] != hidden.as_str())
    );
    let status = http
        .get(instance.url(&format!("/api/v1/coops/{hidden}")))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 404, "unlisted co-ops are not public");
    let one: Value = http
        .get(instance.url("/api/v1/coops/outlandish"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["name"], "Outlandish");

    let bad = http
        .get(instance.url("/api/v1/coops?limit=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(bad.json::<Value>().await.unwrap()["error"], "bad_request");
}

#[tokio::test]
async fn html_list_shows_coops_escaped() {
    let instance = TestInstance::spawn().await.unwrap();
    let input: coopnet_core::CoopInput = serde_json::from_value(serde_json::json!({
        "slug": "xss", "name": "<script>alert(1)</script>\"'><b>", "summary": {"en": "<img src=x onerror=alert(1)>"}
    }))
    .unwrap();
    coopnet_app::coops::create(&instance.ctx, &input)
        .await
        .unwrap();
    let response = reqwest::get(instance.url("/coops")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    let name_line = html
        .lines()
        .find(|l| l.contains("alert(1)"))
        .unwrap_or_default()
        .to_owned();
    assert!(
        name_line.contains("&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#62;"),
        "{name_line}"
    );
    assert!(html.contains(r#"<span id="total">1</span>"#));
    // Inert on every page that shows the co-op.
    for path in [
        "/",
        "/coops",
        "/coops?q=script",
        "/coops/xss",
        "/map",
        "/news",
        "/network",
    ] {
        let html = crate::get_text(&instance.url(path)).await;
        assert!(!html.contains("<script>alert"), "{path}");
        assert!(!html.contains("<img src=x"), "{path}");
        assert!(
            html.matches("<img").count() == 0,
            "{path}: an image element was injected"
        );
    }

    let missing = reqwest::get(instance.url("/no/such/page")).await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("Not found"));
}
