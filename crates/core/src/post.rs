//! A news post of a local co-op or of the network, as the domain knows it: who wrote it,
//! its Markdown and the sanitised HTML made from it, and its dates. Storage, federation
//! (`Note`) and pages convert from this one shape.
use chrono::{DateTime, Utc};

use crate::Target;

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
    /// First published.
    pub published_at: DateTime<Utc>,
    /// Last edited.
    pub updated_at: DateTime<Utc>,
    /// Set once deleted (its URL then answers 410).
    pub deleted_at: Option<DateTime<Utc>>,
}
