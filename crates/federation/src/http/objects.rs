//! Posts (`Note`) and the activities we sent, at their ids.
use activitypub_federation::config::Data;
use axum::response::{IntoResponse, Response};
use coopnet_core::Target;
use coopnet_db::repo::coops::{self, SlugState};
use coopnet_db::repo::{deliveries, posts};

use super::{activity_json, tombstone};
use crate::outbox::{Author, note};
use crate::protocol::activity_context;
use crate::{FedData, FederationError};

/// Whose post a URL names.
#[derive(Debug, Clone)]
pub enum PostOwner {
    /// `/coops/{slug}/posts/{id}`
    Coop(String),
    /// `/network/posts/{id}`
    Network,
}

/// `GET /coops/{slug}/posts/{id}` or `/network/posts/{id}` as a `Note` (410 when deleted).
pub async fn post(data: &Data<FedData>, owner: PostOwner, public_id: &str) -> Response {
    let result = async {
        let author = match &owner {
            PostOwner::Coop(slug) => {
                match coops::find_by_slug(&data.db, data.network.id, slug).await? {
                    SlugState::Live(coop) => Author::coop(data, &coop),
                    SlugState::Deleted => return Ok(tombstone(&data.urls.coop(slug))),
                    SlugState::Free => return Err(FederationError::NotFound),
                }
            }
            PostOwner::Network => Author::network(data),
        };
        let post = posts::find(&data.db, public_id)
            .await?
            .ok_or(FederationError::NotFound)?;
        let same_author = match (post.author, author.target) {
            (Target::Coop(a), Target::Coop(b)) | (Target::Network(a), Target::Network(b)) => a == b,
            _ => false,
        };
        if !same_author {
            return Err(FederationError::NotFound);
        }
        if post.deleted_at.is_some() {
            return Ok(tombstone(&author.post_url(data, public_id)));
        }
        let mut note = note(data, &author, &post);
        note.context = Some(activity_context());
        Ok(activity_json(&note))
    };
    result.await.unwrap_or_else(IntoResponse::into_response)
}

/// `GET /activities/{id}`: an activity we sent, as sent.
pub async fn activity(data: &Data<FedData>, id: &str) -> Response {
    let url = data.urls.base() + "/activities/" + id;
    match deliveries::find_activity(&data.db, &url).await {
        Ok(Some(stored)) => match serde_json::from_str::<serde_json::Value>(&stored.body) {
            Ok(body) => activity_json(&body),
            Err(e) => FederationError::Internal(e.to_string()).into_response(),
        },
        Ok(None) => FederationError::NotFound.into_response(),
        Err(e) => FederationError::from(e).into_response(),
    }
}
