//! `Note`: a news post.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

/// A news post as ActivityStreams `Note`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    /// JSON-LD context (only when served on its own).
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// Note id (its URL).
    pub id: Url,
    /// Always `Note`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The author actor.
    pub attributed_to: Url,
    /// Sanitised HTML.
    pub content: String,
    /// The Markdown source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// HTML page.
    pub url: Url,
    /// Audience.
    pub to: Vec<String>,
    /// Secondary audience.
    pub cc: Vec<String>,
    /// First published.
    pub published: DateTime<Utc>,
    /// Last edited (Mastodon applies edits only when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
}

/// The source a note was rendered from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// Markdown.
    pub content: String,
    /// `text/markdown`.
    pub media_type: String,
}
