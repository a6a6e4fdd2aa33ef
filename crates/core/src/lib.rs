//! coopnet-core: the domain of a co-operative network directory, with no IO.
//!
//! Owns the validated value types ([`Slug`], [`CountryCode`], [`LanguageTag`], [`Tag`]),
//! the co-op and network models ([`Coop`], [`CoopProfile`], [`Network`]), the words every
//! layer uses about actors, follows and posts ([`Target`], [`ActorKind`], [`FollowState`],
//! [`FollowerState`], [`NewsPost`]), the remote posts kept for linked accounts and
//! federation news and the rules for keeping and boosting them ([`RemotePost`],
//! [`may_boost`]), the raw input
//! shape every entry point shares ([`CoopInput`]) and its validation, which reports every
//! field error at once ([`FieldErrors`]), and small pure policies (login lockout, the CSV
//! cell rule of [`csv_cell`]). Pure functions only: the storage, federation and web layers above convert to and from these
//! types.
//!
//! Allowed dependencies: std, serde, url, chrono, thiserror. Nothing async, no database.
#![warn(missing_docs)]

mod account;
mod actor;
mod coop;
mod country;
pub mod csv_cell;
mod errors;
mod input;
mod language;
mod link;
mod logo;
mod network;
mod page;
pub mod patch;
mod post;
pub mod post_tags;
mod remote_post;
mod search;
mod slug;
mod tag;
mod token;

pub use account::{
    AccountRecord, ApplicationInput, ApplicationRecord, ApplicationStatus, InviteRecord,
    LoginAttempts, MAX_MESSAGE_CHARS, Role, SessionPolicy, check_display_name, check_new_password,
    login_name, normalize_email,
};
pub use actor::{ActorKind, Block, FollowState, FollowerState, Target};
pub use coop::{Coop, CoopOrigin, CoopProfile, GeoPoint};
pub use country::CountryCode;
pub use errors::FieldErrors;
pub use input::{CoopInput, LinkInput, limits};
pub use language::LanguageTag;
pub use link::{Link, LinkKind};
pub use logo::Logo;
pub use network::Network;
pub use page::Page;
pub use patch::CoopPatch;
pub use post::{Mention, NewsPost};
pub use remote_post::{
    Backlink, FederatedPost, LinkedAccount, MAX_REMOTE_CONTENT_BYTES, MAX_REMOTE_NAME_CHARS,
    MAX_REMOTE_URL_BYTES, PUBLIC_ADDRESSES, PostSource, PostVia, PostVisibility, RemotePost,
    may_boost, may_show,
};
pub use search::{MAX_SEARCH_LIMIT, SearchQuery, Sort};
pub use slug::{MAX_SLUG_LEN, RESERVED_SLUGS, Slug, SlugError};
pub use tag::Tag;
pub use token::{TokenRecord, TokenScope};
