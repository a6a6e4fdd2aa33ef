//! Collections: outboxes (paged `Create{Note}`), followers and following (counts), and the
//! network's members (paged).
use activitypub_federation::config::Data;
use axum::response::{IntoResponse, Response};
use coopnet_core::Target;
use coopnet_db::repo::coops::{self, ListQuery, SlugState};
use coopnet_db::repo::followers;
use coopnet_db::repo::posts;
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use super::{activity_json, tombstone};
use crate::objects::coop::organization;
use crate::outbox::{Author, note};
use crate::protocol::collection::{OrderedCollection, OrderedCollectionPage};
use crate::protocol::{PUBLIC, activity_context};
use crate::{FedData, FederationError};

/// Items per collection page.
pub const PAGE_SIZE: u64 = 20;
/// Members per page of the network's members collection.
pub const MEMBERS_PAGE_SIZE: u64 = 100;

/// `?page=N` (1-based); absent: the collection itself.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<u64>,
}

fn with_page(url: &Url, page: u64) -> Url {
    let mut u = url.clone();
    u.set_query(Some(&format!("page={page}")));
    u
}

fn collection(id: &Url, total: u64, page_size: u64) -> OrderedCollection {
    let pages = total.div_ceil(page_size);
    OrderedCollection {
        context: json!("https://www.w3.org/ns/activitystreams"),
        id: id.clone(),
        kind: "OrderedCollection".into(),
        total_items: total,
        first: (total > 0).then(|| with_page(id, 1)),
        last: (total > 0).then(|| with_page(id, pages)),
        digest: None,
    }
}

fn page(id: &Url, n: u64, total: u64, page_size: u64, items: Vec<Value>) -> OrderedCollectionPage {
    let pages = total.div_ceil(page_size);
    OrderedCollectionPage {
        context: activity_context(),
        id: with_page(id, n),
        kind: "OrderedCollectionPage".into(),
        part_of: id.clone(),
        total_items: total,
        next: (n < pages).then(|| with_page(id, n + 1)),
        prev: (n > 1).then(|| with_page(id, n - 1)),
        ordered_items: items,
    }
}

async fn coop_author(
    data: &FedData,
    slug: &str,
) -> Result<Result<Author, Response>, FederationError> {
    Ok(
        match coops::find_by_slug(&data.db, data.network.id, slug).await? {
            SlugState::Live(coop) => Ok(Author::coop(data, &coop)),
            SlugState::Deleted => Err(tombstone(&data.urls.coop(slug))),
            SlugState::Free => Err(FederationError::NotFound.into_response()),
        },
    )
}

async fn outbox_of(
    data: &FedData,
    author: &Author,
    id: Url,
    query: PageQuery,
) -> Result<Response, FederationError> {
    let Some(n) = query.page else {
        let total = posts::list(&data.db, author.target, 1, 0).await?.total;
        return Ok(activity_json(&collection(&id, total, PAGE_SIZE)));
    };
    let n = n.max(1);
    let list = posts::list(&data.db, author.target, PAGE_SIZE, (n - 1) * PAGE_SIZE).await?;
    let items = list
        .items
        .iter()
        .map(|post| {
            let note = note(data, author, post);
            json!({
                "id": format!("{}#create", note.id),
                "type": "Create",
                "actor": author.actor_id,
                "published": post.published_at,
                "to": [PUBLIC],
                "cc": note.cc,
                "object": note,
            })
        })
        .collect();
    Ok(activity_json(&page(&id, n, list.total, PAGE_SIZE, items)))
}

/// `GET /coops/{slug}/outbox[?page=N]`
pub async fn coop_outbox(data: &Data<FedData>, slug: &str, query: PageQuery) -> Response {
    let result = async {
        let author = match coop_author(data, slug).await? {
            Ok(a) => a,
            Err(response) => return Ok(response),
        };
        outbox_of(data, &author, data.urls.coop_sub(slug, "outbox"), query).await
    };
    result.await.unwrap_or_else(IntoResponse::into_response)
}

/// `GET /network/outbox[?page=N]`
pub async fn network_outbox(data: &Data<FedData>, query: PageQuery) -> Response {
    let author = Author::network(data);
    outbox_of(data, &author, data.urls.network_sub("outbox"), query)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// Followers are counted, not listed (as Mastodon users may choose): the count is public.
async fn followers_of(
    data: &FedData,
    target: Target,
    id: Url,
) -> Result<Response, FederationError> {
    let total = followers::count(&data.db, target).await?;
    Ok(activity_json(&OrderedCollection {
        context: json!("https://www.w3.org/ns/activitystreams"),
        id,
        kind: "OrderedCollection".into(),
        total_items: total,
        first: None,
        last: None,
        digest: None,
    }))
}

/// `GET /coops/{slug}/followers`
pub async fn coop_followers(data: &Data<FedData>, slug: &str) -> Response {
    let result = async {
        let author = match coop_author(data, slug).await? {
            Ok(a) => a,
            Err(response) => return Ok(response),
        };
        followers_of(data, author.target, data.urls.coop_sub(slug, "followers")).await
    };
    result.await.unwrap_or_else(IntoResponse::into_response)
}

/// `GET /network/followers`
pub async fn network_followers(data: &Data<FedData>) -> Response {
    followers_of(
        data,
        Target::Network(data.network.id),
        data.urls.network_sub("followers"),
    )
    .await
    .unwrap_or_else(IntoResponse::into_response)
}

/// `GET …/following`: co-ops follow nobody.
pub async fn following(id: Url) -> Response {
    activity_json(&collection(&id, 0, PAGE_SIZE))
}

/// `GET /network/following`: the networks (and other actors) this network follows, so a
/// peer's federation page can suggest peers of peers.
pub async fn network_following(data: &Data<FedData>) -> Response {
    let id = data.urls.network_sub("following");
    match coopnet_db::repo::following::list(&data.db).await {
        Ok(list) => {
            let items: Vec<Value> = list
                .iter()
                .filter(|f| f.state == coopnet_core::FollowState::Accepted)
                .map(|f| json!(f.actor_id))
                .collect();
            let total = items.len() as u64;
            let mut collection =
                serde_json::to_value(collection(&id, total, PAGE_SIZE)).unwrap_or_default();
            // Small: listed inline rather than paged.
            collection["first"] = Value::Null;
            collection["last"] = Value::Null;
            if let Some(obj) = collection.as_object_mut() {
                obj.retain(|_, v| !v.is_null());
                obj.insert("orderedItems".into(), Value::Array(items));
            }
            activity_json(&collection)
        }
        Err(e) => FederationError::from(e).into_response(),
    }
}

/// `GET /network/members[?page=N]`: the member co-ops, by name, each embedded in full
/// (so a peer backfills 10,000 members in 100 requests), with a change marker
/// (`coopnet:digest`) on the collection.
pub async fn members(data: &Data<FedData>, query: PageQuery) -> Response {
    let id = data.urls.network_sub("members");
    let result = async {
        let Some(n) = query.page else {
            let (total, digest) = coops::member_digest(&data.db, data.network.id).await?;
            let mut c = collection(&id, total, MEMBERS_PAGE_SIZE);
            c.digest = Some(digest);
            return Ok::<_, FederationError>(activity_json(&c));
        };
        let n = n.max(1);
        let list = coops::list(
            &data.db,
            &ListQuery {
                network_id: Some(data.network.id),
                listed_only: false,
                limit: MEMBERS_PAGE_SIZE,
                offset: (n - 1) * MEMBERS_PAGE_SIZE,
            },
        )
        .await?;
        let ids: Vec<i64> = list.items.iter().map(|c| c.id).collect();
        let keys = coops::public_keys(&data.db, &ids).await?;
        let mut items = Vec::with_capacity(list.items.len());
        for coop in &list.items {
            let mut actor = organization(
                &data.urls,
                &data.network,
                coop,
                keys.get(&coop.id).map(String::as_str),
            );
            actor.context = Value::Null;
            let mut value = serde_json::to_value(actor)
                .map_err(|e| FederationError::Internal(e.to_string()))?;
            if let Some(obj) = value.as_object_mut() {
                obj.remove("@context");
            }
            items.push(value);
        }
        let mut p = page(&id, n, list.total, MEMBERS_PAGE_SIZE, items);
        p.context = crate::protocol::actor_context();
        Ok(activity_json(&p))
    };
    result.await.unwrap_or_else(IntoResponse::into_response)
}
