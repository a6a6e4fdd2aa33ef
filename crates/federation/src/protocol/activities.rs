//! Activities we send and receive: follows and their answers, deletes, and the membership
//! activities between networks. What we send reuses what we read where the shape is the
//! same; posts' activities are in [`super::note`].
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use activitypub_federation::kinds::activity::{
    AcceptType, AddType, DeleteType, FollowType, RejectType, RemoveType, UndoType, UpdateType,
};

use super::actor::RemoteOrganization;

/// `Follow`: someone follows one of our actors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Follow {
    /// Activity id (Mastodon's are not dereferenceable; never fetch them).
    pub id: Url,
    /// Always `Follow`.
    #[serde(rename = "type")]
    pub kind: FollowType,
    /// The follower.
    pub actor: Url,
    /// The followed actor (id, or an embedded object with an id).
    #[serde(deserialize_with = "id_or_object")]
    pub object: Url,
}

/// `Undo` of a `Follow`: the Follow embedded, as Mastodon sends it and as we send it. `O` is
/// [`Follow`], or [`ActivityRef`] for what other servers send (the Follow's id alone, or a
/// partial copy of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoFollow<O = Follow> {
    /// Activity id.
    pub id: Url,
    /// Always `Undo`.
    #[serde(rename = "type")]
    pub kind: UndoType,
    /// The former follower.
    pub actor: Url,
    /// The Follow being undone.
    pub object: O,
}

/// `Undo` of anything, read with the undone activity as an [`ActivityRef`]: Pleroma, Akkoma
/// and others name it by id alone.
pub type UndoByRef = UndoFollow<ActivityRef>;

/// `Accept` or `Reject` of a `Follow`: `K` is [`AcceptType`] or [`RejectType`]. Sent when we
/// answer a follow, the Follow embedded (as Mastodon matches it); read when a remote actor
/// answers our network's follow, with the Follow as an [`ActivityRef`] (Pleroma and Akkoma
/// send its id alone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowAnswer<K, O = Follow> {
    /// Activity id.
    pub id: Url,
    /// `Accept` or `Reject`.
    #[serde(rename = "type")]
    pub kind: K,
    /// The followed actor (the one that answers).
    pub actor: Url,
    /// The Follow.
    pub object: O,
}

/// `Accept` of a `Follow`, as read.
pub type Accept = FollowAnswer<AcceptType, ActivityRef>;

/// `Reject` of a `Follow`, as read.
pub type Reject = FollowAnswer<RejectType, ActivityRef>;

/// The activity an `Accept`, `Reject` or `Undo` is about, in any of the forms servers send:
/// its id alone (`"object": "https://…/follows/1"`), the activity embedded, or an embedded
/// copy that lacks fields or carries another id form. Every field but the id is optional;
/// handlers match through what we stored (the Follow's id), and fall back to the embedded
/// `actor` and `object` only where the id does not match.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ActivityRef {
    /// The activity's id, when given.
    pub id: Option<Url>,
    /// Its type, when embedded (`Follow`, `Announce`, …).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Who sent it, when embedded.
    pub actor: Option<Url>,
    /// What it was about, when embedded (an id, or an object with one).
    pub object: Option<Url>,
}

impl<'de> Deserialize<'de> for ActivityRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        /// An id of a URL, or an object with one; anything else is "not given".
        fn url_of(value: Option<&Value>) -> Option<Url> {
            match value? {
                Value::String(s) => Url::parse(s).ok(),
                Value::Object(o) => o.get("id").and_then(Value::as_str)?.parse().ok(),
                _ => None,
            }
        }
        match Value::deserialize(d)? {
            Value::String(s) => {
                let id = Url::parse(&s).map_err(D::Error::custom)?;
                Ok(Self {
                    id: Some(id),
                    ..Self::default()
                })
            }
            Value::Object(o) => {
                let kind = o.get("type").and_then(Value::as_str).map(str::to_owned);
                let found = Self {
                    id: url_of(o.get("id")),
                    kind,
                    actor: url_of(o.get("actor")),
                    object: url_of(o.get("object")),
                };
                if found.id.is_none() && found.actor.is_none() {
                    return Err(D::Error::custom("the object names no activity"));
                }
                Ok(found)
            }
            _ => Err(D::Error::custom(
                "the object is neither an id nor an object",
            )),
        }
    }
}

impl ActivityRef {
    /// True when this may name a `Follow`: embedded as one, or by id alone (type unknown).
    pub fn may_be_follow(&self) -> bool {
        self.kind.as_deref().is_none_or(|k| k == "Follow")
    }
}

/// `Delete` of an actor (a remote account going away, or one of our co-ops) or of an object
/// named by id. Our deletes of posts embed a Tombstone ([`super::note::DeleteNote`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delete {
    /// Activity id.
    pub id: Url,
    /// Always `Delete`.
    #[serde(rename = "type")]
    pub kind: DeleteType,
    /// Who deletes.
    pub actor: Url,
    /// Who it is addressed to.
    #[serde(flatten)]
    pub audience: Audience,
    /// What is deleted: an id or an object (Tombstone) with one.
    #[serde(deserialize_with = "id_or_object")]
    pub object: Url,
}

/// `Add` of a member co-op (embedded) to a network's members collection. `O` is the co-op:
/// [`RemoteOrganization`] (what we read of a peer's) or
/// [`LocalActor`](super::actor::LocalActor) (ours, sent in full).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddMember<O = RemoteOrganization> {
    /// Activity id.
    pub id: Url,
    /// Always `Add`.
    #[serde(rename = "type")]
    pub kind: AddType,
    /// The network.
    pub actor: Url,
    /// Who it is addressed to.
    #[serde(flatten)]
    pub audience: Audience,
    /// The co-op, in full.
    pub object: O,
    /// The members collection.
    pub target: Url,
}

/// `Remove` of a member co-op (by id) from a network's members collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveMember {
    /// Activity id.
    pub id: Url,
    /// Always `Remove`.
    #[serde(rename = "type")]
    pub kind: RemoveType,
    /// The network.
    pub actor: Url,
    /// Who it is addressed to.
    #[serde(flatten)]
    pub audience: Audience,
    /// The co-op's id.
    #[serde(deserialize_with = "id_or_object")]
    pub object: Url,
    /// The members collection.
    pub target: Url,
}

/// `Update` of a member co-op, sent by its network (to peer networks) or by the co-op itself
/// (to its followers). `O` as in [`AddMember`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateMember<O = RemoteOrganization> {
    /// Activity id.
    pub id: Url,
    /// Always `Update`.
    #[serde(rename = "type")]
    pub kind: UpdateType,
    /// The network or the co-op.
    pub actor: Url,
    /// Who it is addressed to.
    #[serde(flatten)]
    pub audience: Audience,
    /// The co-op, in full.
    pub object: O,
}

/// Any other activity: acknowledged and ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtherActivity {
    /// Activity id.
    pub id: Url,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Who sent it.
    pub actor: Url,
    /// Everything else.
    #[serde(flatten)]
    pub rest: serde_json::Map<String, Value>,
}

/// Reads `"https://…"` or `{"id": "https://…", …}` as the id URL.
pub fn id_or_object<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum IdOrObject {
        Id(Url),
        Object { id: Url },
    }
    Ok(match IdOrObject::deserialize(d)? {
        IdOrObject::Id(id) | IdOrObject::Object { id } => id,
    })
}

/// `to` and `cc` of an activity. Written on what we send; read leniently (see [`audience`]),
/// since we act on the actor and the object, never on the addressing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Audience {
    /// Primary audience.
    #[serde(
        default,
        deserialize_with = "audience",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub to: Vec<String>,
    /// Secondary audience.
    #[serde(
        default,
        deserialize_with = "audience",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cc: Vec<String>,
}

impl Audience {
    /// `to` and `cc`.
    pub fn new(to: Vec<String>, cc: Vec<String>) -> Self {
        Self { to, cc }
    }
}

/// Reads an audience (`to`, `cc`) without ever failing: ActivityStreams allows one value or
/// a list, and senders put ids, compact IRIs (`as:Public`) or objects there. Strings are
/// kept, anything else dropped: a quirk in addressing must not make us drop the activity.
pub fn audience<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => vec![s],
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// Any activity, read for its `actor` only: who sent it, before anything else is done with
/// the body (block list, key refresh).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AnyActivity {
    /// Who sent it.
    pub actor: Url,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_is_read_without_failing() {
        let delete: Delete = serde_json::from_str(
            r#"{"id":"https://a.example/d/1","type":"Delete","actor":"https://a.example/u",
                "object":{"id":"https://a.example/u","type":"Person"},
                "to":"as:Public","cc":[{"type":"Link"},"https://a.example/u/followers"]}"#,
        )
        .expect("delete");
        assert_eq!(delete.audience.to, vec!["as:Public"]);
        assert_eq!(delete.audience.cc, vec!["https://a.example/u/followers"]);
        let bare: Delete = serde_json::from_str(
            r#"{"id":"https://a.example/d/2","type":"Delete","actor":"https://a.example/u",
                "object":"https://a.example/u","to":{"odd":true}}"#,
        )
        .expect("delete without a usable audience");
        assert_eq!(bare.audience, Audience::default());
        // Nothing is written for an empty audience, as before audiences were read.
        let written = serde_json::to_value(&bare).expect("serialises");
        assert!(written.get("to").is_none() && written.get("cc").is_none());
    }

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn accepts_are_read_in_every_form_servers_send() {
        // Pleroma, Akkoma: the Follow's id alone.
        let by_id: Accept = serde_json::from_str(
            r#"{"id":"https://p.example/a/1","type":"Accept","actor":"https://p.example/u/bob",
                "object":"https://us.example/follows/7"}"#,
        )
        .expect("accept by id");
        assert_eq!(by_id.object.id, Some(url("https://us.example/follows/7")));
        assert_eq!(by_id.object.kind, None);
        assert!(by_id.object.may_be_follow());

        // Mastodon: embedded, ends named by id or as objects.
        let embedded: Reject = serde_json::from_str(
            r#"{"id":"https://m.example/r/1","type":"Reject","actor":"https://m.example/u/bob",
                "object":{"id":"https://us.example/follows/7","type":"Follow",
                          "actor":{"id":"https://us.example/network","type":"Group"},
                          "object":"https://m.example/u/bob"}}"#,
        )
        .expect("embedded reject");
        let follow = &embedded.object;
        assert_eq!(follow.kind.as_deref(), Some("Follow"));
        assert_eq!(follow.actor, Some(url("https://us.example/network")));
        assert_eq!(follow.object, Some(url("https://m.example/u/bob")));

        // An embedded copy without an id still names its ends.
        let anonymous: Accept = serde_json::from_str(
            r#"{"id":"https://x.example/a/2","type":"Accept","actor":"https://x.example/u",
                "object":{"type":"Follow","actor":"https://us.example/network",
                          "object":"https://x.example/u"}}"#,
        )
        .expect("embedded without id");
        assert_eq!(anonymous.object.id, None);
        assert!(anonymous.object.actor.is_some());

        // Not a Follow: read, and known not to be one.
        let like: Accept = serde_json::from_str(
            r#"{"id":"https://x.example/a/3","type":"Accept","actor":"https://x.example/u",
                "object":{"id":"https://x.example/l/1","type":"Like"}}"#,
        )
        .expect("accept of a like");
        assert!(!like.object.may_be_follow());

        // Nothing usable: refused with a reason.
        for object in [r#""not a url""#, "42", r#"{"type":"Follow"}"#] {
            let text = format!(
                r#"{{"id":"https://x.example/a/4","type":"Accept","actor":"https://x.example/u","object":{object}}}"#
            );
            assert!(serde_json::from_str::<Accept>(&text).is_err(), "{object}");
        }
    }
}
