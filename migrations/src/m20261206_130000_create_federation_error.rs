//! `federation_error`: recent refused or failed federation steps, per remote host (a peer
//! refusing our follow, a delivery that failed, a backfill that gave up, an activity of
//! theirs we refused), so an operator sees in the console why federation with a peer does
//! not work without reading logs. Only the newest few per host are kept (pruned on write).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FederationError {
    Table,
    Id,
    Host,
    Step,
    Reason,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FederationError::Table)
                    .col(pk_auto(FederationError::Id))
                    // host[:port] of the peer.
                    .col(text(FederationError::Host))
                    // What failed: "follow", "delivery", "backfill", "resync", "inbox".
                    .col(text(FederationError::Step))
                    // Our words, bounded; never content fetched from the peer.
                    .col(text(FederationError::Reason))
                    .col(timestamp_with_time_zone(FederationError::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_federation_error_host")
                    .table(FederationError::Table)
                    .col(FederationError::Host)
                    .col(FederationError::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FederationError::Table).to_owned())
            .await
    }
}
