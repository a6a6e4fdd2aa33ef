//! Verifying a co-op's linked account the way Mastodon verifies `rel="me"` links, the
//! other way round: the fediverse account a co-op names must point back to the co-op's
//! profile on this instance, in its `url`, in a `PropertyValue` profile field (a link, or
//! the address as text) or in `alsoKnownAs`. Only someone who controls the account can put
//! that there, so nobody can link (and have our network boost) an account that is not theirs.
//!
//! The account is found with the same lookup as every follow (WebFinger or actor URL,
//! through the one guarded client), and its document is fetched afresh (not from the
//! cache), so a field added a moment ago counts.
use activitypub_federation::config::Data;
use activitypub_federation::fetch::fetch_object_http;
use coopnet_core::Backlink;
use coopnet_db::repo::remote_actors::RemoteActorRecord;
use url::Url;

use crate::html::{link_targets, plain_text};
use crate::protocol::profile_links::ActorProfileLinks;
use crate::urls::host_port;
use crate::{FedData, FederationError, lookup};

/// An account that points back to the co-op.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The account (fetched and cached).
    pub actor: RemoteActorRecord,
    /// Its handle, `user@host`.
    pub handle: String,
    /// Where it points back.
    pub backlink: Backlink,
}

/// Why an account could not be linked.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Not found, unreachable, or not an account one may name (the cause says which).
    #[error(transparent)]
    Lookup(#[from] FederationError),
    /// A network (`Group`) is followed as a peer, not linked to a co-op.
    #[error("{handle} is a group (a network), not an account")]
    Group {
        /// Its handle.
        handle: String,
    },
    /// Found, but it does not point back to the co-op.
    #[error("{handle} does not link to {profile}")]
    NoBacklink {
        /// Its handle, `user@host`.
        handle: String,
        /// The co-op's profile URL it must name.
        profile: Url,
    },
}

/// True when `candidate` names `profile`: same scheme, host, port and path (a trailing
/// slash aside), ignoring a query or fragment.
fn names(candidate: &str, profile: &Url) -> bool {
    let Ok(url) = Url::parse(candidate.trim()) else {
        return false;
    };
    url.scheme() == profile.scheme()
        && host_port(&url) == host_port(profile)
        && url.path().trim_end_matches('/') == profile.path().trim_end_matches('/')
}

/// Where `doc` points back to `profile`, if anywhere: `url`, then a profile field (a link
/// in its HTML, or the address as its whole text), then `alsoKnownAs`.
pub fn find_backlink(doc: &ActorProfileLinks, profile: &Url) -> Option<Backlink> {
    if doc.url.iter().any(|u| names(u, profile)) {
        return Some(Backlink::Url);
    }
    if doc.attachment.iter().any(|field| {
        link_targets(&field.value).iter().any(|u| names(u, profile))
            || names(&plain_text(&field.value, 2_048), profile)
    }) {
        return Some(Backlink::Field);
    }
    if doc.also_known_as.iter().any(|u| names(u, profile)) {
        return Some(Backlink::AlsoKnownAs);
    }
    None
}

/// Finds the account `target` (`@user@host`, `user@host` or an actor URL) and checks that
/// it points back to `profile`. A refusal is the caller's to report (the use case logs it):
/// not logged here as an error, since a missing backlink is no fault of ours.
#[tracing::instrument(skip_all, fields(target = %target))]
pub async fn verify(
    data: &Data<FedData>,
    target: &str,
    profile: &Url,
) -> Result<Verified, LinkError> {
    let actor = lookup::resolve(data, target).await?.0;
    let handle = format!("{}@{}", actor.username, actor.domain);
    if actor.kind.is_network() {
        return Err(LinkError::Group { handle });
    }
    let doc = fetch_object_http::<_, ActorProfileLinks>(&actor.actor_id, data)
        .await
        .map_err(FederationError::from)?
        .object;
    if doc.id != actor.actor_id {
        return Err(LinkError::Lookup(FederationError::BadRequest(
            "the account's document names another id".into(),
        )));
    }
    match find_backlink(&doc, profile) {
        Some(backlink) => Ok(Verified {
            actor,
            handle,
            backlink,
        }),
        None => Err(LinkError::NoBacklink {
            handle,
            profile: profile.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(value: serde_json::Value) -> ActorProfileLinks {
        serde_json::from_value(value).expect("doc")
    }

    #[test]
    fn backlinks_are_found_where_mastodon_users_can_put_them() {
        let profile = Url::parse("https://coops.example/coops/outlandish").expect("url");
        let base = serde_json::json!({"id": "https://social.example/users/o"});
        assert_eq!(find_backlink(&doc(base.clone()), &profile), None);

        let mut with_url = base.clone();
        with_url["url"] = "https://coops.example/coops/outlandish/".into();
        assert_eq!(find_backlink(&doc(with_url), &profile), Some(Backlink::Url));

        let mut with_field = base.clone();
        with_field["attachment"] = serde_json::json!([
            {"type": "PropertyValue", "name": "Web", "value": "<a href=\"https://outlandish.com\">outlandish.com</a>"},
            {"type": "PropertyValue", "name": "Directory", "value": "<a href=\"https://coops.example/coops/outlandish\" rel=\"me\"><span>coops.example/coops/outlandish</span></a>"},
        ]);
        assert_eq!(
            find_backlink(&doc(with_field), &profile),
            Some(Backlink::Field)
        );

        let mut as_text = base.clone();
        as_text["attachment"] = serde_json::json!([
            {"type": "PropertyValue", "name": "Directory", "value": "https://coops.example/coops/outlandish"},
        ]);
        assert_eq!(
            find_backlink(&doc(as_text), &profile),
            Some(Backlink::Field)
        );

        let mut aka = base.clone();
        aka["alsoKnownAs"] = serde_json::json!(["https://coops.example/coops/outlandish"]);
        assert_eq!(
            find_backlink(&doc(aka), &profile),
            Some(Backlink::AlsoKnownAs)
        );

        // Near misses point elsewhere: another co-op, scheme, host, or port; a mention in
        // a sentence; a non-PropertyValue attachment.
        for wrong in [
            "https://coops.example/coops/outlandish-two",
            "http://coops.example/coops/outlandish",
            "https://evil.example/coops/outlandish",
            "https://coops.example:8443/coops/outlandish",
            "https://coops.example/coops",
        ] {
            let mut d = base.clone();
            d["url"] = wrong.into();
            d["alsoKnownAs"] = wrong.into();
            d["attachment"] = serde_json::json!([
                {"type": "PropertyValue", "name": "x", "value": format!("<a href=\"{wrong}\">x</a>")},
            ]);
            assert_eq!(find_backlink(&doc(d), &profile), None, "{wrong}");
        }
        let mut sentence = base.clone();
        sentence["attachment"] = serde_json::json!([
            {"type": "PropertyValue", "name": "x", "value": "not https://coops.example/coops/outlandish"},
            {"type": "Link", "href": "https://coops.example/coops/outlandish"},
        ]);
        assert_eq!(find_backlink(&doc(sentence), &profile), None);
    }
}
