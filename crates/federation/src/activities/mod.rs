//! Incoming activities: parsed into [`InboxActivity`], de-duplicated, then handled by the
//! module named after the activity.
mod delete;
mod follow;
mod undo;

use activitypub_federation::config::Data;
use activitypub_federation::traits::Activity;
use coopnet_db::repo::received;
use serde::Deserialize;
use url::Url;

use crate::protocol::activities::{Delete, Follow, OtherActivity, UndoFollow};
use crate::{FedData, FederationError};

/// Every activity an inbox accepts. Variants are tried in order; anything not recognised
/// lands in `Other`, is acknowledged and ignored.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum InboxActivity {
    /// Someone follows a co-op or the network.
    Follow(Follow),
    /// They stop following.
    Undo(UndoFollow),
    /// A remote actor (or object) was deleted.
    Delete(Delete),
    /// Anything else.
    Other(OtherActivity),
}

impl InboxActivity {
    fn kind(&self) -> &str {
        match self {
            Self::Follow(_) => "Follow",
            Self::Undo(_) => "Undo",
            Self::Delete(_) => "Delete",
            Self::Other(o) => &o.kind,
        }
    }
}

#[async_trait::async_trait]
impl Activity for InboxActivity {
    type DataType = FedData;
    type Error = FederationError;

    fn id(&self) -> &Url {
        match self {
            Self::Follow(a) => &a.id,
            Self::Undo(a) => &a.id,
            Self::Delete(a) => &a.id,
            Self::Other(a) => &a.id,
        }
    }

    fn actor(&self) -> &Url {
        match self {
            Self::Follow(a) => &a.actor,
            Self::Undo(a) => &a.actor,
            Self::Delete(a) => &a.actor,
            Self::Other(a) => &a.actor,
        }
    }

    async fn verify(&self, _data: &Data<FedData>) -> Result<(), FederationError> {
        // The library has checked that the id and the actor share a host and that the
        // signature is the actor's; each handler checks what it is about.
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(activity.id = %self.id(), activity.kind = self.kind(), actor = %self.actor()))]
    async fn receive(self, data: &Data<FedData>) -> Result<(), FederationError> {
        // A redelivery (senders retry on timeouts) is acknowledged, not processed twice.
        if !received::record(&data.db, self.id().as_str()).await? {
            tracing::debug!("duplicate activity ignored");
            return Ok(());
        }
        match self {
            Self::Follow(follow) => follow::receive(follow, data).await,
            Self::Undo(undo) => undo::receive(undo, data).await,
            Self::Delete(delete) => delete::receive(delete, data).await,
            Self::Other(other) => {
                tracing::debug!(kind = %other.kind, "activity type not handled; ignored");
                Ok(())
            }
        }
    }
}
