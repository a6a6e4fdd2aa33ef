//! Operations endpoints and security headers.
use coopnet_tests::TestInstance;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let instance = TestInstance::spawn().await.unwrap();
    for (path, body) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let r = reqwest::get(instance.url(path)).await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.text().await.unwrap(), body);
    }
    reqwest::get(instance.url("/coops")).await.unwrap();
    let inbox = reqwest::Client::new()
        .post(instance.url("/inbox"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), 401, "unsigned");
    let r = reqwest::Client::new()
        .get(instance.url("/metrics"))
        .bearer_auth(coopnet_tests::METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = r.text().await.unwrap();
    assert!(
        text.contains("coopnet_deliveries{state=\"pending\"} 0"),
        "{text}"
    );
    assert!(text.contains("coopnet_http_request_duration_seconds_count{method=\"GET\",route=\"/coops\",status=\"200\"} 1"), "{text}");
    assert!(
        text.contains("coopnet_inbox_requests_total{outcome=\"refused\",status=\"401\",reason=\"signature_headers\"} 1"),
        "{text}"
    );
}

/// After a delivery, `/metrics` counts it by outcome, the receiver counts the inbox request
/// by outcome and reason, and both time their requests.
#[tokio::test]
async fn metrics_count_deliveries_by_outcome() {
    let a = TestInstance::spawn().await.unwrap();
    let b = TestInstance::spawn().await.unwrap();
    // A's network follows B's: A delivers the Follow, B delivers the Accept.
    coopnet_app::federation::follow(&a.ctx, &b.url("/network"))
        .await
        .unwrap();
    let text = coopnet_tests::eventually(
        std::time::Duration::from_secs(30),
        "the Follow delivered and counted",
        || async {
            let text = a.metrics().await;
            text.contains("coopnet_deliveries_total{outcome=\"done\",status=\"2xx\"} 1")
                .then_some(text)
        },
    )
    .await;
    assert!(
        text.contains("# TYPE coopnet_deliveries_total counter"),
        "{text}"
    );
    assert!(
        text.contains("coopnet_delivery_attempt_duration_seconds_count{outcome=\"done\"}"),
        "{text}"
    );
    assert!(
        text.contains("coopnet_deliveries{state=\"done\"}"),
        "{text}"
    );
    assert!(text.contains("coopnet_jobs{state=\"pending\"}"), "{text}");
    let text = coopnet_tests::eventually(
        std::time::Duration::from_secs(30),
        "B counted the Follow",
        || async {
            let text = b.metrics().await;
            text.contains(
                "coopnet_inbox_requests_total{outcome=\"accepted\",status=\"202\",reason=\"processed\"}",
            )
            .then_some(text)
        },
    )
    .await;
    assert!(
        text.lines().any(|l| l
            .starts_with("coopnet_http_request_duration_seconds_count{method=\"POST\",route=\"")
            && l.contains("inbox\"")),
        "{text}"
    );
}

#[tokio::test]
async fn html_pages_carry_security_headers() {
    let instance = TestInstance::spawn().await.unwrap();
    for path in ["/", "/coops", "/about", "/no-such-page"] {
        let r = reqwest::get(instance.url(path)).await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            h["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
    }
    let api = reqwest::get(instance.url("/api/v1/coops")).await.unwrap();
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
    assert!(
        api.headers().get("content-security-policy").is_none(),
        "CSP is for HTML"
    );
}

#[tokio::test]
async fn admin_api_and_searches_are_rate_limited_per_client() {
    let instance = TestInstance::spawn_with(|s| {
        s.limits.admin_per_minute = 3;
        s.limits.search_per_minute = 5;
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    for _ in 0..3 {
        let r = http
            .get(instance.url("/api/v1/admin/coops"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            401,
            "within the budget (no token: 401, not 429)"
        );
    }
    let r = http
        .get(instance.url("/api/v1/admin/coops"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(
        r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    for _ in 0..5 {
        assert_eq!(
            http.get(instance.url("/coops?q=x"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    assert_eq!(
        http.get(instance.url("/coops?q=x"))
            .send()
            .await
            .unwrap()
            .status(),
        429
    );
    assert_eq!(
        http.get(instance.url("/about"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "cheap pages are not limited"
    );
    // Behind the (trusted, local) proxy another client has its own budget.
    let other = http
        .get(instance.url("/coops?q=x"))
        .header("x-forwarded-for", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
}

/// `/metrics` is not public: 401 without the bearer token (or with a wrong one), 404 on the
/// public address when no token is configured, and served without a token on the separate
/// `metrics.listen` address.
#[tokio::test]
async fn metrics_need_the_token_or_the_private_address() {
    let http = reqwest::Client::new();
    let guarded = TestInstance::spawn().await.unwrap();
    let url = guarded.url("/metrics");
    let anonymous = http.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(
        anonymous.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    assert!(!anonymous.text().await.unwrap().contains("coopnet_"));
    let wrong = http.get(&url).bearer_auth("guess").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(guarded.metrics().await.contains("coopnet_deliveries"));

    let private = TestInstance::spawn_with(|s| s.metrics.token.clear())
        .await
        .unwrap();
    let public = http.get(private.url("/metrics")).send().await.unwrap();
    assert_eq!(
        public.status(),
        404,
        "no token configured: not on the public address"
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(coopnet_web::serve_metrics(
        private.ctx.clone(),
        listener,
        async {
            let _ = stopped.await;
        },
    ));
    let scraped = http
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(scraped.text().await.unwrap().contains("coopnet_deliveries"));
    let other = http
        .get(format!("http://{addr}/coops"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        404,
        "the metrics address serves nothing else"
    );
    let _ = stop.send(());
}
