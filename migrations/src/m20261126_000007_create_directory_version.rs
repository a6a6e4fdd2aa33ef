//! A change counter for the directory index, so search results that depend only on the set of
//! listed co-ops (totals and facet counts) can be cached until the next write.
//!
//! `directory_version` holds one row; triggers bump it on every write that can change which
//! co-ops match a query or what they carry: rows of `coop` inserted or deleted, the columns
//! filters read (`listed`, `deleted_at`, `network_id`, `country`) updated, and any write to
//! the index tables `coop_search` and `coop_facet` (which every profile change rewrites, and
//! which cascades from deleted co-ops and networks reach). Triggers rather than calls in the
//! repository so no write path (including cascades and future ones) can forget it; the
//! counter is read in the same transaction as the search (`repo::search`).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE TABLE directory_version (id integer NOT NULL PRIMARY KEY, version bigint NOT NULL)",
    "INSERT INTO directory_version (id, version) VALUES (1, 1)",
    // SQLite has row triggers only: one small update per row written.
    "CREATE TRIGGER directory_version_coop_ai AFTER INSERT ON coop BEGIN \
     UPDATE directory_version SET version = version + 1 WHERE id = 1; END",
    "CREATE TRIGGER directory_version_coop_ad AFTER DELETE ON coop BEGIN \
     UPDATE directory_version SET version = version + 1 WHERE id = 1; END",
    "CREATE TRIGGER directory_version_coop_au AFTER UPDATE OF listed, deleted_at, network_id, \
     country ON coop BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END",
    "CREATE TRIGGER directory_version_search_ai AFTER INSERT ON coop_search BEGIN \
     UPDATE directory_version SET version = version + 1 WHERE id = 1; END",
    "CREATE TRIGGER directory_version_search_ad AFTER DELETE ON coop_search BEGIN \
     UPDATE directory_version SET version = version + 1 WHERE id = 1; END",
    "CREATE TRIGGER directory_version_search_au AFTER UPDATE ON coop_search BEGIN \
     UPDATE directory_version SET version = version + 1 WHERE id = 1; END",
    "CREATE TRIGGER directory_version_facet_ai AFTER INSERT ON coop_facet BEGIN \
     UPDATE directory_version SET version = version + 1 WHERE id = 1; END",
    "CREATE TRIGGER directory_version_facet_ad AFTER DELETE ON coop_facet BEGIN \
     UPDATE directory_version SET version = version + 1 WHERE id = 1; END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS directory_version_coop_ai",
    "DROP TRIGGER IF EXISTS directory_version_coop_ad",
    "DROP TRIGGER IF EXISTS directory_version_coop_au",
    "DROP TRIGGER IF EXISTS directory_version_search_ai",
    "DROP TRIGGER IF EXISTS directory_version_search_ad",
    "DROP TRIGGER IF EXISTS directory_version_search_au",
    "DROP TRIGGER IF EXISTS directory_version_facet_ai",
    "DROP TRIGGER IF EXISTS directory_version_facet_ad",
    "DROP TABLE IF EXISTS directory_version",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE TABLE directory_version (id integer NOT NULL PRIMARY KEY, version bigint NOT NULL)",
    "INSERT INTO directory_version (id, version) VALUES (1, 1)",
    "CREATE FUNCTION directory_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; RETURN NULL; END $$",
    // Statement triggers: one bump per statement, however many rows it writes.
    "CREATE TRIGGER directory_version_coop AFTER INSERT OR DELETE ON coop \
     FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump()",
    "CREATE TRIGGER directory_version_coop_u AFTER UPDATE OF listed, deleted_at, network_id, \
     country ON coop FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump()",
    "CREATE TRIGGER directory_version_search AFTER INSERT OR UPDATE OR DELETE ON coop_search \
     FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump()",
    "CREATE TRIGGER directory_version_facet AFTER INSERT OR DELETE ON coop_facet \
     FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump()",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS directory_version_coop ON coop",
    "DROP TRIGGER IF EXISTS directory_version_coop_u ON coop",
    "DROP TRIGGER IF EXISTS directory_version_search ON coop_search",
    "DROP TRIGGER IF EXISTS directory_version_facet ON coop_facet",
    "DROP FUNCTION IF EXISTS directory_version_bump()",
    "DROP TABLE IF EXISTS directory_version",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sqls = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES_UP,
            _ => SQLITE_UP,
        };
        let db = manager.get_connection();
        for sql in sqls {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sqls = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES_DOWN,
            _ => SQLITE_DOWN,
        };
        let db = manager.get_connection();
        for sql in sqls {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
