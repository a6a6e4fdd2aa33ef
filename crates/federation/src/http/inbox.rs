//! Inboxes (per actor and shared): body limit, the signature headers read strictly
//! (`signature.rs`), then the library verifies the Digest and the actor's signature, and
//! `InboxActivity` handles the activity.
use std::time::Duration;

use activitypub_federation::axum::inbox::{ActivityData, receive_activity};
use activitypub_federation::config::Data;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use coopnet_db::repo::remote_actors;

use crate::activities::InboxActivity;
use crate::objects::ApubRemoteActor;
use crate::protocol::activities::{AnyActivity, Delete};
use crate::{FedData, FederationError};

/// Largest activity accepted (Mastodon sends up to 1 MB).
pub const MAX_INBOX_BYTES: usize = 1024 * 1024;
/// How long processing may take before we answer (below Mastodon's 10 s read timeout).
pub const PROCESSING_TIMEOUT: Duration = Duration::from_secs(9);
/// True for an actor's `Delete` of itself when we never stored that actor. Mastodon sends
/// those to every server it knows, after the actor's document (and key) is gone: there is
/// nothing to do and nothing to verify it with. Answered 202 unverified, as Mastodon does;
/// a 401 would be retried for days.
async fn is_delete_of_unknown_actor(body: &[u8], data: &FedData) -> bool {
    let Ok(delete) = serde_json::from_slice::<Delete>(body) else {
        return false;
    };
    delete.object == delete.actor
        && matches!(remote_actors::find(&data.db, &delete.actor).await, Ok(None))
}

/// `POST /inbox`, `/coops/{slug}/inbox`, `/network/inbox`, `/actor/inbox`.
///
/// Counted in `coopnet_inbox_requests_total{outcome, status, reason}`: `outcome` is
/// accepted, refused (4xx) or failed (5xx); `reason` says why (`processed`, `blocked`,
/// `signature_headers`, …, or the refusal's [`FederationError::reason`]).
pub async fn post(data: Data<FedData>, request: Request) -> Response {
    let (response, why) = handle(&data, request).await;
    let status = response.status();
    let outcome = if status.is_success() {
        "accepted"
    } else if status.is_client_error() {
        "refused"
    } else {
        "failed"
    };
    let reason = status.as_str().to_owned();
    data.metrics.inc(
        "coopnet_inbox_requests_total",
        &[("outcome", outcome), ("status", &reason), ("reason", why)],
    );
    response
}

/// Handles one inbox POST; returns the response and a short reason label: `processed`,
/// `unknown_actor_delete`, `too_large`, `blocked`, `timeout`, or the refusal's
/// [`FederationError::reason`].
async fn handle(data: &Data<FedData>, request: Request) -> (Response, &'static str) {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_INBOX_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return (
                (StatusCode::PAYLOAD_TOO_LARGE, "activity too large").into_response(),
                "too_large",
            );
        }
    };
    if let Some(host) = sender_host(&bytes)
        && coopnet_db::repo::blocks::is_blocked(&data.db, &host)
            .await
            .unwrap_or(false)
    {
        // Refused before any fetch or storage: a blocked server leaves no trace here.
        return (
            FederationError::Forbidden(format!("{host} is blocked")).into_response(),
            "blocked",
        );
    }
    if is_delete_of_unknown_actor(&bytes, data).await {
        tracing::debug!("Delete of an actor we never knew; acknowledged");
        return (StatusCode::ACCEPTED.into_response(), "unknown_actor_delete");
    }
    if let Err(e) = super::signature::check_request(&parts.headers, data.urls.domain(), Utc::now())
    {
        return (
            FederationError::Signature(e).into_response(),
            "signature_headers",
        );
    }
    let outcome = tokio::time::timeout(PROCESSING_TIMEOUT, async {
        match receive(data, &parts, &bytes).await {
            // The sender may have rotated its key since we cached its actor: fetch the actor
            // again, once, and retry (as Mastodon does).
            Err(FederationError::Library(
                activitypub_federation::error::Error::ActivitySignatureInvalid,
            )) => {
                if refresh_actor(data, &bytes).await {
                    receive(data, &parts, &bytes).await
                } else {
                    Err(FederationError::Library(
                        activitypub_federation::error::Error::ActivitySignatureInvalid,
                    ))
                }
            }
            other => other,
        }
    });
    match outcome.await {
        Ok(Ok(())) => (StatusCode::ACCEPTED.into_response(), "processed"),
        Ok(Err(e)) => {
            let why = e.reason();
            (e.into_response(), why)
        }
        Err(_) => {
            tracing::warn!("inbox processing timed out");
            (
                (StatusCode::SERVICE_UNAVAILABLE, "try again later").into_response(),
                "timeout",
            )
        }
    }
}

/// Runs the library's checks (digest, actor, signature) and our handlers on a buffered request.
async fn receive(
    data: &Data<FedData>,
    parts: &axum::http::request::Parts,
    bytes: &axum::body::Bytes,
) -> Result<(), FederationError> {
    let mut builder = Request::builder()
        .method(parts.method.clone())
        .uri(parts.uri.clone())
        .version(parts.version);
    for (name, value) in &parts.headers {
        builder = builder.header(name, value);
    }
    let request = builder
        .body(Body::from(bytes.clone()))
        .map_err(|e| FederationError::BadRequest(e.to_string()))?;
    let activity = ActivityData::from_request(request, &())
        .await
        .map_err(|_| FederationError::BadRequest("unreadable request".into()))?;
    receive_activity::<InboxActivity, ApubRemoteActor, FedData>(activity, data).await
}

/// Re-fetches the activity's actor when it was cached more than a minute ago; true when a
/// fresh copy was stored (so a retry can see a rotated key).
async fn refresh_actor(data: &Data<FedData>, bytes: &[u8]) -> bool {
    let Ok(AnyActivity { actor }) = serde_json::from_slice::<AnyActivity>(bytes) else {
        return false;
    };
    let cached = coopnet_db::repo::remote_actors::find(&data.db, &actor)
        .await
        .ok()
        .flatten();
    // A key fetched moments ago is current: refetching would only let a forger make us
    // fetch repeatedly.
    if cached.is_none_or(|a| Utc::now() - a.fetched_at < chrono::Duration::minutes(1)) {
        return false;
    }
    activitypub_federation::fetch::object_id::ObjectId::<ApubRemoteActor>::from(actor)
        .dereference_forced(&data.reset_request_count())
        .await
        .is_ok()
}

/// `host[:port]` of the activity's `actor`, read before anything else is done with it.
pub fn sender_host(bytes: &[u8]) -> Option<String> {
    serde_json::from_slice::<AnyActivity>(bytes)
        .ok()
        .map(|a| crate::urls::host_port(&a.actor))
}
