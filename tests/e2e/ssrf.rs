//! The outgoing-request guard, tried as an attacker would: an instance with production
//! address rules (only 127.0.0.2, standing in for the public internet, is allowed; plain
//! http on loopback ports is how these tests reach their servers) is made to fetch from an
//! attacker's host that redirects to a "metadata" service on 127.0.0.1, or whose name
//! resolves to a public address first and to loopback afterwards (DNS rebinding). The
//! metadata service must receive nothing, and no answer may carry its content.
//!
//! Each door that fetches is tried: an unauthenticated inbox POST (the actor is fetched
//! before the signature can be checked), an admin's follow by URL and by handle
//! (WebFinger), a backfill of a peer's members collection, and a delivery.
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use coopnet_core::{FollowerState, Target};
use coopnet_db::repo::followers;
use coopnet_db::repo::{networks, remote_actors};
use coopnet_tests::{FakeServer, TestInstance, TestResolver, eventually, respond};
use serde_json::json;
use sha2::{Digest, Sha256};
use url::Url;

/// What the metadata service answers, should anything ever reach it.
const SECRET: &str = "AKIA-SECRET-METADATA";

/// The attacker's host (127.0.0.2, allowed), the metadata service on the same port of
/// 127.0.0.1 (refused), and an instance whose resolver knows their names.
struct Scene {
    instance: TestInstance,
    attacker: FakeServer,
    metadata: FakeServer,
    port: u16,
}

/// The attacker's script: every path redirects somewhere inward, or serves a document.
fn attacker(request: &Request) -> Response {
    let port = request
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit(':').next())
        .unwrap_or("0")
        .to_owned();
    let to = |location: String| respond(302, &[("location", location.as_str())], "");
    match request.uri().path() {
        "/literal" => to(format!("http://127.0.0.1:{port}/latest/meta-data/iam")),
        "/localhost" => to(format!("http://localhost:{port}/latest/meta-data/iam")),
        "/rebind" => respond(
            302,
            &[
                ("location", &format!("http://rebind.test:{port}/again")),
                // A fresh connection for the next request, so its name is resolved again.
                ("connection", "close"),
            ],
            "",
        ),
        "/inbox" => respond(202, &[], ""),
        // Anything else (`/name`, WebFinger, a members collection): a name that resolves
        // to loopback.
        _ => to(format!("http://metadata.test:{port}/latest/meta-data/iam")),
    }
}

fn metadata(_: &Request) -> Response {
    respond(
        200,
        &[("content-type", "application/activity+json")],
        json!({"id": "http://metadata.test/", "type": "Person", "secret": SECRET}).to_string(),
    )
}

async fn scene() -> Scene {
    // The same port on both addresses, so a rebound name reaches the metadata service.
    let (attacker, metadata) = loop {
        let attacker = FakeServer::start("127.0.0.2", 0, attacker).await.unwrap();
        if let Ok(metadata) = FakeServer::start("127.0.0.1", attacker.port(), metadata).await {
            break (attacker, metadata);
        }
    };
    let resolver = TestResolver::new();
    resolver.answer("attacker.test", &["127.0.0.2"]);
    resolver.answer("metadata.test", &["127.0.0.1"]);
    resolver.answer_in_turn("rebind.test", &[&["127.0.0.2"], &["127.0.0.1"]]);
    resolver.answer("inward.test", &["::1", "127.0.0.1"]);
    let instance = TestInstance::spawn_resolving(
        |s| {
            s.federation.allow_private_addresses = Some(false);
            s.federation.allowed_private_addresses = vec!["127.0.0.2".into()];
        },
        Some(resolver as Arc<dyn coopnet_federation::net::Resolve>),
    )
    .await
    .unwrap();
    let port = attacker.port();
    Scene {
        instance,
        attacker,
        metadata,
        port,
    }
}

impl Scene {
    fn attacker_url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.port)
    }

    /// Nothing reached the metadata service.
    fn assert_untouched(&self, what: &str) {
        assert_eq!(self.metadata.hits(), Vec::<String>::new(), "{what}");
    }
}

/// An inbox POST from `actor` with a well-formed Signature that cannot verify: the
/// instance must fetch the actor to find out.
async fn forged_post(scene: &Scene, actor: &str) -> (u16, String) {
    let inbox = scene.instance.url("/inbox");
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}/follows/1"),
        "type": "Follow",
        "actor": actor,
        "object": scene.instance.url("/network"),
    })
    .to_string();
    let digest = format!(
        "SHA-256={}",
        STANDARD.encode(Sha256::digest(body.as_bytes()))
    );
    let signature = format!(
        r#"keyId="{actor}#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="{}""#,
        STANDARD.encode([7u8; 256])
    );
    let date = chrono::Utc::now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let response = reqwest::Client::new()
        .post(inbox)
        .header("date", date)
        .header("digest", digest)
        .header("signature", signature)
        .header("content-type", "application/activity+json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn an_inbox_post_cannot_make_us_fetch_inward() {
    let scene = scene().await;
    for path in ["/literal", "/name", "/localhost"] {
        let actor = scene.attacker_url("attacker.test", path);
        let (status, body) = forged_post(&scene, &actor).await;
        assert!((400..500).contains(&status), "{path}: {status} {body}");
        assert!(!body.contains(SECRET), "{path}: {body}");
        assert!(
            scene.attacker.hits().contains(&format!("GET {path}")),
            "{path}: the attacker's (allowed) host was asked: {:?}",
            scene.attacker.hits()
        );
        scene.assert_untouched(path);
    }
}

#[tokio::test]
async fn a_rebinding_name_is_checked_on_every_connection() {
    let scene = scene().await;
    // rebind.test answers 127.0.0.2 (allowed) first, 127.0.0.1 afterwards: the redirect
    // to the same name opens a new connection, which must not reach loopback.
    let actor = scene.attacker_url("rebind.test", "/rebind");
    let (status, body) = forged_post(&scene, &actor).await;
    assert!((400..500).contains(&status), "{status} {body}");
    assert!(!body.contains(SECRET), "{body}");
    assert_eq!(scene.attacker.hits(), vec!["GET /rebind".to_owned()]);
    scene.assert_untouched("rebinding");
}

#[tokio::test]
async fn an_admin_follow_cannot_fetch_inward() {
    let scene = scene().await;
    for target in [
        scene.attacker_url("attacker.test", "/name"),
        scene.attacker_url("attacker.test", "/literal"),
        format!("@someone@attacker.test:{}", scene.port),
        format!("http://inward.test:{}/actor", scene.port),
        format!("http://127.0.0.1:{}/actor", scene.port),
    ] {
        let err = coopnet_app::federation::follow(&scene.instance.ctx, &target)
            .await
            .expect_err("refused");
        assert!(!err.to_string().contains(SECRET), "{target}: {err}");
        scene.assert_untouched(&target);
    }
    assert!(
        scene
            .attacker
            .hits()
            .iter()
            .any(|h| h.starts_with("GET /.well-known/webfinger")),
        "the handle was looked up on the attacker's host: {:?}",
        scene.attacker.hits()
    );
}

#[tokio::test]
async fn a_backfill_cannot_fetch_inward() {
    let scene = scene().await;
    let ctx = &scene.instance.ctx;
    let actor = Url::parse(&scene.attacker_url("attacker.test", "/network")).unwrap();
    let members = Url::parse(&scene.attacker_url("attacker.test", "/members")).unwrap();
    let network = networks::upsert_remote(
        &ctx.db,
        networks::RemoteNetwork {
            actor_id: &actor,
            username: "network",
            domain: &format!("attacker.test:{}", scene.port),
            name: "Attacker",
            country: None,
            languages: &[],
            summary: "",
            members_url: Some(&members),
        },
    )
    .await
    .unwrap();
    let data = ctx.federation.to_request_data();
    let err = coopnet_federation::sync::resync(&data, &network, true)
        .await
        .expect_err("the members collection redirects inward");
    assert!(!err.to_string().contains(SECRET), "{err}");
    let state = networks::sync_state(&ctx.db, network.id).await.unwrap();
    assert_eq!(state.last_sync_ok, Some(false));
    let message = state.last_sync_message.unwrap_or_default();
    assert!(
        message.contains("fetching the members collection failed"),
        "{message}"
    );
    assert!(!message.contains(SECRET), "{message}");
    assert_eq!(scene.attacker.hits(), vec!["GET /members".to_owned()]);
    scene.assert_untouched("backfill");
}

#[tokio::test]
async fn deliveries_never_reach_inward_addresses() {
    let scene = scene().await;
    let ctx = &scene.instance.ctx;
    let input =
        serde_json::from_value(json!({"slug": "guarded", "name": "Guarded Co-op"})).unwrap();
    let coop = coopnet_app::coops::create(ctx, &input).await.unwrap();
    // Two followers: one whose inbox is on the attacker's (allowed) host, one whose inbox
    // name resolves to loopback.
    for (n, host) in ["attacker.test", "inward.test"].into_iter().enumerate() {
        let actor = remote_actors::upsert(
            &ctx.db,
            &remote_actors::RemoteActorRecord {
                id: 0,
                actor_id: Url::parse(&scene.attacker_url(host, &format!("/users/{n}"))).unwrap(),
                kind: coopnet_core::ActorKind::Person,
                username: format!("user{n}"),
                domain: format!("{host}:{}", scene.port),
                name: None,
                inbox: Url::parse(&scene.attacker_url(host, "/inbox")).unwrap(),
                shared_inbox: None,
                public_key_id: format!("{}#main-key", scene.attacker_url(host, "/users")),
                public_key_pem: String::new(),
                fetched_at: chrono::Utc::now(),
            },
        )
        .await
        .unwrap();
        let follow = Url::parse(&scene.attacker_url(host, &format!("/follows/{n}"))).unwrap();
        followers::add(
            &ctx.db,
            Target::Coop(coop.id),
            &actor,
            &follow,
            FollowerState::Accepted,
        )
        .await
        .unwrap();
    }
    coopnet_app::posts::create(
        ctx,
        &coopnet_core::TokenScope::Admin,
        &coopnet_app::posts::PostAuthor::Coop("guarded".into()),
        "Hello",
    )
    .await
    .unwrap();
    eventually(
        Duration::from_secs(30),
        "the allowed inbox got the post",
        || async {
            scene
                .attacker
                .hits()
                .contains(&"POST /inbox".to_owned())
                .then_some(())
        },
    )
    .await;
    let dead = eventually(
        Duration::from_secs(30),
        "the inward delivery given up",
        || async {
            let status = coopnet_app::queue::status(ctx).await.unwrap();
            (status.counts.dead > 0).then_some(status)
        },
    )
    .await;
    assert_eq!(dead.counts.dead, 1, "{dead:?}");
    scene.assert_untouched("delivery");
}
