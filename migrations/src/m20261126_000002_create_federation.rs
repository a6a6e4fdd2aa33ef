//! Federation state: the instance actor's key, cached remote actors, followers, the actors
//! our network follows, blocked domains, news posts,
//! the outbox of activities we sent and the persistent delivery queue, and the ids of
//! activities received (for de-duplication).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InstanceActor {
    Table,
    Id,
    PublicKeyPem,
    PrivateKeyPem,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RemoteActor {
    Table,
    Id,
    ActorId,
    Kind,
    Username,
    Domain,
    Name,
    Inbox,
    SharedInbox,
    PublicKeyId,
    PublicKeyPem,
    FetchedAt,
}

#[derive(DeriveIden)]
enum Follower {
    Table,
    Id,
    TargetKind,
    TargetId,
    RemoteActorId,
    FollowId,
    State,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DomainBlock {
    Table,
    Domain,
    Reason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Following {
    Table,
    Id,
    RemoteActorId,
    FollowId,
    State,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Post {
    Table,
    Id,
    PublicId,
    AuthorKind,
    AuthorId,
    Content,
    ContentHtml,
    PublishedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum OutboxActivity {
    Table,
    Id,
    ApId,
    ActorKind,
    ActorId,
    Kind,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Delivery {
    Table,
    Id,
    ActivityId,
    Inbox,
    Host,
    State,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LastStatus,
    LastError,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReceivedActivity {
    Table,
    ApId,
    ReceivedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InstanceActor::Table)
                    .col(pk_auto(InstanceActor::Id))
                    .col(text(InstanceActor::PublicKeyPem))
                    .col(text(InstanceActor::PrivateKeyPem))
                    .col(timestamp_with_time_zone(InstanceActor::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RemoteActor::Table)
                    .col(pk_auto(RemoteActor::Id))
                    .col(text(RemoteActor::ActorId).unique_key())
                    // Person, Service, Application, Group or Organization.
                    .col(text(RemoteActor::Kind))
                    .col(text(RemoteActor::Username))
                    // host[:port] of the actor id.
                    .col(text(RemoteActor::Domain))
                    .col(text_null(RemoteActor::Name))
                    .col(text(RemoteActor::Inbox))
                    .col(text_null(RemoteActor::SharedInbox))
                    .col(text(RemoteActor::PublicKeyId))
                    .col(text(RemoteActor::PublicKeyPem))
                    .col(timestamp_with_time_zone(RemoteActor::FetchedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Follower::Table)
                    .col(pk_auto(Follower::Id))
                    // "coop" or "network": which kind of local actor is followed.
                    .col(text(Follower::TargetKind))
                    .col(integer(Follower::TargetId))
                    .col(integer(Follower::RemoteActorId))
                    .col(text(Follower::FollowId))
                    // "accepted", or "pending" while an admin decides (manual policy).
                    .col(text(Follower::State))
                    .col(timestamp_with_time_zone(Follower::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_follower_remote_actor")
                            .from(Follower::Table, Follower::RemoteActorId)
                            .to(RemoteActor::Table, RemoteActor::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_follower_target_actor")
                    .table(Follower::Table)
                    .col(Follower::TargetKind)
                    .col(Follower::TargetId)
                    .col(Follower::RemoteActorId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Following::Table)
                    .col(pk_auto(Following::Id))
                    // The remote actor our network actor follows (one row each).
                    .col(integer(Following::RemoteActorId).unique_key())
                    .col(text(Following::FollowId))
                    // "pending", "accepted" or "rejected".
                    .col(text(Following::State))
                    .col(timestamp_with_time_zone(Following::CreatedAt))
                    .col(timestamp_with_time_zone(Following::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_following_remote_actor")
                            .from(Following::Table, Following::RemoteActorId)
                            .to(RemoteActor::Table, RemoteActor::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Post::Table)
                    .col(pk_auto(Post::Id))
                    // The path segment of the post's URL: random, so ids are not guessable.
                    .col(text(Post::PublicId).unique_key())
                    .col(text(Post::AuthorKind))
                    .col(integer(Post::AuthorId))
                    // Markdown as written, and its sanitised HTML rendering.
                    .col(text(Post::Content))
                    .col(text(Post::ContentHtml))
                    .col(timestamp_with_time_zone(Post::PublishedAt))
                    .col(timestamp_with_time_zone(Post::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Post::DeletedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_post_author")
                    .table(Post::Table)
                    .col(Post::AuthorKind)
                    .col(Post::AuthorId)
                    .col(Post::PublishedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OutboxActivity::Table)
                    .col(big_pk_auto(OutboxActivity::Id))
                    .col(text(OutboxActivity::ApId).unique_key())
                    .col(text(OutboxActivity::ActorKind))
                    .col(integer(OutboxActivity::ActorId))
                    .col(text(OutboxActivity::Kind))
                    // The activity JSON exactly as sent (signed per delivery).
                    .col(text(OutboxActivity::Body))
                    .col(timestamp_with_time_zone(OutboxActivity::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Delivery::Table)
                    .col(big_pk_auto(Delivery::Id))
                    .col(big_integer(Delivery::ActivityId))
                    .col(text(Delivery::Inbox))
                    .col(text(Delivery::Host))
                    // 0 pending, 1 leased, 2 done, 3 dead.
                    .col(small_integer(Delivery::State))
                    .col(integer(Delivery::Attempts))
                    .col(timestamp_with_time_zone(Delivery::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Delivery::LeaseUntil))
                    .col(integer_null(Delivery::LastStatus))
                    .col(text_null(Delivery::LastError))
                    .col(timestamp_with_time_zone(Delivery::CreatedAt))
                    .col(timestamp_with_time_zone(Delivery::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_delivery_activity")
                            .from(Delivery::Table, Delivery::ActivityId)
                            .to(OutboxActivity::Table, OutboxActivity::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_delivery_activity_inbox")
                    .table(Delivery::Table)
                    .col(Delivery::ActivityId)
                    .col(Delivery::Inbox)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_delivery_due")
                    .table(Delivery::Table)
                    .col(Delivery::State)
                    .col(Delivery::NextAttemptAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DomainBlock::Table)
                    // host[:port] refused everything.
                    .col(text(DomainBlock::Domain).primary_key())
                    .col(text(DomainBlock::Reason))
                    .col(timestamp_with_time_zone(DomainBlock::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReceivedActivity::Table)
                    .col(text(ReceivedActivity::ApId).primary_key())
                    .col(timestamp_with_time_zone(ReceivedActivity::ReceivedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ReceivedActivity::Table.into_iden(),
            DomainBlock::Table.into_iden(),
            Delivery::Table.into_iden(),
            OutboxActivity::Table.into_iden(),
            Post::Table.into_iden(),
            Following::Table.into_iden(),
            Follower::Table.into_iden(),
            RemoteActor::Table.into_iden(),
            InstanceActor::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
