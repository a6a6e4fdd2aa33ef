//! The bearer-token admin API: happy paths and every documented error status.
use coopnet_app::tokens;
use coopnet_tests::TestInstance;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

struct Api {
    instance: TestInstance,
    http: Client,
    admin: String,
}

impl Api {
    async fn new() -> Self {
        let instance = TestInstance::spawn().await.unwrap();
        let admin = tokens::create(&instance.ctx, None, "test admin")
            .await
            .unwrap()
            .secret;
        Self {
            instance,
            http: Client::new(),
            admin,
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.instance.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            },
        )
    }

    async fn create(&self, slug: &str) -> (StatusCode, Value) {
        let body = json!({"slug": slug, "name": format!("Co-op {slug}"), "country": "GB", "services": ["Hosting"]});
        self.call(
            Method::POST,
            "/api/v1/admin/coops",
            Some(&self.admin),
            Some(body),
        )
        .await
    }
}

#[tokio::test]
async fn admin_creates_reads_edits_and_removes_a_coop() {
    let api = Api::new().await;
    let (status, created) = api.create("alpha").await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["slug"], "alpha");
    assert_eq!(created["services"], json!(["Hosting"]));

    let (status, list) = api
        .call(Method::GET, "/api/v1/admin/coops", Some(&api.admin), None)
        .await;
    assert_eq!((status, list["total"].clone()), (StatusCode::OK, json!(1)));

    let patch = json!({"workers": 7, "summary": {"en": "We host.", "cy": "Rydym yn cynnal."}, "listed": false});
    let (status, edited) = api
        .call(
            Method::PATCH,
            "/api/v1/admin/coops/alpha",
            Some(&api.admin),
            Some(patch),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["workers"], 7);
    assert_eq!(edited["country"], "GB", "unnamed fields keep their values");
    assert_eq!(edited["summary"]["cy"], "Rydym yn cynnal.");
    assert!(edited["updated_at"].as_str() > created["updated_at"].as_str());

    let (status, shown) = api
        .call(
            Method::GET,
            "/api/v1/admin/coops/alpha",
            Some(&api.admin),
            None,
        )
        .await;
    assert_eq!(
        (status, shown["listed"].clone()),
        (StatusCode::OK, json!(false))
    );

    let (status, _) = api
        .call(
            Method::DELETE,
            "/api/v1/admin/coops/alpha",
            Some(&api.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = api
        .call(
            Method::GET,
            "/api/v1/admin/coops/alpha",
            Some(&api.admin),
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::GONE, json!("gone"))
    );
}

#[tokio::test]
async fn missing_or_bad_tokens_get_401() {
    let api = Api::new().await;
    let response = api
        .http
        .get(api.instance.url("/api/v1/admin/coops"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "unauthorized"
    );

    let (status, body) = api
        .call(
            Method::GET,
            "/api/v1/admin/coops",
            Some("coopnet_forged"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::UNAUTHORIZED, json!("unauthorized"))
    );

    let (status, created) = api
        .call(
            Method::POST,
            "/api/v1/admin/tokens",
            Some(&api.admin),
            Some(json!({"label": "temp"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let temp = created["token"].as_str().unwrap().to_owned();
    let (status, _) = api
        .call(Method::GET, "/api/v1/admin/coops", Some(&temp), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let id = created["id"].as_i64().unwrap();
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/api/v1/admin/tokens/{id}"),
            Some(&api.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api
        .call(Method::GET, "/api/v1/admin/coops", Some(&temp), None)
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "revoked tokens stop working"
    );
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/api/v1/admin/tokens/{id}"),
            Some(&api.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already revoked");
}

#[tokio::test]
async fn editor_tokens_reach_only_their_own_coop() {
    let api = Api::new().await;
    api.create("mine").await;
    api.create("theirs").await;
    let (status, created) = api
        .call(
            Method::POST,
            "/api/v1/admin/tokens",
            Some(&api.admin),
            Some(json!({"coop": "mine", "label": "editor"})),
        )
        .await;
    assert_eq!(
        (status, created["scope"].clone(), created["coop"].clone()),
        (StatusCode::CREATED, json!("coop"), json!("mine"))
    );
    let editor = created["token"].as_str().unwrap().to_owned();

    let (status, body) = api
        .call(
            Method::PATCH,
            "/api/v1/admin/coops/mine",
            Some(&editor),
            Some(json!({"locality": "Leeds"})),
        )
        .await;
    assert_eq!(
        (status, body["locality"].clone()),
        (StatusCode::OK, json!("Leeds"))
    );
    let (status, _) = api
        .call(Method::GET, "/api/v1/admin/coops/mine", Some(&editor), None)
        .await;
    assert_eq!(status, StatusCode::OK);

    for (method, path, body) in [
        (
            Method::PATCH,
            "/api/v1/admin/coops/theirs",
            Some(json!({"locality": "Hacked"})),
        ),
        (Method::GET, "/api/v1/admin/coops/theirs", None),
        (Method::DELETE, "/api/v1/admin/coops/mine", None),
        (Method::GET, "/api/v1/admin/coops", None),
        (
            Method::POST,
            "/api/v1/admin/coops",
            Some(json!({"slug": "new", "name": "New"})),
        ),
        (Method::GET, "/api/v1/admin/tokens", None),
        (Method::POST, "/api/v1/admin/tokens", Some(json!({}))),
    ] {
        let (status, body) = api.call(method.clone(), path, Some(&editor), body).await;
        assert_eq!(
            (status, body["error"].clone()),
            (StatusCode::FORBIDDEN, json!("forbidden")),
            "{method} {path}"
        );
    }
    let theirs = coopnet_app::coops::get(&api.instance.ctx, "theirs")
        .await
        .unwrap();
    assert_eq!(
        theirs.profile.locality, None,
        "the other co-op is untouched"
    );

    coopnet_app::coops::remove(&api.instance.ctx, "mine")
        .await
        .unwrap();
    let (status, _) = api
        .call(Method::GET, "/api/v1/admin/coops/mine", Some(&editor), None)
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "removing a co-op revokes its editor tokens"
    );
}

#[tokio::test]
async fn not_found_conflict_and_validation_errors() {
    let api = Api::new().await;
    let (status, body) = api
        .call(
            Method::PATCH,
            "/api/v1/admin/coops/nobody",
            Some(&api.admin),
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::NOT_FOUND, json!("not_found"))
    );
    let (status, _) = api
        .call(
            Method::GET,
            "/api/v1/admin/nothing-here",
            Some(&api.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    assert_eq!(api.create("taken").await.0, StatusCode::CREATED);
    let (status, body) = api.create("taken").await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::CONFLICT, json!("conflict"))
    );
    let (status, _) = api.create("testnet").await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the network's own handle is taken"
    );

    let bad = json!({"slug": "Bad Slug", "name": "", "country": "UK", "website": "javascript:alert(1)", "latitude": 100, "longitude": 0});
    let (status, body) = api
        .call(
            Method::POST,
            "/api/v1/admin/coops",
            Some(&api.admin),
            Some(bad),
        )
        .await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("validation_failed"))
    );
    for field in ["slug", "name", "country", "website", "latitude"] {
        assert!(
            body["fields"][field].is_array(),
            "no error for {field}: {body}"
        );
    }

    let (status, body) = api
        .call(
            Method::PATCH,
            "/api/v1/admin/coops/taken",
            Some(&api.admin),
            Some(json!({"slug": "renamed"})),
        )
        .await;
    assert_eq!(
        (status, body["fields"]["slug"].is_array()),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );
    let (status, body) = api
        .call(
            Method::PATCH,
            "/api/v1/admin/coops/taken",
            Some(&api.admin),
            Some(json!({"unknown_field": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let (status, body) = api
        .call(
            Method::POST,
            "/api/v1/admin/coops",
            Some(&api.admin),
            Some(json!({"name": "no slug"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let response = api
        .http
        .post(api.instance.url("/api/v1/admin/coops"))
        .bearer_auth(&api.admin)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "bad_request"
    );
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let api = Api::new().await;
    let huge =
        json!({"slug": "big", "name": "Big", "summary": {"en": "x".repeat(2 * 1024 * 1024)}});
    let (status, body) = api
        .call(
            Method::POST,
            "/api/v1/admin/coops",
            Some(&api.admin),
            Some(huge),
        )
        .await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::PAYLOAD_TOO_LARGE, json!("payload_too_large"))
    );
    assert!(
        coopnet_app::coops::all(&api.instance.ctx)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn posts_by_editors_and_admins() {
    let api = Api::new().await;
    api.create("mine").await;
    api.create("theirs").await;
    let (_, created) = api
        .call(
            Method::POST,
            "/api/v1/admin/tokens",
            Some(&api.admin),
            Some(json!({"coop": "mine"})),
        )
        .await;
    let editor = created["token"].as_str().unwrap().to_owned();

    let (status, post) = api
        .call(
            Method::POST,
            "/api/v1/admin/coops/mine/posts",
            Some(&editor),
            Some(json!({"content": "Hello **world** <script>x()</script>"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    assert!(
        post["content_html"]
            .as_str()
            .unwrap()
            .contains("<strong>world</strong>")
    );
    assert!(!post["content_html"].as_str().unwrap().contains("<script"));
    let url = post["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&api.instance.url("/coops/mine/posts/")));
    let note: Value = api
        .http
        .get(&url)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(note["type"], "Note");
    // No language given: the co-op's first language.
    let language = post["language"].as_str().expect("language").to_owned();
    assert_eq!(note["contentMap"][&language], note["content"], "{note:#}");

    // A language of the caller's choosing, and a clear error for one that is not a tag.
    let (status, german) = api
        .call(
            Method::POST,
            "/api/v1/admin/coops/mine/posts",
            Some(&editor),
            Some(json!({"content": "Hallo #Genossenschaften", "language": "de"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{german}");
    assert_eq!(german["language"], "de", "{german}");
    let (status, refused) = api
        .call(
            Method::POST,
            "/api/v1/admin/coops/mine/posts",
            Some(&editor),
            Some(json!({"content": "Hello", "language": "not a language"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.to_string().contains("language"), "{refused}");

    for (path, token) in [
        ("/api/v1/admin/coops/theirs/posts", &editor),
        ("/api/v1/admin/network/posts", &editor),
    ] {
        let (status, _) = api
            .call(
                Method::POST,
                path,
                Some(token),
                Some(json!({"content": "nope"})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let (status, _) = api
        .call(
            Method::POST,
            "/api/v1/admin/network/posts",
            Some(&api.admin),
            Some(json!({"content": "Network news"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = api
        .call(
            Method::POST,
            "/api/v1/admin/coops/mine/posts",
            Some(&editor),
            Some(json!({"content": "  "})),
        )
        .await;
    assert_eq!(
        (status, body["fields"]["content"].is_array()),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );

    let (status, list) = api
        .call(
            Method::GET,
            "/api/v1/admin/coops/mine/posts",
            Some(&editor),
            None,
        )
        .await;
    assert_eq!((status, list["total"].clone()), (StatusCode::OK, json!(2)));
    let id = post["id"].as_str().unwrap();
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/api/v1/admin/posts/{id}"),
            Some(&editor),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let gone = api
        .http
        .get(&url)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::GONE);
    assert_eq!(gone.json::<Value>().await.unwrap()["type"], "Tombstone");
}

#[tokio::test]
async fn federation_through_the_admin_api() {
    let api = Api::new().await;
    let other = TestInstance::spawn_with(|s| s.network.username = "othernet".into())
        .await
        .unwrap();
    let target = other.url("/network");
    let (status, body) = api
        .call(
            Method::POST,
            "/api/v1/admin/federation/follow",
            Some(&api.admin),
            Some(json!({"target": target})),
        )
        .await;
    assert_eq!(
        (status, body["kind"].clone()),
        (StatusCode::ACCEPTED, json!("Group")),
        "{body}"
    );
    let domain = format!("localhost:{}", other.addr.port());
    coopnet_tests::eventually(
        std::time::Duration::from_secs(20),
        "the peer accepted",
        || async {
            let (_, peers) = api
                .call(
                    Method::GET,
                    "/api/v1/admin/federation/peers",
                    Some(&api.admin),
                    None,
                )
                .await;
            peers
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["domain"] == domain.as_str() && p["following"] == "accepted")
                .then_some(())
        },
    )
    .await;
    let (status, results) = api
        .call(
            Method::POST,
            "/api/v1/admin/federation/resync",
            Some(&api.admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(results[0]["ok"], true, "{results}");

    let (status, _) = api
        .call(
            Method::POST,
            "/api/v1/admin/federation/block",
            Some(&api.admin),
            Some(json!({"domain": domain, "reason": "test"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, blocks) = api
        .call(
            Method::GET,
            "/api/v1/admin/federation/blocks",
            Some(&api.admin),
            None,
        )
        .await;
    assert_eq!(blocks[0]["domain"], domain.as_str());
    let (_, peers) = api
        .call(
            Method::GET,
            "/api/v1/admin/federation/peers",
            Some(&api.admin),
            None,
        )
        .await;
    assert!(
        peers
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["domain"] != domain.as_str()),
        "{peers}"
    );
    let (status, body) = api
        .call(
            Method::POST,
            "/api/v1/admin/federation/follow",
            Some(&api.admin),
            Some(json!({"target": target})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = api
        .call(
            Method::POST,
            "/api/v1/admin/federation/unblock",
            Some(&api.admin),
            Some(json!({"domain": domain})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api
        .call(
            Method::POST,
            "/api/v1/admin/federation/unblock",
            Some(&api.admin),
            Some(json!({"domain": domain})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api
        .call(
            Method::GET,
            "/api/v1/admin/federation/peers",
            Some("coopnet_bad"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
