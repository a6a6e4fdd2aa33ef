//! Federation failures and what a remote server is told about them.
//!
//! Problems with what a remote sent are 4xx (never 5xx: a hostile peer must not make us
//! look broken, nor make honest peers retry forever); only our own storage failures are 5xx.
//!
//! What the sender reads is ours: a stable `error` code and a fixed sentence per kind
//! ([`FederationError::public_message`]). The `Display` text, which may quote a fetched
//! document (the library's parse errors carry the body they could not read) or a URL the
//! sender chose, goes only to our log. An inbox POST that made us fetch an internal address
//! must not read that address's answer back to the attacker.
use activitypub_federation::error::Error as LibError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use coopnet_db::DbError;
use serde_json::json;

use crate::http::signature::SignatureError;

/// Federation failures, mapped to statuses by [`IntoResponse`].
#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    /// No such local object.
    #[error("not found")]
    NotFound,
    /// The object existed and was deleted.
    #[error("gone")]
    Gone,
    /// Malformed or unacceptable input.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// What someone typed to find an actor is not a handle or actor URL we may look up
    /// (local input, never remote text).
    #[error("{0}")]
    Lookup(String),
    /// Missing or invalid signature.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The signature headers were refused before verification.
    #[error("signature: {0}")]
    Signature(#[from] SignatureError),
    /// Valid signature, but the sender may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// From the ActivityPub library (signatures, fetching, parsing).
    #[error(transparent)]
    Library(#[from] LibError),
    /// From storage.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A walk of a peer's members collection stopped at one of its bounds.
    #[error("peer walk: {0}")]
    Walk(#[from] crate::sync::WalkError),
    /// Anything else of ours.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<serde_json::Error> for FederationError {
    fn from(e: serde_json::Error) -> Self {
        Self::BadRequest(e.to_string())
    }
}

impl FederationError {
    /// A short stable label for metrics (`coopnet_inbox_requests_total{reason}`).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Gone => "gone",
            Self::BadRequest(_) | Self::Lookup(_) => "bad_request",
            Self::Unauthorized(_) => "unauthorized",
            Self::Signature(_) => "signature_headers",
            Self::Forbidden(_) => "forbidden",
            Self::Library(e) => match e {
                LibError::ActivitySignatureInvalid => "signature_invalid",
                LibError::ActivityBodyDigestInvalid => "digest_invalid",
                LibError::NotFound | LibError::ObjectDeleted(_) => "actor_unavailable",
                _ => "bad_activity",
            },
            Self::Db(DbError::NotFound) => "not_found",
            Self::Db(_) => "storage",
            Self::Walk(_) => "peer_walk",
            Self::Internal(_) => "internal",
        }
    }

    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Gone => StatusCode::GONE,
            Self::BadRequest(_) | Self::Lookup(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) | Self::Signature(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Library(e) => match e {
                LibError::ActivitySignatureInvalid | LibError::ActivityBodyDigestInvalid => {
                    StatusCode::UNAUTHORIZED
                }
                LibError::NotFound | LibError::ObjectDeleted(_) => StatusCode::UNAUTHORIZED,
                _ => StatusCode::BAD_REQUEST,
            },
            Self::Db(DbError::NotFound) => StatusCode::NOT_FOUND,
            Self::Walk(_) => StatusCode::BAD_GATEWAY,
            Self::Db(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl FederationError {
    /// What the remote party is told: fixed words per kind, never text we fetched or were
    /// sent (see the module header). Signature refusals say which rule failed (also fixed).
    pub fn public_message(&self) -> &'static str {
        match self {
            Self::Signature(e) => e.message(),
            _ => match self.reason() {
                "not_found" => "no such object",
                "gone" => "this object was deleted",
                "unauthorized" => "the request is not signed by an actor we could verify",
                "signature_invalid" => "the HTTP signature does not verify",
                "digest_invalid" => "the Digest header does not match the body",
                "actor_unavailable" => "the signing actor could not be fetched",
                "forbidden" => "the sender may not do this",
                "peer_walk" => "the peer's members collection is out of bounds",
                "storage" | "internal" => "internal server error",
                _ => "the request or the activity could not be accepted",
            },
        }
    }
}

impl FederationError {
    /// A line for what admins see (a job's last error, a peer's last sync): our own
    /// failures and walk bounds in full, anything involving a remote document in the fixed
    /// words of [`FederationError::public_message`] (the detail is in the log).
    pub fn brief(&self) -> String {
        match self {
            Self::Walk(e) => e.to_string(),
            Self::Db(e) => e.to_string(),
            Self::Internal(e) => e.clone(),
            _ => self.public_message().to_owned(),
        }
    }
}

impl IntoResponse for FederationError {
    fn into_response(self) -> Response {
        let status = self.status();
        let reason = self.reason();
        if status.is_server_error() {
            tracing::error!(error = %self, "federation error");
        } else if matches!(reason, "not_found" | "gone") {
            tracing::debug!(error = %self, %status, "federation request refused");
        } else {
            tracing::warn!(error = %self, %status, reason, "federation request refused");
        }
        let body = json!({ "error": reason, "message": self.public_message() });
        (status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn fetched_content_never_reaches_the_response() {
        let secret = "ami-id: i-0secret metadata";
        let parse_error = serde_json::from_str::<u8>("x").expect_err("not a number");
        let fetched = url::Url::parse("https://attacker.example/actor").expect("url");
        for e in [
            FederationError::Library(LibError::ParseFetchedObject(
                parse_error,
                fetched.clone(),
                secret.to_owned(),
            )),
            FederationError::Library(LibError::Other(secret.to_owned())),
            FederationError::BadRequest(format!("member {secret}")),
            FederationError::Forbidden(secret.to_owned()),
            FederationError::Internal(secret.to_owned()),
        ] {
            assert!(e.to_string().contains(secret), "the log keeps the detail");
            let response = e.into_response();
            let body = axum::body::to_bytes(response.into_body(), 1 << 16)
                .await
                .expect("body");
            let body = String::from_utf8_lossy(&body);
            assert!(!body.contains("secret"), "{body}");
            assert!(!body.contains("attacker.example"), "{body}");
        }
    }

    #[tokio::test]
    async fn signature_refusals_say_which_rule() {
        let response = FederationError::from(SignatureError::Duplicate).into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("body");
        let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(json["error"], "signature_headers");
        assert_eq!(json["message"], "duplicate Signature parameter");
    }
}
