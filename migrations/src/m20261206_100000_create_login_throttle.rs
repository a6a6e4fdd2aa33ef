//! `login_throttle`: one failure counter and lock per login name, for known and unknown
//! e-mail addresses alike, replacing `account.failed_logins` / `account.locked_until`.
//!
//! Counting only real accounts told an attacker which addresses have one (only they ever
//! answered "locked"). Rows are keyed by the SHA-256 (hex) of the trimmed, lowercased e-mail,
//! never the address itself; `coopnet_app::accounts` derives the same key, and the account
//! table already holds e-mails in that form. `updated_at` is the last attempt counted: rows
//! without a lock in force and older than the lockout window are pruned.
//!
//! Up carries the locks in force over (partial counts of unlocked accounts are forgotten:
//! their time is unknown, and the new rules forget counts after a quiet window anyway);
//! down carries every counter back to its account. Hashing needs `sha2` here: SQLite has no
//! SHA-256 function, and SHA-256 never changes, so this file stays frozen like the others.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, StatementBuilder};
use sha2::{Digest, Sha256};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LoginThrottle {
    Table,
    KeyHash,
    Failures,
    LockedUntil,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    Email,
    FailedLogins,
    LockedUntil,
}

/// The counter key of a stored (already trimmed and lowercased) e-mail: SHA-256, hex.
fn key_of(email: &str) -> String {
    Sha256::digest(email.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `(id, email)` of the accounts `filter` selects.
async fn accounts(
    manager: &SchemaManager<'_>,
    filter: SimpleExpr,
) -> Result<Vec<(i32, String)>, DbErr> {
    let query = Query::select()
        .columns([Account::Id, Account::Email])
        .from(Account::Table)
        .and_where(filter)
        .to_owned();
    let rows = manager.get_connection().query_all(&query).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "email")?)))
        .collect()
}

async fn run(manager: &SchemaManager<'_>, stmt: &impl StatementBuilder) -> Result<(), DbErr> {
    manager.get_connection().execute(stmt).await.map(|_| ())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on every backend (SQLite too, where DDL is transactional): the
    /// copy of the counters and the change of the tables happen together, on one
    /// connection, or not at all.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LoginThrottle::Table)
                    // SHA-256 hex of the trimmed, lowercased e-mail.
                    .col(text(LoginThrottle::KeyHash).primary_key())
                    .col(integer(LoginThrottle::Failures).default(0))
                    .col(timestamp_with_time_zone_null(LoginThrottle::LockedUntil))
                    .col(timestamp_with_time_zone(LoginThrottle::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // Copied in SQL so the stored timestamps keep their backend's own format.
        for (id, email) in accounts(manager, Expr::col(Account::LockedUntil).is_not_null()).await? {
            let copy = Query::insert()
                .into_table(LoginThrottle::Table)
                .columns([
                    LoginThrottle::KeyHash,
                    LoginThrottle::Failures,
                    LoginThrottle::LockedUntil,
                    LoginThrottle::UpdatedAt,
                ])
                .select_from(
                    Query::select()
                        .expr(Expr::val(key_of(&email)))
                        .columns([
                            Account::FailedLogins,
                            Account::LockedUntil,
                            Account::LockedUntil,
                        ])
                        .from(Account::Table)
                        .and_where(Expr::col(Account::Id).eq(id))
                        .to_owned(),
                )
                .map_err(|e| DbErr::Migration(e.to_string()))?
                .to_owned();
            run(manager, &copy).await?;
        }
        // One column per statement: SQLite alters one thing at a time.
        for column in [Account::FailedLogins, Account::LockedUntil] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Account::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            integer(Account::FailedLogins).default(0).to_owned(),
            timestamp_with_time_zone_null(Account::LockedUntil),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Account::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for (id, email) in accounts(manager, Expr::value(true)).await? {
            let key = key_of(&email);
            let field = |column: LoginThrottle| {
                Query::select()
                    .column(column)
                    .from(LoginThrottle::Table)
                    .and_where(Expr::col(LoginThrottle::KeyHash).eq(key.clone()))
                    .to_owned()
            };
            let back = Query::update()
                .table(Account::Table)
                .value(
                    Account::FailedLogins,
                    SimpleExpr::SubQuery(
                        None,
                        Box::new(field(LoginThrottle::Failures).into_sub_query_statement()),
                    ),
                )
                .value(
                    Account::LockedUntil,
                    SimpleExpr::SubQuery(
                        None,
                        Box::new(field(LoginThrottle::LockedUntil).into_sub_query_statement()),
                    ),
                )
                .and_where(Expr::col(Account::Id).eq(id))
                .and_where(Expr::exists(field(LoginThrottle::KeyHash)))
                .to_owned();
            run(manager, &back).await?;
        }
        manager
            .drop_table(Table::drop().table(LoginThrottle::Table).to_owned())
            .await
    }
}
