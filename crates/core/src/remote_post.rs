//! Posts written on other servers that this instance keeps, and the accounts co-ops link.
//!
//! Two features share one store of remote posts: a co-op's **linked account** (the fediverse
//! account it already posts from, which our network follows and boosts) and **federation
//! news** (what the peer networks we follow post and boost). Both keep a post once, by its
//! id, with how it reached us ([`PostVia`]); the rules for what may be kept and boosted are
//! the pure functions here, so the inbox, the use cases and the tests apply the same ones.
use chrono::{DateTime, Utc};
use url::Url;

/// The forms of the public collection seen in `to` and `cc` (JSON-LD compacts the IRI).
pub const PUBLIC_ADDRESSES: [&str; 3] = [
    "https://www.w3.org/ns/activitystreams#Public",
    "as:Public",
    "Public",
];

/// Longest stored HTML of a remote post, in bytes (Mastodon allows 500 characters, other
/// servers far more; longer posts are cut to plain text, see `coopnet_federation::html`).
pub const MAX_REMOTE_CONTENT_BYTES: usize = 20_000;

/// Longest stored author name of a remote post, in characters.
pub const MAX_REMOTE_NAME_CHARS: usize = 200;

/// Longest URL kept from a remote post (its id, page, author, reply target), in bytes.
pub const MAX_REMOTE_URL_BYTES: usize = 2_048;

/// Who may read a post, as its addressing (`to`, `cc`) says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostVisibility {
    /// Addressed to the public (`to`): public timelines show it.
    Public,
    /// The public only in `cc` (Mastodon's "unlisted"): readable, but not to be spread.
    Unlisted,
    /// To a followers collection, not to the public.
    FollowersOnly,
    /// To named actors only.
    Direct,
}

impl PostVisibility {
    /// The visibility of a post addressed to `to` and `cc`. A followers collection is
    /// recognised by its path ending in `/followers`, as every server we know names it;
    /// anything else not public counts as direct (the stricter reading).
    pub fn of<S: AsRef<str>>(to: &[S], cc: &[S]) -> Self {
        let public = |list: &[S]| {
            list.iter()
                .any(|a| PUBLIC_ADDRESSES.contains(&a.as_ref().trim()))
        };
        if public(to) {
            Self::Public
        } else if public(cc) {
            Self::Unlisted
        } else if to
            .iter()
            .chain(cc)
            .any(|a| a.as_ref().trim_end_matches('/').ends_with("/followers"))
        {
            Self::FollowersOnly
        } else {
            Self::Direct
        }
    }

    /// The stored word: `public`, `unlisted`, `followers`, `direct`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Unlisted => "unlisted",
            Self::FollowersOnly => "followers",
            Self::Direct => "direct",
        }
    }

    /// From the stored word.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Public,
            Self::Unlisted,
            Self::FollowersOnly,
            Self::Direct,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// May our network boost this post of a linked account? Only public, top-level posts:
/// never replies, unlisted, followers-only or direct posts.
///
/// ```
/// use coopnet_core::{PostVisibility, may_boost};
/// let reply_to = url::Url::parse("https://social.example/@a/1").ok();
/// assert!(may_boost(PostVisibility::Public, None));
/// assert!(!may_boost(PostVisibility::Public, reply_to.as_ref()));
/// assert!(!may_boost(PostVisibility::FollowersOnly, None));
/// ```
pub fn may_boost(visibility: PostVisibility, in_reply_to: Option<&Url>) -> bool {
    visibility == PostVisibility::Public && in_reply_to.is_none()
}

/// May a peer network's own post, or a post it boosts, be kept for the federation news
/// page? Only public ones (it is a public page); replies are kept with their target.
pub fn may_show(visibility: PostVisibility) -> bool {
    visibility == PostVisibility::Public
}

/// How a remote post reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostVia {
    /// Written by the linked account of one of our co-ops (by storage id) and boosted by
    /// our network.
    Linked {
        /// The co-op whose account wrote it.
        coop_id: i64,
    },
    /// Written by a peer network's own actor.
    Posted,
    /// Boosted (`Announce`) by a peer network.
    Boosted,
}

impl PostVia {
    /// The stored word: `linked`, `posted` or `boosted`.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Linked { .. } => "linked",
            Self::Posted => "posted",
            Self::Boosted => "boosted",
        }
    }
}

/// A remote post as we keep it: sanitised and bounded when it was stored.
#[derive(Debug, Clone, PartialEq)]
pub struct RemotePost {
    /// Storage id.
    pub id: i64,
    /// Its ActivityPub id (what it is deduplicated by).
    pub ap_id: Url,
    /// Its author's actor id.
    pub author: Url,
    /// Its author's display name (or handle), plain text.
    pub author_name: String,
    /// Its HTML page, when it names one on its own host.
    pub url: Option<Url>,
    /// Sanitised HTML.
    pub content_html: String,
    /// Who may read it.
    pub visibility: PostVisibility,
    /// The post it answers, if any.
    pub in_reply_to: Option<Url>,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// When it was last edited, if ever.
    pub updated_at: Option<DateTime<Utc>>,
}

impl RemotePost {
    /// The link to show: its page, else its id.
    pub fn link(&self) -> &Url {
        self.url.as_ref().unwrap_or(&self.ap_id)
    }

    /// When it last changed: its edit, else its publication.
    pub fn changed_at(&self) -> DateTime<Utc> {
        self.updated_at.unwrap_or(self.published_at)
    }
}

/// One way a remote post reached us: through which network, how, and by which activity.
#[derive(Debug, Clone, PartialEq)]
pub struct PostSource {
    /// The network it came through (ours for linked accounts), by storage id.
    pub network_id: i64,
    /// How.
    pub via: PostVia,
    /// The activity that brought it: our `Announce` for linked accounts (what an
    /// `Undo{Announce}` names), the peer's `Create` or `Announce` otherwise.
    pub activity_id: Option<Url>,
}

/// A remote post with every way it reached us (at least one).
#[derive(Debug, Clone, PartialEq)]
pub struct FederatedPost {
    /// The post.
    pub post: RemotePost,
    /// Its sources, the network's own posts first.
    pub sources: Vec<PostSource>,
}

/// Where a linked account points back to its co-op's profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backlink {
    /// The actor's `url`.
    Url,
    /// A `PropertyValue` profile field linking to it.
    Field,
    /// `alsoKnownAs`.
    AlsoKnownAs,
}

impl Backlink {
    /// The stored word: `url`, `field` or `also_known_as`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Url => "url",
            Self::Field => "field",
            Self::AlsoKnownAs => "also_known_as",
        }
    }

    /// From the stored word.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Url, Self::Field, Self::AlsoKnownAs]
            .into_iter()
            .find(|b| b.as_str() == s)
    }
}

/// The fediverse account a co-op already posts from, verified to point back to the co-op.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkedAccount {
    /// The co-op, by storage id.
    pub coop_id: i64,
    /// The account's actor id.
    pub actor_id: Url,
    /// Its handle, `user@host`.
    pub handle: String,
    /// Where it points back to the co-op.
    pub backlink: Backlink,
    /// When the link was verified.
    pub linked_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visibility_follows_the_addressing() {
        let public = PUBLIC_ADDRESSES[0];
        let followers = "https://social.example/users/a/followers";
        let someone = "https://social.example/users/b";
        assert_eq!(
            PostVisibility::of(&[public], &[followers]),
            PostVisibility::Public
        );
        assert_eq!(
            PostVisibility::of(&["as:Public"], &[]),
            PostVisibility::Public
        );
        assert_eq!(
            PostVisibility::of(&[followers], &[public]),
            PostVisibility::Unlisted
        );
        assert_eq!(
            PostVisibility::of(&[followers], &[someone]),
            PostVisibility::FollowersOnly
        );
        assert_eq!(PostVisibility::of(&[someone], &[]), PostVisibility::Direct);
        let none: [&str; 0] = [];
        assert_eq!(PostVisibility::of(&none, &none), PostVisibility::Direct);
        for v in [
            PostVisibility::Public,
            PostVisibility::Unlisted,
            PostVisibility::FollowersOnly,
            PostVisibility::Direct,
        ] {
            assert_eq!(PostVisibility::parse(v.as_str()), Some(v));
        }
        assert_eq!(PostVisibility::parse("everyone"), None);
    }

    #[test]
    fn only_public_top_level_posts_are_boosted_and_only_public_ones_shown() {
        let parent = Url::parse("https://social.example/@a/1").ok();
        assert!(may_boost(PostVisibility::Public, None));
        assert!(!may_boost(PostVisibility::Public, parent.as_ref()));
        for v in [
            PostVisibility::Unlisted,
            PostVisibility::FollowersOnly,
            PostVisibility::Direct,
        ] {
            assert!(!may_boost(v, None), "{v:?}");
            assert!(!may_show(v), "{v:?}");
        }
        assert!(may_show(PostVisibility::Public));
    }

    #[test]
    fn backlink_words_round_trip() {
        for b in [Backlink::Url, Backlink::Field, Backlink::AlsoKnownAs] {
            assert_eq!(Backlink::parse(b.as_str()), Some(b));
        }
        assert_eq!(Backlink::parse("rel-me"), None);
    }
}
