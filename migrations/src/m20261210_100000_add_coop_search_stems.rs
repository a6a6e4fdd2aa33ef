//! Stems beside words in the directory's full-text index (`docs/search.md`, "Matching").
//!
//! - `coop_search.stems`: the stems of a co-op's words, written by
//!   `coopnet_db::repo::search` (Snowball stemming in Rust, so both backends index the same
//!   tokens).
//! - SQLite: `coop_fts` gets a second column, `stems`. An FTS5 table cannot gain a column,
//!   so it and its three triggers are dropped and created again.
//! - PostgreSQL: `tsv` becomes `document`'s lexemes with weight A and `stems`' with weight
//!   B, one `tsvector` (one GIN index) that a query restricts by weight: `word:*A` prefixes
//!   words only, `stem:B` matches stems only.
//!
//! Existing rows lack their stems, and a migration cannot compute them (stemming lives in
//! `coopnet-db`, which migrations must not import): `coop_search` is emptied, and
//! `search::reindex_missing`, which every application start and `coopnet restore` run,
//! writes every live co-op's entry again. Until then the SQL search finds nothing; the
//! in-memory index reads co-op rows and is unaffected.
use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CoopSearch {
    Table,
    Stems,
}

const SQLITE_DROP_FTS: &[&str] = &[
    "DROP TRIGGER IF EXISTS coop_search_au",
    "DROP TRIGGER IF EXISTS coop_search_ad",
    "DROP TRIGGER IF EXISTS coop_search_ai",
    "DROP TABLE IF EXISTS coop_fts",
];

/// The FTS5 table over both texts, kept in step with `coop_search` as before.
const SQLITE_UP: &[&str] = &[
    "CREATE VIRTUAL TABLE coop_fts USING fts5(document, stems, content='coop_search', \
     content_rowid='coop_id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER coop_search_ai AFTER INSERT ON coop_search BEGIN \
     INSERT INTO coop_fts(rowid, document, stems) VALUES (new.coop_id, new.document, new.stems); END",
    "CREATE TRIGGER coop_search_ad AFTER DELETE ON coop_search BEGIN \
     INSERT INTO coop_fts(coop_fts, rowid, document, stems) \
     VALUES ('delete', old.coop_id, old.document, old.stems); END",
    "CREATE TRIGGER coop_search_au AFTER UPDATE ON coop_search BEGIN \
     INSERT INTO coop_fts(coop_fts, rowid, document, stems) \
     VALUES ('delete', old.coop_id, old.document, old.stems); \
     INSERT INTO coop_fts(rowid, document, stems) VALUES (new.coop_id, new.document, new.stems); END",
];

/// The previous FTS5 table (words only), as `m20261126_000003` created it (copied: applied
/// migrations are frozen), filled again from the rows that remain.
const SQLITE_DOWN: &[&str] = &[
    "CREATE VIRTUAL TABLE coop_fts USING fts5(document, content='coop_search', \
     content_rowid='coop_id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER coop_search_ai AFTER INSERT ON coop_search BEGIN \
     INSERT INTO coop_fts(rowid, document) VALUES (new.coop_id, new.document); END",
    "CREATE TRIGGER coop_search_ad AFTER DELETE ON coop_search BEGIN \
     INSERT INTO coop_fts(coop_fts, rowid, document) VALUES ('delete', old.coop_id, old.document); END",
    "CREATE TRIGGER coop_search_au AFTER UPDATE ON coop_search BEGIN \
     INSERT INTO coop_fts(coop_fts, rowid, document) VALUES ('delete', old.coop_id, old.document); \
     INSERT INTO coop_fts(rowid, document) VALUES (new.coop_id, new.document); END",
    "INSERT INTO coop_fts(coop_fts) VALUES ('rebuild')",
];

const POSTGRES_DROP_TSV: &[&str] = &[
    "DROP INDEX IF EXISTS ix_coop_search_tsv",
    "ALTER TABLE coop_search DROP COLUMN IF EXISTS tsv",
];

const POSTGRES_UP: &[&str] = &[
    "ALTER TABLE coop_search ADD COLUMN tsv tsvector GENERATED ALWAYS AS \
     (setweight(to_tsvector('simple', document), 'A') || \
     setweight(to_tsvector('simple', stems), 'B')) STORED",
    "CREATE INDEX ix_coop_search_tsv ON coop_search USING GIN (tsv)",
];

const POSTGRES_DOWN: &[&str] = &[
    "ALTER TABLE coop_search ADD COLUMN tsv tsvector \
     GENERATED ALWAYS AS (to_tsvector('simple', document)) STORED",
    "CREATE INDEX ix_coop_search_tsv ON coop_search USING GIN (tsv)",
];

/// Runs the statements for the backend in use (full-text indexing is not portable).
async fn run(manager: &SchemaManager<'_>, sqlite: &[&str], postgres: &[&str]) -> Result<(), DbErr> {
    let sqls = match manager.get_database_backend() {
        DbBackend::Postgres => postgres,
        _ => sqlite,
    };
    let db = manager.get_connection();
    for sql in sqls {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too (sea-orm-migration uses one on PostgreSQL only): all or
    /// nothing, and every statement on one connection. Run one by one from the pool, the
    /// statement after `DROP TABLE coop_fts` failed now and then on another connection with
    /// "no such table: coop_search".
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The full-text index goes first, so emptying the table does not feed it deletes.
        run(manager, SQLITE_DROP_FTS, POSTGRES_DROP_TSV).await?;
        // Entries without stems would find less than entries with: all are written again.
        manager
            .exec_stmt(Query::delete().from_table(CoopSearch::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CoopSearch::Table)
                    // Stems of the words (lowercase, letters and digits), one space apart.
                    .add_column(text(CoopSearch::Stems).default(""))
                    .to_owned(),
            )
            .await?;
        run(manager, SQLITE_UP, POSTGRES_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, SQLITE_DROP_FTS, POSTGRES_DROP_TSV).await?;
        // The same statement on both backends (SQLite has DROP COLUMN since 3.35).
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE coop_search DROP COLUMN stems")
            .await?;
        // The documents are still valid word lists: the old index is rebuilt from them.
        run(manager, SQLITE_DOWN, POSTGRES_DOWN).await
    }
}
