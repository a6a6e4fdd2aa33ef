//! `/`: what this network is, counts, a search box, newest members, latest news.
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::directory;
use coopnet_app::posts::{self, PostAuthor};
use coopnet_app::{AppContext, coops};
use coopnet_core::{SearchQuery, Sort};
use coopnet_federation::html::markdown_to_html;

use super::error_page;
use super::profile::PostView;
use crate::ui::{Chrome, page};
use crate::views::CoopView;

#[derive(Template)]
#[template(path = "pages/home.html")]
struct HomePage<'a> {
    c: &'a Chrome,
    summary_html: String,
    here: u64,
    federation: u64,
    networks: usize,
    newest: Vec<CoopView>,
    news: Vec<PostView>,
}

/// `GET /`
pub async fn show(State(ctx): State<AppContext>, c: Chrome) -> Response {
    let data = async {
        let networks = coopnet_app::networks::by_id(&ctx).await?;
        let here = coops::list(&ctx, coops::Visibility::All, 1, 0).await?.total;
        let newest = directory::search(
            &ctx,
            &SearchQuery {
                sort: Sort::Newest,
                limit: 6,
                ..SearchQuery::default()
            },
        )
        .await?;
        let (news, _) = posts::list(&ctx, &PostAuthor::Network, 5, 0).await?;
        Ok::<_, coopnet_app::AppError>((networks, here, newest, news))
    };
    let (networks, here, newest, news) = match data.await {
        Ok(d) => d,
        Err(e) => return error_page(&c, &e),
    };
    let view = HomePage {
        c: &c,
        summary_html: markdown_to_html(&ctx.network.summary),
        here,
        federation: newest.total,
        networks: networks.len(),
        newest: newest
            .items
            .iter()
            .map(|coop| CoopView::new(coop, &networks, c.lang))
            .collect(),
        news: news.iter().map(PostView::from).collect(),
    };
    page(&c, StatusCode::OK, &view)
}
