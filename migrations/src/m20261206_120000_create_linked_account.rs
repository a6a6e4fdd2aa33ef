//! `linked_account`: the fediverse account a co-op already posts from (issue 14, "Linked
//! accounts"). One per co-op, and one co-op per account; verified by a backlink to the
//! co-op's profile before it is stored. The follow of the account by our network lives in
//! `following` like any other, so this table holds only the link itself: the account is
//! named by its actor id (not a `remote_actor` row, which a block or an actor `Delete`
//! removes), and the link outlives the cached actor.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LinkedAccount {
    Table,
    Id,
    CoopId,
    ActorId,
    Handle,
    Backlink,
    LinkedAt,
}

#[derive(DeriveIden)]
enum Coop {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LinkedAccount::Table)
                    .col(pk_auto(LinkedAccount::Id))
                    .col(integer(LinkedAccount::CoopId).unique_key())
                    // The remote actor's id.
                    .col(text(LinkedAccount::ActorId).unique_key())
                    // user@host, as resolved.
                    .col(text(LinkedAccount::Handle))
                    // Where it points back: "url", "field" or "also_known_as".
                    .col(text(LinkedAccount::Backlink))
                    .col(timestamp_with_time_zone(LinkedAccount::LinkedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_linked_account_coop")
                            .from(LinkedAccount::Table, LinkedAccount::CoopId)
                            .to(Coop::Table, Coop::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LinkedAccount::Table).to_owned())
            .await
    }
}
