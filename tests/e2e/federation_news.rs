//! Federation news across a 4-instance mesh (the networks of `mesh.rs`): a post by the DE
//! network, and the DE network's boost of its member's post, appear on the UK, NL and FR
//! news pages and federation feeds within seconds; deleting them removes them everywhere;
//! a peer that is unfollowed or blocked takes its items with it.
use std::time::Duration;

use coopnet_app::posts::{self, PostAuthor};
use coopnet_app::{coops, federation};
use coopnet_core::{CoopInput, TokenScope};
use coopnet_tests::{TestInstance, eventually};
use serde_json::{Value, json};

use crate::get_text;
use crate::mesh::{mesh, spawn};

/// How long a post may take to reach every peer ("within seconds").
const SECONDS: Duration = Duration::from_secs(10);

/// Whether `text` is on `instance`'s news page and in its federation feed.
async fn shows(instance: &TestInstance, text: &str) -> (bool, bool) {
    let page = get_text(&instance.url("/news")).await;
    let feed = get_text(&instance.url("/feeds/federation.atom")).await;
    (page.contains(text), feed.contains(text))
}

async fn wait_shown(instances: &[&TestInstance], text: &str, shown: bool, what: &str) {
    for i in instances {
        eventually(SECONDS, what, || async {
            (shows(i, text).await == (shown, shown)).then_some(())
        })
        .await;
    }
}

#[tokio::test]
async fn peer_network_news_reaches_the_federation_and_leaves_with_it() {
    let uk = spawn("CoTech", "GB").await;
    let de = spawn("Digital", "DE").await;
    let nl = spawn("TechCoops", "NL").await;
    let fr = spawn("ScopTech", "FR").await;
    let all = [&uk, &de, &nl, &fr];
    mesh(&all).await;
    // Each instance records its peers (from their Group actors) once the follows are accepted.
    for i in all {
        eventually(crate::mesh::WAIT, "every peer recorded", || async {
            let networks: Value = reqwest::get(i.url("/api/v1/networks"))
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            (networks["items"].as_array()?.len() == 4).then_some(())
        })
        .await;
    }
    let others = [&uk, &nl, &fr];

    // The DE network posts: every peer shows it, labelled with the network.
    let text = "Digital meets in Leipzig on Saturday";
    let post = posts::create(
        &de.ctx,
        &TokenScope::Admin,
        &PostAuthor::Network,
        &format!("**{text}**"),
    )
    .await
    .unwrap();
    wait_shown(&others, text, true, "the DE post on every peer").await;
    let page = get_text(&uk.url("/news")).await;
    assert!(
        page.contains("Digital"),
        "labelled with its network: {page}"
    );
    let feed = get_text(&fr.url("/feeds/federation.atom")).await;
    assert!(feed.contains(post.url.as_str()), "{feed}");
    // Its own instance lists it as its own news, not as federation news.
    assert_eq!(shows(&de, text).await, (true, false));

    // A DE member posts; the DE network boosts it: peers show it as shared by DE.
    let member: CoopInput = serde_json::from_value(
        json!({"slug": "leipzig-coop", "name": "Leipzig Co-op", "country": "DE"}),
    )
    .unwrap();
    coops::create(&de.ctx, &member).await.unwrap();
    let boosted_text = "Leipzig Co-op ships its new booking tool";
    let boosted = posts::create(
        &de.ctx,
        &TokenScope::Admin,
        &PostAuthor::Coop("leipzig-coop".into()),
        boosted_text,
    )
    .await
    .unwrap();
    wait_shown(
        &others,
        boosted_text,
        true,
        "the boosted member post on every peer",
    )
    .await;
    let page = get_text(&nl.url("/news")).await;
    assert!(page.contains("shared by Digital"), "{page}");

    // Deleting them removes them everywhere.
    posts::delete(&de.ctx, &TokenScope::Admin, &post.record.public_id)
        .await
        .unwrap();
    posts::delete(&de.ctx, &TokenScope::Admin, &boosted.record.public_id)
        .await
        .unwrap();
    wait_shown(&others, text, false, "the deleted DE post gone").await;
    wait_shown(&others, boosted_text, false, "the deleted member post gone").await;

    // Another post, then UK unfollows DE and NL blocks it: their copies leave with DE;
    // FR, still following, keeps it.
    let later = "Digital elects a new board";
    posts::create(&de.ctx, &TokenScope::Admin, &PostAuthor::Network, later)
        .await
        .unwrap();
    wait_shown(&others, later, true, "the later DE post on every peer").await;
    federation::unfollow(&uk.ctx, &de.ctx.settings.domain)
        .await
        .unwrap();
    federation::block(&nl.ctx, &de.ctx.settings.domain, "test")
        .await
        .unwrap();
    assert_eq!(shows(&uk, later).await, (false, false), "unfollowed");
    assert_eq!(shows(&nl, later).await, (false, false), "blocked");
    assert_eq!(shows(&fr, later).await, (true, true), "still followed");
}
