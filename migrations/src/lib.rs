//! coopnet-migrations: the database schema history, portable across SQLite and PostgreSQL.
//!
//! [`Migrator`] lists every migration in order; `coopnet migrate` and `coopnet serve` run it.
//! Migrations never import entity types (entities change, history must not) and name their
//! tables and columns with `DeriveIden` enums local to each file. Applied migrations are
//! frozen: change the schema with a new file.
//!
//! Depends on `sea-orm-migration`, and on `sha2` for the one migration that must hash
//! stored e-mails (SQLite has no SHA-256 function).

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_create_network_coop_token;
mod m20261126_000002_create_federation;
mod m20261126_000003_create_directory_index;
mod m20261126_000004_create_remote_host;
mod m20261126_000005_create_jobs;
mod m20261126_000006_create_accounts;
mod m20261126_000007_create_directory_version;
mod m20261206_100000_create_login_throttle;
mod m20261206_120000_create_linked_account;
mod m20261206_120100_create_remote_post;
mod m20261206_130000_create_federation_error;
mod m20261206_130100_add_post_language_and_mentions;
mod m20261206_140000_create_queue_notify;
mod m20261210_100000_add_coop_search_stems;
mod m20261210_110000_directory_version_networks;
mod m20261210_120000_shard_directory_version;
mod m20261211_100000_create_directory_change;
mod statements;

/// The ordered list of migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_network_coop_token::Migration),
            Box::new(m20261126_000002_create_federation::Migration),
            Box::new(m20261126_000003_create_directory_index::Migration),
            Box::new(m20261126_000004_create_remote_host::Migration),
            Box::new(m20261126_000005_create_jobs::Migration),
            Box::new(m20261126_000006_create_accounts::Migration),
            Box::new(m20261126_000007_create_directory_version::Migration),
            Box::new(m20261206_100000_create_login_throttle::Migration),
            Box::new(m20261206_120000_create_linked_account::Migration),
            Box::new(m20261206_120100_create_remote_post::Migration),
            Box::new(m20261206_130000_create_federation_error::Migration),
            Box::new(m20261206_130100_add_post_language_and_mentions::Migration),
            Box::new(m20261206_140000_create_queue_notify::Migration),
            Box::new(m20261210_100000_add_coop_search_stems::Migration),
            Box::new(m20261210_110000_directory_version_networks::Migration),
            Box::new(m20261210_120000_shard_directory_version::Migration),
            Box::new(m20261211_100000_create_directory_change::Migration),
        ]
    }
}
