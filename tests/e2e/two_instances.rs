//! Two coopnet instances on loopback: one network follows a co-op and the network of the
//! other, over real HTTP with signatures and the persistent delivery queue.
use std::time::Duration;

use coopnet_app::{coops, federation, posts};
use coopnet_core::FollowState;
use coopnet_core::TokenScope;
use coopnet_db::repo::deliveries;
use coopnet_tests::{TestInstance, eventually};
use serde_json::Value;

async fn followers_total(instance: &TestInstance, path: &str) -> u64 {
    let body: Value = reqwest::Client::new()
        .get(instance.url(path))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["totalItems"].as_u64().unwrap()
}

async fn state_of(instance: &TestInstance, actor: &str) -> Option<FollowState> {
    federation::following(&instance.ctx)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.actor_id.as_str() == actor)
        .map(|f| f.state)
}

#[tokio::test]
async fn a_coop_is_found_and_followed_from_the_other_instances_network() {
    let a = TestInstance::spawn().await.unwrap();
    let b = TestInstance::spawn_with(|s| {
        s.network.username = "othernet".into();
        s.network.name = "Other Network".into();
    })
    .await
    .unwrap();
    let input = serde_json::from_value(
        serde_json::json!({"slug": "alpha-coop", "name": "Alpha Co-op", "services": ["Hosting"]}),
    )
    .unwrap();
    coops::create(&a.ctx, &input).await.unwrap();

    // Found by WebFinger handle, fetched, followed; A accepts, B records it.
    let handle = format!("@alpha-coop@localhost:{}", a.addr.port());
    let followed = federation::follow(&b.ctx, &handle).await.unwrap();
    assert_eq!(followed.kind, coopnet_core::ActorKind::Organization);
    assert_eq!(followed.actor_id.as_str(), a.url("/coops/alpha-coop"));
    let actor = a.url("/coops/alpha-coop");
    eventually(Duration::from_secs(15), "the Accept from A", || async {
        (state_of(&b, &actor).await == Some(FollowState::Accepted)).then_some(())
    })
    .await;
    assert_eq!(followers_total(&a, "/coops/alpha-coop/followers").await, 1);

    // The network actor, by URL this time.
    let network = a.url("/network");
    let followed = federation::follow(&b.ctx, &network).await.unwrap();
    assert_eq!(followed.kind, coopnet_core::ActorKind::Group);
    eventually(
        Duration::from_secs(15),
        "the Accept of the network follow",
        || async { (state_of(&b, &network).await == Some(FollowState::Accepted)).then_some(()) },
    )
    .await;
    assert_eq!(followers_total(&a, "/network/followers").await, 1);

    // A post travels to B through A's queue (Create to the co-op's follower, Announce to the
    // network's) and every delivery succeeds.
    posts::create(
        &a.ctx,
        &TokenScope::Admin,
        &posts::PostAuthor::Coop("alpha-coop".into()),
        "Hello from **Alpha**",
    )
    .await
    .unwrap();
    eventually(Duration::from_secs(15), "A's queue to drain", || async {
        let c = deliveries::counts(&a.ctx.db).await.unwrap();
        (c.pending == 0 && c.leased == 0).then_some(())
    })
    .await;
    let counts = deliveries::counts(&a.ctx.db).await.unwrap();
    assert_eq!(counts.dead, 0, "{counts:?}");
    // Accept (co-op) + Accept (network) + welcome post Create (no followers yet: none)
    // + Create + Announce.
    assert!(counts.done >= 4, "{counts:?}");
}

#[tokio::test]
async fn following_an_unknown_or_local_actor_fails_clearly() {
    let a = TestInstance::spawn().await.unwrap();
    let unknown = format!("nobody@localhost:{}", a.addr.port());
    let b = TestInstance::spawn().await.unwrap();
    assert!(matches!(
        federation::follow(&b.ctx, &unknown).await,
        Err(coopnet_app::AppError::NotFound(_))
    ));
    let own = format!("testnet@localhost:{}", b.addr.port());
    assert!(matches!(
        federation::follow(&b.ctx, &own).await,
        Err(coopnet_app::AppError::Invalid(_))
    ));
    assert!(matches!(
        federation::follow(&b.ctx, "not a handle").await,
        Err(coopnet_app::AppError::Invalid(_))
    ));
}
