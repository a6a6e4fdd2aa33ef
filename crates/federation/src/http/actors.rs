//! Actor documents: co-ops (`Organization`), the network (`Group`), the instance
//! (`Application`).
use activitypub_federation::config::Data;
use axum::response::{IntoResponse, Response};
use coopnet_db::repo::coops::{self, SlugState};
use coopnet_db::repo::linked_accounts;

use super::{activity_json, activity_json_bytes, tombstone};
use crate::objects::coop::{organization, with_linked_account};
use crate::objects::instance::InstanceActor;
use crate::objects::network::group;
use crate::{FedData, FederationError, keys};

/// `GET /coops/{slug}` as ActivityStreams: 404 unknown, 410 removed.
pub async fn coop(data: &Data<FedData>, slug: &str) -> Response {
    if let Some(body) = data.actor_cache.get(slug) {
        return activity_json_bytes(body);
    }
    // Taken before the reads: a write committed after it makes what we render stale.
    let epoch = data.actor_cache.epoch();
    match coops::find_by_slug(&data.db, data.network.id, slug).await {
        Ok(SlugState::Live(coop)) => {
            let pair = match keys::for_coop(data, coop.id).await {
                Ok(pair) => pair,
                Err(e) => return e.into_response(),
            };
            let link = match linked_accounts::for_coop(&data.db, coop.id).await {
                Ok(link) => link,
                Err(e) => return FederationError::from(e).into_response(),
            };
            let actor = with_linked_account(
                organization(&data.urls, &data.network, &coop, Some(&pair.public_pem)),
                link.as_ref(),
            );
            match serde_json::to_vec(&actor) {
                Ok(body) => {
                    let body = bytes::Bytes::from(body);
                    data.actor_cache
                        .put(coop.slug.as_str(), epoch, body.clone());
                    activity_json_bytes(body)
                }
                Err(e) => FederationError::Internal(e.to_string()).into_response(),
            }
        }
        Ok(SlugState::Deleted) => tombstone(&data.urls.coop(slug)),
        Ok(SlugState::Free) => FederationError::NotFound.into_response(),
        Err(e) => FederationError::from(e).into_response(),
    }
}

/// `GET /network` as ActivityStreams.
pub async fn network(data: &Data<FedData>) -> Response {
    match keys::for_network(data).await {
        Ok(pair) => activity_json(&group(&data.urls, &data.network, &pair.public_pem, None)),
        Err(e) => e.into_response(),
    }
}

/// `GET /actor`: the instance actor (always JSON; fetchable unsigned).
pub async fn instance(data: Data<FedData>) -> Response {
    match InstanceActor::load(&data).await {
        Ok(actor) => activity_json(&actor.document(&data.urls)),
        Err(e) => e.into_response(),
    }
}
