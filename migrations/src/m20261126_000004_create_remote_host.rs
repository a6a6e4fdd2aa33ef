//! Per-host delivery health, for the delivery queue's circuit breaker.
//!
//! One row per remote `host[:port]` we deliver to, written by the delivery worker:
//! `fail_streak` counts consecutive failed attempts (no response, 5xx, 408, 429); once it
//! reaches the configured threshold the breaker opens and `open_until` says when the next
//! probe may go. A success resets the streak and closes the breaker.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RemoteHost {
    Table,
    Host,
    FailStreak,
    OpenUntil,
    LastSuccessAt,
    LastFailureAt,
    FirstFailureAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RemoteHost::Table)
                    // `host[:port]`, as in `delivery.host`.
                    .col(text(RemoteHost::Host).primary_key())
                    .col(integer(RemoteHost::FailStreak).default(0))
                    // Set while the breaker is open: no delivery to the host is claimed
                    // before this time, then one probe goes.
                    .col(timestamp_with_time_zone_null(RemoteHost::OpenUntil))
                    .col(timestamp_with_time_zone_null(RemoteHost::LastSuccessAt))
                    .col(timestamp_with_time_zone_null(RemoteHost::LastFailureAt))
                    // Start of the current failure streak.
                    .col(timestamp_with_time_zone_null(RemoteHost::FirstFailureAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RemoteHost::Table).to_owned())
            .await
    }
}
