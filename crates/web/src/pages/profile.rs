//! Profile pages: a local co-op (its actor URL's HTML side, with its linked fediverse
//! account and that account's latest boosted posts), a federated co-op (a labelled copy
//! linking to its home), the network, and a post.
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::posts::{self, Post, PostAuthor};
use coopnet_app::{AppContext, AppError, coops, news};
use coopnet_core::{Coop, CoopOrigin, Network};
use coopnet_federation::html::markdown_to_html;
use coopnet_federation::http::objects::PostOwner;
use serde_json::{Value, json};

use super::error_page;
use super::news::RemotePostView;
use crate::ui::{Chrome, page};

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

/// A co-op's linked fediverse account as its profile shows it.
pub struct LinkedView {
    /// `@user@host`.
    pub handle: String,
    /// The account's actor id (its profile on its server).
    pub url: String,
    /// Its latest posts our network boosted.
    pub posts: Vec<RemotePostView>,
}

/// Latest posts of a linked account shown on the profile.
pub const LINKED_POSTS: u64 = 5;

/// A labelled value on the profile.
pub struct Field {
    pub name: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "pages/coops/show.html")]
struct CoopPage<'a> {
    c: &'a Chrome,
    name: String,
    handle: String,
    handle_plain: String,
    actor: String,
    network_name: String,
    network_url: String,
    federated: bool,
    home_url: String,
    summary_lang: String,
    summary_html: String,
    website: Option<String>,
    logo: Option<String>,
    fields: Vec<Field>,
    links: Vec<(String, String)>,
    posts: Vec<PostView>,
    linked: Option<LinkedView>,
    json_ld: String,
}

/// schema.org `Organization` for search engines and link previews, safe inside `<script>`.
fn json_ld(coop: &Coop, url: &str, network: &Network, network_url: &str) -> String {
    let p = &coop.profile;
    let mut ld = json!({
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": url,
        "name": p.name,
        "url": p.website.as_ref().map_or_else(|| url.to_owned(), ToString::to_string),
        "memberOf": { "@type": "Organization", "name": network.name, "url": network_url },
    });
    let mut put = |k: &str, v: Value| {
        if !v.is_null() {
            ld[k] = v;
        }
    };
    put(
        "description",
        coop.summary_for("en").map_or(Value::Null, |(_, t)| {
            json!(crate::views::first_paragraph(t))
        }),
    );
    put("logo", p.logo.as_ref().map_or(Value::Null, |l| json!(l)));
    put("email", p.public_email().map_or(Value::Null, |e| json!(e)));
    put(
        "foundingDate",
        p.founded.map_or(Value::Null, |y| json!(y.to_string())),
    );
    put(
        "numberOfEmployees",
        p.workers.map_or(
            Value::Null,
            |w| json!({"@type": "QuantitativeValue", "value": w}),
        ),
    );
    if p.locality.is_some() || p.country.is_some() {
        put(
            "address",
            json!({"@type": "PostalAddress", "addressLocality": p.locality, "addressRegion": p.region, "addressCountry": p.country.map(|c| c.to_string())}),
        );
    }
    put(
        "geo",
        p.location.map_or(Value::Null, |g| json!({"@type": "GeoCoordinates", "latitude": g.latitude, "longitude": g.longitude})),
    );
    if !p.technologies.is_empty() {
        put(
            "knowsAbout",
            json!(
                p.technologies
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            ),
        );
    }
    if !p.services.is_empty() {
        let offers: Vec<Value> =
            p.services.iter().map(|s| json!({"@type": "Offer", "itemOffered": {"@type": "Service", "name": s.as_str()}})).collect();
        put("makesOffer", json!(offers));
    }
    if !p.languages.is_empty() {
        put(
            "knowsLanguage",
            json!(
                p.languages
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            ),
        );
    }
    if !p.links.is_empty() {
        put(
            "sameAs",
            json!(
                p.links
                    .iter()
                    .map(|l| l.url.to_string())
                    .collect::<Vec<_>>()
            ),
        );
    }
    // `<` escaped as \u003c: no text can close the <script> element.
    serde_json::to_string(&ld)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

fn coop_page(
    ctx: &AppContext,
    c: &Chrome,
    coop: &Coop,
    network: &Network,
    posts: Vec<PostView>,
    linked: Option<LinkedView>,
) -> Response {
    let t = c.t;
    let p = &coop.profile;
    let (actor, federated, domain) = match &coop.origin {
        CoopOrigin::Local => (
            ctx.fed().urls.coop(coop.slug.as_str()).to_string(),
            false,
            ctx.settings.domain.clone(),
        ),
        CoopOrigin::Remote { actor_id } => (
            actor_id.to_string(),
            true,
            coopnet_federation::urls::host_port(actor_id),
        ),
    };
    let network_url = match &network.actor_id {
        Some(id) => id.to_string(),
        None => "/network".to_owned(),
    };
    let (summary_lang, summary_html) = coop
        .summary_for(c.lang)
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
    push(t.field_location, Some(place.join(", ")));
    push(
        t.field_services,
        Some(
            p.services
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    push(
        t.field_technologies,
        Some(
            p.technologies
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    push(
        t.field_languages,
        Some(
            p.languages
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    push(t.field_workers, p.workers.map(|w| w.to_string()));
    push(t.field_founded, p.founded.map(|y| y.to_string()));
    push(t.field_legal_form, p.legal_form.clone());
    push(t.field_contact, p.public_email().cloned());
    let handle_plain = format!("{}@{domain}", coop.slug);
    let view = CoopPage {
        c,
        name: p.name.clone(),
        handle: format!("@{handle_plain}"),
        handle_plain,
        json_ld: json_ld(coop, &actor, network, &network_url),
        actor: actor.clone(),
        network_name: network.name.clone(),
        network_url,
        federated,
        home_url: actor,
        summary_lang,
        summary_html,
        website: p.website.as_ref().map(ToString::to_string),
        logo: p
            .logo
            .as_ref()
            .filter(|l| l.scheme() == "https" || !federated)
            .map(ToString::to_string),
        fields,
        links: p
            .links
            .iter()
            .map(|l| (l.kind.to_string(), l.url.to_string()))
            .collect(),
        posts,
        linked,
    };
    page(c, StatusCode::OK, &view)
}

/// `GET /coops/{slug}` (HTML).
pub async fn show(ctx: &AppContext, c: &Chrome, slug: &str) -> Response {
    let coop = match coops::get(ctx, slug).await {
        Ok(coop) => coop,
        Err(e) => return error_page(c, &e),
    };
    let posts = posts::list(ctx, &PostAuthor::Coop(slug.to_owned()), 20, 0)
        .await
        .map(|(p, _)| p)
        .unwrap_or_default();
    let linked = match coops::public_link(ctx, &coop).await {
        Ok(Some(account)) => Some(LinkedView {
            handle: format!("@{}", account.handle),
            url: account.actor_id.to_string(),
            posts: news::linked_posts(ctx, &coop, LINKED_POSTS)
                .await
                .unwrap_or_default()
                .iter()
                .map(RemotePostView::of)
                .collect(),
        }),
        Ok(None) => None,
        Err(e) => return error_page(c, &e),
    };
    coop_page(
        ctx,
        c,
        &coop,
        &ctx.network,
        posts.iter().map(PostView::from).collect(),
        linked,
    )
}

/// `GET /federated/{domain}/{slug}`: a co-op of another network, from our copy.
pub async fn federated(ctx: &AppContext, c: &Chrome, domain: &str, slug: &str) -> Response {
    let found = async {
        let coop = coops::get_remote(ctx, domain, slug).await?;
        let networks = coopnet_app::networks::by_id(ctx).await?;
        let network = networks
            .get(&coop.network_id)
            .cloned()
            .ok_or_else(|| AppError::NotFound("network".into()))?;
        Ok::<_, AppError>((coop, network))
    };
    match found.await {
        Ok((coop, network)) => coop_page(ctx, c, &coop, &network, Vec::new(), None),
        Err(e) => error_page(c, &e),
    }
}

#[derive(Template)]
#[template(path = "pages/network.html")]
struct NetworkPage<'a> {
    c: &'a Chrome,
    handle: String,
    handle_plain: String,
    summary_html: String,
    posts: Vec<PostView>,
}

/// `GET /network` (HTML).
pub async fn network(ctx: &AppContext, c: &Chrome) -> Response {
    let posts = posts::list(ctx, &PostAuthor::Network, 20, 0)
        .await
        .map(|(p, _)| p)
        .unwrap_or_default();
    let handle_plain = format!("{}@{}", ctx.network.username, ctx.settings.domain);
    page(
        c,
        StatusCode::OK,
        &NetworkPage {
            c,
            handle: format!("@{handle_plain}"),
            handle_plain,
            summary_html: markdown_to_html(&ctx.network.summary),
            posts: posts.iter().map(PostView::from).collect(),
        },
    )
}

#[derive(Template)]
#[template(path = "pages/post.html")]
struct PostPage<'a> {
    c: &'a Chrome,
    author: String,
    author_url: String,
    post: PostView,
}

/// A post's page (HTML).
pub async fn post(ctx: &AppContext, c: &Chrome, owner: PostOwner, public_id: &str) -> Response {
    let (author, author_name, author_url) = match &owner {
        PostOwner::Coop(slug) => match coops::get(ctx, slug).await {
            Ok(coop) => (
                PostAuthor::Coop(slug.clone()),
                coop.profile.name,
                format!("/coops/{slug}"),
            ),
            Err(e) => return error_page(c, &e),
        },
        PostOwner::Network => (
            PostAuthor::Network,
            ctx.network.name.clone(),
            "/network".to_owned(),
        ),
    };
    match posts::get(ctx, &author, public_id).await {
        Ok(p) => page(
            c,
            StatusCode::OK,
            &PostPage {
                c,
                author: author_name,
                author_url,
                post: PostView::from(&p),
            },
        ),
        Err(e) => error_page(c, &e),
    }
}
