//! Server-rendered HTML pages, in four languages, usable without JavaScript.
pub mod about;
pub mod assets;
pub mod coops;
pub mod federation;
pub mod follow;
pub mod home;
pub mod logo;
pub mod map;
pub mod news;
pub mod profile;

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use coopnet_app::{AppContext, AppError};

use crate::error::ApiError;
use crate::ui::{Chrome, page};

#[derive(Template)]
#[template(path = "pages/error.html")]
struct ErrorPage<'a> {
    c: &'a Chrome,
    title: &'a str,
    message: &'a str,
}

/// The friendly error page for `err` (404, 410 or 500; internals are logged, not shown).
pub fn error_page(c: &Chrome, err: &AppError) -> Response {
    let t = c.t;
    let (status, title, message) = match err {
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, t.not_found_title, t.not_found_text),
        AppError::Gone(_) => (StatusCode::GONE, t.gone_title, t.gone_text),
        AppError::Remote { .. } => {
            tracing::warn!(error = %err.chain(), "page failed: a remote server");
            (StatusCode::BAD_GATEWAY, t.error_title, t.error_text)
        }
        other => {
            tracing::error!(error = %other.chain(), "page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                t.error_title,
                t.error_text,
            )
        }
    };
    page(c, status, &ErrorPage { c, title, message })
}

/// Fallback: JSON 404 under `/api`, the HTML 404 page elsewhere.
pub async fn not_found(State(_ctx): State<AppContext>, c: Chrome, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") || uri.path() == "/api" {
        return ApiError::not_found().into_response();
    }
    error_page(&c, &AppError::NotFound(uri.path().to_owned()))
}

/// `GET /healthz`: the process is up.
pub async fn health() -> &'static str {
    "ok"
}
