//! Maps use-case errors to HTTP: JSON for the API.
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use coopnet_app::AppError;
use serde_json::json;

/// An API error: a status, a stable snake_case code, a message and optional field errors.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    fields: Option<serde_json::Value>,
}

impl ApiError {
    /// An error with no field details.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: None,
        }
    }

    /// 404 for unknown API paths.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::NotFound(what) => Self::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("{what} not found"),
            ),
            AppError::Gone(what) => {
                Self::new(StatusCode::GONE, "gone", format!("{what} was removed"))
            }
            AppError::Unauthorized => Self::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a valid bearer token is required (Authorization: Bearer TOKEN)",
            ),
            AppError::Forbidden(message) => Self::new(StatusCode::FORBIDDEN, "forbidden", message),
            AppError::Conflict(message) => Self::new(StatusCode::CONFLICT, "conflict", message),
            AppError::Invalid(errors) => Self {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "validation_failed",
                message: format!("invalid input: {errors}"),
                fields: serde_json::to_value(&errors).ok(),
            },
            AppError::Remote { .. } => {
                // What we were doing, and what went wrong in our words; the rest is logged.
                tracing::warn!(error = %err.chain(), "a remote server failed");
                Self::new(
                    StatusCode::BAD_GATEWAY,
                    "remote_unavailable",
                    err.to_string(),
                )
            }
            AppError::Internal { .. } => {
                // Logged once here, with its causes; the client sees no internals.
                tracing::error!(error = %err.chain(), "internal error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal server error",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.code, "message": self.message });
        if let Some(fields) = self.fields {
            body["fields"] = fields;
        }
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
