//! ActivityPub HTTP handlers. The web crate's router mounts them (one URL serves HTML or
//! JSON by `Accept`, so the router decides which to call). They take the library's
//! `Data<FedData>`, put in every request by `FederationMiddleware`.
pub mod actor_cache;
pub mod actors;
pub mod collections;
pub mod discovery;
pub mod inbox;
pub mod objects;
pub mod signature;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::protocol::tombstone::Tombstone;
use crate::protocol::{ACTIVITY_JSON, WithContext};

/// An ActivityStreams JSON response.
pub fn activity_json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => activity_json_bytes(body.into()),
        Err(e) => crate::FederationError::Internal(e.to_string()).into_response(),
    }
}

/// An already serialised ActivityStreams document, with the headers of [`activity_json`].
pub fn activity_json_bytes(body: bytes::Bytes) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(ACTIVITY_JSON),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    response
}

/// The `Tombstone` of a deleted actor or post, served on its own.
fn tombstone_document(id: &url::Url) -> WithContext<Tombstone> {
    WithContext::new_default(Tombstone::new(id.clone()))
}

/// `410 Gone` with a `Tombstone`, for deleted actors and posts.
pub fn tombstone(id: &url::Url) -> Response {
    let mut response = activity_json(&tombstone_document(id));
    *response.status_mut() = StatusCode::GONE;
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn tombstone_is_the_former_document() {
        let id = url::Url::parse("https://coops.example/coops/gone").expect("url");
        let old = serde_json::json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": id,
            "type": "Tombstone",
        });
        let new = serde_json::to_value(super::tombstone_document(&id)).expect("serialises");
        assert_eq!(new, old);
    }
}
