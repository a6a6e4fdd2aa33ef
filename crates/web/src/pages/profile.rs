//! Profile pages of a co-op and of the network, and a post's page: the HTML side of the
//! actor URLs (the full public site is its own work; this is what a browser or a Mastodon
//! user clicking through sees).
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::posts::{self, Post, PostAuthor};
use coopnet_app::{AppContext, AppError, coops};
use coopnet_federation::html::markdown_to_html;
use coopnet_federation::http::objects::PostOwner;

use super::{ErrorPage, render};

/// A post as a page shows it.
pub struct PostView {
    pub url: String,
    pub html: String,
    pub published: String,
}

impl From<&Post> for PostView {
    fn from(p: &Post) -> Self {
        Self {
            url: p.url.to_string(),
            html: p.record.content_html.clone(),
            published: p
                .record
                .published_at
                .format("%Y-%m-%d %H:%M UTC")
                .to_string(),
        }
    }
}

/// A labelled value on the profile.
pub struct Field {
    pub name: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "pages/coops/show.html")]
struct CoopPage {
    name: String,
    handle: String,
    actor: String,
    network_name: String,
    summary_lang: String,
    summary_html: String,
    website: Option<String>,
    fields: Vec<Field>,
    links: Vec<(String, String)>,
    posts: Vec<PostView>,
}

#[derive(Template)]
#[template(path = "pages/network.html")]
struct NetworkPage {
    name: String,
    handle: String,
    summary_html: String,
    posts: Vec<PostView>,
}

#[derive(Template)]
#[template(path = "pages/post.html")]
struct PostPage {
    author: String,
    author_url: String,
    post: PostView,
}

fn error_page(err: &AppError) -> Response {
    match err {
        AppError::NotFound(_) => render(
            StatusCode::NOT_FOUND,
            &ErrorPage {
                title: "Not found",
                message: "There is no page at this address.",
            },
        ),
        AppError::Gone(_) => render(
            StatusCode::GONE,
            &ErrorPage {
                title: "Gone",
                message: "This was removed.",
            },
        ),
        other => {
            tracing::error!(error = %other, "page failed");
            render(
                StatusCode::INTERNAL_SERVER_ERROR,
                &ErrorPage {
                    title: "Something went wrong",
                    message: "Please try again later.",
                },
            )
        }
    }
}

/// `GET /coops/{slug}` (HTML).
pub async fn show(ctx: &AppContext, slug: &str) -> Response {
    let coop = match coops::get(ctx, slug).await {
        Ok(c) => c,
        Err(e) => return error_page(&e),
    };
    let posts = posts::list(ctx, &PostAuthor::Coop(slug.to_owned()), 20, 0)
        .await
        .map(|(p, _)| p)
        .unwrap_or_default();
    let p = &coop.profile;
    let (summary_lang, summary_html) = coop
        .summary_for(
            ctx.network
                .languages
                .first()
                .map(|l| l.primary())
                .unwrap_or("en"),
        )
        .map(|(lang, text)| (lang.to_string(), markdown_to_html(text)))
        .unwrap_or_default();
    let mut fields = Vec::new();
    let mut push = |name: &'static str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            fields.push(Field { name, value });
        }
    };
    let place: Vec<String> = [
        p.locality.clone(),
        p.region.clone(),
        p.country.map(|c| c.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    push("Location", Some(place.join(", ")));
    push(
        "Services",
        Some(
            p.services
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    push(
        "Technologies",
        Some(
            p.technologies
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    push(
        "Languages",
        Some(
            p.languages
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    push("Workers", p.workers.map(|w| w.to_string()));
    push("Founded", p.founded.map(|y| y.to_string()));
    push("Legal form", p.legal_form.clone());
    push("Contact", p.email.clone());
    let page = CoopPage {
        name: p.name.clone(),
        handle: format!("@{}@{}", coop.slug, ctx.settings.domain),
        actor: ctx.fed().urls.coop(coop.slug.as_str()).to_string(),
        network_name: ctx.network.name.clone(),
        summary_lang,
        summary_html,
        website: p.website.as_ref().map(ToString::to_string),
        fields,
        links: p
            .links
            .iter()
            .map(|l| (l.kind.to_string(), l.url.to_string()))
            .collect(),
        posts: posts.iter().map(PostView::from).collect(),
    };
    render(StatusCode::OK, &page)
}

/// `GET /network` (HTML).
pub async fn network(ctx: &AppContext) -> Response {
    let posts = posts::list(ctx, &PostAuthor::Network, 20, 0)
        .await
        .map(|(p, _)| p)
        .unwrap_or_default();
    render(
        StatusCode::OK,
        &NetworkPage {
            name: ctx.network.name.clone(),
            handle: format!("@{}@{}", ctx.network.username, ctx.settings.domain),
            summary_html: markdown_to_html(&ctx.network.summary),
            posts: posts.iter().map(PostView::from).collect(),
        },
    )
}

/// A post's page (HTML).
pub async fn post(ctx: &AppContext, owner: PostOwner, public_id: &str) -> Response {
    let (author, author_name, author_url) = match &owner {
        PostOwner::Coop(slug) => match coops::get(ctx, slug).await {
            Ok(c) => (
                PostAuthor::Coop(slug.clone()),
                c.profile.name,
                ctx.fed().urls.coop(slug).to_string(),
            ),
            Err(e) => return error_page(&e),
        },
        PostOwner::Network => (
            PostAuthor::Network,
            ctx.network.name.clone(),
            ctx.fed().urls.network().to_string(),
        ),
    };
    match posts::get(ctx, &author, public_id).await {
        Ok(p) => render(
            StatusCode::OK,
            &PostPage {
                author: author_name,
                author_url,
                post: PostView::from(&p),
            },
        ),
        Err(e) => error_page(&e),
    }
}
