//! The rules between peer networks, over real HTTP on loopback: resync repairs what
//! deliveries missed, a network speaks only for co-ops on its own host, older updates never
//! overwrite newer ones, blocks, the follow policies (manual, allowlist) and unfollowing.
//! Every test runs its own instances.
use std::time::Duration;

use chrono::Utc;
use coopnet_app::exchange::{self, ImportMode};
use coopnet_app::{coops, federation};
use coopnet_config::FollowPolicy;
use coopnet_core::CoopInput;
use coopnet_core::FollowState;
use coopnet_core::FollowerState;
use coopnet_db::ConnectionTrait;
use coopnet_db::repo::keys;
use coopnet_federation::delivery::signer::{CONTENT_TYPE, Signer, http_date_now};
use coopnet_federation::sync::SyncReport;
use coopnet_tests::{TestInstance, eventually};
use sea_orm::Statement;
use serde_json::{Value, json};
use url::Url;

const WAIT: Duration = Duration::from_secs(30);

async fn spawn(name: &str) -> TestInstance {
    spawn_with_policy(name, FollowPolicy::Auto, Vec::new()).await
}

async fn spawn_with_policy(
    name: &str,
    policy: FollowPolicy,
    allowlist: Vec<String>,
) -> TestInstance {
    let name = name.to_owned();
    TestInstance::spawn_with(move |s| {
        s.network.username = name.to_lowercase();
        s.network.name = name;
        s.federation.follow_policy = policy;
        s.federation.allowlist = allowlist;
    })
    .await
    .unwrap()
}

/// `localhost:PORT`: the instance's domain, as peers know it.
fn domain(i: &TestInstance) -> String {
    i.ctx.settings.domain.clone()
}

/// `count` records of a demo data set, after skipping `skip`.
fn seed(dataset: &str, skip: usize, count: usize) -> Vec<CoopInput> {
    exchange::parse_json(dataset)
        .unwrap()
        .into_iter()
        .skip(skip)
        .take(count)
        .collect()
}

async fn import(i: &TestInstance, records: &[CoopInput]) {
    exchange::import(&i.ctx, records, ImportMode::Insert)
        .await
        .unwrap();
}

/// Every co-op the public API lists, by `url` (the actor id: the same on every instance).
async fn directory(i: &TestInstance) -> Vec<Value> {
    let page: Value = reqwest::get(i.url("/api/v1/coops?limit=200"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut items = page["items"].as_array().unwrap().clone();
    items.sort_by(|a, b| a["url"].as_str().cmp(&b["url"].as_str()));
    items
}

/// The co-ops of `home` in `on`'s directory.
async fn coops_of(on: &TestInstance, home: &TestInstance) -> Vec<Value> {
    let prefix = format!("{}/", home.base_url);
    directory(on)
        .await
        .into_iter()
        .filter(|c| c["url"].as_str().unwrap().starts_with(&prefix))
        .collect()
}

/// The entry for actor `url` in `on`'s directory.
async fn entry(on: &TestInstance, url: &str) -> Option<Value> {
    directory(on).await.into_iter().find(|c| c["url"] == url)
}

/// What must agree between a co-op's home and a peer's copy: everything but the
/// viewpoint-dependent `local` flag.
fn comparable(c: &Value) -> Value {
    let mut c = c.clone();
    c.as_object_mut().unwrap().remove("local");
    c
}

async fn wait_for_coops_of(on: &TestInstance, home: &TestInstance, count: usize, what: &str) {
    eventually(WAIT, what, || async {
        (coops_of(on, home).await.len() == count).then_some(())
    })
    .await;
}

/// The state of `from`'s follow of `to`'s network.
async fn follow_state(from: &TestInstance, to: &TestInstance) -> Option<FollowState> {
    let network = to.url("/network");
    federation::following(&from.ctx)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.actor_id.as_str() == network)
        .map(|f| f.state)
}

async fn wait_for_follow_state(from: &TestInstance, to: &TestInstance, want: FollowState) {
    eventually(WAIT, &format!("follow {want:?}"), || async {
        (follow_state(from, to).await == Some(want)).then_some(())
    })
    .await;
}

/// `from`'s network follows `to`'s and waits for the answer.
async fn follow(from: &TestInstance, to: &TestInstance, want: FollowState) {
    federation::follow(&from.ctx, &to.url("/network"))
        .await
        .unwrap();
    wait_for_follow_state(from, to, want).await;
}

/// The follow request of `from` as `of` lists it.
async fn request_from(of: &TestInstance, from: &TestInstance) -> Option<FollowerState> {
    let domain = domain(from);
    federation::requests(&of.ctx)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.actor.domain == domain)
        .map(|r| r.state)
}

/// The peer `peer` as `on`'s federation list shows it.
async fn peer(on: &TestInstance, peer: &TestInstance) -> Option<federation::Peer> {
    let domain = domain(peer);
    federation::peers(&on.ctx)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.network.domain == domain)
}

/// Waits until `on` has finished a resync (backfill) of `of` successfully.
async fn wait_for_sync(on: &TestInstance, of: &TestInstance) {
    eventually(WAIT, "a successful backfill", || async {
        peer(on, of)
            .await
            .filter(|p| p.sync.last_sync_ok == Some(true))
            .map(|_| ())
    })
    .await;
}

async fn get_ap(i: &TestInstance, path: &str) -> Value {
    let response = reqwest::Client::new()
        .get(i.url(path))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "GET {path}");
    response.json().await.unwrap()
}

/// The member document of `slug` as `home` publishes it (first members page).
async fn member_doc(home: &TestInstance, slug: &str) -> Value {
    let id = home.url(&format!("/coops/{slug}"));
    let page = get_ap(home, "/network/members?page=1").await;
    page["orderedItems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id.as_str())
        .unwrap_or_else(|| panic!("{id} not among {page:#}"))
        .clone()
}

async fn network_followers(i: &TestInstance) -> u64 {
    get_ap(i, "/network/followers").await["totalItems"]
        .as_u64()
        .unwrap()
}

/// A fresh activity id on `from`'s host.
fn activity_id(from: &TestInstance) -> String {
    from.url(&format!("/activities/{}", uuid::Uuid::new_v4()))
}

/// POSTs `activity` to `to`'s shared inbox, signed with `from`'s network key.
async fn post_as_network(
    from: &TestInstance,
    to: &TestInstance,
    activity: &Value,
) -> (u16, String) {
    let pair = keys::network(&from.ctx.db, from.ctx.network.id)
        .await
        .unwrap()
        .expect("the network has signed before, so it has a key");
    let signer = Signer::new(
        format!("{}#main-key", from.url("/network")),
        &pair.private_pem,
    )
    .unwrap();
    let inbox = Url::parse(&to.url("/inbox")).unwrap();
    let body = serde_json::to_vec(activity).unwrap();
    let signed = signer.sign_post(&inbox, &body, &http_date_now()).unwrap();
    let response = reqwest::Client::new()
        .post(inbox)
        .header("Host", signed.host)
        .header("Date", signed.date)
        .header("Digest", signed.digest)
        .header("Signature", signed.signature)
        .header("Content-Type", CONTENT_TYPE)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

fn add(from: &TestInstance, object: &Value) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": activity_id(from),
        "type": "Add",
        "actor": from.url("/network"),
        "object": object,
        "target": from.url("/network/members"),
    })
}

fn update(from: &TestInstance, object: &Value) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": activity_id(from),
        "type": "Update",
        "actor": from.url("/network"),
        "object": object,
    })
}

/// A member document renamed and dated `updated`.
fn renamed(doc: &Value, name: &str, updated: chrono::DateTime<Utc>) -> Value {
    let mut doc = doc.clone();
    doc["name"] = json!(name);
    doc["updated"] = json!(updated);
    doc["coopnet:profile"]["name"] = json!(name);
    doc["coopnet:profile"]["updated_at"] = json!(updated);
    doc
}

/// Deliveries (in any state) `i` has queued for `host`.
async fn deliveries_to(i: &TestInstance, host: &str) -> i64 {
    let db = &i.ctx.db;
    let sql = format!("SELECT COUNT(*) AS n FROM delivery WHERE host = '{host}'");
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}

fn only_report(results: Vec<(String, Result<SyncReport, String>)>, peer: &str) -> SyncReport {
    assert_eq!(results.len(), 1, "{results:?}");
    let (domain, result) = results.into_iter().next().unwrap();
    assert_eq!(domain, peer);
    result.unwrap_or_else(|e| panic!("resync of {peer} failed: {e}"))
}

// ---------------------------------------------------------------------------------------

/// B misses changes A never pushes (rows written behind the use cases' back: a new co-op, a
/// profile change, a removal); an on-demand
/// resync walks A's members and repairs all of them, and the next one sees the digest
/// unchanged.
#[tokio::test]
async fn resync_repairs_missed_deliveries() {
    let a = spawn("Alpha").await;
    let b = spawn("Beta").await;
    import(&a, &seed(coopnet_app::demo::COTECH_UK, 0, 5)).await;
    import(&b, &seed(coopnet_app::demo::DE, 0, 2)).await;
    follow(&a, &b, FollowState::Accepted).await;
    follow(&b, &a, FollowState::Accepted).await;
    wait_for_coops_of(&b, &a, 5, "B's backfill of A").await;
    wait_for_coops_of(&a, &b, 2, "A's backfill of B").await;
    wait_for_sync(&b, &a).await;
    assert_eq!(directory(&a).await.len(), 7);
    let queued = deliveries_to(&a, &domain(&b)).await;

    // (a) New co-ops written directly into A's database: no Add.
    let added = seed(coopnet_app::demo::COTECH_UK, 5, 2);
    for record in &added {
        let (slug, profile) = record.validate().unwrap();
        coopnet_db::repo::coops::insert(
            &a.ctx.db,
            coopnet_db::repo::coops::NewCoop {
                network_id: a.ctx.network.id,
                slug: &slug,
                profile: &profile,
                created_at: Utc::now(),
                updated_at: Utc::now(),
            },
        )
        .await
        .unwrap();
    }
    // (b) A profile changed directly in A's database: no Update.
    let changed = coops::get(&a.ctx, &seed(coopnet_app::demo::COTECH_UK, 1, 1)[0].slug)
        .await
        .unwrap();
    let mut profile = changed.profile.clone();
    profile.name = "Renamed Behind Your Back".into();
    profile.locality = Some("Hebden Bridge".into());
    coopnet_db::repo::coops::update_profile(&a.ctx.db, changed.id, &profile, Utc::now())
        .await
        .unwrap();
    // (c) A co-op removed directly: no Remove.
    let removed = coops::get(&a.ctx, &seed(coopnet_app::demo::COTECH_UK, 2, 1)[0].slug)
        .await
        .unwrap();
    coopnet_db::repo::coops::mark_deleted(&a.ctx.db, removed.id, Utc::now())
        .await
        .unwrap();

    // B heard nothing.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stale = coops_of(&b, &a).await;
    assert_eq!(stale.len(), 5);
    assert_eq!(
        deliveries_to(&a, &domain(&b)).await,
        queued,
        "nothing queued for B"
    );

    // The resync repairs all three.
    let report = only_report(federation::resync(&b.ctx, None).await.unwrap(), &domain(&a));
    assert_eq!(
        report,
        SyncReport {
            unchanged: false,
            added: 2,
            updated: 1,
            removed: 1,
            refused: 0,
        }
    );
    let on_a: Vec<Value> = directory(&a).await.iter().map(comparable).collect();
    let on_b: Vec<Value> = directory(&b).await.iter().map(comparable).collect();
    assert_eq!(on_a.len(), 8, "5 + 2 - 1 of A's, 2 of B's");
    assert_eq!(on_a, on_b, "B's directory equals A's");
    let renamed = entry(&b, &a.url(&format!("/coops/{}", changed.slug)))
        .await
        .unwrap();
    assert_eq!(renamed["name"], "Renamed Behind Your Back");
    assert_eq!(renamed["locality"], "Hebden Bridge");
    assert!(
        entry(&b, &a.url(&format!("/coops/{}", removed.slug)))
            .await
            .is_none()
    );

    let p = peer(&b, &a).await.expect("A is B's peer");
    assert_eq!(p.following, Some(FollowState::Accepted));
    assert_eq!(p.follower, Some(FollowerState::Accepted));
    assert_eq!(p.members, 6);
    assert_eq!(p.sync.last_sync_ok, Some(true));
    assert_eq!(
        p.sync.last_sync_message.as_deref(),
        Some("2 added, 1 updated, 1 removed, 0 refused")
    );
    assert!(p.sync.last_sync_at.is_some());

    // Nothing changed since: the digest says so.
    let again = only_report(
        federation::resync(&b.ctx, Some(&domain(&a))).await.unwrap(),
        &domain(&a),
    );
    assert_eq!(
        again,
        SyncReport {
            unchanged: true,
            ..SyncReport::default()
        }
    );
    let p = peer(&b, &a).await.unwrap();
    assert_eq!(p.sync.last_sync_ok, Some(true));
    assert_eq!(p.sync.last_sync_message.as_deref(), Some("unchanged"));
    assert_eq!(p.members, 6);
    assert_eq!(coops_of(&b, &a).await.len(), 6);
}

/// B may not add, update or remove co-ops that live on C's host, even though A follows both.
#[tokio::test]
async fn forged_member_activities_about_another_host_are_refused() {
    let a = spawn("Alpha").await;
    let b = spawn("Beta").await;
    let c = spawn("Gamma").await;
    import(&b, &seed(coopnet_app::demo::DE, 0, 1)).await;
    import(&c, &seed(coopnet_app::demo::NL, 0, 2)).await;
    follow(&a, &b, FollowState::Accepted).await;
    follow(&a, &c, FollowState::Accepted).await;
    wait_for_coops_of(&a, &b, 1, "A's backfill of B").await;
    wait_for_coops_of(&a, &c, 2, "A's backfill of C").await;

    let victim_slug = seed(coopnet_app::demo::NL, 0, 1)[0].slug.clone();
    let victim = c.url(&format!("/coops/{victim_slug}"));
    let original = entry(&a, &victim).await.expect("C's co-op is on A");
    let real = member_doc(&c, &victim_slug).await;
    assert_eq!(real["id"], victim.as_str());
    let forged = renamed(&real, "Hijacked by B", Utc::now());
    let before = directory(&a).await;

    // Add of C's co-op, by B.
    let (status, body) = post_as_network(&b, &a, &add(&b, &forged)).await;
    assert_eq!(status, 403, "forged Add: {body}");
    // Add of a new co-op on C's host, by B.
    let mut injected = forged.clone();
    injected["id"] = json!(c.url("/coops/injected"));
    injected["preferredUsername"] = json!("injected");
    injected["coopnet:profile"]["slug"] = json!("injected");
    let (status, body) = post_as_network(&b, &a, &add(&b, &injected)).await;
    assert_eq!(status, 403, "forged Add of a new co-op: {body}");
    // Update of C's co-op, by B.
    let (status, body) = post_as_network(&b, &a, &update(&b, &forged)).await;
    assert_eq!(status, 403, "forged Update: {body}");
    // Remove of C's co-op, by B.
    let remove = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": activity_id(&b),
        "type": "Remove",
        "actor": b.url("/network"),
        "object": victim,
        "target": b.url("/network/members"),
    });
    let (status, body) = post_as_network(&b, &a, &remove).await;
    assert_eq!(status, 403, "forged Remove: {body}");

    assert_eq!(entry(&a, &victim).await, Some(original), "C's originals");
    assert!(entry(&a, &c.url("/coops/injected")).await.is_none());
    assert_eq!(directory(&a).await, before, "A's directory is untouched");
}

/// An Update older than what A holds changes nothing; a newer one is applied.
#[tokio::test]
async fn older_updates_never_overwrite_newer() {
    let a = spawn("Alpha").await;
    let b = spawn("Beta").await;
    let record = seed(coopnet_app::demo::DE, 0, 1).remove(0);
    import(&b, std::slice::from_ref(&record)).await;
    follow(&a, &b, FollowState::Accepted).await;
    wait_for_coops_of(&a, &b, 1, "A's backfill of B").await;
    let id = b.url(&format!("/coops/{}", record.slug));
    let original = entry(&a, &id).await.unwrap();
    assert_eq!(original["name"], record.name.as_str());
    let doc = member_doc(&b, &record.slug).await;

    let old = renamed(
        &doc,
        "Yesterday's Name",
        Utc::now() - chrono::Duration::days(1),
    );
    let (status, body) = post_as_network(&b, &a, &update(&b, &old)).await;
    assert_eq!(status, 202, "stale Update: {body}");
    settled().await;
    assert_eq!(
        entry(&a, &id).await,
        Some(original),
        "an older update never wins"
    );

    let new = renamed(&doc, "Today's Name", Utc::now());
    let (status, body) = post_as_network(&b, &a, &update(&b, &new)).await;
    assert_eq!(status, 202, "fresh Update: {body}");
    settled().await;
    let now = entry(&a, &id).await.unwrap();
    assert_eq!(now["name"], "Today's Name");

    // The stale one, replayed under a new id, still loses to the applied one.
    let (status, body) = post_as_network(&b, &a, &update(&b, &old)).await;
    assert_eq!(status, 202, "stale Update again: {body}");
    settled().await;
    assert_eq!(entry(&a, &id).await.unwrap()["name"], "Today's Name");
}

/// Waits out the bound within which a running instance's directory search shows a write
/// its inbox committed: the commit signal (SQLite polls `data_version` every 100 ms) and,
/// should it be lost, the index's own recheck (`coopnet_db::index::RECHECK`). Read after
/// this, the public directory is the database's, so an unchanged entry means unchanged.
async fn settled() {
    tokio::time::sleep(coopnet_db::index::RECHECK + std::time::Duration::from_millis(300)).await;
}

/// Blocking a domain drops its co-ops and our follow, refuses its activities; unblocking
/// lets us follow it again.
#[tokio::test]
async fn blocked_domains_are_dropped_and_refused() {
    let a = spawn("Alpha").await;
    let b = spawn("Beta").await;
    let record = seed(coopnet_app::demo::DE, 0, 2);
    import(&b, &record).await;
    follow(&a, &b, FollowState::Accepted).await;
    wait_for_coops_of(&a, &b, 2, "A's backfill of B").await;
    assert_eq!(network_followers(&b).await, 1);
    let doc = member_doc(&b, &record[0].slug).await;

    federation::block(&a.ctx, &domain(&b), "spam")
        .await
        .unwrap();
    assert!(coops_of(&a, &b).await.is_empty(), "B's co-ops left A");
    assert_eq!(follow_state(&a, &b).await, None, "A no longer follows B");
    assert!(peer(&a, &b).await.is_none());
    let blocked = federation::blocked(&a.ctx).await.unwrap();
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0].domain, domain(&b));
    assert_eq!(blocked[0].reason, "spam");
    eventually(WAIT, "B received the Undo", || async {
        (network_followers(&b).await == 0).then_some(())
    })
    .await;

    // B's activities are refused.
    let (status, body) = post_as_network(&b, &a, &add(&b, &doc)).await;
    assert_eq!(status, 403, "Add from a blocked domain: {body}");
    let (status, body) =
        post_as_network(&b, &a, &update(&b, &renamed(&doc, "X", Utc::now()))).await;
    assert_eq!(status, 403, "Update from a blocked domain: {body}");
    assert!(coops_of(&a, &b).await.is_empty());
    // And following it needs an unblock first.
    assert!(
        federation::follow(&a.ctx, &b.url("/network"))
            .await
            .is_err(),
        "a blocked domain cannot be followed"
    );

    federation::unblock(&a.ctx, &domain(&b)).await.unwrap();
    assert!(federation::blocked(&a.ctx).await.unwrap().is_empty());
    follow(&a, &b, FollowState::Accepted).await;
    wait_for_coops_of(&a, &b, 2, "the backfill after the unblock").await;
}

/// Manual policy: a network's follow waits for an admin; nothing is pushed meanwhile; an
/// accepted one gets the directory, a rejected one leaves nothing behind.
#[tokio::test]
async fn manual_policy_holds_follows_until_answered() {
    let a = spawn_with_policy("Alpha", FollowPolicy::Manual, Vec::new()).await;
    let b = spawn("Beta").await;
    let c = spawn("Gamma").await;
    import(&a, &seed(coopnet_app::demo::COTECH_UK, 0, 2)).await;

    federation::follow(&b.ctx, &a.url("/network"))
        .await
        .unwrap();
    eventually(WAIT, "B's request on A", || async {
        (request_from(&a, &b).await == Some(FollowerState::Pending)).then_some(())
    })
    .await;
    assert_eq!(follow_state(&b, &a).await, Some(FollowState::Pending));
    assert_eq!(network_followers(&a).await, 0);

    // A co-op joins A while B waits: nothing goes to B.
    let joined: CoopInput =
        serde_json::from_value(json!({"slug": "while-pending", "name": "While Pending"})).unwrap();
    coops::create(&a.ctx, &joined).await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        deliveries_to(&a, &domain(&b)).await,
        0,
        "nothing queued for a pending follower"
    );
    assert!(coops_of(&b, &a).await.is_empty());
    assert_eq!(follow_state(&b, &a).await, Some(FollowState::Pending));

    // Accepted: B backfills, then gets A's news as it happens.
    assert_eq!(federation::accept(&a.ctx, &domain(&b)).await.unwrap(), 1);
    assert_eq!(request_from(&a, &b).await, Some(FollowerState::Accepted));
    wait_for_follow_state(&b, &a, FollowState::Accepted).await;
    wait_for_coops_of(&b, &a, 3, "B's backfill of A").await;
    wait_for_sync(&b, &a).await;
    assert_eq!(network_followers(&a).await, 1);
    let later: CoopInput =
        serde_json::from_value(json!({"slug": "after-accept", "name": "After Accept"})).unwrap();
    coops::create(&a.ctx, &later).await.unwrap();
    wait_for_coops_of(&b, &a, 4, "the Add after the accept").await;
    assert!(
        entry(&b, &a.url("/coops/after-accept")).await.is_some(),
        "pushed, not resynced"
    );

    // C asks and is rejected: its follow is rejected, A keeps nothing of it.
    federation::follow(&c.ctx, &a.url("/network"))
        .await
        .unwrap();
    eventually(WAIT, "C's request on A", || async {
        (request_from(&a, &c).await == Some(FollowerState::Pending)).then_some(())
    })
    .await;
    assert_eq!(federation::reject(&a.ctx, &domain(&c)).await.unwrap(), 1);
    assert_eq!(request_from(&a, &c).await, None, "nothing left behind");
    wait_for_follow_state(&c, &a, FollowState::Rejected).await;
    assert!(coops_of(&c, &a).await.is_empty());
    let requests = federation::requests(&a.ctx).await.unwrap();
    assert_eq!(requests.len(), 1, "only B: {requests:?}");
    assert_eq!(network_followers(&a).await, 1);
    assert!(
        federation::reject(&a.ctx, &domain(&c)).await.is_err(),
        "no request left to reject"
    );
}

/// Allowlist policy: only the listed domain's network may follow.
#[tokio::test]
async fn allowlist_policy_accepts_only_listed_domains() {
    let b = spawn("Beta").await;
    let c = spawn("Gamma").await;
    let a = spawn_with_policy("Alpha", FollowPolicy::Allowlist, vec![domain(&b)]).await;
    import(&a, &seed(coopnet_app::demo::COTECH_UK, 0, 2)).await;

    follow(&b, &a, FollowState::Accepted).await;
    wait_for_coops_of(&b, &a, 2, "B's backfill of A").await;
    follow(&c, &a, FollowState::Rejected).await;

    assert_eq!(request_from(&a, &b).await, Some(FollowerState::Accepted));
    assert_eq!(request_from(&a, &c).await, None);
    assert_eq!(network_followers(&a).await, 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(coops_of(&c, &a).await.is_empty());
}

/// Unfollowing a network drops its co-ops here and its follower count there.
#[tokio::test]
async fn unfollow_drops_the_networks_coops() {
    let a = spawn("Alpha").await;
    let b = spawn("Beta").await;
    import(&a, &seed(coopnet_app::demo::COTECH_UK, 0, 1)).await;
    import(&b, &seed(coopnet_app::demo::DE, 0, 3)).await;
    follow(&a, &b, FollowState::Accepted).await;
    wait_for_coops_of(&a, &b, 3, "A's backfill of B").await;
    assert_eq!(network_followers(&b).await, 1);

    assert_eq!(federation::unfollow(&a.ctx, &domain(&b)).await.unwrap(), 1);
    assert!(coops_of(&a, &b).await.is_empty(), "B's co-ops are gone");
    assert_eq!(directory(&a).await.len(), 1, "A's own stays");
    assert_eq!(follow_state(&a, &b).await, None);
    assert!(peer(&a, &b).await.is_none());
    eventually(WAIT, "B received the Undo", || async {
        (network_followers(&b).await == 0).then_some(())
    })
    .await;
    assert!(
        federation::unfollow(&a.ctx, &domain(&b)).await.is_err(),
        "nothing left to unfollow"
    );
}

/// A peer network that deletes its own actor is forgotten like an unfollowed one: its
/// co-ops leave the directory (with departures in the feed) and it leaves the peer list.
#[tokio::test]
async fn a_peer_network_deleting_itself_is_forgotten() {
    let a = spawn("Alpha").await;
    let b = spawn("Beta").await;
    import(&a, &seed(coopnet_app::demo::COTECH_UK, 0, 1)).await;
    import(&b, &seed(coopnet_app::demo::DE, 0, 3)).await;
    follow(&a, &b, FollowState::Accepted).await;
    wait_for_coops_of(&a, &b, 3, "A's backfill of B").await;
    assert!(peer(&a, &b).await.is_some());

    let network = b.url("/network");
    let delete = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": activity_id(&b),
        "type": "Delete",
        "actor": network,
        "object": network,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    });
    let (status, body) = post_as_network(&b, &a, &delete).await;
    assert!((200..300).contains(&status), "{status}: {body}");
    eventually(WAIT, "B's co-ops gone from A", || async {
        coops_of(&a, &b).await.is_empty().then_some(())
    })
    .await;
    assert_eq!(directory(&a).await.len(), 1, "A's own stays");
    assert!(peer(&a, &b).await.is_none(), "B left the peer list");
    assert_eq!(follow_state(&a, &b).await, None);
    let feed = crate::get_text(&a.url("/feeds/members.atom")).await;
    assert!(
        feed.contains(&format!("left the network at {}", domain(&b))),
        "{feed}"
    );
}
