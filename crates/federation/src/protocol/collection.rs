//! `OrderedCollection` and its pages (outbox, followers, following, members).
use activitypub_federation::kinds::collection::{OrderedCollectionPageType, OrderedCollectionType};
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
