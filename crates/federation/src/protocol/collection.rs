//! `OrderedCollection` and its pages: ours (outbox, followers, following, members), and a
//! peer network's as we read them (its members collection and its `following`).
use activitypub_federation::kinds::collection::{OrderedCollectionPageType, OrderedCollectionType};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

/// A collection; `first` links the first page (omitted for empty ones); small ones list
/// their items inline instead (`orderedItems`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollection {
    /// JSON-LD context.
    #[serde(rename = "@context")]
    pub context: Value,
    /// Collection id.
    pub id: Url,
    /// Always `OrderedCollection`.
    #[serde(rename = "type")]
    pub kind: OrderedCollectionType,
    /// Number of items.
    pub total_items: u64,
    /// First page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<Url>,
    /// Last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<Url>,
    /// Change marker of the items (members collection): unchanged digest, nothing to sync.
    #[serde(
        rename = "coopnet:digest",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub digest: Option<String>,
    /// The items by id, when listed inline rather than paged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_items: Option<Vec<Url>>,
}

/// One page of a collection; `T` is an item: an activity (outbox) or an actor (members).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollectionPage<T = Value> {
    /// JSON-LD context.
    #[serde(rename = "@context")]
    pub context: Value,
    /// Page id.
    pub id: Url,
    /// Always `OrderedCollectionPage`.
    #[serde(rename = "type")]
    pub kind: OrderedCollectionPageType,
    /// The collection.
    pub part_of: Url,
    /// Number of items in the whole collection.
    pub total_items: u64,
    /// Next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Url>,
    /// Previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<Url>,
    /// The items.
    pub ordered_items: Vec<T>,
}

/// A peer's `OrderedCollection`, read leniently: only the links we follow are read, and
/// each may be missing. `Items` is what we read of inline `orderedItems`: nothing
/// ([`IgnoredAny`], the default) for the members collection, whose members are on its pages;
/// `Vec<Url>` for the small `following` collection, listed inline.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteOrderedCollection<Items = IgnoredAny> {
    /// First page.
    #[serde(default)]
    pub first: Option<Url>,
    /// The peer's change marker of the members (see [`OrderedCollection::digest`]).
    #[serde(rename = "coopnet:digest", default)]
    pub digest: Option<String>,
    /// Inline items.
    #[serde(default)]
    pub ordered_items: Items,
}

/// A page of a peer's members collection, read leniently: the items are checked one by one
/// (a bad member costs only itself), so they are read as plain JSON here.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteOrderedCollectionPage {
    /// Next page.
    #[serde(default)]
    pub next: Option<Url>,
    /// The items.
    #[serde(default)]
    pub ordered_items: Vec<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers_collections_are_read_leniently() {
        // The members collection: only `first` and the digest; inline items are not read.
        let members: RemoteOrderedCollection = serde_json::from_str(
            r#"{"type":"OrderedCollection","first":"https://peer.example/network/members?page=1",
                "coopnet:digest":"d1","orderedItems":"not a list"}"#,
        )
        .expect("members collection");
        assert_eq!(members.digest.as_deref(), Some("d1"));
        assert!(members.first.is_some());
        // `following`, listed inline: ids.
        let following: RemoteOrderedCollection<Vec<Url>> =
            serde_json::from_str(r#"{"orderedItems":["https://peer.example/network"]}"#)
                .expect("following");
        assert_eq!(following.ordered_items.len(), 1);
        assert!(following.first.is_none());
        let page: RemoteOrderedCollectionPage =
            serde_json::from_str(r#"{"orderedItems":[{"id":"x"},1]}"#).expect("page");
        assert_eq!(page.ordered_items.len(), 2);
        assert!(page.next.is_none());
    }
}
