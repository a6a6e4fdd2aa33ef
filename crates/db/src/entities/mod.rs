//! sea-orm entities, one per table, mirroring `migrations/`. Private to this crate:
//! repositories convert them to core types.
pub mod api_token;
pub mod coop;
pub mod coop_facet;
pub mod coop_search;
pub mod delivery;
pub mod domain_block;
pub mod follower;
pub mod following;
pub mod instance_actor;
pub mod membership_event;
pub mod network;
pub mod outbox_activity;
pub mod post;
pub mod received_activity;
pub mod remote_actor;
pub mod remote_host;
