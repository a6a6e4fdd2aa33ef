//! Posts written on other servers, as they reach us: the `Note` (read leniently: every
//! server shapes `url`, `inReplyTo` and the addressing its own way), the `Create`, `Update`
//! and `Announce` that carry it, and `Undo{Announce}`, which we also send when our network
//! withdraws a boost. What we do with them is in `activities/remote_posts.rs`; the rules for
//! what may be kept are in `coopnet_core` (`may_boost`, `may_show`).
use std::collections::BTreeMap;

use activitypub_federation::kinds::activity::{AnnounceType, CreateType, UndoType, UpdateType};
use activitypub_federation::kinds::object::NoteType;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::activities::{Audience, id_or_object};

/// A `Note` written elsewhere: only what we keep, read without failing on what we ignore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteNote {
    /// Note id.
    pub id: Url,
    /// Always `Note`.
    #[serde(rename = "type")]
    pub kind: NoteType,
    /// The author (an id, or an object with one).
    #[serde(deserialize_with = "id_or_object")]
    pub attributed_to: Url,
    /// HTML, untrusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// HTML per language, untrusted (read when `content` is missing).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub content_map: BTreeMap<String, String>,
    /// Its HTML page: a URL, a `Link` or a list of them (the first http(s) one is kept).
    #[serde(
        default,
        deserialize_with = "first_link",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<Url>,
    /// Who it is addressed to.
    #[serde(flatten)]
    pub audience: Audience,
    /// The post it answers, as sent (an id, an object, or something unreadable, which
    /// still makes it a reply: see [`RemoteNote::reply`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<Value>,
    /// When it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    /// When it was last edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
}

/// Whether a note answers another one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// It does not (`inReplyTo` absent or null).
    TopLevel,
    /// It answers this post.
    To(Url),
    /// `inReplyTo` is there but names nothing we can read: a reply all the same.
    Unreadable,
}

impl RemoteNote {
    /// What `inReplyTo` says.
    pub fn reply(&self) -> Reply {
        match &self.in_reply_to {
            None | Some(Value::Null) => Reply::TopLevel,
            Some(Value::String(s)) => Url::parse(s).map_or(Reply::Unreadable, Reply::To),
            Some(Value::Object(o)) => o
                .get("id")
                .and_then(Value::as_str)
                .and_then(|s| Url::parse(s).ok())
                .map_or(Reply::Unreadable, Reply::To),
            Some(_) => Reply::Unreadable,
        }
    }

    /// Its HTML: `content`, else the first of `contentMap` (by language tag), else nothing.
    pub fn html(&self) -> &str {
        self.content
            .as_deref()
            .or_else(|| self.content_map.values().next().map(String::as_str))
            .unwrap_or_default()
    }
}

/// Reads `url` as a URL string, a `Link` (`href`) or a list of either; keeps the first
/// http(s) one, and never fails (a quirk in a page link must not cost us the post).
fn first_link<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    fn find(v: &Value) -> Option<Url> {
        match v {
            Value::String(s) => Url::parse(s)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https")),
            Value::Object(o) => o.get("href").and_then(find),
            Value::Array(items) => items.iter().find_map(find),
            _ => None,
        }
    }
    Ok(find(&Value::deserialize(d)?))
}

/// `Create{Note}` or `Update{Note}` of the sender's own post: `K` is [`CreateType`] or
/// [`UpdateType`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteActivity<K> {
    /// Activity id.
    pub id: Url,
    /// `Create` or `Update`.
    #[serde(rename = "type")]
    pub kind: K,
    /// The author.
    pub actor: Url,
    /// Who it is addressed to.
    #[serde(flatten)]
    pub audience: Audience,
    /// The post (as it is now, for an `Update`).
    pub object: RemoteNote,
}

/// `Create{Note}`: a new post by the sender.
pub type CreateRemoteNote = NoteActivity<CreateType>;

/// `Update{Note}`: the sender edited its post.
pub type UpdateRemoteNote = NoteActivity<UpdateType>;

/// `Announce` (a boost) of a post, as we read it: the post by id, or an embedded `Note` read
/// for its id only (the post is fetched from its own server). An `Announce` of an activity
/// (a Lemmy community relaying a `Create`, FEP-1b12) is not a boost and does not read as
/// one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedAnnounce {
    /// Activity id.
    pub id: Url,
    /// Always `Announce`.
    #[serde(rename = "type")]
    pub kind: AnnounceType,
    /// Who boosts.
    pub actor: Url,
    /// Who it is addressed to.
    #[serde(flatten)]
    pub audience: Audience,
    /// The post's id.
    #[serde(deserialize_with = "note_id")]
    pub object: Url,
}

/// Reads `"https://…"` or an embedded `{"type": "Note", "id": "https://…", …}` as the id.
fn note_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum IdOrNote {
        Id(Url),
        Note {
            id: Url,
            #[serde(rename = "type")]
            _kind: NoteType,
        },
    }
    Ok(match IdOrNote::deserialize(d)? {
        IdOrNote::Id(id) | IdOrNote::Note { id, .. } => id,
    })
}

/// `Undo` of an `Announce`, the Announce embedded (as Mastodon sends it). `A` is
/// [`ReceivedAnnounce`] when read, [`super::note::Announce`] when our network sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoAnnounce<A = ReceivedAnnounce> {
    /// Activity id.
    pub id: Url,
    /// Always `Undo`.
    #[serde(rename = "type")]
    pub kind: UndoType,
    /// Who withdraws its boost.
    pub actor: Url,
    /// Who it is addressed to.
    #[serde(flatten)]
    pub audience: Audience,
    /// The boost withdrawn.
    pub object: A,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mastodon_note_reads_with_its_reply_and_page() {
        let note: RemoteNote = serde_json::from_value(serde_json::json!({
            "id": "https://social.example/users/a/statuses/1",
            "type": "Note",
            "attributedTo": "https://social.example/users/a",
            "content": "<p>Hi</p>",
            "url": "https://social.example/@a/1",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": ["https://social.example/users/a/followers"],
            "inReplyTo": null,
            "published": "2026-12-01T10:00:00Z",
            "sensitive": false,
            "tag": [{"type": "Hashtag", "name": "#x"}],
        }))
        .expect("a Mastodon note reads");
        assert_eq!(note.reply(), Reply::TopLevel);
        assert_eq!(note.html(), "<p>Hi</p>");
        assert_eq!(
            note.url.as_ref().map(Url::as_str),
            Some("https://social.example/@a/1")
        );

        let reply: RemoteNote = serde_json::from_value(serde_json::json!({
            "id": "https://social.example/users/a/statuses/2",
            "type": "Note",
            "attributedTo": {"id": "https://social.example/users/a", "type": "Person"},
            "contentMap": {"en": "<p>Yes</p>"},
            "url": [{"type": "Link", "href": "ftp://x"}, {"type": "Link", "href": "https://social.example/@a/2"}],
            "to": "as:Public",
            "inReplyTo": {"id": "https://other.example/notes/9", "type": "Note"},
        }))
        .expect("a reply reads");
        assert_eq!(
            reply.reply(),
            Reply::To(Url::parse("https://other.example/notes/9").expect("url"))
        );
        assert_eq!(reply.html(), "<p>Yes</p>");
        assert_eq!(
            reply.url.as_ref().map(Url::as_str),
            Some("https://social.example/@a/2")
        );

        let odd: RemoteNote = serde_json::from_value(serde_json::json!({
            "id": "https://social.example/users/a/statuses/3",
            "type": "Note",
            "attributedTo": "https://social.example/users/a",
            "inReplyTo": ["not", "a", "url"],
            "url": {"odd": true},
        }))
        .expect("a note with odd fields reads");
        assert_eq!(odd.reply(), Reply::Unreadable, "still a reply");
        assert_eq!(odd.url, None);
        assert_eq!(odd.html(), "");

        let boost_of_note: ReceivedAnnounce = serde_json::from_value(serde_json::json!({
            "id": "https://net.example/a/1", "type": "Announce", "actor": "https://net.example/network",
            "object": {"id": "https://social.example/n/1", "type": "Note"},
        }))
        .expect("an Announce of an embedded Note reads");
        assert_eq!(boost_of_note.object.as_str(), "https://social.example/n/1");
        let relay = serde_json::json!({
            "id": "https://lemmy.example/a/1", "type": "Announce", "actor": "https://lemmy.example/c/x",
            "object": {"id": "https://lemmy.example/create/1", "type": "Create", "actor": "https://lemmy.example/u/a"},
        });
        assert!(serde_json::from_value::<ReceivedAnnounce>(relay).is_err());

        let article = serde_json::json!({
            "id": "https://social.example/a/1", "type": "Article",
            "attributedTo": "https://social.example/users/a",
        });
        assert!(serde_json::from_value::<RemoteNote>(article).is_err());
    }
}
