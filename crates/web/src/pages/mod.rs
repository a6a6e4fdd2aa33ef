//! Server-rendered HTML pages.
pub mod coops;
pub mod profile;

use askama::Template;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

use crate::error::ApiError;

/// Renders a template, or a plain 500 if rendering fails (logged).
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal server error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "pages/error.html")]
pub(crate) struct ErrorPage<'a> {
    pub(crate) title: &'a str,
    pub(crate) message: &'a str,
}

/// Fallback: JSON 404 under `/api`, an HTML page elsewhere.
pub async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") || uri.path() == "/api" {
        return ApiError::not_found().into_response();
    }
    render(
        StatusCode::NOT_FOUND,
        &ErrorPage {
            title: "Not found",
            message: "There is no page at this address.",
        },
    )
}

/// `GET /healthz`: the process is up.
pub async fn health() -> &'static str {
    "ok"
}
