//! Networks (this instance's own and its peers), co-ops (local and cached remote) and API
//! tokens.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Network {
    Table,
    Id,
    Username,
    Domain,
    Name,
    Country,
    Languages,
    Summary,
    ActorId,
    IsLocal,
    PublicKeyPem,
    PrivateKeyPem,
    MembersUrl,
    MemberDigest,
    LastSyncAt,
    LastSyncOk,
    LastSyncMessage,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Coop {
    Table,
    Id,
    NetworkId,
    Slug,
    ActorId,
    IsLocal,
    Name,
    Summary,
    Website,
    Email,
    Locality,
    Region,
    Country,
    Latitude,
    Longitude,
    Founded,
    Workers,
    LegalForm,
    Services,
    Technologies,
    Languages,
    Logo,
    Links,
    Listed,
    PublicKeyPem,
    PrivateKeyPem,
    DeletedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    TokenHash,
    Scope,
    CoopId,
    Label,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Network::Table)
                    .col(pk_auto(Network::Id))
                    .col(text(Network::Username))
                    .col(text(Network::Domain))
                    .col(text(Network::Name))
                    .col(text_null(Network::Country))
                    // JSON array of BCP 47 tags (text: portable across backends).
                    .col(text(Network::Languages))
                    .col(text(Network::Summary))
                    // NULL for this instance's own network, the actor URL for a peer.
                    .col(text_null(Network::ActorId).unique_key())
                    .col(boolean(Network::IsLocal))
                    .col(text_null(Network::PublicKeyPem))
                    .col(text_null(Network::PrivateKeyPem))
                    // Peers only: their members collection and how the last resync went.
                    .col(text_null(Network::MembersUrl))
                    .col(text_null(Network::MemberDigest))
                    .col(timestamp_with_time_zone_null(Network::LastSyncAt))
                    .col(boolean_null(Network::LastSyncOk))
                    .col(text_null(Network::LastSyncMessage))
                    .col(timestamp_with_time_zone(Network::CreatedAt))
                    .col(timestamp_with_time_zone(Network::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_network_domain_username")
                    .table(Network::Table)
                    .col(Network::Domain)
                    .col(Network::Username)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Coop::Table)
                    .col(pk_auto(Coop::Id))
                    .col(integer(Coop::NetworkId))
                    .col(text(Coop::Slug))
                    // NULL for local co-ops (derived from the domain), the actor URL for remote.
                    .col(text_null(Coop::ActorId).unique_key())
                    .col(boolean(Coop::IsLocal))
                    .col(text(Coop::Name))
                    // JSON object: language tag -> Markdown.
                    .col(text(Coop::Summary))
                    .col(text_null(Coop::Website))
                    .col(text_null(Coop::Email))
                    .col(text_null(Coop::Locality))
                    .col(text_null(Coop::Region))
                    .col(text_null(Coop::Country))
                    .col(double_null(Coop::Latitude))
                    .col(double_null(Coop::Longitude))
                    .col(integer_null(Coop::Founded))
                    .col(integer_null(Coop::Workers))
                    .col(text_null(Coop::LegalForm))
                    // JSON arrays.
                    .col(text(Coop::Services))
                    .col(text(Coop::Technologies))
                    .col(text(Coop::Languages))
                    .col(text_null(Coop::Logo))
                    .col(text(Coop::Links))
                    .col(boolean(Coop::Listed))
                    .col(text_null(Coop::PublicKeyPem))
                    .col(text_null(Coop::PrivateKeyPem))
                    // Set when removed: the slug stays taken and the actor answers 410.
                    .col(timestamp_with_time_zone_null(Coop::DeletedAt))
                    .col(timestamp_with_time_zone(Coop::CreatedAt))
                    .col(timestamp_with_time_zone(Coop::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_coop_network")
                            .from(Coop::Table, Coop::NetworkId)
                            .to(Network::Table, Network::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_coop_network_slug")
                    .table(Coop::Table)
                    .col(Coop::NetworkId)
                    .col(Coop::Slug)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_coop_created_at")
                    .table(Coop::Table)
                    .col(Coop::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiToken::Table)
                    .col(pk_auto(ApiToken::Id))
                    // SHA-256 of the token, hex: the token itself is shown once, never stored.
                    .col(text(ApiToken::TokenHash).unique_key())
                    .col(text(ApiToken::Scope))
                    .col(integer_null(ApiToken::CoopId))
                    .col(text(ApiToken::Label))
                    .col(timestamp_with_time_zone(ApiToken::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_token_coop")
                            .from(ApiToken::Table, ApiToken::CoopId)
                            .to(Coop::Table, Coop::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiToken::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Coop::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Network::Table).to_owned())
            .await
    }
}
