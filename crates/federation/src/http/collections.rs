//! Collections: outboxes (paged `Create{Note}`), followers and following (counts), and the
//! network's members (paged). The members collection and its pages carry the actor
//! context: they embed `Organization`s and the `coopnet:digest` marker.
use activitypub_federation::config::Data;
use activitypub_federation::kinds::collection::{OrderedCollectionPageType, OrderedCollectionType};
use axum::response::{IntoResponse, Response};
use coopnet_core::Target;
use coopnet_db::repo::coops::{self, ListQuery, SlugState};
use coopnet_db::repo::followers;
use coopnet_db::repo::posts;
use serde::Deserialize;
use url::Url;

use super::{activity_json, tombstone};
use crate::objects::coop::{embedded_organization, with_linked_account};
use crate::outbox::{Author, create, note};
use crate::protocol::collection::{OrderedCollection, OrderedCollectionPage};
use crate::protocol::{activity_context, actor_context, plain_context};
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
        context: plain_context(),
        id: id.clone(),
        kind: OrderedCollectionType::OrderedCollection,
        total_items: total,
        first: (total > 0).then(|| with_page(id, 1)),
        last: (total > 0).then(|| with_page(id, pages)),
        digest: None,
        ordered_items: None,
    }
}

/// A small collection, its items listed inline rather than paged.
fn listed_inline(id: &Url, items: Vec<Url>) -> OrderedCollection {
    let mut collection = collection(id, items.len() as u64, PAGE_SIZE);
    collection.first = None;
    collection.last = None;
    collection.ordered_items = Some(items);
    collection
}

fn page<T>(
    id: &Url,
    n: u64,
    total: u64,
    page_size: u64,
    items: Vec<T>,
) -> OrderedCollectionPage<T> {
    let pages = total.div_ceil(page_size);
    OrderedCollectionPage {
        context: activity_context(),
        id: with_page(id, n),
        kind: OrderedCollectionPageType::OrderedCollectionPage,
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
            // The outbox lists the posts, not the activities we stored: each Create gets a
            // stable id of its own, derived from the note's.
            let mut id = note.id.clone();
            id.set_fragment(Some("create"));
            create(id, author.actor_id.clone(), post.published_at, note)
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
        context: plain_context(),
        id,
        kind: OrderedCollectionType::OrderedCollection,
        total_items: total,
        first: None,
        last: None,
        digest: None,
        ordered_items: None,
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
            let items: Vec<Url> = list
                .into_iter()
                .filter(|f| f.state == coopnet_core::FollowState::Accepted)
                .map(|f| f.actor_id)
                .collect();
            activity_json(&listed_inline(&id, items))
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
            // `coopnet:digest` needs the `coopnet:` prefix of the actor context.
            c.context = actor_context();
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
        let links = coopnet_db::repo::linked_accounts::for_coops(&data.db, &ids).await?;
        let items = list
            .items
            .iter()
            .map(|coop| {
                with_linked_account(
                    embedded_organization(
                        &data.urls,
                        &data.network,
                        coop,
                        keys.get(&coop.id).map(String::as_str),
                    ),
                    links.get(&coop.id),
                )
            })
            .collect();
        let mut p = page(&id, n, list.total, MEMBERS_PAGE_SIZE, items);
        p.context = actor_context();
        Ok(activity_json(&p))
    };
    result.await.unwrap_or_else(IntoResponse::into_response)
}

/// The documents against the JSON served before they were typed (the former `json!`
/// literals and edits of serialised values, on the same inputs).
#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    fn value(document: &impl serde::Serialize) -> Value {
        serde_json::to_value(document).expect("serialises")
    }

    #[test]
    fn collections_and_pages() {
        let id = url("https://coops.example/coops/outlandish/outbox");
        for total in [0u64, 1, 20, 21, 45] {
            let pages = total.div_ceil(PAGE_SIZE);
            let mut old = json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": id,
                "type": "OrderedCollection",
                "totalItems": total,
            });
            if total > 0 {
                old["first"] = json!(with_page(&id, 1));
                old["last"] = json!(with_page(&id, pages));
            }
            assert_eq!(value(&collection(&id, total, PAGE_SIZE)), old, "{total}");
        }
        let items = vec![json!({"id": "https://coops.example/x"})];
        let new = value(&page(&id, 2, 45, PAGE_SIZE, items.clone()));
        let old = json!({
            "@context": activity_context(),
            "id": with_page(&id, 2),
            "type": "OrderedCollectionPage",
            "partOf": id,
            "totalItems": 45,
            "next": with_page(&id, 3),
            "prev": with_page(&id, 1),
            "orderedItems": items,
        });
        assert_eq!(new, old);
    }

    #[test]
    fn following_listed_inline() {
        let id = url("https://coops.example/network/following");
        for items in [vec![], vec![url("https://peer.example/network")]] {
            let mut old = serde_json::to_value(collection(&id, items.len() as u64, PAGE_SIZE))
                .expect("collection");
            old["first"] = Value::Null;
            old["last"] = Value::Null;
            if let Some(obj) = old.as_object_mut() {
                obj.retain(|_, v| !v.is_null());
                obj.insert("orderedItems".into(), json!(items));
            }
            assert_eq!(value(&listed_inline(&id, items)), old);
        }
    }
}
