//! Co-op use cases. Every write of a co-op, whatever the door (console, admin API, CLI,
//! import file, approved application), goes through [`create`], [`create_many`],
//! [`update`] or [`remove`] in `write.rs`, which also decide what federates (the `Add`,
//! `Update`, `Remove` to peer networks, the `Update`/`Delete` to followers, the network's
//! welcome post). Reads are in `read.rs`, and the one rule for whether a handle is free in
//! `slug.rs`. A co-op's linked fediverse account is linked and unlinked only through
//! [`link`] and [`unlink`] in `link.rs`.
mod link;
pub(crate) mod read;
mod slug;
mod write;

pub use link::{LinkState, link, linked_account, public_link, unlink};
pub use read::{MAX_PAGE_SIZE, Visibility, all, get, get_remote, list};
pub use slug::{SlugAvailability, availability, availability_many};
pub use write::{NewMember, WRITE_BATCH, create, create_many, remove, update, update_many};
