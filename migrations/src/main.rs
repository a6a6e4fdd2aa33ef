//! Stand-alone migration CLI (`cargo run -p coopnet-migrations -- up`); `coopnet migrate`
//! is the usual way.
use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(coopnet_migrations::Migrator).await;
}
