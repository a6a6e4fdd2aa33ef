//! The European federation: network instances follow each other and share their member
//! directories over real HTTP on loopback.
use std::time::Duration;

use coopnet_app::exchange::{self, ImportMode};
use coopnet_app::{coops, federation};
use coopnet_core::FollowState;
use coopnet_core::{CoopInput, TokenScope};
use coopnet_tests::{TestInstance, eventually};
use serde_json::{Value, json};

pub(crate) const WAIT: Duration = Duration::from_secs(30);

pub(crate) async fn spawn(name: &str, country: &str) -> TestInstance {
    let (name, country) = (name.to_owned(), country.to_owned());
    TestInstance::spawn_with(move |s| {
        s.network.username = name.to_lowercase();
        s.network.name = name;
        s.network.country = Some(country);
    })
    .await
    .unwrap()
}

fn seed(dataset: &str, count: usize) -> Vec<CoopInput> {
    let mut records = exchange::parse_json(dataset).unwrap();
    records.truncate(count);
    records
}

/// Slugs (with host) of every co-op the public API lists.
async fn directory(instance: &TestInstance) -> Vec<(String, String, Value)> {
    let page: Value = reqwest::get(instance.url("/api/v1/coops?limit=200"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut items: Vec<(String, String, Value)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["handle"].as_str().unwrap().to_owned(),
                c["network"]["name"].as_str().unwrap().to_owned(),
                c.clone(),
            )
        })
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    items
}

async fn wait_for_count(instance: &TestInstance, want: usize, what: &str) {
    eventually(WAIT, what, || async {
        (directory(instance).await.len() == want).then_some(())
    })
    .await;
}

pub(crate) async fn mesh(instances: &[&TestInstance]) {
    for a in instances {
        for b in instances {
            if a.addr != b.addr {
                federation::follow(&a.ctx, &b.url("/network"))
                    .await
                    .unwrap();
            }
        }
    }
    for a in instances {
        eventually(WAIT, "every follow accepted", || async {
            let list = federation::following(&a.ctx).await.unwrap();
            (list.len() == instances.len() - 1
                && list.iter().all(|f| f.state == FollowState::Accepted))
            .then_some(())
        })
        .await;
    }
}

#[tokio::test]
async fn four_networks_share_every_member_and_every_change() {
    let uk = spawn("CoTech", "GB").await;
    let de = spawn("Digital", "DE").await;
    let nl = spawn("TechCoops", "NL").await;
    let fr = spawn("ScopTech", "FR").await;
    exchange::import(
        &uk.ctx,
        &seed(coopnet_app::demo::COTECH_UK, 6),
        ImportMode::Insert,
    )
    .await
    .unwrap();
    exchange::import(&de.ctx, &seed(coopnet_app::demo::DE, 3), ImportMode::Insert)
        .await
        .unwrap();
    exchange::import(&nl.ctx, &seed(coopnet_app::demo::NL, 2), ImportMode::Insert)
        .await
        .unwrap();
    exchange::import(&fr.ctx, &seed(coopnet_app::demo::FR, 5), ImportMode::Insert)
        .await
        .unwrap();
    let all = [&uk, &de, &nl, &fr];
    mesh(&all).await;

    // Backfill: every instance lists all 16 co-ops, marked with their home network.
    for i in all {
        wait_for_count(i, 16, "the backfill").await;
    }
    // Each network says where it works: its peers keep the country and languages.
    let peers = coopnet_db::repo::networks::list(&de.ctx.db).await.unwrap();
    let uk_seen = peers.iter().find(|n| n.name == "CoTech").unwrap();
    assert_eq!(
        uk_seen.country.map(|c| c.to_string()).as_deref(),
        Some("GB")
    );
    assert_eq!(
        uk_seen
            .languages
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        vec!["en".to_owned()]
    );
    let on_de = directory(&de).await;
    let outlandish_like = on_de
        .iter()
        .find(|(_, network, _)| network == "CoTech")
        .unwrap();
    assert_eq!(outlandish_like.2["local"], false);
    assert!(
        outlandish_like.2["url"]
            .as_str()
            .unwrap()
            .starts_with(&uk.base_url),
        "links to its home profile"
    );

    // A co-op joins the UK network: the other three add it.
    let new: CoopInput = serde_json::from_value(
        json!({"slug": "new-coop", "name": "New Co-op", "country": "GB", "services": ["Rust"]}),
    )
    .unwrap();
    coops::create(&uk.ctx, &new).await.unwrap();
    for i in [&de, &nl, &fr] {
        wait_for_count(i, 17, "the Add").await;
    }

    // It changes: the others change it.
    let patch = json!({"locality": "Leeds", "technologies": ["Rust", "PostgreSQL"]});
    coops::update(
        &uk.ctx,
        &TokenScope::Admin,
        "new-coop",
        &serde_json::from_value(patch.clone()).unwrap(),
    )
    .await
    .unwrap();
    for i in [&de, &nl, &fr] {
        eventually(WAIT, "the Update", || async {
            directory(i)
                .await
                .into_iter()
                .find(|(h, _, _)| h.starts_with("@new-coop@"))
                .filter(|(_, _, c)| c["locality"] == "Leeds")
                .map(|_| ())
        })
        .await;
    }

    // It leaves: the others drop it.
    coops::remove(&uk.ctx, "new-coop").await.unwrap();
    for i in [&de, &nl, &fr] {
        wait_for_count(i, 16, "the Remove").await;
    }

    // A co-op imported from a file travels like one added by hand: no resync needed.
    let imported: CoopInput = serde_json::from_value(
        json!({"slug": "imported-coop", "name": "Imported Co-op", "country": "GB"}),
    )
    .unwrap();
    exchange::import(&uk.ctx, std::slice::from_ref(&imported), ImportMode::Insert)
        .await
        .unwrap();
    for i in [&de, &nl, &fr] {
        wait_for_count(i, 17, "the imported co-op's Add").await;
    }
    // And an import that changes it sends its Update.
    let mut changed = imported.clone();
    changed.locality = Some("Sheffield".into());
    exchange::import(&uk.ctx, &[changed], ImportMode::Upsert)
        .await
        .unwrap();
    for i in [&de, &nl, &fr] {
        eventually(WAIT, "the imported Update", || async {
            directory(i)
                .await
                .into_iter()
                .find(|(h, _, _)| h.starts_with("@imported-coop@"))
                .filter(|(_, _, c)| c["locality"] == "Sheffield")
                .map(|_| ())
        })
        .await;
    }

    // The network actor exposes whom it federates with.
    let following: Value = reqwest::Client::new()
        .get(uk.url("/network/following"))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(following["totalItems"], 3, "{following}");
}
