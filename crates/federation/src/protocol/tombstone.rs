//! `Tombstone`: what stands where a deleted actor or post was, in a `410 Gone` answer and
//! embedded in the `Delete` of a post.
use activitypub_federation::kinds::object::TombstoneType;
use serde::{Deserialize, Serialize};
use url::Url;

/// A deleted actor or object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tombstone {
    /// The id of what was deleted.
    pub id: Url,
    /// Always `Tombstone`.
    #[serde(rename = "type")]
    pub kind: TombstoneType,
}

impl Tombstone {
    /// The tombstone of `id`.
    pub fn new(id: Url) -> Self {
        Self {
            id,
            kind: TombstoneType::Tombstone,
        }
    }
}
