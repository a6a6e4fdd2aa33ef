//! The network as a `Group` actor.
use chrono::{DateTime, Utc};
use coopnet_core::Network;

use crate::html::markdown_to_html;
use crate::protocol::actor::{Endpoints, LocalActor, NetworkInfo, PublicKey};
use crate::protocol::actor_context;
use crate::urls::Urls;

/// The actor document of this instance's network.
pub fn group(
    urls: &Urls,
    network: &Network,
    public_key_pem: &str,
    published: Option<DateTime<Utc>>,
) -> LocalActor {
    let id = urls.network();
    let summary = (!network.summary.trim().is_empty()).then(|| markdown_to_html(&network.summary));
    LocalActor {
        context: Some(actor_context()),
        id: id.clone(),
        kind: "Group".into(),
        preferred_username: network.username.to_string(),
        name: network.name.clone(),
        summary_map: summary
            .iter()
            .flat_map(|s| {
                network
                    .languages
                    .first()
                    .map(|l| (l.to_string(), s.clone()))
            })
            .collect(),
        summary,
        url: id.clone(),
        icon: None,
        inbox: urls.network_sub("inbox"),
        outbox: urls.network_sub("outbox"),
        followers: Some(urls.network_sub("followers")),
        following: Some(urls.network_sub("following")),
        endpoints: Endpoints {
            shared_inbox: Some(urls.shared_inbox()),
        },
        public_key: Some(PublicKey {
            id: Urls::key_id(&id),
            owner: id.clone(),
            public_key_pem: public_key_pem.to_owned(),
        }),
        published,
        updated: None,
        manually_approves_followers: false,
        discoverable: true,
        indexable: true,
        attachment: vec![],
        tag: vec![],
        location: None,
        members: Some(urls.network_sub("members")),
        coopnet_profile: None,
        coopnet_network: Some(NetworkInfo {
            country: network.country.map(|c| c.to_string()),
            languages: network.languages.iter().map(ToString::to_string).collect(),
        }),
        webfinger: Some(format!("acct:{}@{}", network.username, urls.domain())),
    }
}
