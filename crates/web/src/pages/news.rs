//! `/news`: the network's and its co-ops' latest posts.
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::AppContext;
use coopnet_app::posts::{self, PostAuthor};

use super::error_page;
use super::profile::PostView;
use crate::ui::{Chrome, page};

#[derive(Template)]
#[template(path = "pages/news.html")]
struct NewsPage<'a> {
    c: &'a Chrome,
    posts: Vec<PostView>,
}

/// `GET /news`
pub async fn show(State(ctx): State<AppContext>, c: Chrome) -> Response {
    match posts::list(&ctx, &PostAuthor::Network, 50, 0).await {
        Ok((items, _)) => page(
            &c,
            StatusCode::OK,
            &NewsPage {
                c: &c,
                posts: items.iter().map(PostView::from).collect(),
            },
        ),
        Err(e) => error_page(&c, &e),
    }
}
