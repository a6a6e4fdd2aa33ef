//! Incoming activities: parsed into [`InboxActivity`], de-duplicated, then handled by the
//! module named after the activity; posts written elsewhere (`Create`, `Update` of a note,
//! `Announce`, `Undo{Announce}`, and the `Delete` of a note) all take the one path of
//! `remote_posts.rs`.
mod accept;
mod delete;
mod follow;
mod members;
mod remote_posts;
mod undo;

use activitypub_federation::config::Data;
use activitypub_federation::traits::Activity;
use coopnet_db::repo::received;
use serde::Deserialize;
use url::Url;

use crate::protocol::activities::{
    Accept, AddMember, Delete, Follow, OtherActivity, Reject, RemoveMember, UndoByRef, UndoFollow,
    UpdateMember,
};
use crate::protocol::remote_post::{
    CreateRemoteNote, ReceivedAnnounce, UndoAnnounce, UpdateRemoteNote,
};
use crate::{FedData, FederationError};

/// Every activity an inbox accepts. Variants are tried in order; anything not recognised
/// lands in `Other`, is acknowledged and ignored.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum InboxActivity {
    /// Someone follows a co-op or the network.
    Follow(Follow),
    /// A peer network withdraws a boost (the Announce embedded). Before `Undo`, so that an
    /// `Undo` read leniently never takes it for an unfollow.
    UndoAnnounce(UndoAnnounce),
    /// They stop following (the Follow embedded).
    Undo(UndoFollow),
    /// Any other `Undo`: of a Follow or a boost named by id alone (Pleroma, Akkoma), or
    /// of something we keep nothing of (a Like).
    UndoByRef(UndoByRef),
    /// A remote actor accepted our network's follow.
    Accept(Accept),
    /// A remote actor refused it.
    Reject(Reject),
    /// A remote actor (or object) was deleted.
    Delete(Delete),
    /// A peer network's new member.
    Add(AddMember),
    /// A peer network's member left.
    Remove(RemoveMember),
    /// A peer network's member changed.
    Update(UpdateMember),
    /// A post by a linked account or a peer network.
    Create(CreateRemoteNote),
    /// Such a post was edited.
    UpdateNote(UpdateRemoteNote),
    /// A peer network boosts a post.
    Announce(ReceivedAnnounce),
    /// Anything else.
    Other(OtherActivity),
}

/// Reads an activity body as the inbox does, then runs every check that needs neither the
/// database nor the network (a member co-op's validation). The library's
/// `receive_activity` deserialises the body with the same [`InboxActivity`] impl, under
/// serde_json's nesting limit (128 levels); the fuzz target `activity_parse` feeds this
/// function arbitrary bytes and requires that it never panics.
pub fn parse(bytes: &[u8]) -> Result<InboxActivity, FederationError> {
    let activity: InboxActivity = serde_json::from_slice(bytes)
        .map_err(|e| FederationError::BadRequest(format!("unreadable activity: {e}")))?;
    match &activity {
        InboxActivity::Add(AddMember { object, .. })
        | InboxActivity::Update(UpdateMember { object, .. }) => {
            crate::members::check(object, chrono::Utc::now())?;
        }
        _ => {}
    }
    Ok(activity)
}

impl InboxActivity {
    /// The activity's type (`Follow`, …, or whatever an ignored one says).
    pub fn kind(&self) -> &str {
        match self {
            Self::Follow(_) => "Follow",
            Self::Undo(_) => "Undo",
            Self::Accept(_) => "Accept",
            Self::Reject(_) => "Reject",
            Self::Delete(_) => "Delete",
            Self::Add(_) => "Add",
            Self::Remove(_) => "Remove",
            Self::Update(_) | Self::UpdateNote(_) => "Update",
            Self::UndoAnnounce(_) | Self::UndoByRef(_) => "Undo",
            Self::Create(_) => "Create",
            Self::Announce(_) => "Announce",
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
            Self::Accept(a) => &a.id,
            Self::Reject(a) => &a.id,
            Self::Delete(a) => &a.id,
            Self::Add(a) => &a.id,
            Self::Remove(a) => &a.id,
            Self::Update(a) => &a.id,
            Self::UndoAnnounce(a) => &a.id,
            Self::UndoByRef(a) => &a.id,
            Self::Create(a) => &a.id,
            Self::UpdateNote(a) => &a.id,
            Self::Announce(a) => &a.id,
            Self::Other(a) => &a.id,
        }
    }

    fn actor(&self) -> &Url {
        match self {
            Self::Follow(a) => &a.actor,
            Self::Undo(a) => &a.actor,
            Self::Accept(a) => &a.actor,
            Self::Reject(a) => &a.actor,
            Self::Delete(a) => &a.actor,
            Self::Add(a) => &a.actor,
            Self::Remove(a) => &a.actor,
            Self::Update(a) => &a.actor,
            Self::UndoAnnounce(a) => &a.actor,
            Self::UndoByRef(a) => &a.actor,
            Self::Create(a) => &a.actor,
            Self::UpdateNote(a) => &a.actor,
            Self::Announce(a) => &a.actor,
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
        let sender = crate::urls::host_port(self.actor());
        if coopnet_db::repo::blocks::is_blocked(&data.db, &sender).await? {
            return Err(FederationError::Forbidden(format!("{sender} is blocked")));
        }
        // A redelivery (senders retry on timeouts) is acknowledged, not processed twice.
        // Follow and Undo are exempt: handling them again is harmless (a repeated Follow is
        // accepted again, as Mastodon does) and Misskey reuses their ids when someone
        // follows, unfollows and follows again (`/follows/{follower}/{followee}`, `…/undo`).
        let idempotent = matches!(self, Self::Follow(_) | Self::Undo(_) | Self::UndoByRef(_));
        if !idempotent && !received::record(&data.db, self.id().as_str()).await? {
            tracing::debug!("duplicate activity ignored");
            return Ok(());
        }
        let id = self.id().to_string();
        let kind = self.kind().to_owned();
        let result = match self {
            Self::Follow(follow) => follow::receive(follow, data).await,
            Self::Undo(undo) => undo::receive(undo, data).await,
            Self::UndoByRef(undo) => undo::receive_ref(undo, data).await,
            Self::Accept(accept) => {
                accept::receive(&accept.actor, &accept.object, true, data).await
            }
            Self::Reject(reject) => {
                accept::receive(&reject.actor, &reject.object, false, data).await
            }
            Self::Delete(delete) => delete::receive(delete, data).await,
            Self::Add(add) => members::upsert(&add.actor, add.object, data).await,
            Self::Update(update) => members::upsert(&update.actor, update.object, data).await,
            Self::Remove(remove) => members::remove(&remove.actor, &remove.object, data).await,
            Self::UndoAnnounce(undo) => remote_posts::undo_announce(undo, data).await,
            Self::Create(create) => remote_posts::create(create, data).await,
            Self::UpdateNote(update) => remote_posts::update(update, data).await,
            Self::Announce(announce) => remote_posts::announce(announce, data).await,
            Self::Other(other) => {
                tracing::debug!(kind = %other.kind, "activity type not handled; ignored");
                Ok(())
            }
        };
        if let Err(e) = &result
            && !matches!(e, FederationError::NotFound | FederationError::Gone)
        {
            // Our own words for what we refused (a trust rule's message), fixed words
            // for anything that may carry what the peer sent.
            let why = match e {
                FederationError::Forbidden(ours) => ours.clone(),
                other => other.brief(),
            };
            crate::peer_errors::record(
                &data.db,
                &sender,
                "inbox",
                &format!("their {kind} was refused: {why}"),
            )
            .await;
        }
        if result.is_err() && !idempotent {
            // Not processed: the sender's retry must not be taken for a duplicate.
            received::forget(&data.db, &id).await?;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_activities_and_refuses_bad_ones_without_panicking() {
        let follow = br#"{"id":"https://a.example/f/1","type":"Follow","actor":"https://a.example/u","object":"https://b.example/network"}"#;
        assert!(matches!(parse(follow), Ok(InboxActivity::Follow(_))));
        let other = br#"{"id":"https://a.example/l/1","type":"Like","actor":"https://a.example/u","object":"https://b.example/p/1"}"#;
        assert!(matches!(parse(other), Ok(InboxActivity::Other(o)) if o.kind == "Like"));
        // Deeper than serde_json's nesting limit: an error, not a stack overflow.
        let deep = format!(
            r#"{{"id":"https://a.example/x","type":"Like","actor":"https://a.example/u","object":{}1{}}}"#,
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert!(parse(deep.as_bytes()).is_err());
        // Posts written elsewhere, and boosts of them, take their own variants.
        let create = br#"{"id":"https://a.example/c/1","type":"Create","actor":"https://a.example/u","object":{"id":"https://a.example/n/1","type":"Note","attributedTo":"https://a.example/u","content":"hi","to":"as:Public"}}"#;
        assert!(matches!(parse(create), Ok(InboxActivity::Create(_))));
        let update = br#"{"id":"https://a.example/c/2","type":"Update","actor":"https://a.example/u","object":{"id":"https://a.example/n/1","type":"Note","attributedTo":"https://a.example/u","content":"hi!"}}"#;
        assert!(matches!(parse(update), Ok(InboxActivity::UpdateNote(_))));
        let announce = br#"{"id":"https://a.example/b/1","type":"Announce","actor":"https://a.example/network","object":"https://c.example/n/1"}"#;
        assert!(matches!(parse(announce), Ok(InboxActivity::Announce(_))));
        let undo = br#"{"id":"https://a.example/b/2","type":"Undo","actor":"https://a.example/network","object":{"id":"https://a.example/b/1","type":"Announce","actor":"https://a.example/network","object":"https://c.example/n/1"}}"#;
        assert!(matches!(parse(undo), Ok(InboxActivity::UndoAnnounce(_))));
        let unfollow = br#"{"id":"https://a.example/f/2","type":"Undo","actor":"https://a.example/u","object":{"id":"https://a.example/f/1","type":"Follow","actor":"https://a.example/u","object":"https://b.example/network"}}"#;
        assert!(matches!(parse(unfollow), Ok(InboxActivity::Undo(_))));
        // A member whose profile fails validation is refused before any storage.
        let bad_member = br#"{"id":"https://a.example/a/1","type":"Add","actor":"https://a.example/network","target":"https://a.example/network/members","object":{"id":"https://a.example/coops/x","type":"Organization","preferredUsername":"x","coopnet:profile":{"slug":"Not A Slug","name":""}}}"#;
        assert!(matches!(
            parse(bad_member),
            Err(FederationError::BadRequest(_))
        ));
        for junk in [
            &b""[..],
            b"{",
            b"null",
            b"[]",
            b"\xff\xfe",
            br#"{"type":"Add"}"#,
        ] {
            assert!(parse(junk).is_err());
        }
    }
}
