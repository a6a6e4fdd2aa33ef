//! Hand-written queries, one module per aggregate. Every function takes any connection or
//! transaction (`&impl ConnectionTrait`) so use cases decide what is atomic.
pub mod accounts;
pub mod applications;
pub mod backup;
pub mod blocks;
pub mod coops;
pub mod count_cache;
pub mod deliveries;
pub mod facets;
pub mod federation_errors;
pub mod followers;
pub mod following;
pub mod jobs;
pub mod keys;
pub mod linked_accounts;
pub mod login_throttle;
pub mod logos;
pub mod networks;
pub mod posts;
pub mod queue;
pub mod received;
pub mod remote_actors;
pub mod remote_posts;
pub mod removals;
pub mod search;
pub mod stemming;
pub mod tokens;
