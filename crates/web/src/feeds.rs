//! Atom 1.0 feeds (RFC 4287): `/feeds/news.atom`, the latest posts of the network and its
//! co-ops, `/feeds/federation.atom`, federation news (what the peer networks post and boost,
//! and our network's boosts of its members' linked accounts: the second half of `/news`),
//! and `/feeds/members.atom`, co-ops joining and leaving the directory.
//!
//! Rendered with an askama XML template (`templates/feeds/atom.xml`), which escapes every
//! value; characters XML 1.0 does not allow at all are dropped before.
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use coopnet_app::posts::LatestPost;
use coopnet_app::{AppContext, directory, posts};

use crate::api::v1::coops::with_licence;
use crate::error::ApiError;

/// Entries per feed.
pub const FEED_ENTRIES: u64 = 50;
/// The feeds' media type.
pub const ATOM: &str = "application/atom+xml; charset=utf-8";

#[derive(Template)]
#[template(path = "feeds/atom.xml")]
struct AtomFeed {
    id: String,
    title: String,
    subtitle: String,
    updated: String,
    self_url: String,
    alternate_url: String,
    author_name: String,
    author_uri: String,
    rights: Option<String>,
    entries: Vec<AtomEntry>,
}

struct AtomEntry {
    id: String,
    title: String,
    updated: String,
    published: String,
    link: String,
    author_name: String,
    author_uri: String,
    content_html: Option<String>,
    summary: Option<String>,
}

/// Drops characters XML 1.0 forbids even as references (controls, U+FFFE, U+FFFF).
pub fn xml_safe(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect()
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A one-line plain-text title from Markdown: the first paragraph without link targets and
/// emphasis marks, at most 100 characters.
fn title_of(markdown: &str) -> String {
    let para = markdown
        .split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty())
        .unwrap_or_default()
        .trim_start_matches(['#', '>', ' ']);
    let mut out = String::new();
    let mut chars = para.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            ']' if chars.peek() == Some(&'(') => {
                // `[text](url)`: keep the text, drop the target.
                let mut depth = 0;
                for t in chars.by_ref() {
                    match t {
                        '(' => depth += 1,
                        ')' if depth <= 1 => break,
                        ')' => depth -= 1,
                        _ => {}
                    }
                }
            }
            '[' | ']' | '*' | '_' | '`' => {}
            c => out.push(c),
        }
    }
    let plain = decode_entities(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if plain.chars().count() > 100 {
        plain.chars().take(99).collect::<String>() + "…"
    } else if plain.is_empty() {
        "Post".to_owned()
    } else {
        plain
    }
}

/// Markdown text may hold HTML character references (`&lt;`, `&#39;`): as plain text they
/// stand for their characters.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name.strip_prefix('#').and_then(|n| {
                    match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => n.parse().ok(),
                    }
                    .and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn render(feed: &AtomFeed) -> Response {
    match feed.render() {
        Ok(xml) => ([(header::CONTENT_TYPE, ATOM)], xml).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "feed rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal server error").into_response()
        }
    }
}

fn news_entry(p: &LatestPost) -> AtomEntry {
    let r = &p.post.record;
    AtomEntry {
        id: p.post.url.to_string(),
        title: xml_safe(&title_of(&r.content)),
        updated: time(r.updated_at.max(r.published_at)),
        published: time(r.published_at),
        link: p.post.url.to_string(),
        author_name: xml_safe(&p.author_name),
        author_uri: p.author_url.to_string(),
        content_html: Some(xml_safe(&r.content_html)),
        summary: None,
    }
}

/// `GET /feeds/news.atom`: the latest 50 posts of the network and its listed co-ops.
#[utoipa::path(
    get,
    path = "/feeds/news.atom",
    tag = "feeds",
    responses((status = 200, description = "Atom 1.0 feed of the latest 50 posts", content_type = "application/atom+xml", body = String))
)]
pub async fn news(State(ctx): State<AppContext>) -> Result<Response, ApiError> {
    let base = ctx.base_url();
    let latest = posts::latest(&ctx, FEED_ENTRIES).await?;
    let entries: Vec<AtomEntry> = latest.iter().map(news_entry).collect();
    let updated = latest
        .iter()
        .map(|p| p.post.record.updated_at.max(p.post.record.published_at))
        .max()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let name = xml_safe(&ctx.network.name);
    Ok(render(&AtomFeed {
        id: format!("{base}/feeds/news.atom"),
        title: format!("{name}: news"),
        subtitle: format!("The latest posts of {name} and its member co-ops"),
        updated: time(updated),
        self_url: format!("{base}/feeds/news.atom"),
        alternate_url: format!("{base}/"),
        author_name: name,
        author_uri: ctx.fed().urls.network().to_string(),
        rights: None,
        entries,
    }))
}

fn federation_entry(item: &coopnet_app::news::NewsItem) -> AtomEntry {
    let p = &item.post;
    let network = xml_safe(&item.network.name);
    let author_name = match item.via {
        coopnet_core::PostVia::Posted => network,
        _ => format!("{} (via {network})", xml_safe(&p.author_name)),
    };
    AtomEntry {
        id: p.ap_id.to_string(),
        title: xml_safe(&title_of_html(&p.content_html)),
        updated: time(p.changed_at()),
        published: time(p.published_at),
        link: p.link().to_string(),
        author_name,
        author_uri: p.author.to_string(),
        content_html: Some(xml_safe(&p.content_html)),
        summary: None,
    }
}

/// A one-line plain-text title from a remote post's (sanitised) HTML: its text, at most
/// 100 characters.
fn title_of_html(html: &str) -> String {
    // Paragraphs and line breaks end words.
    let spaced = html.replace("</p>", "</p> ").replace("<br>", " ");
    let text = coopnet_federation::html::plain_text(&spaced, 400)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.chars().count() > 100 {
        text.chars().take(99).collect::<String>() + "…"
    } else if text.is_empty() {
        "Post".to_owned()
    } else {
        text
    }
}

/// `GET /feeds/federation.atom`: the latest 50 items of federation news.
#[utoipa::path(
    get,
    path = "/feeds/federation.atom",
    tag = "feeds",
    responses((status = 200, description = "Atom 1.0 feed of federation news: the latest 50 posts and boosts of the peer networks this one follows, and of its members' linked accounts", content_type = "application/atom+xml", body = String))
)]
pub async fn federation(State(ctx): State<AppContext>) -> Result<Response, ApiError> {
    let base = ctx.base_url();
    let page = coopnet_app::news::federation(&ctx, FEED_ENTRIES, 0).await?;
    let entries: Vec<AtomEntry> = page.items.iter().map(federation_entry).collect();
    let updated = page
        .items
        .iter()
        .map(|i| i.post.changed_at())
        .max()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let name = xml_safe(&ctx.network.name);
    Ok(render(&AtomFeed {
        id: format!("{base}/feeds/federation.atom"),
        title: format!("{name}: federation news"),
        subtitle: format!("What the networks {name} federates with post and share"),
        updated: time(updated),
        self_url: format!("{base}/feeds/federation.atom"),
        alternate_url: format!("{base}/news#federation-news"),
        author_name: name,
        author_uri: ctx.fed().urls.network().to_string(),
        rights: None,
        entries,
    }))
}

/// `GET /feeds/members.atom`: the latest 50 joins and departures in the directory.
#[utoipa::path(
    get,
    path = "/feeds/members.atom",
    tag = "feeds",
    responses((status = 200, description = "Atom 1.0 feed of co-ops joining and leaving the directory", content_type = "application/atom+xml", body = String))
)]
pub async fn members(State(ctx): State<AppContext>) -> Result<Response, ApiError> {
    let base = ctx.base_url();
    let events = directory::membership_events(&ctx, FEED_ENTRIES).await?;
    let networks = coopnet_app::networks::by_id(&ctx).await?;
    let entries: Vec<AtomEntry> = events
        .iter()
        .map(|e| {
            let network = networks.get(&e.network_id);
            let url = url::Url::parse(&e.url).ok();
            let domain = url
                .as_ref()
                .map(coopnet_federation::urls::host_port)
                .unwrap_or_else(|| ctx.network.domain.clone());
            // A forgotten peer network leaves its members' departures behind without its
            // row: name it by its host rather than as ours.
            let network_name = match network {
                Some(n) => n.name.clone(),
                None if domain != ctx.network.domain => format!("the network at {domain}"),
                None => ctx.network.name.clone(),
            };
            let former_peer = network.is_none() && domain != ctx.network.domain;
            let handle = format!("@{}@{}", e.slug, domain);
            let verb = if e.joined { "joined" } else { "left" };
            AtomEntry {
                id: format!("{}#{verb}-{}", e.url, e.at.timestamp()),
                title: xml_safe(&format!("{} {verb} {network_name}", e.name)),
                updated: time(e.at),
                published: time(e.at),
                link: e.url.clone(),
                author_name: xml_safe(&network_name),
                author_uri: match (network.and_then(|n| n.actor_id.as_ref()), &url) {
                    (Some(actor), _) => actor.to_string(),
                    (None, Some(u)) if former_peer => u.origin().ascii_serialization(),
                    _ => ctx.fed().urls.network().to_string(),
                },
                content_html: None,
                summary: Some(xml_safe(&format!(
                    "{} ({handle}) {verb} {network_name} on {}.",
                    e.name,
                    e.at.format("%Y-%m-%d")
                ))),
            }
        })
        .collect();
    let updated = events
        .iter()
        .map(|e| e.at)
        .max()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let name = xml_safe(&ctx.network.name);
    let licence = &ctx.settings.directory;
    let rights = (!licence.data_licence.is_empty()).then(|| {
        xml_safe(&format!(
            "Directory data: {} {}",
            licence.data_licence, licence.data_licence_url
        ))
        .trim()
        .to_owned()
    });
    let feed = AtomFeed {
        id: format!("{base}/feeds/members.atom"),
        title: format!("{name}: members"),
        subtitle: format!("Co-ops joining and leaving the {name} directory"),
        updated: time(updated),
        self_url: format!("{base}/feeds/members.atom"),
        alternate_url: format!("{base}/coops"),
        author_name: name,
        author_uri: ctx.fed().urls.network().to_string(),
        rights,
        entries,
    };
    Ok(with_licence(&ctx, render(&feed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_plain_text() {
        assert_eq!(
            title_of("Welcome to CoTech, [Out\\[landish\\]](https://x.example/coops/o) (@o@x)!"),
            "Welcome to CoTech, Out[landish] (@o@x)!"
        );
        assert_eq!(title_of("# Big *news*\n\nmore"), "Big news");
        assert_eq!(title_of("   "), "Post");
        assert_eq!(
            title_of("&lt;b&gt; &quot;x&#39; &#x26; &amp;amp; & co &bogus;"),
            "<b> \"x' & &amp; & co &bogus;"
        );
        assert_eq!(title_of(&"a".repeat(300)).chars().count(), 100);
    }

    #[test]
    fn titles_of_remote_posts_are_their_text() {
        assert_eq!(
            title_of_html("<p>We <strong>shipped</strong>!</p><p>More &amp; more</p>"),
            "We shipped! More & more"
        );
        assert_eq!(title_of_html("<p></p>"), "Post");
        assert_eq!(title_of_html(&"word ".repeat(100)).chars().count(), 100);
    }

    #[test]
    fn xml_safe_drops_forbidden_characters() {
        assert_eq!(xml_safe("a\u{0}b\u{1b}c\td\u{FFFF}"), "abc\td");
    }
}
