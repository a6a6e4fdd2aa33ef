//! `/news`: the network's own posts, and beside them federation news: what the peer
//! networks we follow post and boost, and our network's boosts of its members' linked
//! accounts, each labelled with the network it came through (`coopnet_app::news`; its feed
//! is `/feeds/federation.atom`).
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::posts::{self, PostAuthor};
use coopnet_app::{AppContext, news};
use coopnet_core::{PostVia, RemotePost};

use super::error_page;
use super::profile::PostView;
use crate::ui::{Chrome, page};

/// Federation news items shown on the page.
pub const FEDERATION_ITEMS: u64 = 50;

/// A post written elsewhere as a page shows it (its HTML was sanitised when stored).
pub struct RemotePostView {
    pub author: String,
    pub author_url: String,
    pub html: String,
    pub url: String,
    pub published: String,
    pub reply_to: Option<String>,
    /// The network it came through, and whether that network shared it (a boost) rather
    /// than wrote it: `None` on a co-op's own profile.
    pub network: Option<(String, bool)>,
}

impl RemotePostView {
    /// `post` without a network label.
    pub fn of(post: &RemotePost) -> Self {
        Self {
            author: post.author_name.clone(),
            author_url: post.author.to_string(),
            html: post.content_html.clone(),
            url: post.link().to_string(),
            published: post.published_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            reply_to: post.in_reply_to.as_ref().map(ToString::to_string),
            network: None,
        }
    }
}

impl From<&news::NewsItem> for RemotePostView {
    fn from(item: &news::NewsItem) -> Self {
        Self {
            network: Some((
                item.network.name.clone(),
                !matches!(item.via, PostVia::Posted),
            )),
            ..Self::of(&item.post)
        }
    }
}

#[derive(Template)]
#[template(path = "pages/news.html")]
struct NewsPage<'a> {
    c: &'a Chrome,
    posts: Vec<PostView>,
    federation: Vec<RemotePostView>,
}

/// `GET /news`
pub async fn show(State(ctx): State<AppContext>, c: Chrome) -> Response {
    let data = async {
        let (own, _) = posts::list(&ctx, &PostAuthor::Network, 50, 0).await?;
        let federation = news::federation(&ctx, FEDERATION_ITEMS, 0).await?;
        Ok::<_, coopnet_app::AppError>((own, federation))
    };
    match data.await {
        Ok((own, federation)) => page(
            &c,
            StatusCode::OK,
            &NewsPage {
                c: &c,
                posts: own.iter().map(PostView::from).collect(),
                federation: federation.items.iter().map(RemotePostView::from).collect(),
            },
        ),
        Err(e) => error_page(&c, &e),
    }
}
