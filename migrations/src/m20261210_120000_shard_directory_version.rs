//! `directory_version` on PostgreSQL becomes 64 counter rows whose sum is the version, each
//! connection bumping its own (`pg_backend_pid() % 64`), instead of one row every writer
//! bumps.
//!
//! Why: the statement triggers of `m20261126_000007_create_directory_version` update row 1
//! in the writer's transaction, so the row stays locked until that transaction commits and
//! every other writer's next statement waits for it: parallel writers ran one at a time
//! (the bench's 4 parallel generators spent 2-6 s per `INSERT` waiting at 100,000 co-ops).
//! Counter rows per connection keep the counter transactional (a bump becomes visible
//! exactly when its transaction commits, which the search index's freshness check relies
//! on; a sequence would show it before) without one hot row. The sum still only grows, so
//! "the version moved" keeps its meaning. SQLite has one writer at a time: nothing changes
//! there, and the sum over its one row is that row.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::statements::run;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &[&str] = &[
    "INSERT INTO directory_version (id, version) \
     SELECT g, 0 FROM generate_series(2, 64) AS g ON CONFLICT (id) DO NOTHING",
    "CREATE OR REPLACE FUNCTION directory_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN UPDATE directory_version SET version = version + 1 \
     WHERE id = 1 + pg_backend_pid() % 64; RETURN NULL; END $$",
];

const POSTGRES_DOWN: &[&str] = &[
    "UPDATE directory_version SET version = (SELECT SUM(version) FROM directory_version) \
     WHERE id = 1",
    "DELETE FROM directory_version WHERE id > 1",
    "CREATE OR REPLACE FUNCTION directory_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; RETURN NULL; END $$",
];

/// Runs `sqls` on PostgreSQL; nothing on SQLite.
async fn postgres_only(manager: &SchemaManager<'_>, sqls: &[&str]) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    run(manager, sqls).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        postgres_only(manager, POSTGRES_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        postgres_only(manager, POSTGRES_DOWN).await
    }
}
