//! A news post of a local co-op or of the network, as the domain knows it: who wrote it,
//! its Markdown and the sanitised HTML made from it, its language, the accounts it
//! mentions, and its dates. Storage, federation (`Note`) and pages convert from this one
//! shape.
use chrono::{DateTime, Utc};
use url::Url;

use crate::{LanguageTag, Target};

/// A stored news post.
#[derive(Debug, Clone, PartialEq)]
pub struct NewsPost {
    /// Storage id.
    pub id: i64,
    /// URL segment.
    pub public_id: String,
    /// Who wrote it.
    pub author: Target,
    /// Markdown.
    pub content: String,
    /// Sanitised HTML.
    pub content_html: String,
    /// The language it is written in (`None` for posts written before posts had one).
    pub language: Option<LanguageTag>,
    /// The accounts it mentions, as resolved when it was written.
    pub mentions: Vec<Mention>,
    /// First published.
    pub published_at: DateTime<Utc>,
    /// Last edited.
    pub updated_at: DateTime<Utc>,
    /// Set once deleted (its URL then answers 410).
    pub deleted_at: Option<DateTime<Utc>>,
}

/// An account a post mentions (`@user@host` in its text), resolved to its actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// `user@host`, as written (without the leading `@`).
    pub handle: String,
    /// The actor's id.
    pub actor: Url,
}
