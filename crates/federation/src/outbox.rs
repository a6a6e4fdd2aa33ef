//! Outgoing activities: built from core types as the typed wire structs of `protocol/`
//! (never as JSON literals, so what we send and what we read share one definition), and
//! enqueued for delivery in the caller's transaction, so a change and its activities commit
//! together (or not at all).
//!
//! Each activity has a pure builder (ids, URLs and objects in, the activity with its
//! `@context` out), tested against the JSON we sent before the activities were typed; the
//! async functions around them find the recipients and enqueue.
use std::fmt::Display;

use activitypub_federation::kinds::activity::{
    AcceptType, AddType, AnnounceType, CreateType, DeleteType, FollowType, RejectType, RemoveType,
    UndoType, UpdateType,
};
use chrono::{DateTime, Utc};
use coopnet_core::Coop;
use coopnet_core::NewsPost;
use coopnet_core::Target;
use coopnet_db::ConnectionTrait;
use coopnet_db::repo::coops::{self, SlugState};
use coopnet_db::repo::deliveries::{self, NewActivity};
use coopnet_db::repo::followers;
use coopnet_db::repo::remote_actors::RemoteActorRecord;
use serde::Serialize;
use url::Url;

use crate::objects::coop::{embedded_organization, with_linked_account};
use crate::protocol::activities::{
    AddMember, Audience, Delete, Follow, FollowAnswer, RemoveMember, UndoFollow, UpdateMember,
};
use crate::protocol::actor::LocalActor;
use crate::protocol::note::{Announce, CreateNote, DeleteNote, Note, NoteTag, Source};
use crate::protocol::remote_post::UndoAnnounce;
use crate::protocol::tombstone::Tombstone;
use crate::protocol::{PUBLIC, WithContext, activity_context, actor_context};
use crate::urls::{LocalRef, Urls};
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
        self.followers_at(&data.urls)
    }

    fn followers_at(&self, urls: &Urls) -> Url {
        match &self.slug {
            Some(slug) => urls.coop_sub(slug, "followers"),
            None => urls.network_sub("followers"),
        }
    }

    /// The URL of one of its posts.
    pub fn post_url(&self, data: &FedData, public_id: &str) -> Url {
        self.post_url_at(&data.urls, public_id)
    }

    fn post_url_at(&self, urls: &Urls, public_id: &str) -> Url {
        match &self.slug {
            Some(slug) => urls.coop_sub(slug, &format!("posts/{public_id}")),
            None => urls.network_sub(&format!("posts/{public_id}")),
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

/// Stores `activity` (which carries its own `id`) and queues it for `inboxes`.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    actor: Target,
    kind: &str,
    id: &Url,
    activity: &impl Serialize,
    inboxes: &[Url],
) -> Result<(), FederationError> {
    let text =
        serde_json::to_string(activity).map_err(|e| FederationError::Internal(e.to_string()))?;
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

/// `Accept` or `Reject` (`kind`) of `follow`, from the followed actor.
fn follow_answer<K>(id: Url, kind: K, follow: Follow) -> WithContext<FollowAnswer<K>> {
    WithContext::new(
        FollowAnswer {
            id,
            kind,
            actor: follow.object.clone(),
            object: follow,
        },
        activity_context(),
    )
}

/// Queues the answer `kind` ([`AcceptType`] or [`RejectType`]) to `follow`, embedding it
/// (as Mastodon matches it), for the follower's `inbox`.
pub async fn enqueue_answer<K: Serialize + Display>(
    conn: &impl ConnectionTrait,
    data: &FedData,
    target: Target,
    kind: K,
    follow: &Follow,
    inbox: &Url,
) -> Result<(), FederationError> {
    let id = data.urls.new_activity();
    let name = kind.to_string();
    let activity = follow_answer(id.clone(), kind, follow.clone());
    enqueue(
        conn,
        target,
        &name,
        &id,
        &activity,
        std::slice::from_ref(inbox),
    )
    .await
}

/// The `Note` of a post.
pub fn note(data: &FedData, author: &Author, post: &NewsPost) -> Note {
    note_at(&data.urls, author, post)
}

fn note_at(urls: &Urls, author: &Author, post: &NewsPost) -> Note {
    let url = author.post_url_at(urls, &post.public_id);
    let mut cc = vec![author.followers_at(urls).to_string()];
    cc.extend(post.mentions.iter().map(|m| m.actor.to_string()));
    Note {
        context: None,
        id: url.clone(),
        kind: "Note".into(),
        attributed_to: author.actor_id.clone(),
        content: post.content_html.clone(),
        content_map: post
            .language
            .iter()
            .map(|l| (l.as_str().to_owned(), post.content_html.clone()))
            .collect(),
        sensitive: false,
        tag: note_tags(urls, post),
        source: Some(Source {
            content: post.content.clone(),
            media_type: "text/markdown".into(),
        }),
        url,
        to: vec![PUBLIC.into()],
        cc,
        published: post.published_at,
        updated: (post.updated_at > post.published_at).then_some(post.updated_at),
    }
}

/// The `Hashtag`s of the post's text (each linking to the directory's search for the
/// word) and its resolved `Mention`s.
fn note_tags(urls: &Urls, post: &NewsPost) -> Vec<NoteTag> {
    let base = urls.base();
    let mut tags: Vec<NoteTag> = coopnet_core::post_tags::hashtags(&post.content)
        .into_iter()
        .filter_map(|word| {
            let mut href = Url::parse(&format!("{base}/coops")).ok()?;
            href.query_pairs_mut().append_pair("q", &word);
            Some(NoteTag {
                kind: "Hashtag".into(),
                name: format!("#{word}"),
                href,
            })
        })
        .collect();
    tags.extend(post.mentions.iter().map(|m| NoteTag {
        kind: "Mention".into(),
        name: format!("@{}", m.handle),
        href: m.actor.clone(),
    }));
    tags
}

/// `Create{Note}` of `note` by `actor` (without `@context`: also an item of outboxes).
pub fn create(id: Url, actor: Url, published: DateTime<Utc>, note: Note) -> CreateNote {
    CreateNote {
        id,
        kind: CreateType::Create,
        actor,
        published,
        audience: Audience::new(note.to.clone(), note.cc.clone()),
        object: note,
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
    let note_id = note.id.clone();
    let id = data.urls.new_activity();
    let activity = WithContext::new(
        create(id.clone(), author.actor_id.clone(), post.published_at, note),
        activity_context(),
    );
    let mut inboxes = followers::inboxes(conn, author.target).await?;
    // Mentioned accounts get the post too, as Mastodon delivers to them (they were
    // fetched, so cached, when the post was written).
    for mention in &post.mentions {
        if let Some(actor) = coopnet_db::repo::remote_actors::find(conn, &mention.actor).await? {
            let inbox = actor.shared_inbox.unwrap_or(actor.inbox);
            if !inboxes.contains(&inbox) {
                inboxes.push(inbox);
            }
        }
    }
    enqueue(conn, author.target, "Create", &id, &activity, &inboxes).await?;
    if matches!(author.target, Target::Coop(_)) {
        announce(conn, data, &note_id).await?;
    }
    Ok(())
}

/// The network's `Announce` of `object`, public and to its followers.
fn announce_activity(
    urls: &Urls,
    id: Url,
    object: Url,
    published: DateTime<Utc>,
) -> WithContext<Announce> {
    WithContext::new(
        Announce {
            id,
            kind: AnnounceType::Announce,
            actor: urls.network(),
            published,
            audience: Audience::new(
                vec![PUBLIC.into()],
                vec![urls.network_sub("followers").to_string()],
            ),
            object,
        },
        activity_context(),
    )
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
    let activity = announce_activity(&data.urls, id.clone(), object.clone(), Utc::now());
    enqueue(conn, network.target, "Announce", &id, &activity, &inboxes).await
}

/// `Delete` of one of `author`'s posts, as a Tombstone, public and to its followers.
fn delete_note_activity(
    urls: &Urls,
    id: Url,
    author: &Author,
    public_id: &str,
) -> WithContext<DeleteNote> {
    WithContext::new(
        DeleteNote {
            id,
            kind: DeleteType::Delete,
            actor: author.actor_id.clone(),
            audience: Audience::new(
                vec![PUBLIC.into()],
                vec![author.followers_at(urls).to_string()],
            ),
            object: Tombstone::new(author.post_url_at(urls, public_id)),
        },
        activity_context(),
    )
}

/// `Delete{Note}` (as a Tombstone) to the author's followers; for a co-op's post also to the
/// network's followers, who got the network's boost of it (peer networks keep boosted
/// posts on their federation news, and drop them on this `Delete`).
pub async fn delete_note(
    conn: &impl ConnectionTrait,
    data: &FedData,
    author: &Author,
    post: &NewsPost,
) -> Result<(), FederationError> {
    let id = data.urls.new_activity();
    let activity = delete_note_activity(&data.urls, id.clone(), author, &post.public_id);
    let mut inboxes = followers::inboxes(conn, author.target).await?;
    if matches!(author.target, Target::Coop(_)) {
        for inbox in followers::inboxes(conn, Author::network(data).target).await? {
            if !inboxes.contains(&inbox) {
                inboxes.push(inbox);
            }
        }
    }
    enqueue(conn, author.target, "Delete", &id, &activity, &inboxes).await
}

/// The co-op's own `Update` of its actor (`object`), public and to its followers.
fn update_coop_activity(
    urls: &Urls,
    id: Url,
    author: &Author,
    object: LocalActor,
) -> WithContext<UpdateMember<LocalActor>> {
    WithContext::new(
        UpdateMember {
            id,
            kind: UpdateType::Update,
            actor: author.actor_id.clone(),
            audience: Audience::new(
                vec![PUBLIC.into()],
                vec![author.followers_at(urls).to_string()],
            ),
            object,
        },
        actor_context(),
    )
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
    let link = coopnet_db::repo::linked_accounts::for_coop(conn, coop.id).await?;
    let object = with_linked_account(
        embedded_organization(&data.urls, &data.network, coop, Some(public_key_pem)),
        link.as_ref(),
    );
    let id = data.urls.new_activity();
    let activity = update_coop_activity(&data.urls, id.clone(), &author, object);
    enqueue(conn, author.target, "Update", &id, &activity, &inboxes).await
}

/// `Delete` of the actor `actor` by itself, public.
fn delete_actor_activity(id: Url, actor: Url) -> WithContext<Delete> {
    WithContext::new(
        Delete {
            id,
            kind: DeleteType::Delete,
            actor: actor.clone(),
            audience: Audience::new(vec![PUBLIC.into()], Vec::new()),
            object: actor,
        },
        activity_context(),
    )
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
    let activity = delete_actor_activity(id.clone(), author.actor_id.clone());
    enqueue(conn, author.target, "Delete", &id, &activity, &inboxes).await
}

/// The network's `Follow` of `object`.
fn follow_activity(urls: &Urls, id: Url, object: Url) -> WithContext<Follow> {
    WithContext::new(
        Follow {
            id,
            kind: FollowType::Follow,
            actor: urls.network(),
            object,
        },
        activity_context(),
    )
}

/// Our network follows `actor`: records the follow as pending and queues the `Follow`.
pub async fn follow(
    conn: &impl ConnectionTrait,
    data: &FedData,
    actor: &RemoteActorRecord,
) -> Result<Url, FederationError> {
    let id = data.urls.new_activity();
    coopnet_db::repo::following::upsert_pending(conn, actor, &id).await?;
    let network = Author::network(data);
    let activity = follow_activity(&data.urls, id.clone(), actor.actor_id.clone());
    enqueue(
        conn,
        network.target,
        "Follow",
        &id,
        &activity,
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

/// The co-op as peer networks get it: in full, with its key when it has one.
async fn member_object(
    conn: &impl ConnectionTrait,
    data: &FedData,
    coop: &Coop,
) -> Result<LocalActor, FederationError> {
    let key = coopnet_db::repo::keys::coop(conn, coop.id)
        .await?
        .map(|k| k.public_pem);
    let link = coopnet_db::repo::linked_accounts::for_coop(conn, coop.id).await?;
    Ok(with_linked_account(
        embedded_organization(&data.urls, &data.network, coop, key.as_deref()),
        link.as_ref(),
    ))
}

/// The network's `Add` of a member (in full) to its members collection, to its followers.
fn member_added_activity(
    urls: &Urls,
    id: Url,
    object: LocalActor,
) -> WithContext<AddMember<LocalActor>> {
    WithContext::new(
        AddMember {
            id,
            kind: AddType::Add,
            actor: urls.network(),
            audience: Audience::new(vec![urls.network_sub("followers").to_string()], Vec::new()),
            object,
            target: urls.network_sub("members"),
        },
        actor_context(),
    )
}

/// The network's `Update` of a member (in full), to its followers.
fn member_updated_activity(
    urls: &Urls,
    id: Url,
    object: LocalActor,
) -> WithContext<UpdateMember<LocalActor>> {
    WithContext::new(
        UpdateMember {
            id,
            kind: UpdateType::Update,
            actor: urls.network(),
            audience: Audience::new(vec![urls.network_sub("followers").to_string()], Vec::new()),
            object,
        },
        actor_context(),
    )
}

/// The network's `Remove` of a member (by id) from its members collection, to its followers.
fn member_removed_activity(urls: &Urls, id: Url, object: Url) -> WithContext<RemoveMember> {
    WithContext::new(
        RemoveMember {
            id,
            kind: RemoveType::Remove,
            actor: urls.network(),
            audience: Audience::new(vec![urls.network_sub("followers").to_string()], Vec::new()),
            object,
            target: urls.network_sub("members"),
        },
        actor_context(),
    )
}

/// Queues the network's `kind` activity built by `build` (from its id) for the peer
/// networks that follow ours.
async fn to_peers<T: Serialize>(
    conn: &impl ConnectionTrait,
    data: &FedData,
    kind: &str,
    build: impl FnOnce(Url) -> T,
) -> Result<(), FederationError> {
    let inboxes = peer_inboxes(conn, data).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let network = Author::network(data);
    let id = data.urls.new_activity();
    let activity = build(id.clone());
    enqueue(conn, network.target, kind, &id, &activity, &inboxes).await
}

/// A co-op joined: `Add` (embedded in full) to peer networks.
pub async fn member_added(
    conn: &impl ConnectionTrait,
    data: &FedData,
    coop: &Coop,
) -> Result<(), FederationError> {
    let object = member_object(conn, data, coop).await?;
    to_peers(conn, data, "Add", |id| {
        member_added_activity(&data.urls, id, object)
    })
    .await
}

/// Co-ops joined (an import's batch): [`member_added`] for each, with the peer networks'
/// inboxes read once for all of them.
pub async fn members_added(
    conn: &impl ConnectionTrait,
    data: &FedData,
    coops: &[Coop],
) -> Result<(), FederationError> {
    let inboxes = peer_inboxes(conn, data).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let network = Author::network(data);
    for coop in coops {
        let object = member_object(conn, data, coop).await?;
        let id = data.urls.new_activity();
        let activity = member_added_activity(&data.urls, id.clone(), object);
        enqueue(conn, network.target, "Add", &id, &activity, &inboxes).await?;
    }
    Ok(())
}

/// A co-op changed: `Update` (embedded in full) to peer networks.
pub async fn member_updated(
    conn: &impl ConnectionTrait,
    data: &FedData,
    coop: &Coop,
) -> Result<(), FederationError> {
    let object = member_object(conn, data, coop).await?;
    to_peers(conn, data, "Update", |id| {
        member_updated_activity(&data.urls, id, object)
    })
    .await
}

/// A co-op left: `Remove` (by id) to peer networks.
pub async fn member_removed(
    conn: &impl ConnectionTrait,
    data: &FedData,
    coop: &Coop,
) -> Result<(), FederationError> {
    let object = data.urls.coop(coop.slug.as_str());
    to_peers(conn, data, "Remove", |id| {
        member_removed_activity(&data.urls, id, object)
    })
    .await
}

// ---- Linked accounts (issue 14): the network boosts its members' own fediverse posts.

/// The network's boost `id` of `object` (a post of a co-op's linked account), public and to
/// its followers: people following the network and the peer networks (accepted `Group`
/// followers). The caller stores `id` with the post, so a later `Undo` can name it.
pub async fn boost(
    conn: &impl ConnectionTrait,
    data: &FedData,
    id: &Url,
    object: &Url,
) -> Result<(), FederationError> {
    let network = Author::network(data);
    let inboxes = followers::inboxes(conn, network.target).await?;
    let activity = announce_activity(&data.urls, id.clone(), object.clone(), Utc::now());
    enqueue(conn, network.target, "Announce", id, &activity, &inboxes).await
}

/// The network's `Undo` of its boost `announce` of `object`, the Announce embedded (as
/// Mastodon matches it), public and to its followers.
fn unboost_activity(
    urls: &Urls,
    id: Url,
    announce: Url,
    object: Url,
) -> WithContext<UndoAnnounce<Announce>> {
    let announced = announce_activity(urls, announce, object, Utc::now())
        .inner()
        .clone();
    WithContext::new(
        UndoAnnounce {
            id,
            kind: UndoType::Undo,
            actor: urls.network(),
            audience: announced.audience.clone(),
            object: announced,
        },
        activity_context(),
    )
}

/// The network withdraws its boost `announce` of `object` (the post was deleted, or edited
/// out of what may be boosted): `Undo{Announce}` to its followers.
pub async fn unboost(
    conn: &impl ConnectionTrait,
    data: &FedData,
    announce: &Url,
    object: &Url,
) -> Result<(), FederationError> {
    let network = Author::network(data);
    let inboxes = followers::inboxes(conn, network.target).await?;
    let id = data.urls.new_activity();
    let activity = unboost_activity(&data.urls, id.clone(), announce.clone(), object.clone());
    enqueue(conn, network.target, "Undo", &id, &activity, &inboxes).await
}

// ---- End of linked accounts.

/// The id of a follow we stored (ours, or a remote one we hold): parsed back into the URL
/// it was stored from.
fn follow_id(stored: &str) -> Result<Url, FederationError> {
    Url::parse(stored)
        .map_err(|e| FederationError::Internal(format!("stored follow id {stored:?}: {e}")))
}

/// The network's `Undo` of its follow `follow_id` of `object`.
fn unfollow_activity(urls: &Urls, id: Url, follow_id: Url, object: Url) -> WithContext<UndoFollow> {
    WithContext::new(
        UndoFollow {
            id,
            kind: UndoType::Undo,
            actor: urls.network(),
            object: Follow {
                id: follow_id,
                kind: FollowType::Follow,
                actor: urls.network(),
                object,
            },
        },
        activity_context(),
    )
}

/// Our network stops following `actor`: `Undo{Follow}`.
pub async fn unfollow(
    conn: &impl ConnectionTrait,
    data: &FedData,
    actor: &RemoteActorRecord,
    follow_id: &str,
) -> Result<(), FederationError> {
    let network = Author::network(data);
    let id = data.urls.new_activity();
    let activity = unfollow_activity(
        &data.urls,
        id.clone(),
        self::follow_id(follow_id)?,
        actor.actor_id.clone(),
    );
    enqueue(
        conn,
        network.target,
        "Undo",
        &id,
        &activity,
        std::slice::from_ref(&actor.inbox),
    )
    .await
}

/// Answers a held follow of our network: `Accept` or `Reject` embedding it.
pub async fn answer_follow(
    conn: &impl ConnectionTrait,
    data: &FedData,
    follower: &RemoteActorRecord,
    follow_id: &str,
    accept: bool,
) -> Result<(), FederationError> {
    let network = Author::network(data);
    let follow = Follow {
        id: self::follow_id(follow_id)?,
        kind: FollowType::Follow,
        actor: follower.actor_id.clone(),
        object: network.actor_id.clone(),
    };
    let (target, inbox) = (network.target, &follower.inbox);
    if accept {
        enqueue_answer(conn, data, target, AcceptType::Accept, &follow, inbox).await
    } else {
        enqueue_answer(conn, data, target, RejectType::Reject, &follow, inbox).await
    }
}

/// Each builder against the JSON this module sent before activities were typed: the
/// expected values are the former `json!` literals, evaluated on the same inputs.
#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use coopnet_core::{CoopInput, CoopOrigin, Network, Slug};
    use serde_json::{Value, json};

    use super::*;
    use crate::objects::coop::organization;

    fn urls() -> Urls {
        Urls::new("https", "coops.example").expect("urls")
    }

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    fn value(activity: &impl Serialize) -> Value {
        serde_json::to_value(activity).expect("serialises")
    }

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_750_000_000 + secs, 0)
            .single()
            .expect("time")
    }

    fn network() -> Network {
        Network {
            id: 1,
            username: Slug::parse("cotech").expect("slug"),
            domain: "coops.example".into(),
            name: "CoTech".into(),
            country: None,
            languages: vec![],
            summary: String::new(),
            actor_id: None,
        }
    }

    fn coop() -> Coop {
        let input: CoopInput = serde_json::from_value(json!({
            "slug": "outlandish",
            "name": "Outlandish",
            "summary": {"en": "We *build* websites."},
            "website": "https://outlandish.com",
            "email": "hello@outlandish.com",
            "contact_public": false,
            "locality": "London",
            "country": "GB",
            "services": ["Web Design"],
            "technologies": ["Rust"],
        }))
        .expect("input");
        let (slug, profile) = input.validate().expect("valid");
        Coop {
            id: 7,
            slug,
            network_id: 1,
            origin: CoopOrigin::Local,
            profile,
            created_at: at(0),
            updated_at: at(60),
        }
    }

    fn coop_author(urls: &Urls) -> Author {
        Author {
            target: Target::Coop(7),
            actor_id: urls.coop("outlandish"),
            slug: Some("outlandish".into()),
        }
    }

    fn post() -> NewsPost {
        NewsPost {
            id: 3,
            public_id: "p1".into(),
            author: Target::Coop(7),
            content: "Hello *all*".into(),
            content_html: "<p>Hello <em>all</em></p>".into(),
            language: None,
            mentions: Vec::new(),
            published_at: at(100),
            updated_at: at(200),
            deleted_at: None,
        }
    }

    fn remote_follow() -> Follow {
        Follow {
            id: url("https://mastodon.example/f/1"),
            kind: FollowType::Follow,
            actor: url("https://mastodon.example/users/ann"),
            object: urls().coop("outlandish"),
        }
    }

    /// The actor document as the former code embedded it: serialised, `@context` removed.
    fn old_embedded(actor: LocalActor) -> Value {
        let mut actor = serde_json::to_value(actor).expect("actor");
        if let Some(obj) = actor.as_object_mut() {
            obj.remove("@context");
        }
        actor
    }

    /// `Accept` and `Reject` of `follow` under `id`, with their type names.
    fn both_answers(id: &Url, follow: &Follow) -> [(&'static str, Value); 2] {
        [
            (
                "Accept",
                value(&follow_answer(
                    id.clone(),
                    AcceptType::Accept,
                    follow.clone(),
                )),
            ),
            (
                "Reject",
                value(&follow_answer(
                    id.clone(),
                    RejectType::Reject,
                    follow.clone(),
                )),
            ),
        ]
    }

    #[test]
    fn accept_and_reject_of_a_received_follow() {
        let id = url("https://coops.example/activities/a");
        let follow = remote_follow();
        for (kind, new) in both_answers(&id, &follow) {
            let old = json!({
                "@context": activity_context(),
                "id": id,
                "type": kind,
                "actor": follow.object,
                "object": follow,
            });
            assert_eq!(new, old, "{kind}");
        }
    }

    #[test]
    fn answer_to_a_held_follow_of_the_network() {
        let urls = urls();
        let id = url("https://coops.example/activities/b");
        let follow_id = "https://peer.example/activities/f";
        let follower = url("https://peer.example/network");
        let network = urls.network();
        let follow = Follow {
            id: follow_id_of(follow_id),
            kind: FollowType::Follow,
            actor: follower.clone(),
            object: network.clone(),
        };
        for (kind, new) in both_answers(&id, &follow) {
            let accept = kind == "Accept";
            let old = json!({
                "@context": activity_context(),
                "id": id,
                "type": if accept { "Accept" } else { "Reject" },
                "actor": network,
                "object": { "id": follow_id, "type": "Follow", "actor": follower, "object": network },
            });
            assert_eq!(new, old, "{kind}");
        }
    }

    fn follow_id_of(s: &str) -> Url {
        follow_id(s).expect("follow id")
    }

    #[test]
    fn create_note_and_its_outbox_item() {
        let urls = urls();
        let author = coop_author(&urls);
        let post = post();
        let note = note_at(&urls, &author, &post);
        let id = url("https://coops.example/activities/c");
        let new = value(&WithContext::new(
            create(
                id.clone(),
                author.actor_id.clone(),
                post.published_at,
                note.clone(),
            ),
            activity_context(),
        ));
        let old = json!({
            "@context": activity_context(),
            "id": id,
            "type": "Create",
            "actor": author.actor_id,
            "published": post.published_at,
            "to": note.to,
            "cc": note.cc,
            "object": note,
        });
        assert_eq!(new, old);

        // The outbox lists the same Create, without `@context`, under `{note}#create`.
        let mut item_id = note.id.clone();
        item_id.set_fragment(Some("create"));
        let new = value(&create(
            item_id,
            author.actor_id.clone(),
            post.published_at,
            note.clone(),
        ));
        let old = json!({
            "id": format!("{}#create", note.id),
            "type": "Create",
            "actor": author.actor_id,
            "published": post.published_at,
            "to": [PUBLIC],
            "cc": note.cc,
            "object": note,
        });
        assert_eq!(new, old);
    }

    #[test]
    fn note_is_unchanged() {
        let urls = urls();
        let author = coop_author(&urls);
        let new = value(&note_at(&urls, &author, &post()));
        let old = json!({
            "id": "https://coops.example/coops/outlandish/posts/p1",
            "type": "Note",
            "attributedTo": "https://coops.example/coops/outlandish",
            "content": "<p>Hello <em>all</em></p>",
            "sensitive": false,
            "source": { "content": "Hello *all*", "mediaType": "text/markdown" },
            "url": "https://coops.example/coops/outlandish/posts/p1",
            "to": [PUBLIC],
            "cc": ["https://coops.example/coops/outlandish/followers"],
            "published": at(100),
            "updated": at(200),
        });
        assert_eq!(new, old);
    }

    #[test]
    fn note_carries_language_hashtags_and_mentions() {
        let urls = urls();
        let author = coop_author(&urls);
        let bob = url("https://social.example/users/bob");
        let post = NewsPost {
            content: "Hallo #Genossenschaften, sagt @bob@social.example! #coops".into(),
            content_html: "<p>Hallo</p>".into(),
            language: Some(coopnet_core::LanguageTag::parse("de").expect("language")),
            mentions: vec![coopnet_core::Mention {
                handle: "bob@social.example".into(),
                actor: bob.clone(),
            }],
            ..post()
        };
        let new = value(&note_at(&urls, &author, &post));
        assert_eq!(new["contentMap"], json!({ "de": "<p>Hallo</p>" }));
        assert_eq!(new["sensitive"], false);
        assert_eq!(
            new["tag"],
            json!([
                { "type": "Hashtag", "name": "#Genossenschaften",
                  "href": "https://coops.example/coops?q=Genossenschaften" },
                { "type": "Hashtag", "name": "#coops",
                  "href": "https://coops.example/coops?q=coops" },
                { "type": "Mention", "name": "@bob@social.example", "href": bob },
            ])
        );
        assert_eq!(
            new["cc"],
            json!(["https://coops.example/coops/outlandish/followers", bob])
        );
    }

    #[test]
    fn announce_by_the_network() {
        let urls = urls();
        let id = url("https://coops.example/activities/d");
        let object = url("https://coops.example/coops/outlandish/posts/p1");
        let now = at(300);
        let new = value(&announce_activity(&urls, id.clone(), object.clone(), now));
        let old = json!({
            "@context": activity_context(),
            "id": id,
            "type": "Announce",
            "actor": urls.network(),
            "published": now,
            "to": [PUBLIC],
            "cc": [urls.network_sub("followers")],
            "object": object,
        });
        assert_eq!(new, old);
    }

    #[test]
    fn undo_of_a_boost_embeds_the_announce() {
        let urls = urls();
        let id = url("https://coops.example/activities/u");
        let announce = url("https://coops.example/activities/d");
        let object = url("https://social.example/users/coop/statuses/1");
        let undo = value(&unboost_activity(
            &urls,
            id.clone(),
            announce.clone(),
            object.clone(),
        ));
        assert_eq!(undo["@context"], activity_context());
        assert_eq!(undo["id"], id.as_str());
        assert_eq!(undo["type"], "Undo");
        assert_eq!(undo["actor"], urls.network().as_str());
        assert_eq!(undo["to"], json!([PUBLIC]));
        assert_eq!(undo["cc"], json!([urls.network_sub("followers")]));
        let inner = &undo["object"];
        assert_eq!(inner["id"], announce.as_str());
        assert_eq!(inner["type"], "Announce");
        assert_eq!(inner["actor"], urls.network().as_str());
        assert_eq!(inner["object"], object.as_str());
        assert!(inner.get("@context").is_none(), "{inner}");
        // What we send is what a peer's inbox reads as an Undo{Announce}.
        let bytes = serde_json::to_vec(&undo).expect("serialises");
        assert!(matches!(
            crate::activities::parse(&bytes),
            Ok(crate::activities::InboxActivity::UndoAnnounce(_))
        ));
    }

    #[test]
    fn delete_of_a_note_as_tombstone() {
        let urls = urls();
        let id = url("https://coops.example/activities/e");
        for author in [
            coop_author(&urls),
            Author {
                target: Target::Network(1),
                actor_id: urls.network(),
                slug: None,
            },
        ] {
            let new = value(&delete_note_activity(&urls, id.clone(), &author, "p1"));
            let note_id = author.post_url_at(&urls, "p1");
            let old = json!({
                "@context": activity_context(),
                "id": id,
                "type": "Delete",
                "actor": author.actor_id,
                "to": [PUBLIC],
                "cc": [author.followers_at(&urls)],
                "object": { "id": note_id, "type": "Tombstone" },
            });
            assert_eq!(new, old);
        }
    }

    #[test]
    fn update_of_a_coop_to_its_followers() {
        let urls = urls();
        let network = network();
        let coop = coop();
        let author = coop_author(&urls);
        let id = url("https://coops.example/activities/f");
        let pem = "-----BEGIN PUBLIC KEY-----\nMII\n-----END PUBLIC KEY-----\n";
        let new = value(&update_coop_activity(
            &urls,
            id.clone(),
            &author,
            embedded_organization(&urls, &network, &coop, Some(pem)),
        ));
        let actor = old_embedded(organization(&urls, &network, &coop, Some(pem)));
        let mut context = crate::protocol::actor_context();
        if let Some(list) = context.as_array_mut() {
            list.truncate(3);
        }
        let old = json!({
            "@context": context,
            "id": id,
            "type": "Update",
            "actor": author.actor_id,
            "to": [PUBLIC],
            "cc": [author.followers_at(&urls)],
            "object": actor,
        });
        assert_eq!(new, old);
        assert!(new["object"].get("@context").is_none());
        assert_eq!(new["object"]["publicKey"]["publicKeyPem"], pem);
    }

    #[test]
    fn delete_of_a_coop_actor() {
        let urls = urls();
        let actor = urls.coop("outlandish");
        let id = url("https://coops.example/activities/g");
        let new = value(&delete_actor_activity(id.clone(), actor.clone()));
        let old = json!({
            "@context": activity_context(),
            "id": id,
            "type": "Delete",
            "actor": actor,
            "to": [PUBLIC],
            "object": actor,
        });
        assert_eq!(new, old);
    }

    #[test]
    fn follow_and_undo_by_the_network() {
        let urls = urls();
        let id = url("https://coops.example/activities/h");
        let peer = url("https://peer.example/network");
        let new = value(&follow_activity(&urls, id.clone(), peer.clone()));
        let old = json!({
            "@context": activity_context(),
            "id": id,
            "type": "Follow",
            "actor": urls.network(),
            "object": peer,
        });
        assert_eq!(new, old);

        let undo_id = url("https://coops.example/activities/i");
        let follow_id = id.as_str();
        let new = value(&unfollow_activity(
            &urls,
            undo_id.clone(),
            follow_id_of(follow_id),
            peer.clone(),
        ));
        let old = json!({
            "@context": activity_context(),
            "id": undo_id,
            "type": "Undo",
            "actor": urls.network(),
            "object": { "id": follow_id, "type": "Follow", "actor": urls.network(), "object": peer },
        });
        assert_eq!(new, old);
    }

    /// The former `to_peers` body for `kind` with `object`.
    fn old_to_peers(urls: &Urls, id: &Url, kind: &str, object: Value, with_target: bool) -> Value {
        let mut body = json!({
            "@context": crate::protocol::actor_context(),
            "id": id,
            "type": kind,
            "actor": urls.network(),
            "to": [urls.network_sub("followers")],
            "object": object,
        });
        if with_target {
            body["target"] = json!(urls.network_sub("members"));
        }
        body
    }

    #[test]
    fn membership_activities_to_peer_networks() {
        let urls = urls();
        let network = network();
        let coop = coop();
        let id = url("https://coops.example/activities/j");
        for key in [None, Some("PEM")] {
            let object = embedded_organization(&urls, &network, &coop, key);
            let old_object = old_embedded(organization(&urls, &network, &coop, key));
            assert_eq!(
                value(&member_added_activity(&urls, id.clone(), object.clone())),
                old_to_peers(&urls, &id, "Add", old_object.clone(), true)
            );
            assert_eq!(
                value(&member_updated_activity(&urls, id.clone(), object)),
                old_to_peers(&urls, &id, "Update", old_object, false)
            );
        }
        assert_eq!(
            value(&member_removed_activity(
                &urls,
                id.clone(),
                urls.coop("outlandish")
            )),
            old_to_peers(
                &urls,
                &id,
                "Remove",
                json!(urls.coop(coop.slug.as_str())),
                true
            )
        );
    }

    #[test]
    fn sent_activities_read_back_as_the_inbox_reads_them() {
        let urls = urls();
        let network = network();
        let coop = coop();
        let id = url("https://coops.example/activities/k");
        let object = embedded_organization(&urls, &network, &coop, None);
        let add = serde_json::to_vec(&member_added_activity(&urls, id.clone(), object))
            .expect("serialises");
        assert!(matches!(
            crate::activities::parse(&add),
            Ok(crate::activities::InboxActivity::Add(_))
        ));
        let delete = serde_json::to_vec(&delete_actor_activity(id, urls.coop("outlandish")))
            .expect("serialises");
        assert!(matches!(
            crate::activities::parse(&delete),
            Ok(crate::activities::InboxActivity::Delete(_))
        ));
    }
}
