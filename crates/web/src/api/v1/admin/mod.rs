//! `/api/v1/admin`: bearer tokens; admin tokens manage everything, co-op editor tokens only
//! their own co-op.
pub mod coops;
pub mod federation;
pub mod linked;
pub mod posts;
pub mod tokens;
