//! Rate-limit buckets over real HTTP, behind the trusted local proxy: an IPv6 client is
//! counted by its /64, an IPv4-mapped address as the IPv4 client it names.
use coopnet_tests::TestInstance;

/// `GET /api/v1/admin/coops` as the client `forwarded` (the proxy's X-Forwarded-For).
async fn status_as(instance: &TestInstance, forwarded: &str) -> u16 {
    reqwest::Client::new()
        .get(instance.url("/api/v1/admin/coops"))
        .header("x-forwarded-for", forwarded)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn an_ipv6_client_cannot_rotate_through_its_64() {
    let instance = TestInstance::spawn_with(|s| s.limits.admin_per_minute = 3)
        .await
        .unwrap();
    for i in 1..=3 {
        let rotated = format!("2001:db8:1:2::{i:x}");
        assert_eq!(status_as(&instance, &rotated).await, 401, "{rotated}");
    }
    assert_eq!(
        status_as(&instance, "2001:db8:1:2:ffff:ffff:ffff:ffff").await,
        429,
        "another address of the same /64 shares its budget"
    );
    assert_eq!(
        status_as(&instance, "2001:db8:1:3::1").await,
        401,
        "the next /64 is another client"
    );
}

#[tokio::test]
async fn an_ipv4_mapped_address_is_its_ipv4_client() {
    let instance = TestInstance::spawn_with(|s| s.limits.admin_per_minute = 3)
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(status_as(&instance, "::ffff:203.0.113.9").await, 401);
    }
    assert_eq!(status_as(&instance, "203.0.113.9").await, 429);
    assert_eq!(status_as(&instance, "203.0.113.10").await, 401);
}
