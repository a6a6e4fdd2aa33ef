//! The wire format: serde structs named after ActivityStreams types, for what we send and
//! what we read. No behaviour here: `outbox.rs` fills them in, `activities/` and `sync.rs`
//! act on them.
//!
//! Documents we send carry their `@context` at the top level only: activities are wrapped in
//! [`WithContext`] when sent; actors and notes, also embedded in activities and collection
//! pages, have an optional `context` set only when served on their own.
pub mod activities;
pub mod actor;
pub mod collection;
pub mod note;
pub mod profile_links;
pub mod remote_post;
pub mod tombstone;
pub mod webfinger;

pub use activitypub_federation::protocol::context::WithContext;
use serde_json::{Value, json};

/// The ActivityStreams context, the whole `@context` of plain documents (collections,
/// tombstones).
pub const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";

/// The public collection (`to` of public posts).
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Media type of ActivityStreams documents we serve.
pub const ACTIVITY_JSON: &str = "application/activity+json; charset=utf-8";

/// `@context` of actor documents: ActivityStreams, security (publicKey) and the Mastodon
/// extension terms, so Mastodon, GoToSocial, Misskey and Lemmy read every field.
pub fn actor_context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "featured": { "@id": "toot:featured", "@type": "@id" },
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "Hashtag": "as:Hashtag",
            "coopnet": "https://coopnet.org/ns#",
            "members": { "@id": "coopnet:members", "@type": "@id" }
        }
    ])
}

/// `@context` of plain documents: [`AS_CONTEXT`] alone.
pub fn plain_context() -> Value {
    Value::String(AS_CONTEXT.to_owned())
}

/// `@context` of activities and notes.
pub fn activity_context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        { "Hashtag": "as:Hashtag", "sensitive": "as:sensitive" }
    ])
}

/// True when an `Accept` header asks for ActivityStreams JSON (Mastodon sends
/// `application/activity+json, application/ld+json`; match either, anywhere in the list).
pub fn wants_activity_json(accept: &str) -> bool {
    let accept = accept.to_ascii_lowercase();
    accept.contains("application/activity+json") || accept.contains("application/ld+json")
}

#[cfg(test)]
mod tests {
    #[test]
    fn content_negotiation_matches_mastodon_accept() {
        assert!(super::wants_activity_json(
            "application/activity+json, application/ld+json"
        ));
        assert!(super::wants_activity_json(
            r#"application/ld+json; profile="https://www.w3.org/ns/activitystreams""#
        ));
        assert!(!super::wants_activity_json(
            "text/html,application/xhtml+xml,*/*;q=0.8"
        ));
    }
}
