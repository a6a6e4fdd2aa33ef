//! The forms real servers answer and undo in, with the independent interop peer
//! (`tests/interop/peer.py`): our network's follow completes whether the `Accept` embeds
//! the Follow (Mastodon), names it by id (Pleroma, Akkoma) or embeds a copy under another
//! id; a `Reject` by id is recorded, warned about and listed in the console; answers to
//! follows we never sent change nothing; an `Undo` naming the Follow by id removes the
//! follower. And notes as strict servers read them: `Hashtag` and `Mention` tags,
//! `contentMap` in the post's language, `sensitive`, delivery to the mentioned actor.
use std::time::Duration;

use coopnet_app::federation;
use coopnet_app::posts::{self, Draft, PostAuthor};
use coopnet_core::{FollowState, TokenScope};
use coopnet_tests::console::admin;
use coopnet_tests::{TestInstance, eventually};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::interop::{Peer, instance_with_coop};

const WAIT: Duration = Duration::from_secs(15);

/// `localhost:PORT` of a peer.
fn domain(peer: &Peer) -> String {
    peer.base.trim_start_matches("http://").to_owned()
}

/// The state of our network's follow of `actor`, if any.
async fn state_of(instance: &TestInstance, actor: &str) -> Option<FollowState> {
    federation::following(&instance.ctx)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.actor_id.as_str() == actor)
        .map(|f| f.state)
}

/// Sets how the peer answers follows of alice, then makes our network follow alice by
/// handle; returns our Follow as the peer received it (signed by the network).
async fn network_follows_alice(instance: &TestInstance, peer: &Peer, mode: &str) -> Value {
    peer.post("answer_mode", &json!({ "mode": mode })).await;
    let followed = federation::follow(&instance.ctx, &format!("@alice@{}", domain(peer)))
        .await
        .expect("follow alice");
    assert_eq!(followed.actor_id.as_str(), peer.alice());
    assert_eq!(followed.state, FollowState::Pending);
    let network = instance.url("/network");
    let follow = peer
        .wait_for_signed("Follow", &network, |f| f["object"] == peer.alice().as_str())
        .await;
    assert_eq!(follow["id"], followed.follow_id.as_str(), "{follow:#}");
    follow
}

async fn wait_for_state(instance: &TestInstance, actor: &str, want: FollowState) {
    eventually(WAIT, &format!("follow of {actor} {want:?}"), || async {
        (state_of(instance, actor).await == Some(want)).then_some(())
    })
    .await;
}

#[tokio::test]
async fn an_accept_naming_our_follow_by_id_completes_it() {
    let instance = TestInstance::spawn().await.unwrap();
    let peer = Peer::start().await;
    network_follows_alice(&instance, &peer, "id").await;
    wait_for_state(&instance, &peer.alice(), FollowState::Accepted).await;
    // The peer's answer really was the bare id (not what Mastodon sends).
    let sent = peer.sent().await;
    let accept = sent
        .iter()
        .find(|s| s["activity"]["type"] == "Accept")
        .unwrap_or_else(|| panic!("the peer sent no Accept: {sent:#?}"));
    assert!(accept["activity"]["object"].is_string(), "{accept:#}");
}

#[tokio::test]
async fn a_reject_by_id_is_recorded_and_listed_in_the_console() {
    let instance = TestInstance::spawn().await.unwrap();
    let peer = Peer::start().await;
    network_follows_alice(&instance, &peer, "reject_id").await;
    wait_for_state(&instance, &peer.alice(), FollowState::Rejected).await;
    let errors = federation::recent_errors(&instance.ctx).await.unwrap();
    let error = errors
        .iter()
        .find(|e| e.host == domain(&peer) && e.step == "follow")
        .unwrap_or_else(|| panic!("no follow error for the peer: {errors:#?}"));
    assert!(error.reason.contains("Reject"), "{error:?}");

    let mut console = admin(&instance).await;
    let page = console.get("/console/admin/federation").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Recent federation errors"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&domain(&peer)), "{}", page.body);
    assert!(page.body.contains("Reject"), "{}", page.body);
}

#[tokio::test]
async fn an_embedded_copy_under_another_id_completes_our_follow_and_strangers_change_nothing() {
    let instance = TestInstance::spawn().await.unwrap();
    let peer = Peer::start().await;
    let network = instance.url("/network");
    let inbox = instance.url("/inbox");
    // The peer does not answer by itself: the test writes each answer.
    network_follows_alice(&instance, &peer, "none").await;
    assert_eq!(
        state_of(&instance, &peer.alice()).await,
        Some(FollowState::Pending)
    );

    // An answer to a follow we never sent (an id we do not know): nothing changes.
    let stranger = json!({
        "type": "Accept",
        "object": format!("{}/activities/never-sent", peer.base),
    });
    let sent = peer.send(&inbox, &stranger, "signed").await;
    assert!(sent["status"].as_u64().is_some_and(|s| s < 300), "{sent:#}");
    // An embedded Follow of someone else by our network: not ours to accept.
    let other = json!({
        "type": "Accept",
        "object": {
            "id": format!("{}/follows/other", peer.base),
            "type": "Follow",
            "actor": instance.url("/coops/someone"),
            "object": peer.alice(),
        },
    });
    let sent = peer.send(&inbox, &other, "signed").await;
    assert!(
        sent["status"].as_u64().is_some_and(|s| s >= 400),
        "{sent:#}"
    );
    // The inbox answers after acting: a change would be visible now.
    assert_eq!(
        state_of(&instance, &peer.alice()).await,
        Some(FollowState::Pending)
    );

    // Our Follow, embedded under the id form its server keeps (not the one we sent).
    let rewritten = json!({
        "type": "Accept",
        "object": {
            "id": format!("{}/follows/42", peer.base),
            "type": "Follow",
            "actor": network,
            "object": peer.alice(),
        },
    });
    let sent = peer.send(&inbox, &rewritten, "signed").await;
    assert!(sent["status"].as_u64().is_some_and(|s| s < 300), "{sent:#}");
    wait_for_state(&instance, &peer.alice(), FollowState::Accepted).await;
}

#[tokio::test]
async fn an_undo_naming_the_follow_by_id_removes_the_follower() {
    let (_instance, coop) = instance_with_coop("undo-by-id").await;
    let peer = Peer::start().await;
    let followers = format!("{coop}/followers");
    let follow_id = peer.follow(&coop).await;
    peer.wait_for_signed("Accept", &coop, |a| a["object"]["id"] == follow_id.as_str())
        .await;
    assert_eq!(peer.fetch_ok(&followers, false).await["totalItems"], 1);

    // A Follow id nobody sent: nothing to undo, nobody removed.
    let unknown = peer
        .post(
            "undo_follow",
            &json!({ "actor": coop, "follow_id": format!("{}/activities/unknown", peer.base), "by_id": true }),
        )
        .await;
    assert!(
        unknown["status"].as_u64().is_some_and(|s| s < 300),
        "{unknown:#}"
    );
    assert_eq!(peer.fetch_ok(&followers, false).await["totalItems"], 1);

    let undo = peer
        .post(
            "undo_follow",
            &json!({ "actor": coop, "follow_id": follow_id, "by_id": true }),
        )
        .await;
    assert_eq!(undo["status"], 202, "Undo by id: {undo:#}");
    assert_eq!(peer.fetch_ok(&followers, false).await["totalItems"], 0);
}

#[tokio::test]
async fn notes_carry_tags_language_and_reach_the_mentioned_actor() {
    let slug = "tagged-coop";
    let (instance, coop) = instance_with_coop(slug).await;
    let reader = Peer::start().await;
    let mentioned = Peer::start().await;
    let follow_id = reader.follow(&coop).await;
    reader
        .wait_for_signed("Accept", &coop, |a| a["object"]["id"] == follow_id.as_str())
        .await;

    let handle = format!("alice@{}", domain(&mentioned));
    let text = format!("Wir feiern #Genossenschaften mit @{handle}! #Coops");
    let post = posts::create(
        &instance.ctx,
        &TokenScope::Admin,
        &PostAuthor::Coop(slug.into()),
        Draft {
            content: text,
            language: Some("de".into()),
        },
    )
    .await
    .expect("post");
    let note_id = post.url.to_string();

    let create = reader
        .wait_for_signed("Create", &coop, |a| a["object"]["id"] == note_id.as_str())
        .await;
    let note = &create["object"];
    assert_eq!(note["attributedTo"], coop.as_str(), "{note:#}");
    assert_eq!(note["sensitive"], false, "{note:#}");
    let content = note["content"].as_str().expect("content");
    assert_eq!(note["contentMap"], json!({ "de": content }), "{note:#}");
    let tags = note["tag"].as_array().expect("tag list");
    for name in ["#Genossenschaften", "#Coops"] {
        let tag = tags
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("no {name}: {tags:#?}"));
        assert_eq!(tag["type"], "Hashtag", "{tag}");
        assert!(
            tag["href"]
                .as_str()
                .is_some_and(|h| h.starts_with(&instance.base_url)),
            "{tag}"
        );
    }
    let mention = tags
        .iter()
        .find(|t| t["type"] == "Mention")
        .unwrap_or_else(|| panic!("no Mention: {tags:#?}"));
    assert_eq!(mention["name"], format!("@{handle}"), "{mention}");
    assert_eq!(mention["href"], mentioned.alice(), "{mention}");
    let cc = note["cc"].as_array().expect("cc");
    assert!(cc.iter().any(|c| *c == mentioned.alice()), "{note:#}");

    // The mentioned actor does not follow the co-op, and still gets the post.
    let delivered = mentioned
        .wait_for_signed("Create", &coop, |a| a["object"]["id"] == note_id.as_str())
        .await;
    assert_eq!(delivered["object"]["tag"], note["tag"]);

    // Served on its own, the same tags and language.
    let fetched = reader.fetch_ok(&note_id, false).await;
    assert_eq!(fetched["contentMap"], note["contentMap"], "{fetched:#}");
    assert_eq!(fetched["tag"], note["tag"], "{fetched:#}");

    // Without a language, the co-op's first language.
    let plain = posts::create(
        &instance.ctx,
        &TokenScope::Admin,
        &PostAuthor::Coop(slug.into()),
        "Plain news, no tags.",
    )
    .await
    .expect("post");
    let fetched = reader.fetch_ok(plain.url.as_str(), false).await;
    assert!(
        fetched["contentMap"]["en"].is_string(),
        "the co-op's language: {fetched:#}"
    );
    assert!(fetched.get("tag").is_none(), "{fetched:#}");
    assert_eq!(fetched["sensitive"], false, "{fetched:#}");
}
