//! sea-orm entities, one per table, mirroring `migrations/`. Private to this crate:
//! repositories convert them to core types.
pub mod account;
pub mod account_coop;
pub mod api_token;
pub mod console_session;
pub mod coop;
pub mod coop_facet;
pub mod coop_logo;
pub mod coop_search;
pub mod delivery;
pub mod domain_block;
pub mod federation_error;
pub mod follower;
pub mod following;
pub mod instance_actor;
pub mod invite;
pub mod job;
pub mod join_application;
pub mod linked_account;
pub mod login_throttle;
pub mod member_removal;
pub mod membership_event;
pub mod network;
pub mod outbox_activity;
pub mod post;
pub mod received_activity;
pub mod remote_actor;
pub mod remote_host;
pub mod remote_post;
pub mod remote_post_source;

/// Serde default of boolean columns added after the backup format was fixed.
pub(crate) fn default_true() -> bool {
    true
}
