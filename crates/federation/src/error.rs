use activitypub_federation::error::Error as LibError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use coopnet_db::DbError;
use serde_json::json;

/// Federation failures, mapped to statuses by [`IntoResponse`]: problems with what a remote
/// sent are 4xx (never 5xx: a hostile peer must not make us look broken, nor make honest
/// peers retry forever); only our own storage failures are 5xx.
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
    /// Missing or invalid signature.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Valid signature, but the sender may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// From the ActivityPub library (signatures, fetching, parsing).
    #[error(transparent)]
    Library(#[from] LibError),
    /// From storage.
    #[error(transparent)]
    Db(#[from] DbError),
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
            Self::BadRequest(_) => "bad_request",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::Library(e) => match e {
                LibError::ActivitySignatureInvalid => "signature_invalid",
                LibError::ActivityBodyDigestInvalid => "digest_invalid",
                LibError::NotFound | LibError::ObjectDeleted(_) => "actor_unavailable",
                _ => "bad_activity",
            },
            Self::Db(DbError::NotFound) => "not_found",
            Self::Db(_) => "storage",
            Self::Internal(_) => "internal",
        }
    }

    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Gone => StatusCode::GONE,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Library(e) => match e {
                LibError::ActivitySignatureInvalid | LibError::ActivityBodyDigestInvalid => {
                    StatusCode::UNAUTHORIZED
                }
                LibError::NotFound | LibError::ObjectDeleted(_) => StatusCode::UNAUTHORIZED,
                _ => StatusCode::BAD_REQUEST,
            },
            Self::Db(DbError::NotFound) => StatusCode::NOT_FOUND,
            Self::Db(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for FederationError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "federation error");
        } else {
            tracing::debug!(error = %self, %status, "federation request refused");
        }
        let message = if status.is_server_error() {
            "internal server error".to_owned()
        } else {
            self.to_string()
        };
        (status, Json(json!({ "error": message }))).into_response()
    }
}
