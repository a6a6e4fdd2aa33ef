//! A post written elsewhere ([`ApubRemotePost`]): the library's `Object` impl, so a post a
//! peer network boosts is fetched from its own server through the one guarded client (and
//! read from the store when we already hold it), and [`remote_post`], the one conversion
//! from what a server sent to what we keep: sanitised, bounded, dated no later than now.
use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::object::NoteType;
use activitypub_federation::protocol::verification::verify_domains_match;
use activitypub_federation::traits::Object;
use chrono::{DateTime, Utc};
use coopnet_core::{
    MAX_REMOTE_CONTENT_BYTES, MAX_REMOTE_NAME_CHARS, MAX_REMOTE_URL_BYTES, PostVisibility,
    RemotePost,
};
use coopnet_db::repo::{remote_actors, remote_posts};
use url::Url;

use super::ApubRemoteActor;
use crate::html::{plain_text, remote_post_html};
use crate::protocol::activities::Audience;
use crate::protocol::remote_post::{RemoteNote, Reply};
use crate::urls::host_port;
use crate::{FedData, FederationError};

/// A remote post: stored (`id` > 0), or just fetched and not stored yet (`id` 0).
#[derive(Debug, Clone)]
pub struct ApubRemotePost(pub RemotePost);

/// The sender may speak for `note`: it is on the sender's host and attributed to it.
pub fn check_author(sender: &Url, note: &RemoteNote) -> Result<(), FederationError> {
    if host_port(&note.id) != host_port(sender) || &note.attributed_to != sender {
        return Err(FederationError::Forbidden(format!(
            "{sender} may not speak for {}",
            note.id
        )));
    }
    Ok(())
}

fn bounded(url: &Url) -> bool {
    url.as_str().len() <= MAX_REMOTE_URL_BYTES
}

/// What we keep of `note` by `author_name`: sanitised HTML cut to
/// [`MAX_REMOTE_CONTENT_BYTES`], a plain-text name cut to [`MAX_REMOTE_NAME_CHARS`], its page
/// only when on its own host, dates no later than now (a post dated in the future would stay
/// on top of every list). A reply whose target cannot be read is refused (it must never pass
/// for a top-level post), as are ids and authors longer than [`MAX_REMOTE_URL_BYTES`].
pub fn remote_post(note: &RemoteNote, author_name: &str) -> Result<RemotePost, FederationError> {
    if !bounded(&note.id) || !bounded(&note.attributed_to) {
        return Err(FederationError::BadRequest("post id too long".into()));
    }
    let in_reply_to = match note.reply() {
        Reply::TopLevel => None,
        Reply::To(target) if bounded(&target) => Some(target),
        Reply::To(_) | Reply::Unreadable => {
            return Err(FederationError::BadRequest("unreadable inReplyTo".into()));
        }
    };
    let now = Utc::now();
    let not_after_now = |t: DateTime<Utc>| t.min(now);
    let published = note.published.map_or(now, not_after_now);
    Ok(RemotePost {
        id: 0,
        ap_id: note.id.clone(),
        author: note.attributed_to.clone(),
        author_name: plain_text(author_name, MAX_REMOTE_NAME_CHARS),
        url: note
            .url
            .clone()
            .filter(|u| bounded(u) && host_port(u) == host_port(&note.id)),
        content_html: remote_post_html(note.html(), MAX_REMOTE_CONTENT_BYTES),
        visibility: PostVisibility::of(&note.audience.to, &note.audience.cc),
        in_reply_to,
        published_at: published,
        updated_at: note.updated.map(not_after_now).filter(|t| *t > published),
    })
}

/// The name to show for the author `actor`: its display name, else `@user@host`, from the
/// cached actor; fetched (through the library, cached for next time) when not cached yet.
/// Falls back to the last segment of its id and its host.
pub async fn author_name(data: &Data<FedData>, actor: &Url) -> String {
    let cached = match remote_actors::find(&data.db, actor).await {
        Ok(Some(a)) => Some(a),
        _ => ObjectId::<ApubRemoteActor>::from(actor.clone())
            .dereference(data)
            .await
            .ok()
            .map(|a| a.0),
    };
    match cached {
        Some(a) => a
            .name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("@{}@{}", a.username, a.domain)),
        None => {
            let user = actor
                .path_segments()
                .and_then(|mut s| s.next_back())
                .unwrap_or_default();
            format!("@{user}@{}", host_port(actor))
        }
    }
}

#[async_trait::async_trait]
impl Object for ApubRemotePost {
    type DataType = FedData;
    type Kind = RemoteNote;
    type Error = FederationError;

    fn id(&self) -> &Url {
        &self.0.ap_id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        // Stored posts change by `Update` and go by `Delete`, never by refetching.
        None
    }

    async fn read_from_id(
        object_id: Url,
        data: &Data<FedData>,
    ) -> Result<Option<Self>, FederationError> {
        Ok(remote_posts::find(&data.db, &object_id).await?.map(Self))
    }

    async fn delete(&self, data: &Data<FedData>) -> Result<(), FederationError> {
        if self.0.id > 0 {
            remote_posts::delete(&data.db, self.0.id).await?;
        }
        Ok(())
    }

    async fn into_json(self, _data: &Data<FedData>) -> Result<RemoteNote, FederationError> {
        let p = self.0;
        let public = coopnet_core::PUBLIC_ADDRESSES[0].to_owned();
        let to = match p.visibility {
            PostVisibility::Public => vec![public],
            _ => Vec::new(),
        };
        Ok(RemoteNote {
            id: p.ap_id,
            kind: NoteType::Note,
            attributed_to: p.author,
            content: Some(p.content_html),
            content_map: Default::default(),
            url: p.url,
            audience: Audience::new(to, Vec::new()),
            in_reply_to: p.in_reply_to.map(|u| serde_json::Value::String(u.into())),
            published: Some(p.published_at),
            updated: p.updated_at,
        })
    }

    async fn verify(
        json: &RemoteNote,
        expected_domain: &Url,
        _data: &Data<FedData>,
    ) -> Result<(), FederationError> {
        verify_domains_match(&json.id, expected_domain)?;
        if host_port(&json.attributed_to) != host_port(&json.id) {
            return Err(FederationError::BadRequest(
                "post attributed to an actor on another host".into(),
            ));
        }
        Ok(())
    }

    async fn from_json(json: RemoteNote, data: &Data<FedData>) -> Result<Self, FederationError> {
        let name = author_name(data, &json.attributed_to).await;
        Ok(Self(remote_post(&json, &name)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(value: serde_json::Value) -> RemoteNote {
        serde_json::from_value(value).expect("note")
    }

    #[test]
    fn what_we_keep_is_sanitised_bounded_and_dated_no_later_than_now() {
        let n = note(serde_json::json!({
            "id": "https://social.example/users/a/statuses/1",
            "type": "Note",
            "attributedTo": "https://social.example/users/a",
            "content": format!("<p onclick=\"x()\">{}</p><script>alert(1)</script>", "a".repeat(30_000)),
            "url": "https://elsewhere.example/phish",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "published": "2999-01-01T00:00:00Z",
            "updated": "2999-01-02T00:00:00Z",
        }));
        let post = remote_post(&n, &format!("<b>Ann</b>{}", "x".repeat(500))).expect("kept");
        assert!(post.content_html.len() <= MAX_REMOTE_CONTENT_BYTES);
        assert!(!post.content_html.contains("script") && !post.content_html.contains("onclick"));
        assert_eq!(post.author_name.chars().count(), MAX_REMOTE_NAME_CHARS);
        assert!(
            post.author_name.starts_with("Annxx"),
            "{}",
            post.author_name
        );
        assert_eq!(post.url, None, "a page on another host is not linked");
        assert!(post.published_at <= Utc::now());
        assert_eq!(
            post.updated_at, None,
            "an edit no later than publication is none"
        );
        assert_eq!(post.visibility, PostVisibility::Public);

        let reply = note(serde_json::json!({
            "id": "https://social.example/users/a/statuses/2",
            "type": "Note",
            "attributedTo": "https://social.example/users/a",
            "inReplyTo": 42,
        }));
        assert!(
            remote_post(&reply, "Ann").is_err(),
            "unreadable reply target"
        );
    }

    #[test]
    fn a_sender_speaks_only_for_its_own_posts() {
        let n = note(serde_json::json!({
            "id": "https://social.example/users/a/statuses/1",
            "type": "Note",
            "attributedTo": "https://social.example/users/a",
        }));
        let url = |s: &str| Url::parse(s).expect("url");
        assert!(check_author(&url("https://social.example/users/a"), &n).is_ok());
        for other in [
            "https://social.example/users/b",
            "https://evil.example/users/a",
        ] {
            assert!(matches!(
                check_author(&url(other), &n),
                Err(FederationError::Forbidden(_))
            ));
        }
    }
}
