//! Outgoing activities: built from core types and enqueued for delivery in the caller's
//! transaction, so a change and its activities commit together (or not at all).
use chrono::Utc;
use coopnet_core::Coop;
use coopnet_core::NewsPost;
use coopnet_core::Target;
use coopnet_db::ConnectionTrait;
use coopnet_db::repo::coops::{self, SlugState};
use coopnet_db::repo::deliveries::{self, NewActivity};
use coopnet_db::repo::followers;
use serde_json::{Value, json};
use url::Url;

use crate::objects::coop::organization;
use crate::protocol::activities::Follow;
use crate::protocol::note::{Note, Source};
use crate::protocol::{PUBLIC, activity_context};
use crate::urls::LocalRef;
use crate::{FedData, FederationError};

/// A local author of posts: a co-op or the network.
#[derive(Debug, Clone)]
pub struct Author {
    /// Which local actor.
    pub target: Target,
    /// Its actor id.
    pub actor_id: Url,
    /// The co-op's slug (`None` for the network).
    pub slug: Option<String>,
}

impl Author {
    /// A co-op author.
    pub fn coop(data: &FedData, coop: &Coop) -> Self {
        Self {
            target: Target::Coop(coop.id),
            actor_id: data.urls.coop(coop.slug.as_str()),
            slug: Some(coop.slug.to_string()),
        }
    }

    /// The network as author.
    pub fn network(data: &FedData) -> Self {
        Self {
            target: Target::Network(data.network.id),
            actor_id: data.urls.network(),
            slug: None,
        }
    }

    /// Its followers collection.
    pub fn followers(&self, data: &FedData) -> Url {
        match &self.slug {
            Some(slug) => data.urls.coop_sub(slug, "followers"),
            None => data.urls.network_sub("followers"),
        }
    }

    /// The URL of one of its posts.
    pub fn post_url(&self, data: &FedData, public_id: &str) -> Url {
        match &self.slug {
            Some(slug) => data.urls.coop_sub(slug, &format!("posts/{public_id}")),
            None => data.urls.network_sub(&format!("posts/{public_id}")),
        }
    }
}

/// Which local actor a followable URL names.
pub async fn resolve_followable(data: &FedData, object: &Url) -> Result<Target, FederationError> {
    match data.urls.parse(object) {
        Some(LocalRef::Coop(slug)) => {
            match coops::find_by_slug(&data.db, data.network.id, &slug).await? {
                SlugState::Live(coop) => Ok(Target::Coop(coop.id)),
                SlugState::Deleted => Err(FederationError::Gone),
                SlugState::Free => Err(FederationError::NotFound),
            }
        }
        Some(LocalRef::Network) => Ok(Target::Network(data.network.id)),
        _ => Err(FederationError::NotFound),
    }
}

/// Stores `body` (which carries its own `id`) and queues it for `inboxes`.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    actor: Target,
    kind: &str,
    id: &Url,
    body: &Value,
    inboxes: &[Url],
) -> Result<(), FederationError> {
    let text = serde_json::to_string(body).map_err(|e| FederationError::Internal(e.to_string()))?;
    deliveries::enqueue(
        conn,
        NewActivity {
            ap_id: id,
            actor,
            kind,
            body: &text,
        },
        inboxes,
    )
    .await?;
    Ok(())
}

/// `Accept{Follow}` (the Follow embedded, as Mastodon matches it) to the follower.
pub async fn enqueue_accept(
    conn: &impl ConnectionTrait,
    data: &FedData,
    target: Target,
    follow: &Follow,
    inbox: &Url,
) -> Result<(), FederationError> {
    let id = data.urls.new_activity();
    let body = json!({
        "@context": activity_context(),
        "id": id,
        "type": "Accept",
        "actor": follow.object,
        "object": follow,
    });
    enqueue(
        conn,
        target,
        "Accept",
        &id,
        &body,
        std::slice::from_ref(inbox),
    )
    .await
}

/// `Reject{Follow}` to the would-be follower.
pub async fn enqueue_reject(
    conn: &impl ConnectionTrait,
    data: &FedData,
    target: Target,
    follow: &Follow,
    inbox: &Url,
) -> Result<(), FederationError> {
    let id = data.urls.new_activity();
    let body = json!({
        "@context": activity_context(),
        "id": id,
        "type": "Reject",
        "actor": follow.object,
        "object": follow,
    });
    enqueue(
        conn,
        target,
        "Reject",
        &id,
        &body,
        std::slice::from_ref(inbox),
    )
    .await
}

/// The `Note` of a post.
pub fn note(data: &FedData, author: &Author, post: &NewsPost) -> Note {
    let url = author.post_url(data, &post.public_id);
    Note {
        context: None,
        id: url.clone(),
        kind: "Note".into(),
        attributed_to: author.actor_id.clone(),
        content: post.content_html.clone(),
        source: Some(Source {
            content: post.content.clone(),
            media_type: "text/markdown".into(),
        }),
        url,
        to: vec![PUBLIC.into()],
        cc: vec![author.followers(data).to_string()],
        published: post.published_at,
        updated: (post.updated_at > post.published_at).then_some(post.updated_at),
    }
}

/// `Create{Note}` to the author's followers; for a co-op's post, also the network's
/// `Announce{Note}` to the network's followers (the form Mastodon shows as a boost).
pub async fn create_note(
    conn: &impl ConnectionTrait,
    data: &FedData,
    author: &Author,
    post: &NewsPost,
) -> Result<(), FederationError> {
    let note = note(data, author, post);
    let id = data.urls.new_activity();
    let body = json!({
        "@context": activity_context(),
        "id": id,
        "type": "Create",
        "actor": author.actor_id,
        "published": post.published_at,
        "to": note.to,
        "cc": note.cc,
        "object": note,
    });
    let inboxes = followers::inboxes(conn, author.target).await?;
    enqueue(conn, author.target, "Create", &id, &body, &inboxes).await?;
    if matches!(author.target, Target::Coop(_)) {
        announce(conn, data, &note.id).await?;
    }
    Ok(())
}

/// The network boosts `object` to its followers.
pub async fn announce(
    conn: &impl ConnectionTrait,
    data: &FedData,
    object: &Url,
) -> Result<(), FederationError> {
    let network = Author::network(data);
    let inboxes = followers::inboxes(conn, network.target).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let id = data.urls.new_activity();
    let body = json!({
        "@context": activity_context(),
        "id": id,
        "type": "Announce",
        "actor": network.actor_id,
        "published": Utc::now(),
        "to": [PUBLIC],
        "cc": [network.followers(data)],
        "object": object,
    });
    enqueue(conn, network.target, "Announce", &id, &body, &inboxes).await
}

/// `Delete{Note}` (as a Tombstone) to the author's followers.
pub async fn delete_note(
    conn: &impl ConnectionTrait,
    data: &FedData,
    author: &Author,
    post: &NewsPost,
) -> Result<(), FederationError> {
    let note_id = author.post_url(data, &post.public_id);
    let id = data.urls.new_activity();
    let body = json!({
        "@context": activity_context(),
        "id": id,
        "type": "Delete",
        "actor": author.actor_id,
        "to": [PUBLIC],
        "cc": [author.followers(data)],
        "object": { "id": note_id, "type": "Tombstone" },
    });
    let inboxes = followers::inboxes(conn, author.target).await?;
    enqueue(conn, author.target, "Delete", &id, &body, &inboxes).await
}

/// `Update{Organization}` with the full actor to the co-op's followers.
pub async fn update_coop(
    conn: &impl ConnectionTrait,
    data: &FedData,
    coop: &Coop,
    public_key_pem: &str,
) -> Result<(), FederationError> {
    let author = Author::coop(data, coop);
    let inboxes = followers::inboxes(conn, author.target).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let mut actor = serde_json::to_value(organization(
        &data.urls,
        &data.network,
        coop,
        Some(public_key_pem),
    ))
    .map_err(|e| FederationError::Internal(e.to_string()))?;
    if let Some(obj) = actor.as_object_mut() {
        obj.remove("@context");
    }
    let id = data.urls.new_activity();
    let mut context = crate::protocol::actor_context();
    if let Some(list) = context.as_array_mut() {
        list.truncate(3);
    }
    let body = json!({
        "@context": context,
        "id": id,
        "type": "Update",
        "actor": author.actor_id,
        "to": [PUBLIC],
        "cc": [author.followers(data)],
        "object": actor,
    });
    enqueue(conn, author.target, "Update", &id, &body, &inboxes).await
}

/// `Delete` of the co-op actor to every inbox we know (followers of any local actor), as
/// Mastodon expects for a removed account.
pub async fn delete_coop(
    conn: &impl ConnectionTrait,
    data: &FedData,
    coop: &Coop,
) -> Result<(), FederationError> {
    let author = Author::coop(data, coop);
    let inboxes = followers::all_inboxes(conn).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let id = data.urls.new_activity();
    let body = json!({
        "@context": activity_context(),
        "id": id,
        "type": "Delete",
        "actor": author.actor_id,
        "to": [PUBLIC],
        "object": author.actor_id,
    });
    enqueue(conn, author.target, "Delete", &id, &body, &inboxes).await
}

/// Our network follows `actor`: records the follow as pending and queues the `Follow`.
pub async fn follow(
    conn: &impl ConnectionTrait,
    data: &FedData,
    actor: &coopnet_db::repo::remote_actors::RemoteActorRecord,
) -> Result<Url, FederationError> {
    let id = data.urls.new_activity();
    coopnet_db::repo::following::upsert_pending(conn, actor, &id).await?;
    let network = Author::network(data);
    let body = json!({
        "@context": activity_context(),
        "id": id,
        "type": "Follow",
        "actor": network.actor_id,
        "object": actor.actor_id,
    });
    enqueue(
        conn,
        network.target,
        "Follow",
        &id,
        &body,
        std::slice::from_ref(&actor.inbox),
    )
    .await?;
    Ok(id)
}

/// Shared inboxes of the peer networks that follow ours (accepted `Group` followers).
pub async fn peer_inboxes(
    conn: &impl ConnectionTrait,
    data: &FedData,
) -> Result<Vec<Url>, FederationError> {
    let peers = followers::network_peers(conn, data.network.id).await?;
    let mut out: Vec<Url> = Vec::new();
    for p in peers
        .into_iter()
        .filter(|p| p.state == coopnet_core::FollowerState::Accepted)
    {
        let inbox = p.actor.delivery_inbox().clone();
        if !out.contains(&inbox) {
            out.push(inbox);
        }
    }
    Ok(out)
}

async fn member_object(
    conn: &impl ConnectionTrait,
    data: &FedData,
    coop: &Coop,
) -> Result<Value, FederationError> {
    let key = coopnet_db::repo::keys::coop(conn, coop.id)
        .await?
        .map(|k| k.public_pem);
    let mut value = serde_json::to_value(organization(
        &data.urls,
        &data.network,
        coop,
        key.as_deref(),
    ))
    .map_err(|e| FederationError::Internal(e.to_string()))?;
    if let Some(obj) = value.as_object_mut() {
        obj.remove("@context");
    }
    Ok(value)
}

async fn to_peers(
    conn: &impl ConnectionTrait,
    data: &FedData,
    kind: &str,
    object: Value,
    with_target: bool,
) -> Result<(), FederationError> {
    let inboxes = peer_inboxes(conn, data).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let network = Author::network(data);
    let id = data.urls.new_activity();
    let mut body = json!({
        "@context": crate::protocol::actor_context(),
        "id": id,
        "type": kind,
        "actor": network.actor_id,
        "to": [network.followers(data)],
        "object": object,
    });
    if with_target {
        body["target"] = json!(data.urls.network_sub("members"));
    }
    enqueue(conn, network.target, kind, &id, &body, &inboxes).await
}

/// A co-op joined: `Add` (embedded in full) to peer networks.
pub async fn member_added(
    conn: &impl ConnectionTrait,
    data: &FedData,
    coop: &Coop,
) -> Result<(), FederationError> {
    let object = member_object(conn, data, coop).await?;
    to_peers(conn, data, "Add", object, true).await
}

/// A co-op changed: `Update` (embedded in full) to peer networks.
pub async fn member_updated(
    conn: &impl ConnectionTrait,
    data: &FedData,
    coop: &Coop,
) -> Result<(), FederationError> {
    let object = member_object(conn, data, coop).await?;
    to_peers(conn, data, "Update", object, false).await
}

/// A co-op left: `Remove` (by id) to peer networks.
pub async fn member_removed(
    conn: &impl ConnectionTrait,
    data: &FedData,
    coop: &Coop,
) -> Result<(), FederationError> {
    to_peers(
        conn,
        data,
        "Remove",
        json!(data.urls.coop(coop.slug.as_str())),
        true,
    )
    .await
}

/// Our network stops following `actor`: `Undo{Follow}`.
pub async fn unfollow(
    conn: &impl ConnectionTrait,
    data: &FedData,
    actor: &coopnet_db::repo::remote_actors::RemoteActorRecord,
    follow_id: &str,
) -> Result<(), FederationError> {
    let network = Author::network(data);
    let id = data.urls.new_activity();
    let body = json!({
        "@context": activity_context(),
        "id": id,
        "type": "Undo",
        "actor": network.actor_id,
        "object": { "id": follow_id, "type": "Follow", "actor": network.actor_id, "object": actor.actor_id },
    });
    enqueue(
        conn,
        network.target,
        "Undo",
        &id,
        &body,
        std::slice::from_ref(&actor.inbox),
    )
    .await
}

/// Answers a held follow of our network: `Accept` or `Reject` embedding it.
pub async fn answer_follow(
    conn: &impl ConnectionTrait,
    data: &FedData,
    follower: &coopnet_db::repo::remote_actors::RemoteActorRecord,
    follow_id: &str,
    accept: bool,
) -> Result<(), FederationError> {
    let network = Author::network(data);
    let id = data.urls.new_activity();
    let body = json!({
        "@context": activity_context(),
        "id": id,
        "type": if accept { "Accept" } else { "Reject" },
        "actor": network.actor_id,
        "object": { "id": follow_id, "type": "Follow", "actor": follower.actor_id, "object": network.actor_id },
    });
    enqueue(
        conn,
        network.target,
        if accept { "Accept" } else { "Reject" },
        &id,
        &body,
        std::slice::from_ref(&follower.inbox),
    )
    .await
}
