//! coopnet-federation: everything ActivityPub.
//!
//! - `protocol/`: serde structs named after ActivityStreams types (the wire format), for
//!   what we send and what we read alike;
//! - `objects/`: `Object`/`Actor` impls of activitypub_federation on our wrappers
//!   ([`objects::ApubRemoteActor`]) and the builders of our own actor documents;
//! - `activities/`: one file per incoming activity, dispatched by [`activities::InboxActivity`];
//! - `outbox.rs`: builds outgoing activities (`protocol/` structs) and enqueues them in the
//!   caller's transaction;
//! - `queue.rs`: the one leased-queue worker (loop, wake-up, stop, backoff, lease renewal)
//!   and [`queue::commit_and_wake`], through which enqueuers commit;
//! - `delivery/`: the delivery queue on that worker, and our draft-cavage signer;
//! - `jobs.rs`: the job queue on that worker (backfill and resync of peer networks);
//! - `net/`: the one guarded HTTP client every fetch and delivery goes through;
//! - `linked.rs`: verifying a co-op's linked account (the account must point back to the
//!   co-op's profile); the posts of linked accounts and peer networks enter through
//!   `activities/remote_posts.rs`;
//! - `http/`: actor, inbox, outbox, collections, WebFinger, host-meta and NodeInfo handlers.
//!
//! [`FedData`] is the library's app data: the database and this instance's identity.
//! Depends on core and db; never on app, web or cli.

pub mod activities;
pub mod delivery;
mod error;
pub mod html;
pub mod http;
pub mod jobs;
pub mod keys;
pub mod linked;
pub mod lookup;
pub mod members;
pub mod metrics;
pub mod net;
pub mod objects;
pub mod outbox;
pub mod peer_errors;
pub mod protocol;
pub mod queue;
mod state;
pub mod sync;
pub mod urls;

pub use activitypub_federation::config::{Data, FederationConfig};
pub use error::FederationError;
pub use state::{FedData, PeerPolicy, build_config};
