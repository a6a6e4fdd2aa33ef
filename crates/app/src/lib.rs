//! coopnet-app: the use cases every entry point shares.
//!
//! The web pages, the JSON API and the CLI all call these functions with an [`AppContext`]
//! and validated or raw input, and get core types or an [`AppError`] back: adding a co-op
//! from the CLI and from the admin API is the same code. [`AppContext::start`] opens the
//! database, migrates, records the local network and seeds demo data.
//!
//! One door per write: each aggregate is created, changed and removed by one use case that
//! also decides what federates (co-ops in `coops/`, their linked accounts in
//! `coops/link.rs`, posts in `posts.rs`, …); imports, approvals and every surface call it.
//! Posts written elsewhere are stored only by the inbox; `news.rs` reads them. Errors keep
//! their cause ([`AppError::chain`]).
//!
//! Depends on core, config, db, federation and migrations; never on web or cli.

pub mod accounts;
pub mod applications;
pub mod backup;
mod context;
pub mod coops;
pub mod csv_writer;
pub mod demo;
pub mod directory;
mod error;
pub mod exchange;
pub mod federation;
pub mod logos;
pub mod members;
pub mod networks;
pub mod news;
pub mod posts;
pub mod queue;
pub mod schema;
pub mod tokens;

pub use context::{AppContext, Externals, address_rules, open_database};
pub use coopnet_config::Settings;
pub use error::AppError;

/// Deliveries in the queue by state (for `/metrics`).
pub async fn queue_counts(
    ctx: &AppContext,
) -> Result<coopnet_db::repo::deliveries::QueueCounts, AppError> {
    Ok(coopnet_db::repo::deliveries::counts(&ctx.db).await?)
}
