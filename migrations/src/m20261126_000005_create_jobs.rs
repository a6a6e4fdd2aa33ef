//! The persistent job table: slow work the inbox must not do inline (backfilling a peer
//! network's member directory after our follow is accepted, resyncing it), run by a worker
//! in `coopnet serve` with retries and backoff.
//!
//! Claimed like deliveries: a worker sets `state` to leased and `lease_until`, renews the
//! lease while the job runs, and a job whose lease expired (its process was killed) is
//! claimed again. `payload` is JSON text (portable; the worker reads it by `kind`).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Job {
    Table,
    Id,
    Kind,
    Payload,
    State,
    Attempts,
    RunAfter,
    LeaseUntil,
    LastError,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Job::Table)
                    .col(big_pk_auto(Job::Id))
                    // `backfill`, `resync`.
                    .col(text(Job::Kind))
                    .col(text(Job::Payload))
                    // 0 pending, 1 leased, 2 done, 3 dead (as `delivery.state`).
                    .col(small_integer(Job::State))
                    .col(integer(Job::Attempts).default(0))
                    .col(timestamp_with_time_zone(Job::RunAfter))
                    .col(timestamp_with_time_zone_null(Job::LeaseUntil))
                    .col(text_null(Job::LastError))
                    .col(timestamp_with_time_zone(Job::CreatedAt))
                    .col(timestamp_with_time_zone(Job::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_job_state_run_after")
                    .table(Job::Table)
                    .col(Job::State)
                    .col(Job::RunAfter)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Job::Table).to_owned())
            .await
    }
}
