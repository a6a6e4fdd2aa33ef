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
pub mod nodeinfo;
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

/// `@context` of actor documents (and of what embeds them: the members collection and its
/// pages, `Update`/`Add` of a member): ActivityStreams, security (publicKey) and the
/// extension terms, so Mastodon, GoToSocial, Misskey and Lemmy read every field and a JSON-LD
/// processor drops none (`tests/interop/strict_check.py` checks it):
///
/// - Mastodon's `toot:` and `schema:` terms (`discoverable`, `indexable`, `featured`,
///   `PropertyValue`/`value`) and `manuallyApprovesFollowers`, `Hashtag`;
/// - `webfinger` as FEP-2c59's context defines it (written out, so readers need not fetch
///   another context: <https://codeberg.org/fediverse/fep/src/branch/main/fep/2c59/fep-2c59.md>);
/// - the `coopnet:` namespace: `members` (an IRI), `coopnet:digest` (a string), and
///   `coopnet:profile` / `coopnet:network` as JSON literals (`@type: @json`, JSON-LD 1.1):
///   their inner keys (`slug`, `services`, `country`, ...) are coopnet's record format, read
///   by coopnet peers as plain JSON, so they are kept verbatim rather than each given an IRI.
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
            "webfinger": {
                "@id": "https://purl.archive.org/socialweb/webfinger#webfinger",
                "@type": "http://www.w3.org/2001/XMLSchema#string"
            },
            "coopnet": COOPNET_NS,
            "members": { "@id": "coopnet:members", "@type": "@id" },
            "coopnet:digest": { "@id": "coopnet:digest" },
            "coopnet:profile": { "@id": "coopnet:profile", "@type": "@json" },
            "coopnet:network": { "@id": "coopnet:network", "@type": "@json" }
        }
    ])
}

/// The coopnet extension namespace (`coopnet:` terms in [`actor_context`]).
pub const COOPNET_NS: &str = "https://coopnet.org/ns#";

/// `@context` of plain documents: [`AS_CONTEXT`] alone.
pub fn plain_context() -> Value {
    Value::String(AS_CONTEXT.to_owned())
}

/// `@context` of activities and notes: ActivityStreams (which has `tag`, `Mention`,
/// `contentMap`, `source`) plus `Hashtag` and `sensitive`, which Mastodon reads but the
/// ActivityStreams context does not define.
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
