//! `directory_change`: the directory's change log. Every insert, delete, and update of a
//! `coop` row that can alter what the search index holds for it (`updated_at`, `listed`,
//! `deleted_at`, `network_id`, `country`) appends the co-op's id, in the writer's own
//! transaction, through a row trigger, so no write path (the CLI, another `serve`,
//! federation, a cascade from a removed network) can forget it. A process's search index
//! reads only the rows past its watermark instead of diffing every co-op
//! (`coopnet_db::repo::directory_changes`, `docs/search.md`).
//!
//! Ordering: SQLite has one writer at a time, so `seq` grows in commit order. On PostgreSQL
//! a sequence value is taken before its transaction commits, so a reader may see `seq` 7
//! while 6 is still uncommitted; each row therefore records its transaction id (`txid`),
//! and a reader also re-reads rows whose `txid` is at or past the oldest transaction that
//! was running when it last read (`pg_snapshot_xmin`).
//!
//! `at` (Unix seconds) lets housekeeping drop rows older than a day; a reader that has not
//! read for an hour rebuilds by a full diff instead.
//!
//! Also on PostgreSQL: writes to `network` notify `coopnet_queue` (as `coop` writes already
//! do since `m20261206_140000_create_queue_notify`), so every process's index learns of a
//! renamed network at once.
use sea_orm_migration::prelude::*;

use crate::statements::run_by_backend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE TABLE directory_change (\
       seq INTEGER PRIMARY KEY AUTOINCREMENT, \
       coop_id INTEGER NOT NULL, \
       at INTEGER NOT NULL DEFAULT (unixepoch()))",
    "CREATE INDEX ix_directory_change_at ON directory_change (at)",
    "CREATE TRIGGER directory_change_insert AFTER INSERT ON coop FOR EACH ROW \
     BEGIN INSERT INTO directory_change (coop_id) VALUES (NEW.id); END",
    "CREATE TRIGGER directory_change_delete AFTER DELETE ON coop FOR EACH ROW \
     BEGIN INSERT INTO directory_change (coop_id) VALUES (OLD.id); END",
    "CREATE TRIGGER directory_change_update AFTER UPDATE ON coop FOR EACH ROW \
     WHEN OLD.updated_at IS NOT NEW.updated_at OR OLD.listed IS NOT NEW.listed \
       OR OLD.deleted_at IS NOT NEW.deleted_at OR OLD.network_id IS NOT NEW.network_id \
       OR OLD.country IS NOT NEW.country OR OLD.id IS NOT NEW.id \
     BEGIN INSERT INTO directory_change (coop_id) VALUES (NEW.id); END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS directory_change_insert",
    "DROP TRIGGER IF EXISTS directory_change_delete",
    "DROP TRIGGER IF EXISTS directory_change_update",
    "DROP TABLE IF EXISTS directory_change",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE TABLE directory_change (\
       seq BIGSERIAL PRIMARY KEY, \
       coop_id BIGINT NOT NULL, \
       txid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint), \
       at BIGINT NOT NULL DEFAULT (EXTRACT(EPOCH FROM now())::bigint))",
    "CREATE INDEX ix_directory_change_txid ON directory_change (txid)",
    "CREATE INDEX ix_directory_change_at ON directory_change (at)",
    "CREATE OR REPLACE FUNCTION directory_change_log() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
       IF TG_OP = 'DELETE' THEN \
         INSERT INTO directory_change (coop_id) VALUES (OLD.id); \
       ELSE \
         INSERT INTO directory_change (coop_id) VALUES (NEW.id); \
       END IF; \
       RETURN NULL; \
     END $$",
    "CREATE TRIGGER directory_change_insert_delete AFTER INSERT OR DELETE ON coop \
     FOR EACH ROW EXECUTE FUNCTION directory_change_log()",
    "CREATE TRIGGER directory_change_update AFTER UPDATE ON coop FOR EACH ROW \
     WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at \
       OR OLD.listed IS DISTINCT FROM NEW.listed \
       OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at \
       OR OLD.network_id IS DISTINCT FROM NEW.network_id \
       OR OLD.country IS DISTINCT FROM NEW.country \
       OR OLD.id IS DISTINCT FROM NEW.id) \
     EXECUTE FUNCTION directory_change_log()",
    "CREATE TRIGGER network_change_notify AFTER INSERT OR UPDATE OR DELETE ON network \
     FOR EACH STATEMENT EXECUTE FUNCTION coopnet_queue_notify()",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS network_change_notify ON network",
    "DROP TRIGGER IF EXISTS directory_change_update ON coop",
    "DROP TRIGGER IF EXISTS directory_change_insert_delete ON coop",
    "DROP FUNCTION IF EXISTS directory_change_log()",
    "DROP TABLE IF EXISTS directory_change",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_by_backend(manager, SQLITE_UP, POSTGRES_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_by_backend(manager, SQLITE_DOWN, POSTGRES_DOWN).await
    }
}
