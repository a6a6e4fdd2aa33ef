//! The web console: accounts (admins and co-op editors), their links to co-ops, one-time
//! invites, login sessions, join applications, uploaded logos and the reasons co-ops were
//! removed; and `coop.contact_public`, the public visibility of a co-op's contact e-mail.
//!
//! Secrets are never stored: invite tokens and session cookies only as SHA-256 hex,
//! passwords as argon2id PHC strings.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Coop {
    Table,
    Id,
    ContactPublic,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    Email,
    DisplayName,
    PasswordHash,
    Role,
    FailedLogins,
    LockedUntil,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AccountCoop {
    Table,
    AccountId,
    CoopId,
}

#[derive(DeriveIden)]
enum Invite {
    Table,
    Id,
    TokenHash,
    Role,
    CoopId,
    Email,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum ConsoleSession {
    Table,
    Id,
    AccountId,
    CsrfToken,
    CreatedAt,
    LastSeen,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum JoinApplication {
    Table,
    Id,
    Name,
    Slug,
    Website,
    Summary,
    SummaryLang,
    Country,
    ContactEmail,
    ApplicantName,
    Message,
    Status,
    Reason,
    CreatedAt,
    DecidedAt,
    DecidedBy,
}

#[derive(DeriveIden)]
enum CoopLogo {
    Table,
    CoopId,
    ContentType,
    Bytes,
    Etag,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MemberRemoval {
    Table,
    Id,
    CoopId,
    Slug,
    Name,
    Reason,
    RemovedBy,
    RemovedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Contacts were public until now: existing rows keep showing them.
        manager
            .alter_table(
                Table::alter()
                    .table(Coop::Table)
                    .add_column(boolean(Coop::ContactPublic).default(true))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Account::Table)
                    .col(pk_auto(Account::Id))
                    // Lowercased on the way in.
                    .col(text(Account::Email).unique_key())
                    .col(text(Account::DisplayName))
                    // argon2id PHC string.
                    .col(text(Account::PasswordHash))
                    // `admin` or `editor`.
                    .col(text(Account::Role))
                    // Failures since the last success or lock; the lock end while locked.
                    .col(integer(Account::FailedLogins).default(0))
                    .col(timestamp_with_time_zone_null(Account::LockedUntil))
                    .col(timestamp_with_time_zone(Account::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AccountCoop::Table)
                    .col(integer(AccountCoop::AccountId))
                    .col(integer(AccountCoop::CoopId))
                    .primary_key(
                        Index::create()
                            .col(AccountCoop::AccountId)
                            .col(AccountCoop::CoopId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_coop_account")
                            .from(AccountCoop::Table, AccountCoop::AccountId)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_coop_coop")
                            .from(AccountCoop::Table, AccountCoop::CoopId)
                            .to(Coop::Table, Coop::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_account_coop_coop")
                    .table(AccountCoop::Table)
                    .col(AccountCoop::CoopId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Invite::Table)
                    .col(pk_auto(Invite::Id))
                    // SHA-256 hex of the one-time token; the token is shown once.
                    .col(text(Invite::TokenHash).unique_key())
                    .col(text(Invite::Role))
                    // Editor invites: the co-op to edit.
                    .col(integer_null(Invite::CoopId))
                    // When set, the account is made for this address.
                    .col(text_null(Invite::Email))
                    // The inviting account; NULL when made with `coopnet invite`.
                    .col(integer_null(Invite::CreatedBy))
                    .col(timestamp_with_time_zone(Invite::CreatedAt))
                    .col(timestamp_with_time_zone(Invite::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Invite::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invite_coop")
                            .from(Invite::Table, Invite::CoopId)
                            .to(Coop::Table, Coop::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invite_account")
                            .from(Invite::Table, Invite::CreatedBy)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ConsoleSession::Table)
                    // SHA-256 hex of the cookie value.
                    .col(text(ConsoleSession::Id).primary_key())
                    .col(integer(ConsoleSession::AccountId))
                    // Synchroniser token of every form of this session.
                    .col(text(ConsoleSession::CsrfToken))
                    .col(timestamp_with_time_zone(ConsoleSession::CreatedAt))
                    .col(timestamp_with_time_zone(ConsoleSession::LastSeen))
                    .col(timestamp_with_time_zone(ConsoleSession::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_console_session_account")
                            .from(ConsoleSession::Table, ConsoleSession::AccountId)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_console_session_account")
                    .table(ConsoleSession::Table)
                    .col(ConsoleSession::AccountId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(JoinApplication::Table)
                    .col(pk_auto(JoinApplication::Id))
                    .col(text(JoinApplication::Name))
                    .col(text(JoinApplication::Slug))
                    .col(text(JoinApplication::Website))
                    .col(text(JoinApplication::Summary))
                    .col(text(JoinApplication::SummaryLang))
                    .col(text(JoinApplication::Country))
                    .col(text(JoinApplication::ContactEmail))
                    .col(text(JoinApplication::ApplicantName))
                    .col(text(JoinApplication::Message))
                    // `pending`, `approved` or `rejected`.
                    .col(text(JoinApplication::Status))
                    .col(text_null(JoinApplication::Reason))
                    .col(timestamp_with_time_zone(JoinApplication::CreatedAt))
                    .col(timestamp_with_time_zone_null(JoinApplication::DecidedAt))
                    .col(integer_null(JoinApplication::DecidedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_join_application_account")
                            .from(JoinApplication::Table, JoinApplication::DecidedBy)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_join_application_status")
                    .table(JoinApplication::Table)
                    .col(JoinApplication::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CoopLogo::Table)
                    .col(integer(CoopLogo::CoopId).primary_key())
                    .col(text(CoopLogo::ContentType))
                    // The re-encoded PNG (at most 256x256), bytea / BLOB.
                    .col(blob(CoopLogo::Bytes))
                    .col(text(CoopLogo::Etag))
                    .col(timestamp_with_time_zone(CoopLogo::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_coop_logo_coop")
                            .from(CoopLogo::Table, CoopLogo::CoopId)
                            .to(Coop::Table, Coop::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MemberRemoval::Table)
                    .col(pk_auto(MemberRemoval::Id))
                    .col(integer(MemberRemoval::CoopId))
                    .col(text(MemberRemoval::Slug))
                    .col(text(MemberRemoval::Name))
                    .col(text(MemberRemoval::Reason))
                    .col(integer_null(MemberRemoval::RemovedBy))
                    .col(timestamp_with_time_zone(MemberRemoval::RemovedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_member_removal_coop")
                            .from(MemberRemoval::Table, MemberRemoval::CoopId)
                            .to(Coop::Table, Coop::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_member_removal_account")
                            .from(MemberRemoval::Table, MemberRemoval::RemovedBy)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            MemberRemoval::Table.into_iden(),
            CoopLogo::Table.into_iden(),
            JoinApplication::Table.into_iden(),
            ConsoleSession::Table.into_iden(),
            Invite::Table.into_iden(),
            AccountCoop::Table.into_iden(),
            Account::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Coop::Table)
                    .drop_column(Coop::ContactPublic)
                    .to_owned(),
            )
            .await
    }
}
