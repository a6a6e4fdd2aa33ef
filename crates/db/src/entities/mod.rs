//! sea-orm entities, one per table, mirroring `migrations/`. Private to this crate:
//! repositories convert them to core types.
pub mod api_token;
pub mod coop;
pub mod network;
