//! The one inbox path for posts written elsewhere: `Create{Note}`, `Update{Note}`,
//! `Delete` of a note (`Tombstone` or id), `Announce` and `Undo{Announce}`, for both linked
//! accounts and federation news, into the one store (`coopnet_db::repo::remote_posts`).
//!
//! Trust rules:
//! - Only two kinds of sender bring posts: the **linked account** of one of our co-ops (its
//!   public, top-level posts are kept and boosted by our network: [`coopnet_core::may_boost`])
//!   and a **peer network we follow** (accepted), whose own public posts and whose boosts of
//!   public posts are kept for federation news ([`coopnet_core::may_show`]). Anyone else's
//!   posts are acknowledged and dropped.
//! - A sender speaks only for posts on its own host and attributed to it (`Create`,
//!   `Update`, `Delete`: 403 otherwise), and withdraws only its own boosts. A boosted post is
//!   never taken from the `Announce`: it is fetched from its own server.
//! - An `Update` that makes a kept post something we may not keep (a reply, not public)
//!   removes it from that source; our network withdraws its boost (`Undo{Announce}`) of a
//!   linked post that is deleted or edited out of what may be boosted.
//!
//! Each change and the activities it causes commit together (the transactional outbox).
use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use coopnet_core::{
    FollowState, LinkedAccount, Network, PostSource, PostVia, PostVisibility, RemotePost,
    may_boost, may_show,
};
use coopnet_db::repo::{following, linked_accounts, networks, remote_posts};
use coopnet_db::{ConnectionTrait, DbError};
use url::Url;

use crate::objects::ApubRemotePost;
use crate::objects::remote_post::{author_name, check_author, remote_post};
use crate::outbox;
use crate::protocol::remote_post::{
    CreateRemoteNote, ReceivedAnnounce, RemoteNote, UndoAnnounce, UpdateRemoteNote,
};
use crate::queue::commit_and_wake;
use crate::urls::host_port;
use crate::{FedData, FederationError};

/// Who sent a post, as far as keeping posts goes.
enum Sender {
    /// The linked account of one of our co-ops.
    Linked(LinkedAccount),
    /// A peer network we follow (accepted).
    Peer(Network),
    /// Anyone else: their posts are not kept.
    Other,
}

async fn sender(data: &FedData, actor: &Url) -> Result<Sender, FederationError> {
    if let Some(link) = linked_accounts::by_actor(&data.db, actor).await? {
        return Ok(Sender::Linked(link));
    }
    let followed = following::list(&data.db)
        .await?
        .into_iter()
        .any(|f| &f.actor_id == actor && f.kind.is_network() && f.state == FollowState::Accepted);
    if followed && let Some(network) = networks::find_by_actor(&data.db, actor).await? {
        return Ok(Sender::Peer(network));
    }
    Ok(Sender::Other)
}

/// `Create{Note}`.
pub async fn create(create: CreateRemoteNote, data: &Data<FedData>) -> Result<(), FederationError> {
    check_author(&create.actor, &create.object)?;
    match sender(data, &create.actor).await? {
        Sender::Linked(link) => keep_linked(data, &link, &create.object).await,
        Sender::Peer(network) => {
            let name = author_name(data, &create.actor).await;
            let post = remote_post(&create.object, &name)?;
            keep_for_news(data, &network, post, PostVia::Posted, &create.id).await
        }
        Sender::Other => {
            tracing::debug!(actor = %create.actor, "post by an actor we keep no posts of; ignored");
            Ok(())
        }
    }
}

/// A linked account's post: kept and boosted by our network when public and top-level.
async fn keep_linked(
    data: &Data<FedData>,
    link: &LinkedAccount,
    note: &RemoteNote,
) -> Result<(), FederationError> {
    let post = match remote_post(note, &author_name(data, &link.actor_id).await) {
        Ok(post) if may_boost(post.visibility, post.in_reply_to.as_ref()) => post,
        Ok(post) => {
            tracing::info!(note = %note.id, visibility = post.visibility.as_str(), reply = post.in_reply_to.is_some(), "linked account's post not boosted");
            return Ok(());
        }
        Err(e) => {
            tracing::info!(note = %note.id, error = %e, "linked account's post not boosted");
            return Ok(());
        }
    };
    let txn = coopnet_db::begin_write(&data.db).await?;
    let (stored, _) = remote_posts::insert_or_get(&txn, &post).await?;
    let announce = data.urls.new_activity();
    let source = PostSource {
        network_id: data.network.id,
        via: PostVia::Linked {
            coop_id: link.coop_id,
        },
        activity_id: Some(announce.clone()),
    };
    let boosted = remote_posts::add_source(&txn, stored.id, &source).await?;
    if boosted {
        outbox::boost(&txn, data, &announce, &stored.ap_id).await?;
    }
    commit_and_wake(txn, boosted.then_some(&data.wake)).await?;
    tracing::info!(note = %stored.ap_id, boosted, "linked account's post kept");
    Ok(())
}

/// A post for federation news, through peer network `network`.
async fn keep_for_news(
    data: &FedData,
    network: &Network,
    post: RemotePost,
    via: PostVia,
    activity: &Url,
) -> Result<(), FederationError> {
    if !may_show(post.visibility) {
        tracing::debug!(note = %post.ap_id, "a peer's post that is not public; ignored");
        return Ok(());
    }
    let txn = coopnet_db::begin_write(&data.db).await?;
    let (stored, _) = remote_posts::insert_or_get(&txn, &post).await?;
    let source = PostSource {
        network_id: network.id,
        via,
        activity_id: Some(activity.clone()),
    };
    let added = remote_posts::add_source(&txn, stored.id, &source).await?;
    txn.commit().await.map_err(DbError::from)?;
    tracing::info!(note = %stored.ap_id, network = %network.domain, via = via.kind(), added, "federation news kept");
    Ok(())
}

/// `Update{Note}`: a kept post is replaced by its new version (an older version than the one
/// kept is ignored); a source that may no longer keep it lets it go.
pub async fn update(update: UpdateRemoteNote, data: &Data<FedData>) -> Result<(), FederationError> {
    check_author(&update.actor, &update.object)?;
    let Some(stored) = remote_posts::find(&data.db, &update.object.id).await? else {
        tracing::debug!(note = %update.object.id, "update of a post we do not keep; ignored");
        return Ok(());
    };
    if stored.author != update.actor {
        return Err(FederationError::Forbidden(format!(
            "{} may not edit {}",
            update.actor, stored.ap_id
        )));
    }
    let name = author_name(data, &update.actor).await;
    let new = match remote_post(&update.object, &name) {
        Ok(new) => new,
        // Now a reply we cannot read: nobody may keep it any longer.
        Err(FederationError::BadRequest(_)) => {
            return forget(data, &stored).await;
        }
        Err(e) => return Err(e),
    };
    if new.updated_at.is_some_and(|t| t <= stored.changed_at()) {
        tracing::debug!(note = %stored.ap_id, "an edit older than the one kept; ignored");
        return Ok(());
    }
    let new = RemotePost {
        id: stored.id,
        published_at: stored.published_at,
        ..new
    };
    let txn = coopnet_db::begin_write(&data.db).await?;
    remote_posts::update(&txn, &new).await?;
    let mut withdrawn = false;
    for source in remote_posts::sources(&txn, stored.id).await? {
        let keep = match source.via {
            PostVia::Linked { .. } => may_boost(new.visibility, new.in_reply_to.as_ref()),
            PostVia::Posted | PostVia::Boosted => may_show(new.visibility),
        };
        if !keep {
            remote_posts::remove_source(&txn, stored.id, source.network_id).await?;
            withdrawn |= withdraw(&txn, data, &source, &stored.ap_id).await?;
        }
    }
    commit_and_wake(txn, withdrawn.then_some(&data.wake)).await?;
    tracing::info!(note = %stored.ap_id, withdrawn, "post updated");
    Ok(())
}

/// Our network withdraws its boost when `source` was one; true when an `Undo` was queued.
async fn withdraw(
    conn: &impl ConnectionTrait,
    data: &FedData,
    source: &PostSource,
    object: &Url,
) -> Result<bool, FederationError> {
    match (&source.via, &source.activity_id) {
        (PostVia::Linked { .. }, Some(announce)) if source.network_id == data.network.id => {
            outbox::unboost(conn, data, announce, object).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Deletes a kept post with every source, withdrawing our boost of it.
async fn forget(data: &FedData, stored: &RemotePost) -> Result<(), FederationError> {
    let txn = coopnet_db::begin_write(&data.db).await?;
    let mut withdrawn = false;
    for source in remote_posts::delete(&txn, stored.id).await? {
        withdrawn |= withdraw(&txn, data, &source, &stored.ap_id).await?;
    }
    commit_and_wake(txn, withdrawn.then_some(&data.wake)).await?;
    tracing::info!(note = %stored.ap_id, withdrawn, "post deleted");
    Ok(())
}

/// `Delete` of `object` by `actor`: a kept post of theirs goes (and our boost of it);
/// when the actor deletes itself, every kept post of theirs goes. Anything else is not ours
/// to handle here.
pub async fn delete(
    actor: &Url,
    object: &Url,
    data: &Data<FedData>,
) -> Result<(), FederationError> {
    let gone: Vec<RemotePost> = if object == actor {
        remote_posts::by_author(&data.db, actor).await?
    } else {
        match remote_posts::find(&data.db, object).await? {
            Some(post) if &post.author == actor => vec![post],
            Some(post) => {
                return Err(FederationError::Forbidden(format!(
                    "{actor} may not delete {}",
                    post.ap_id
                )));
            }
            None => Vec::new(),
        }
    };
    for post in &gone {
        forget(data, post).await?;
    }
    Ok(())
}

/// `Announce` by a peer network: the post is fetched from its own server (or read from the
/// store) and kept for federation news when public.
pub async fn announce(
    announce: ReceivedAnnounce,
    data: &Data<FedData>,
) -> Result<(), FederationError> {
    let Sender::Peer(network) = sender(data, &announce.actor).await? else {
        tracing::debug!(actor = %announce.actor, "boost by an actor we keep no boosts of; ignored");
        return Ok(());
    };
    if data.urls.is_local(&announce.object) {
        // A peer boosting one of our own posts: we have it.
        return Ok(());
    }
    if !may_show(PostVisibility::of(
        &announce.audience.to,
        &announce.audience.cc,
    )) {
        tracing::debug!(announce = %announce.id, "a boost that is not public; ignored");
        return Ok(());
    }
    let post = match ObjectId::<ApubRemotePost>::from(announce.object.clone())
        .dereference(data)
        .await
    {
        Ok(post) => post.0,
        Err(e) => {
            // Acknowledged all the same: a retry would fetch the same answer.
            tracing::warn!(object = %announce.object, error = %e, "boosted post not fetched; boost ignored");
            return Ok(());
        }
    };
    keep_for_news(data, &network, post, PostVia::Boosted, &announce.id).await
}

/// `Undo{Announce}` by a peer network: its boost is forgotten, and the post with it when
/// nothing else brought it.
pub async fn undo_announce(
    undo: UndoAnnounce,
    data: &Data<FedData>,
) -> Result<(), FederationError> {
    if undo.object.actor != undo.actor || host_port(&undo.object.id) != host_port(&undo.actor) {
        return Err(FederationError::Forbidden(
            "an actor may only undo its own boosts".into(),
        ));
    }
    undo_announce_by_id(&undo.actor, &undo.object.id, data).await
}

/// A peer network withdraws its boost `announce` (the Announce's id; the caller has checked
/// that it is the sender's own).
pub async fn undo_announce_by_id(
    actor: &Url,
    announce: &Url,
    data: &Data<FedData>,
) -> Result<(), FederationError> {
    let Sender::Peer(network) = sender(data, actor).await? else {
        return Ok(());
    };
    let txn = coopnet_db::begin_write(&data.db).await?;
    let post = remote_posts::remove_source_by_activity(&txn, network.id, announce).await?;
    txn.commit().await.map_err(DbError::from)?;
    tracing::info!(%announce, found = post.is_some(), "boost withdrawn");
    Ok(())
}
