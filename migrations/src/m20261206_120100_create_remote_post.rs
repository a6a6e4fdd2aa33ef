//! The store of remote posts shared by linked accounts and federation news (issue 14):
//! `remote_post` keeps each post once, by its ActivityPub id, sanitised and bounded;
//! `remote_post_source` records every way it reached us: through which network (ours for a
//! linked account's post, a peer's for its own posts and boosts), how (`linked`, `posted`,
//! `boosted`), for which co-op (linked accounts) and by which activity (our `Announce` of a
//! linked post, which its `Undo` names; a peer's `Create` or `Announce`). A post lives as long
//! as it has a source: forgetting a peer network or unlinking an account deletes its sources,
//! and the posts left without one go with them.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RemotePost {
    Table,
    Id,
    ApId,
    AuthorId,
    AuthorName,
    Url,
    ContentHtml,
    Visibility,
    InReplyTo,
    PublishedAt,
    UpdatedAt,
    StoredAt,
}

#[derive(DeriveIden)]
enum RemotePostSource {
    Table,
    Id,
    PostId,
    NetworkId,
    CoopId,
    Via,
    ActivityId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Network {
    Table,
    Id,
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
                    .table(RemotePost::Table)
                    .col(pk_auto(RemotePost::Id))
                    .col(text(RemotePost::ApId).unique_key())
                    // The author's actor id, and its name or handle when stored.
                    .col(text(RemotePost::AuthorId))
                    .col(text(RemotePost::AuthorName))
                    .col(text_null(RemotePost::Url))
                    // Sanitised, at most 20,000 bytes (coopnet_core::MAX_REMOTE_CONTENT_BYTES).
                    .col(text(RemotePost::ContentHtml))
                    // "public", "unlisted", "followers" or "direct".
                    .col(text(RemotePost::Visibility))
                    .col(text_null(RemotePost::InReplyTo))
                    .col(timestamp_with_time_zone(RemotePost::PublishedAt))
                    .col(timestamp_with_time_zone_null(RemotePost::UpdatedAt))
                    .col(timestamp_with_time_zone(RemotePost::StoredAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_remote_post_published")
                    .table(RemotePost::Table)
                    .col(RemotePost::PublishedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_remote_post_author")
                    .table(RemotePost::Table)
                    .col(RemotePost::AuthorId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RemotePostSource::Table)
                    .col(pk_auto(RemotePostSource::Id))
                    .col(integer(RemotePostSource::PostId))
                    .col(integer(RemotePostSource::NetworkId))
                    // The co-op whose linked account wrote it ("linked" sources only).
                    .col(integer_null(RemotePostSource::CoopId))
                    // "linked", "posted" or "boosted".
                    .col(text(RemotePostSource::Via))
                    .col(text_null(RemotePostSource::ActivityId))
                    .col(timestamp_with_time_zone(RemotePostSource::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_remote_post_source_post")
                            .from(RemotePostSource::Table, RemotePostSource::PostId)
                            .to(RemotePost::Table, RemotePost::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_remote_post_source_network")
                            .from(RemotePostSource::Table, RemotePostSource::NetworkId)
                            .to(Network::Table, Network::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_remote_post_source_coop")
                            .from(RemotePostSource::Table, RemotePostSource::CoopId)
                            .to(Coop::Table, Coop::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One source per network and post: a redelivered Create or Announce adds nothing.
        manager
            .create_index(
                Index::create()
                    .name("ux_remote_post_source_post_network")
                    .table(RemotePostSource::Table)
                    .col(RemotePostSource::PostId)
                    .col(RemotePostSource::NetworkId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_remote_post_source_network")
                    .table(RemotePostSource::Table)
                    .col(RemotePostSource::NetworkId)
                    .col(RemotePostSource::ActivityId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_remote_post_source_coop")
                    .table(RemotePostSource::Table)
                    .col(RemotePostSource::CoopId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RemotePostSource::Table.into_iden(),
            RemotePost::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
