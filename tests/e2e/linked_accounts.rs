//! Linked accounts end to end, with the independent interop peer (`tests/interop/peer.py`)
//! as the co-op's home server: the link is refused without a backlink and accepted with
//! one; the network follows the account; its public post is boosted to a third actor
//! (a second peer following our network) and shown on the co-op's profile, its reply and
//! its non-public posts are not; an edit is honoured; deleting the post withdraws the boost;
//! unlinking unfollows. Also: posts of actors nobody linked are not kept, and an actor
//! speaks only for its own posts.
use std::time::Duration;

use coopnet_app::tokens;
use coopnet_db::repo::remote_posts;
use coopnet_tests::{TestInstance, eventually};
use reqwest::StatusCode;
use serde_json::{Value, json};
use url::Url;

use crate::get_text;
use crate::interop::{Peer, instance_with_coop};

const WAIT: Duration = Duration::from_secs(15);
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// `{method} {path}` of the admin API with `token`; the status and the JSON body.
async fn api(
    instance: &TestInstance,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .request(method, instance.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// `localhost:PORT` of a peer.
fn domain(peer: &Peer) -> String {
    peer.base.trim_start_matches("http://").to_owned()
}

/// The profile fields of the co-op's actor document, as `(name, value)`.
async fn actor_fields(reader: &Peer, coop: &str) -> Vec<(String, String)> {
    let doc = reader.fetch_ok(coop, false).await;
    doc["attachment"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap_or_default().to_owned(),
                f["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Publishes a post of alice on `home`; checks it was delivered to our instance (202, so
/// processed) and returns its id.
async fn publish(home: &Peer, body: &Value) -> String {
    let post = home.post("publish", body).await;
    let deliveries = post["deliveries"].as_array().cloned().unwrap_or_default();
    assert!(
        !deliveries.is_empty() && deliveries.iter().all(|d| d["status"] == 202),
        "{post:#}"
    );
    post["note_id"].as_str().unwrap().to_owned()
}

async fn stored(instance: &TestInstance, note: &str) -> bool {
    remote_posts::find(&instance.ctx.db, &Url::parse(note).unwrap())
        .await
        .unwrap()
        .is_some()
}

#[tokio::test]
async fn a_linked_account_is_verified_boosted_withdrawn_and_unfollowed() {
    let slug = "linked-coop";
    let (instance, coop) = instance_with_coop(slug).await;
    let home = Peer::start().await;
    let reader = Peer::start().await;
    let network = instance.url("/network");
    let alice = home.alice();
    let account = format!("@alice@{}", domain(&home));
    let admin = tokens::create(&instance.ctx, None, "linked test")
        .await
        .unwrap()
        .secret;
    let link_path = format!("/api/v1/admin/coops/{slug}/link");
    let put_link = || {
        api(
            &instance,
            &admin,
            reqwest::Method::PUT,
            &link_path,
            Some(json!({ "account": account })),
        )
    };

    // A third actor follows our network.
    let follow_id = reader.follow(&network).await;
    reader
        .wait_for_signed("Accept", &network, |a| {
            a["object"]["id"] == follow_id.as_str()
        })
        .await;

    // No backlink yet: refused in the console, with what to add where.
    let mut console = coopnet_tests::console::admin(&instance).await;
    let editor = format!("/console/coops/{slug}");
    let page = console
        .submit(
            &editor,
            &format!("/console/coops/{slug}/link"),
            &[("account", &account)],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.body.contains("does not link back to this co-op")
            && page.body.contains(&format!("whose value is {coop}")),
        "{}",
        page.body
    );
    // And through the API: 422 naming the field.
    let (status, body) = put_link().await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body:#}");
    let message = body["fields"]["account"][0].as_str().unwrap_or_default();
    assert!(message.contains(&coop), "{body:#}");
    let follows = home.received().await;
    assert!(
        follows.iter().all(|r| r["activity"]["type"] != "Follow"),
        "a refused link sent a Follow: {follows:#?}"
    );

    // The account adds a profile field linking the co-op's profile: linked.
    home.post(
        "profile",
        &json!({ "attachment": [{
            "type": "PropertyValue",
            "name": "Directory",
            "value": format!("<a href=\"{coop}\" rel=\"me\"><span>{coop}</span></a>"),
        }]}),
    )
    .await;
    let (status, body) = put_link().await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(body["account"], account.as_str(), "{body:#}");
    assert_eq!(body["actor"], alice.as_str(), "{body:#}");
    assert_eq!(body["backlink"], "field", "{body:#}");
    // Our network follows the account; its server accepts.
    home.wait_for_signed("Follow", &network, |a| a["object"] == alice.as_str())
        .await;
    eventually(WAIT, "the follow of the account accepted", || async {
        let (_, body) = api(&instance, &admin, reqwest::Method::GET, &link_path, None).await;
        (body["follow"] == "accepted").then_some(())
    })
    .await;
    // The console shows it.
    let page = console.get(&editor).await;
    assert!(
        page.body.contains(&format!("Linked account: {account}"))
            && page.body.contains("The network follows it"),
        "{}",
        page.body
    );
    // The co-op's actor names it, after its website.
    let fields = actor_fields(&reader, &coop).await;
    assert_eq!(fields[0].0, "Website", "{fields:?}");
    assert_eq!(fields[1].0, "Fediverse", "{fields:?}");
    assert!(
        fields[1].1.contains(&format!("href=\"{alice}\"")) && fields[1].1.contains(&account),
        "{fields:?}"
    );

    // Replies, followers-only, unlisted and direct posts are never boosted.
    let reply = publish(
        &home,
        &json!({ "content": "<p>a reply</p>", "in_reply_to": format!("{}/users/mallory/statuses/1", home.base) }),
    )
    .await;
    let mut private = Vec::new();
    for visibility in ["followers", "unlisted"] {
        private.push(
            publish(
                &home,
                &json!({ "content": format!("<p>{visibility} only</p>"), "visibility": visibility }),
            )
            .await,
        );
    }
    let direct = home
        .post(
            "publish",
            &json!({ "content": "<p>psst</p>", "visibility": "direct", "to": [network] }),
        )
        .await;
    private.push(direct["note_id"].as_str().unwrap().to_owned());

    // The public post is boosted to the network's followers.
    let public = publish(
        &home,
        &json!({ "content": "<p>Our <strong>new</strong> site is up<script>alert(1)</script></p>" }),
    )
    .await;
    let announce = reader
        .wait_for_signed("Announce", &network, |a| a["object"] == public.as_str())
        .await;
    let to = announce["to"].as_array().unwrap();
    assert!(to.iter().any(|t| t == PUBLIC), "{announce:#}");
    let announce_id = announce["id"].as_str().unwrap().to_owned();
    // The boosted post can be fetched from its server.
    let note = reader.fetch_ok(&public, true).await;
    assert_eq!(note["attributedTo"], alice.as_str(), "{note:#}");
    for other in std::iter::once(&reply).chain(&private) {
        assert!(!stored(&instance, other).await, "{other} was kept");
    }
    let boosts: Vec<Value> = reader
        .received()
        .await
        .into_iter()
        .filter(|r| r["activity"]["type"] == "Announce")
        .collect();
    assert_eq!(boosts.len(), 1, "only the public post: {boosts:#?}");

    // The profile, the news page and the federation feed show it, sanitised.
    let profile = get_text(&coop).await;
    assert!(
        profile.contains("Our <strong>new</strong> site is up") && !profile.contains("alert(1)"),
        "{profile}"
    );
    assert!(profile.contains(&account), "{profile}");
    let news = get_text(&instance.url("/news")).await;
    assert!(news.contains("site is up"), "{news}");
    let feed = get_text(&instance.url("/feeds/federation.atom")).await;
    assert!(feed.contains(&public), "{feed}");

    // An edit is honoured.
    home.post(
        "update_post",
        &json!({ "note_id": public, "content": "<p>Our site moved</p>" }),
    )
    .await;
    eventually(WAIT, "the edit on the profile", || async {
        let profile = get_text(&coop).await;
        (profile.contains("Our site moved") && !profile.contains("site is up")).then_some(())
    })
    .await;

    // Deleting the post withdraws the boost.
    home.post("delete_post", &json!({ "note_id": public }))
        .await;
    let undo = reader
        .wait_for_signed("Undo", &network, |a| {
            a["object"]["id"] == announce_id.as_str()
        })
        .await;
    assert_eq!(undo["object"]["type"], "Announce", "{undo:#}");
    assert_eq!(undo["object"]["object"], public.as_str(), "{undo:#}");
    assert!(!stored(&instance, &public).await);
    let profile = get_text(&coop).await;
    assert!(!profile.contains("Our site moved"), "{profile}");

    // Unlinking unfollows the account and takes the field off the actor.
    let (status, _) = api(&instance, &admin, reqwest::Method::DELETE, &link_path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let undo = home
        .wait_for_signed("Undo", &network, |a| a["object"]["type"] == "Follow")
        .await;
    assert_eq!(undo["object"]["object"], alice.as_str(), "{undo:#}");
    let followers = home.fetch_ok(&format!("{alice}/followers"), false).await;
    assert_eq!(followers["totalItems"], 0, "{followers:#}");
    assert!(
        actor_fields(&reader, &coop)
            .await
            .iter()
            .all(|(name, _)| name != "Fediverse")
    );
    let (status, _) = api(&instance, &admin, reqwest::Method::GET, &link_path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn posts_of_strangers_are_not_kept_and_nobody_speaks_for_another() {
    let (instance, _coop) = instance_with_coop("stranger-coop").await;
    let peer = Peer::start().await;
    let inbox = instance.url("/inbox");
    let alice = peer.alice();
    let note = |id: &str, author: &str| {
        json!({
            "id": format!("{}/users/alice/statuses/{id}", peer.base),
            "type": "Note",
            "attributedTo": author,
            "content": "<p>hello</p>",
            "to": [PUBLIC],
        })
    };

    // Nobody linked alice and she is no peer network: acknowledged, not kept.
    let create = json!({ "type": "Create", "to": [PUBLIC], "object": note("1", &alice) });
    let answer = peer.send(&inbox, &create, "signed").await;
    assert_eq!(answer["status"], 202, "{answer:#}");
    assert!(!stored(&instance, &format!("{}/users/alice/statuses/1", peer.base)).await);

    // A post attributed to someone else, or on another host, is refused.
    let forged = [
        note("2", &format!("{}/users/mallory", peer.base)),
        json!({
            "id": "http://localhost:1/users/alice/statuses/3",
            "type": "Note",
            "attributedTo": alice,
            "content": "<p>hello</p>",
            "to": [PUBLIC],
        }),
    ];
    for object in forged {
        for kind in ["Create", "Update"] {
            let activity = json!({ "type": kind, "to": [PUBLIC], "object": object });
            let answer = peer.send(&inbox, &activity, "signed").await;
            assert_eq!(answer["status"], 403, "{kind} {object}: {answer:#}");
        }
    }

    // A boost or its withdrawal by a stranger changes nothing.
    let boost = json!({ "type": "Announce", "to": [PUBLIC], "object": format!("{}/users/alice/statuses/1", peer.base) });
    let answer = peer.send(&inbox, &boost, "signed").await;
    assert_eq!(answer["status"], 202, "{answer:#}");
    let news = get_text(&instance.url("/news")).await;
    assert!(news.contains("No posts from other networks yet."), "{news}");
}
