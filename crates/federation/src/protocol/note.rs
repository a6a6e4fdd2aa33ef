//! `Note`: a news post, and the activities that carry it to followers: `Create`, the
//! network's `Announce` (a boost, as Mastodon shows it) and `Delete` with a `Tombstone`.
use activitypub_federation::kinds::activity::{AnnounceType, CreateType, DeleteType};
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::activities::Audience;
use super::tombstone::Tombstone;

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
    /// The same HTML under the post's language (BCP 47), so servers can filter and
    /// translate it; absent for posts stored without a language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub content_map: BTreeMap<String, String>,
    /// Never marked sensitive: news posts carry no content warning.
    #[serde(default)]
    pub sensitive: bool,
    /// `Hashtag`s for the `#words` and `Mention`s for the `@user@host` in the text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<NoteTag>,
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

/// A tag of a note: a `Hashtag` (`name` `#word`, `href` a page about it) or a `Mention`
/// (`name` `@user@host`, `href` the actor's id), as Mastodon writes both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteTag {
    /// `Hashtag` or `Mention`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `#word` or `@user@host`.
    pub name: String,
    /// The tag's page, or the mentioned actor.
    pub href: Url,
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

/// `Create{Note}`: a new post, sent to the author's followers and listed in its outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateNote {
    /// Activity id (`{note}#create` in the outbox, which lists activities we never stored).
    pub id: Url,
    /// Always `Create`.
    #[serde(rename = "type")]
    pub kind: CreateType,
    /// The author.
    pub actor: Url,
    /// When the post was published.
    pub published: DateTime<Utc>,
    /// Who it is addressed to: the public, and the sender's followers.
    #[serde(flatten)]
    pub audience: Audience,
    /// The post.
    pub object: Note,
}

/// `Announce` of a co-op's post by the network, to the network's followers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Announce {
    /// Activity id.
    pub id: Url,
    /// Always `Announce`.
    #[serde(rename = "type")]
    pub kind: AnnounceType,
    /// The network.
    pub actor: Url,
    /// When it was announced.
    pub published: DateTime<Utc>,
    /// Who it is addressed to: the public, and the sender's followers.
    #[serde(flatten)]
    pub audience: Audience,
    /// The post, by id.
    pub object: Url,
}

/// `Delete` of a post, the post replaced by its `Tombstone` (as Mastodon sends it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteNote {
    /// Activity id.
    pub id: Url,
    /// Always `Delete`.
    #[serde(rename = "type")]
    pub kind: DeleteType,
    /// The author.
    pub actor: Url,
    /// Who it is addressed to: the public, and the sender's followers.
    #[serde(flatten)]
    pub audience: Audience,
    /// The post's tombstone.
    pub object: Tombstone,
}
