//! A followed peer network turned hostile: its members collection loops, crams thousands
//! of items onto one page, or never ends. Each walk (run by the job worker, as a backfill
//! is) must stop at the documented bound (`federation.peer_*`), leave a clear error for
//! `coopnet federation list`, and never hold the database so long that an admin's write
//! fails meanwhile. A peer that dates nothing costs no rewrites on the next pass.
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::response::Response;
use coopnet_app::AppContext;
use coopnet_config::Settings;
use coopnet_core::FollowState;
use coopnet_db::repo::following;
use coopnet_db::repo::remote_actors::{self, RemoteActorRecord};
use coopnet_federation::jobs::{self, Job};
use coopnet_federation::queue::commit_and_wake;
use coopnet_tests::{FakeServer, TestInstance, activity_json, eventually, respond};
use serde_json::{Value, json};
use url::Url;

const WAIT: Duration = Duration::from_secs(60);

/// How the peer at `base` pages its members: the items of page `n` (1-based) and the
/// number of the next page, if any.
type Pages = dyn Fn(&str, u64) -> (Vec<Value>, Option<u64>) + Send + Sync;

/// `http://localhost:PORT` of the request's server.
fn base(request: &Request) -> String {
    let host = request
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    format!("http://{host}")
}

/// A member co-op as coopnet publishes it, undated.
fn member(base: &str, n: u64) -> Value {
    json!({
        "id": format!("{base}/coops/member-{n}"),
        "type": "Organization",
        "preferredUsername": format!("member-{n}"),
        "coopnet:profile": {"slug": format!("member-{n}"), "name": format!("Member {n}")},
    })
}

/// A peer network at `localhost:PORT` serving its actor and its members by `pages`, every
/// answer after waiting `delay`.
async fn peer(pages: Arc<Pages>, delay: Duration) -> FakeServer {
    FakeServer::start_delayed("127.0.0.1", delay, move |request: &Request| -> Response {
        let base = base(request);
        let members = format!("{base}/network/members");
        match (request.uri().path(), request.uri().query()) {
            ("/network", _) => activity_json(&json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{base}/network"),
                "type": "Group",
                "preferredUsername": "hostile",
                "name": "Hostile Network",
                "inbox": format!("{base}/inbox"),
                "members": members,
            })),
            ("/network/members", None) => activity_json(&json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": members,
                "type": "OrderedCollection",
                "first": format!("{members}?page=1"),
            })),
            ("/network/members", Some(query)) => {
                let n: u64 = query.trim_start_matches("page=").parse().unwrap_or(1);
                let (items, next) = pages(&base, n);
                let mut page = json!({
                    "@context": "https://www.w3.org/ns/activitystreams",
                    "id": format!("{members}?page={n}"),
                    "type": "OrderedCollectionPage",
                    "partOf": members,
                    "orderedItems": items,
                });
                if let Some(next) = next {
                    page["next"] = json!(format!("{members}?page={next}"));
                }
                activity_json(&page)
            }
            _ => respond(404, &[], ""),
        }
    })
    .await
    .unwrap()
}

async fn spawn(adjust: impl FnOnce(&mut Settings)) -> TestInstance {
    TestInstance::spawn_with(adjust).await.unwrap()
}

/// Records an accepted follow of the peer's network, queues its backfill as an accepted
/// follow does, and waits for the walk's outcome; returns the peer's sync state message
/// and whether it succeeded.
async fn backfill(ctx: &AppContext, server: &FakeServer) -> (bool, String) {
    let domain = format!("localhost:{}", server.port());
    let actor = Url::parse(&format!("http://{domain}/network")).unwrap();
    let record = remote_actors::upsert(
        &ctx.db,
        &RemoteActorRecord {
            id: 0,
            actor_id: actor.clone(),
            kind: coopnet_core::ActorKind::Group,
            username: "hostile".into(),
            domain: domain.clone(),
            name: Some("Hostile Network".into()),
            inbox: Url::parse(&format!("http://{domain}/inbox")).unwrap(),
            shared_inbox: None,
            public_key_id: format!("{actor}#main-key"),
            public_key_pem: String::new(),
            fetched_at: chrono::Utc::now(),
        },
    )
    .await
    .unwrap();
    let follow_id = Url::parse(&format!("{}/follows/{}", ctx.base_url(), domain)).unwrap();
    following::upsert_pending(&ctx.db, &record, &follow_id)
        .await
        .unwrap();
    following::set_state(&ctx.db, &actor, FollowState::Accepted)
        .await
        .unwrap();
    let txn = coopnet_db::begin_write(&ctx.db).await.unwrap();
    jobs::enqueue(&txn, &Job::Backfill { actor }).await.unwrap();
    commit_and_wake(txn, [&ctx.fed().jobs_wake]).await.unwrap();
    last_sync(ctx, &domain).await
}

/// Waits for the first recorded walk of the peer on `domain`.
async fn last_sync(ctx: &AppContext, domain: &str) -> (bool, String) {
    eventually(WAIT, "the walk's outcome", || async {
        let peers = coopnet_app::federation::peers(ctx).await.unwrap();
        let peer = peers.into_iter().find(|p| p.network.domain == domain)?;
        let ok = peer.sync.last_sync_ok?;
        Some((ok, peer.sync.last_sync_message.unwrap_or_default()))
    })
    .await
}

async fn members_of(ctx: &AppContext, server: &FakeServer) -> u64 {
    let domain = format!("localhost:{}", server.port());
    let peers = coopnet_app::federation::peers(ctx).await.unwrap();
    peers
        .into_iter()
        .find(|p| p.network.domain == domain)
        .map_or(0, |p| p.members)
}

fn page_hits(server: &FakeServer, n: u64) -> usize {
    let wanted = format!("GET /network/members?page={n}");
    server.hits().iter().filter(|h| **h == wanted).count()
}

#[tokio::test]
async fn a_self_looping_collection_is_walked_once() {
    let instance = spawn(|_| {}).await;
    let server = peer(
        Arc::new(|base, n| (vec![member(base, n)], Some(1))),
        Duration::ZERO,
    )
    .await;
    let (ok, message) = backfill(&instance.ctx, &server).await;
    assert!(!ok);
    assert_eq!(
        message,
        "members collection loops: page 2 links back to an earlier page"
    );
    // Every walk (the job retries) fetched the page once, not over and over.
    let walks = server
        .hits()
        .iter()
        .filter(|h| *h == "GET /network/members")
        .count();
    assert_eq!(page_hits(&server, 1), walks);
}

#[tokio::test]
async fn a_page_over_the_limit_is_refused_whole() {
    let instance = spawn(|_| {}).await;
    let server = peer(
        Arc::new(|base, _| ((0..5_000).map(|i| member(base, i)).collect(), None)),
        Duration::ZERO,
    )
    .await;
    let (ok, message) = backfill(&instance.ctx, &server).await;
    assert!(!ok);
    assert_eq!(
        message,
        "members collection page 1 has 5000 items (limit 1000, federation.peer_max_page_items)"
    );
    assert_eq!(members_of(&instance.ctx, &server).await, 0);
}

#[tokio::test]
async fn endless_pages_are_cut_off_at_the_limits() {
    let instance = spawn(|s| {
        s.federation.peer_max_members = 20;
        s.federation.peer_walk_timeout_secs = 2;
    })
    .await;
    let ctx = &instance.ctx;
    // Empty pages without end: more pages than 20 members could fill.
    let empty = peer(Arc::new(|_, n| (Vec::new(), Some(n + 1))), Duration::ZERO).await;
    // Ten new members a page without end: stored up to the limit.
    let crowded = peer(
        Arc::new(|base, n| {
            let items = (n * 10..n * 10 + 10).map(|i| member(base, i)).collect();
            (items, Some(n + 1))
        }),
        Duration::ZERO,
    )
    .await;
    // Slow pages without end: the deadline.
    let slow = peer(
        Arc::new(|_, n| (Vec::new(), Some(n + 1))),
        Duration::from_millis(300),
    )
    .await;

    let (ok, message) = backfill(ctx, &empty).await;
    assert!(!ok);
    assert_eq!(message, "members collection has more than 30 pages");
    assert!(page_hits(&empty, 30) >= 1 && page_hits(&empty, 31) == 0);

    let (ok, message) = backfill(ctx, &crowded).await;
    assert!(!ok);
    assert_eq!(
        message,
        "the peer lists more than 20 co-ops (federation.peer_max_members)"
    );
    assert_eq!(members_of(ctx, &crowded).await, 20);

    let (ok, message) = backfill(ctx, &slow).await;
    assert!(!ok);
    assert!(
        message.starts_with("walk not finished after 2 s (federation.peer_walk_timeout_secs)"),
        "{message}"
    );
    assert!(page_hits(&slow, 8) == 0, "stopped at the deadline");
}

#[tokio::test]
async fn a_long_walk_leaves_room_for_other_writers_and_is_not_rewritten() {
    let instance = spawn(|_| {}).await;
    let ctx = instance.ctx.clone();
    let server = peer(
        Arc::new(|base, n| {
            let items = ((n - 1) * 250..n * 250).map(|i| member(base, i)).collect();
            (items, (n < 8).then_some(n + 1))
        }),
        Duration::ZERO,
    )
    .await;
    // An admin edits the directory while the walk writes 2,000 co-ops.
    let writer = {
        let ctx = ctx.clone();
        tokio::spawn(async move {
            for i in 0..20 {
                let input = serde_json::from_value(json!({
                    "slug": format!("local-{i}"),
                    "name": format!("Local {i}"),
                }))
                .unwrap();
                coopnet_app::coops::create(&ctx, &input)
                    .await
                    .unwrap_or_else(|e| panic!("admin write {i} during the walk: {e}"));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let (ok, message) = backfill(&ctx, &server).await;
    writer.await.unwrap();
    assert!(ok, "{message}");
    assert_eq!(message, "2000 added, 0 updated, 0 removed, 0 refused");
    assert_eq!(members_of(&ctx, &server).await, 2000);
    // The peer dates nothing; a forced second pass finds everything unchanged.
    let network = coopnet_db::repo::networks::find_by_actor(
        &ctx.db,
        &Url::parse(&format!("http://localhost:{}/network", server.port())).unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let report =
        coopnet_federation::sync::resync(&ctx.federation.to_request_data(), &network, true)
            .await
            .unwrap();
    assert_eq!(
        report.to_string(),
        "0 added, 0 updated, 0 removed, 0 refused"
    );
}

#[tokio::test]
async fn a_page_with_bad_members_costs_only_those_members() {
    let instance = spawn(|_| {}).await;
    // One page: 40 good members, one handle listed twice under two actor ids (the batch
    // insert fails and the members are stored one by one), one member of another host and
    // one that fails validation.
    let server = peer(
        Arc::new(|base: &str, _| {
            let mut items: Vec<Value> = (1..=40).map(|n| member(base, n)).collect();
            items.push(json!({
                "id": format!("{base}/coops/imposter"),
                "type": "Organization",
                "preferredUsername": "member-7",
                "coopnet:profile": {"slug": "member-7", "name": "Imposter"},
            }));
            items.push(member("http://elsewhere.example", 41));
            items.push(json!({
                "id": format!("{base}/coops/bad"),
                "type": "Organization",
                "coopnet:profile": {"slug": "Not A Slug", "name": "Bad"},
            }));
            (items, None)
        }),
        Duration::ZERO,
    )
    .await;
    let (ok, message) = backfill(&instance.ctx, &server).await;
    assert!(ok, "{message}");
    assert_eq!(members_of(&instance.ctx, &server).await, 40, "{message}");
    let directory = coopnet_app::directory::search(
        &instance.ctx,
        &coopnet_core::SearchQuery {
            text: "Imposter".into(),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(directory.total, 0, "the second use of a handle is refused");
}
