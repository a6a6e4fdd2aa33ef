//! `/` and `/coops`: the plain list of member co-ops (the full directory is its own issue).
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::AppContext;
use coopnet_app::coops::{self, Visibility};
use serde::Deserialize;

use super::render;
use crate::views::CoopView;

const PAGE_SIZE: u64 = 50;

#[derive(Debug, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "pages/coops/index.html")]
struct IndexPage {
    network_name: String,
    network_summary: String,
    coops: Vec<CoopView>,
    total: u64,
    page: u64,
    pages: u64,
}

/// `GET /coops?page=N`
pub async fn index(State(ctx): State<AppContext>, Query(params): Query<ListParams>) -> Response {
    let page = params.page.unwrap_or(1).max(1);
    let listed = async {
        let networks = coopnet_app::networks::by_id(&ctx).await?;
        let list = coops::list(&ctx, Visibility::Public, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
        Ok::<_, coopnet_app::AppError>((networks, list))
    };
    match listed.await {
        Ok((networks, list)) => {
            let pages = list.total.div_ceil(PAGE_SIZE).max(1);
            render(
                StatusCode::OK,
                &IndexPage {
                    network_name: ctx.network.name.clone(),
                    network_summary: ctx.network.summary.clone(),
                    coops: list
                        .items
                        .iter()
                        .map(|c| CoopView::new(c, &networks, "en"))
                        .collect(),
                    total: list.total,
                    page,
                    pages,
                },
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "listing co-ops failed");
            render(
                StatusCode::INTERNAL_SERVER_ERROR,
                &super::ErrorPage {
                    title: "Something went wrong",
                    message: "Please try again later.",
                },
            )
        }
    }
}
