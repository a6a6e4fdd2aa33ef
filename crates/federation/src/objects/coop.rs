//! A member co-op as an `Organization` actor (with its linked fediverse account, when it has
//! one, as a profile field: [`with_linked_account`]).
use coopnet_core::{Coop, LinkedAccount, Network, Tag};
use url::Url;

use crate::html::{escape, markdown_to_html};
use crate::protocol::actor::{
    Endpoints, Hashtag, Image, LocalActor, Place, PropertyValue, PublicKey,
};
use crate::protocol::actor_context;
use crate::urls::Urls;

/// Profile fields shown by every server alike (Mastodon shows 4 by default).
pub const MAX_FIELDS: usize = 4;

fn field(name: &str, value: String) -> PropertyValue {
    PropertyValue {
        kind: "PropertyValue".into(),
        name: name.into(),
        value,
    }
}

fn tag_list(tags: &[Tag]) -> String {
    escape(&tags.iter().map(Tag::as_str).collect::<Vec<_>>().join(", "))
}

/// `#WebDesign` from "Web Design": hashtags take letters and digits only.
pub fn hashtag_name(tag: &Tag) -> String {
    let mut name = String::from("#");
    for word in tag.as_str().split(|c: char| !c.is_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.push_str(chars.as_str());
        }
    }
    name
}

fn image(url: &Url) -> Image {
    let path = url.path().to_ascii_lowercase();
    let media_type = [
        ("png", "image/png"),
        ("jpg", "image/jpeg"),
        ("jpeg", "image/jpeg"),
        ("svg", "image/svg+xml"),
        ("webp", "image/webp"),
        ("gif", "image/gif"),
    ]
    .into_iter()
    .find(|(ext, _)| path.ends_with(&format!(".{ext}")))
    .map(|(_, t)| t.to_owned());
    Image {
        kind: "Image".into(),
        url: url.clone(),
        media_type,
    }
}

/// The actor document of a local co-op (`public_key_pem` `None` for embedded copies of
/// co-ops that have no key yet).
pub fn organization(
    urls: &Urls,
    network: &Network,
    coop: &Coop,
    public_key_pem: Option<&str>,
) -> LocalActor {
    let p = &coop.profile;
    let slug = coop.slug.as_str();
    let id = urls.coop(slug);
    let summary_map: std::collections::BTreeMap<String, String> = p
        .summary
        .iter()
        .map(|(lang, text)| (lang.to_string(), markdown_to_html(text)))
        .collect();
    let summary = coop
        .summary_for(
            network
                .languages
                .first()
                .map(|l| l.primary())
                .unwrap_or("en"),
        )
        .map(|(_, text)| markdown_to_html(text));

    let mut attachment = Vec::new();
    if let Some(site) = &p.website {
        let shown = site
            .host_str()
            .unwrap_or(site.as_str())
            .trim_start_matches("www.");
        attachment.push(field(
            "Website",
            format!(
                r#"<a href="{}" rel="me nofollow noopener noreferrer" target="_blank">{}</a>"#,
                escape(site.as_str()),
                escape(shown)
            ),
        ));
    }
    let place: Vec<String> = [
        p.locality.clone(),
        p.region.clone(),
        p.country.map(|c| c.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !place.is_empty() {
        attachment.push(field("Location", escape(&place.join(", "))));
    }
    if !p.services.is_empty() {
        attachment.push(field("Services", tag_list(&p.services)));
    }
    if !p.technologies.is_empty() {
        attachment.push(field("Technologies", tag_list(&p.technologies)));
    }
    attachment.truncate(MAX_FIELDS);

    let base = urls.base();
    let mut tag = Vec::new();
    for (kind, tags) in [("service", &p.services), ("technology", &p.technologies)] {
        for t in tags.iter() {
            if let Ok(href) = Url::parse(&format!("{base}/coops?{kind}={}", t.key())) {
                tag.push(Hashtag {
                    kind: "Hashtag".into(),
                    name: hashtag_name(t),
                    href,
                });
            }
        }
    }
    let location = (!place.is_empty() || p.location.is_some()).then(|| Place {
        kind: "Place".into(),
        name: place.join(", "),
        latitude: p.location.map(|l| l.latitude),
        longitude: p.location.map(|l| l.longitude),
    });

    LocalActor {
        context: Some(actor_context()),
        id: id.clone(),
        kind: "Organization".into(),
        preferred_username: slug.to_owned(),
        name: p.name.clone(),
        summary,
        summary_map,
        url: id.clone(),
        icon: p.logo.as_ref().map(image),
        inbox: urls.coop_sub(slug, "inbox"),
        outbox: urls.coop_sub(slug, "outbox"),
        followers: Some(urls.coop_sub(slug, "followers")),
        following: Some(urls.coop_sub(slug, "following")),
        endpoints: Endpoints {
            shared_inbox: Some(urls.shared_inbox()),
        },
        public_key: public_key_pem.map(|pem| PublicKey {
            id: Urls::key_id(&id),
            owner: id.clone(),
            public_key_pem: pem.to_owned(),
        }),
        published: Some(coop.created_at),
        updated: Some(coop.updated_at),
        manually_approves_followers: false,
        discoverable: p.listed,
        indexable: p.listed,
        attachment,
        tag,
        location,
        members: None,
        webfinger: Some(format!("acct:{slug}@{}", urls.domain())),
        // Public data only: a contact e-mail the co-op keeps private stays home.
        coopnet_profile: Some(coopnet_core::CoopInput::from(&coop.redacted())),
        coopnet_network: None,
    }
}

/// Name of the profile field that names a co-op's linked fediverse account.
pub const LINKED_ACCOUNT_FIELD: &str = "Fediverse";

/// `actor` with the co-op's linked fediverse account as a profile field (after Website,
/// within [`MAX_FIELDS`]), linked with `rel="me"`: the account links back to the co-op (that
/// is how the link was verified), so the two point at each other.
pub fn with_linked_account(mut actor: LocalActor, link: Option<&LinkedAccount>) -> LocalActor {
    let Some(link) = link else {
        return actor;
    };
    let value = format!(
        r#"<a href="{}" rel="me nofollow noopener noreferrer" target="_blank">@{}</a>"#,
        escape(link.actor_id.as_str()),
        escape(&link.handle)
    );
    let at = usize::from(
        actor
            .attachment
            .first()
            .is_some_and(|f| f.name == "Website"),
    );
    actor
        .attachment
        .insert(at, field(LINKED_ACCOUNT_FIELD, value));
    actor.attachment.truncate(MAX_FIELDS);
    actor
}

/// A co-op's actor document to embed in an activity or a collection page: without its
/// `@context`, which belongs to the enclosing document.
pub fn embedded_organization(
    urls: &Urls,
    network: &Network,
    coop: &Coop,
    public_key_pem: Option<&str>,
) -> LocalActor {
    LocalActor {
        context: None,
        ..organization(urls, network, coop, public_key_pem)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_linked_account_is_a_field_after_the_website() {
        use super::*;
        let mut actor: LocalActor = serde_json::from_value(serde_json::json!({
            "id": "https://coops.example/coops/o", "type": "Organization",
            "preferredUsername": "o", "name": "O", "url": "https://coops.example/coops/o",
            "inbox": "https://coops.example/coops/o/inbox",
            "outbox": "https://coops.example/coops/o/outbox", "endpoints": {},
            "manuallyApprovesFollowers": false, "discoverable": true, "indexable": true,
        }))
        .expect("actor");
        let link = LinkedAccount {
            coop_id: 1,
            actor_id: Url::parse("https://social.example/users/o").expect("url"),
            handle: "o@social.example".into(),
            backlink: coopnet_core::Backlink::Field,
            linked_at: chrono::Utc::now(),
        };
        assert_eq!(with_linked_account(actor.clone(), None), actor);
        actor.attachment = ["Website", "Location", "Services", "Technologies"]
            .map(|name| field(name, "v".into()))
            .to_vec();
        let linked = with_linked_account(actor, Some(&link));
        let names: Vec<&str> = linked.attachment.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["Website", LINKED_ACCOUNT_FIELD, "Location", "Services"]
        );
        assert_eq!(
            linked.attachment[1].value,
            r#"<a href="https://social.example/users/o" rel="me nofollow noopener noreferrer" target="_blank">@o@social.example</a>"#
        );
        let without_website = LocalActor {
            attachment: Vec::new(),
            ..linked.clone()
        };
        let linked = with_linked_account(without_website, Some(&link));
        assert_eq!(linked.attachment[0].name, LINKED_ACCOUNT_FIELD);
    }

    #[test]
    fn hashtags_are_camel_case_words() {
        let tag = coopnet_core::Tag::parse("web design/UX").expect("tag");
        assert_eq!(super::hashtag_name(&tag), "#WebDesignUX");
    }
}
