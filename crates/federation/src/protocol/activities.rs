//! Activities we send and receive.
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

/// `Undo` of a `Follow` (embedded, as Mastodon sends it, or by id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoFollow {
    /// Activity id.
    pub id: Url,
    /// Always `Undo`.
    #[serde(rename = "type")]
    pub kind: UndoType,
    /// The former follower.
    pub actor: Url,
    /// The Follow being undone.
    pub object: Follow,
}

/// `Accept` of a `Follow`, the Follow embedded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Accept {
    /// Activity id.
    pub id: Url,
    /// Always `Accept`.
    #[serde(rename = "type")]
    pub kind: AcceptType,
    /// The followed actor.
    pub actor: Url,
    /// The Follow.
    pub object: Follow,
}

/// `Reject` of a `Follow`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reject {
    /// Activity id.
    pub id: Url,
    /// Always `Reject`.
    #[serde(rename = "type")]
    pub kind: RejectType,
    /// The actor that was to be followed.
    pub actor: Url,
    /// The Follow.
    pub object: Follow,
}

/// `Delete` of an actor (a remote account going away) or of an object.
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
    /// What is deleted: an id or an object (Tombstone) with one.
    #[serde(deserialize_with = "id_or_object")]
    pub object: Url,
}

/// `Add` of a member co-op (embedded) to a network's members collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddMember {
    /// Activity id.
    pub id: Url,
    /// Always `Add`.
    #[serde(rename = "type")]
    pub kind: AddType,
    /// The network.
    pub actor: Url,
    /// The co-op, in full.
    pub object: RemoteOrganization,
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
    /// The co-op's id.
    #[serde(deserialize_with = "id_or_object")]
    pub object: Url,
    /// The members collection.
    pub target: Url,
}

/// `Update` of a member co-op, sent by its network or by the co-op itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateMember {
    /// Activity id.
    pub id: Url,
    /// Always `Update`.
    #[serde(rename = "type")]
    pub kind: UpdateType,
    /// The network or the co-op.
    pub actor: Url,
    /// The co-op, in full.
    pub object: RemoteOrganization,
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
