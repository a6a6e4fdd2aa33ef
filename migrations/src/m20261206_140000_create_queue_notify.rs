//! Cross-process signals on PostgreSQL: a row added to `delivery` or `job`, and any write to
//! `coop` or `linked_account`, sends `NOTIFY coopnet_queue` with the table's name as
//! payload, so every `serve` process on the database (listening through
//! `coopnet_db::signals`) wakes its worker for that queue at once instead of at its next
//! idle poll, and drops the actor documents it rendered. A `coopnet coop add` in another
//! process thus reaches peer networks in milliseconds.
//!
//! Triggers rather than calls in the repository so no enqueuer (CLI, other processes, future
//! write paths) can forget one; statement-level, and PostgreSQL delivers a notification only
//! when its transaction commits and folds identical ones of one transaction into one. SQLite
//! has no notifications: `coopnet_db::signals` polls `PRAGMA data_version` there, so this
//! migration does nothing on SQLite.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &[&str] = &[
    "CREATE OR REPLACE FUNCTION coopnet_queue_notify() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN PERFORM pg_notify('coopnet_queue', TG_TABLE_NAME); RETURN NULL; END $$",
    "CREATE TRIGGER delivery_queue_notify AFTER INSERT ON delivery \
     FOR EACH STATEMENT EXECUTE FUNCTION coopnet_queue_notify()",
    "CREATE TRIGGER job_queue_notify AFTER INSERT ON job \
     FOR EACH STATEMENT EXECUTE FUNCTION coopnet_queue_notify()",
    "CREATE TRIGGER coop_change_notify AFTER INSERT OR UPDATE OR DELETE ON coop \
     FOR EACH STATEMENT EXECUTE FUNCTION coopnet_queue_notify()",
    "CREATE TRIGGER linked_account_change_notify AFTER INSERT OR UPDATE OR DELETE \
     ON linked_account FOR EACH STATEMENT EXECUTE FUNCTION coopnet_queue_notify()",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS delivery_queue_notify ON delivery",
    "DROP TRIGGER IF EXISTS job_queue_notify ON job",
    "DROP TRIGGER IF EXISTS coop_change_notify ON coop",
    "DROP TRIGGER IF EXISTS linked_account_change_notify ON linked_account",
    "DROP FUNCTION IF EXISTS coopnet_queue_notify()",
];

async fn run(manager: &SchemaManager<'_>, sqls: &[&str]) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    for sql in sqls {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, POSTGRES_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, POSTGRES_DOWN).await
    }
}
