//! `/about`
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::AppContext;
use coopnet_federation::html::markdown_to_html;

use crate::ui::{Chrome, page};

#[derive(Template)]
#[template(path = "pages/about.html")]
struct AboutPage<'a> {
    c: &'a Chrome,
    summary_html: String,
    handle: String,
}

/// `GET /about`
pub async fn show(State(ctx): State<AppContext>, c: Chrome) -> Response {
    let handle = format!("@{}@{}", ctx.network.username, ctx.settings.domain);
    page(
        &c,
        StatusCode::OK,
        &AboutPage {
            c: &c,
            summary_html: markdown_to_html(&ctx.network.summary),
            handle,
        },
    )
}
