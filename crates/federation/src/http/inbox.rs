//! Inboxes (per actor and shared): body limit, header checks, then the library verifies the
//! Digest and the actor's signature, and `InboxActivity` handles the activity.
use std::time::Duration;

use activitypub_federation::axum::inbox::{ActivityData, receive_activity};
use activitypub_federation::config::Data;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use coopnet_db::repo::remote_actors;

use crate::activities::InboxActivity;
use crate::objects::ApubRemoteActor;
use crate::protocol::activities::Delete;
use crate::{FedData, FederationError};

/// Largest activity accepted (Mastodon sends up to 1 MB).
pub const MAX_INBOX_BYTES: usize = 1024 * 1024;
/// How long processing may take before we answer (below Mastodon's 10 s read timeout).
pub const PROCESSING_TIMEOUT: Duration = Duration::from_secs(9);
/// Signatures dated further in the future than this are refused.
pub const MAX_CLOCK_SKEW: chrono::Duration = chrono::Duration::hours(1);
/// Signatures dated further in the past are refused (Mastodon: 5 min expiry + 1 h slack).
pub const MAX_SIGNATURE_AGE: chrono::Duration = chrono::Duration::minutes(65);

/// Checks what the library does not: the signature covers `(request-target)`, `host`,
/// `date` and `digest`, and `Date` is neither stale nor in the future.
pub fn check_signature_headers(
    headers: &HeaderMap,
    now: DateTime<Utc>,
) -> Result<(), FederationError> {
    let signature = headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| FederationError::Unauthorized("request is not signed".into()))?;
    let signed: Vec<String> = signature
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("headers="))
        .flat_map(|list| {
            list.trim_matches('"')
                .split(' ')
                .map(str::to_ascii_lowercase)
                .collect::<Vec<_>>()
        })
        .collect();
    for required in ["(request-target)", "host", "date", "digest"] {
        if !signed.iter().any(|h| h == required) {
            return Err(FederationError::Unauthorized(format!(
                "signature does not cover {required}"
            )));
        }
    }
    let date = headers
        .get("date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| FederationError::Unauthorized("no Date header".into()))?;
    let date = DateTime::parse_from_rfc2822(date)
        .map_err(|_| FederationError::Unauthorized(format!("unreadable Date {date}")))?
        .with_timezone(&Utc);
    if date > now + MAX_CLOCK_SKEW {
        return Err(FederationError::Unauthorized(
            "Date is in the future".into(),
        ));
    }
    if date < now - MAX_SIGNATURE_AGE {
        return Err(FederationError::Unauthorized("Date is too old".into()));
    }
    Ok(())
}

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
    if let Err(e) = check_signature_headers(&parts.headers, Utc::now()) {
        return (e.into_response(), "signature_headers");
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
    #[derive(serde::Deserialize)]
    struct ActorOnly {
        actor: url::Url,
    }
    let Ok(ActorOnly { actor }) = serde_json::from_slice::<ActorOnly>(bytes) else {
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
    #[derive(serde::Deserialize)]
    struct ActorOnly {
        actor: url::Url,
    }
    serde_json::from_slice::<ActorOnly>(bytes)
        .ok()
        .map(|a| crate::urls::host_port(&a.actor))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(signed: &str, date: DateTime<Utc>) -> HeaderMap {
        let mut h = HeaderMap::new();
        let sig = format!(
            r#"keyId="https://a.example/u#main-key",algorithm="rsa-sha256",headers="{signed}",signature="x""#
        );
        h.insert("signature", HeaderValue::from_str(&sig).expect("header"));
        let date = date.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        h.insert("date", HeaderValue::from_str(&date).expect("header"));
        h
    }

    #[test]
    fn requires_covered_headers_and_a_fresh_date() {
        let now = Utc::now();
        let all = "(request-target) host date digest content-type";
        assert!(check_signature_headers(&headers(all, now), now).is_ok());
        assert!(
            check_signature_headers(&headers("(request-target) host digest", now), now).is_err()
        );
        assert!(check_signature_headers(&headers("(request-target) host date", now), now).is_err());
        assert!(
            check_signature_headers(&headers(all, now - chrono::Duration::hours(2)), now).is_err()
        );
        assert!(
            check_signature_headers(&headers(all, now + chrono::Duration::hours(2)), now).is_err()
        );
        assert!(check_signature_headers(&HeaderMap::new(), now).is_err());
    }
}
