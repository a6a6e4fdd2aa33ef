//! The directory's search index and membership history.
//!
//! - `coop_facet`: one row per (co-op, service / technology / language) for facet filters
//!   and counts; network and country facets use `coop` columns, indexed here.
//! - `coop_search`: one row per co-op with its normalised text (`document`, written by
//!   `coopnet_db::repo::search`) and its name sort key. The full-text index over
//!   `document` is the one backend-specific part: an FTS5 table on SQLite, a `tsvector`
//!   column with a GIN index on PostgreSQL (see `docs/search.md`).
//! - `membership_event`: joins and departures, kept after the co-op is gone.
use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Coop {
    Table,
    Id,
    NetworkId,
    Slug,
    ActorId,
    Name,
    Country,
    Listed,
    DeletedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CoopFacet {
    Table,
    CoopId,
    Kind,
    Key,
    Label,
}

#[derive(DeriveIden)]
enum CoopSearch {
    Table,
    CoopId,
    SortName,
    Document,
}

#[derive(DeriveIden)]
enum MembershipEvent {
    Table,
    Id,
    CoopId,
    NetworkId,
    Slug,
    Name,
    Url,
    Joined,
    At,
}

/// SQLite: an FTS5 index over `coop_search.document` ("external content": FTS5 keeps only
/// the index and reads the text from `coop_search`), kept in step by triggers, so that
/// writes are the same portable statements on both backends. Deleting a `coop` row
/// cascades to `coop_search`, and the cascade fires the delete trigger.
const SQLITE_UP: &[&str] = &[
    "CREATE VIRTUAL TABLE coop_fts USING fts5(document, content='coop_search', \
     content_rowid='coop_id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER coop_search_ai AFTER INSERT ON coop_search BEGIN \
     INSERT INTO coop_fts(rowid, document) VALUES (new.coop_id, new.document); END",
    "CREATE TRIGGER coop_search_ad AFTER DELETE ON coop_search BEGIN \
     INSERT INTO coop_fts(coop_fts, rowid, document) VALUES ('delete', old.coop_id, old.document); END",
    "CREATE TRIGGER coop_search_au AFTER UPDATE ON coop_search BEGIN \
     INSERT INTO coop_fts(coop_fts, rowid, document) VALUES ('delete', old.coop_id, old.document); \
     INSERT INTO coop_fts(rowid, document) VALUES (new.coop_id, new.document); END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS coop_search_au",
    "DROP TRIGGER IF EXISTS coop_search_ad",
    "DROP TRIGGER IF EXISTS coop_search_ai",
    "DROP TABLE IF EXISTS coop_fts",
];

/// PostgreSQL: a generated `tsvector` with a GIN index (`simple`: no stemming, the text is
/// normalised before it is stored), and byte-order ("C") collation for the two columns the
/// queries sort or take MIN of, so the order is SQLite's BINARY order whatever the
/// database's locale.
const POSTGRES_UP: &[&str] = &[
    "ALTER TABLE coop_search ALTER COLUMN sort_name TYPE text COLLATE \"C\"",
    "ALTER TABLE coop_facet ALTER COLUMN label TYPE text COLLATE \"C\"",
    "ALTER TABLE coop_search ADD COLUMN tsv tsvector \
     GENERATED ALWAYS AS (to_tsvector('simple', document)) STORED",
    "CREATE INDEX ix_coop_search_tsv ON coop_search USING GIN (tsv)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CoopFacet::Table)
                    .col(integer(CoopFacet::CoopId))
                    // 'service', 'technology' or 'language'.
                    .col(text(CoopFacet::Kind))
                    // `Tag::key` or the primary language subtag.
                    .col(text(CoopFacet::Key))
                    .col(text(CoopFacet::Label))
                    .primary_key(
                        Index::create()
                            .col(CoopFacet::CoopId)
                            .col(CoopFacet::Kind)
                            .col(CoopFacet::Key),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_coop_facet_coop")
                            .from(CoopFacet::Table, CoopFacet::CoopId)
                            .to(Coop::Table, Coop::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The primary key serves lookups by co-op. This one covers the rest: "which co-ops
        // offer X" (filters) and counting by value without reading the table (facets).
        manager
            .create_index(
                Index::create()
                    .name("ix_coop_facet_kind_key")
                    .table(CoopFacet::Table)
                    .col(CoopFacet::Kind)
                    .col(CoopFacet::Key)
                    .col(CoopFacet::Label)
                    .col(CoopFacet::CoopId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CoopSearch::Table)
                    .col(integer(CoopSearch::CoopId).primary_key())
                    // Lowercased name without diacritics: the name order.
                    .col(text(CoopSearch::SortName))
                    // Lowercased words (letters and digits) without diacritics, one space apart.
                    .col(text(CoopSearch::Document))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_coop_search_coop")
                            .from(CoopSearch::Table, CoopSearch::CoopId)
                            .to(Coop::Table, Coop::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        // Full-text indexing is not portable: FTS5 and tsvector have nothing in common.
        let db = manager.get_connection();
        let backend_specific = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES_UP,
            _ => SQLITE_UP,
        };
        for sql in backend_specific {
            db.execute_unprepared(sql).await?;
        }

        manager
            .create_index(
                Index::create()
                    .name("ix_coop_search_sort_name")
                    .table(CoopSearch::Table)
                    .col(CoopSearch::SortName)
                    .col(CoopSearch::CoopId)
                    .to_owned(),
            )
            .await?;
        // Network and country facets group live, listed co-ops: both indexes cover it.
        manager
            .create_index(
                Index::create()
                    .name("ix_coop_network_listed")
                    .table(Coop::Table)
                    .col(Coop::NetworkId)
                    .col(Coop::Listed)
                    .col(Coop::DeletedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_coop_country")
                    .table(Coop::Table)
                    .col(Coop::Country)
                    .col(Coop::Listed)
                    .col(Coop::DeletedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MembershipEvent::Table)
                    .col(pk_auto(MembershipEvent::Id))
                    // No foreign key: the history outlives the co-op.
                    .col(integer_null(MembershipEvent::CoopId))
                    .col(integer(MembershipEvent::NetworkId))
                    .col(text(MembershipEvent::Slug))
                    // Its name at the time.
                    .col(text(MembershipEvent::Name))
                    // NULL for local co-ops (derived from the domain), the actor URL for remote.
                    .col(text_null(MembershipEvent::Url))
                    // True for a join, false for a departure.
                    .col(boolean(MembershipEvent::Joined))
                    .col(timestamp_with_time_zone(MembershipEvent::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_membership_event_at")
                    .table(MembershipEvent::Table)
                    .col(MembershipEvent::At)
                    .to_owned(),
            )
            .await?;

        // The history so far: a join for every listed co-op, a departure for the removed ones
        // (the search index itself is filled from Rust at start-up, see `reindex_missing`).
        for joined in [true, false] {
            let at = if joined {
                Coop::CreatedAt
            } else {
                Coop::DeletedAt
            };
            let mut select = Query::select();
            select
                .columns([
                    Coop::Id,
                    Coop::NetworkId,
                    Coop::Slug,
                    Coop::Name,
                    Coop::ActorId,
                ])
                .expr(Expr::value(joined))
                .column(at)
                .from(Coop::Table)
                .and_where(Expr::col(Coop::Listed).eq(true));
            if !joined {
                select.and_where(Expr::col(Coop::DeletedAt).is_not_null());
            }
            let insert = Query::insert()
                .into_table(MembershipEvent::Table)
                .columns([
                    MembershipEvent::CoopId,
                    MembershipEvent::NetworkId,
                    MembershipEvent::Slug,
                    MembershipEvent::Name,
                    MembershipEvent::Url,
                    MembershipEvent::Joined,
                    MembershipEvent::At,
                ])
                .select_from(select)
                .map_err(|e| DbErr::Migration(e.to_string()))?
                .to_owned();
            manager.exec_stmt(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MembershipEvent::Table).to_owned())
            .await?;
        for name in ["ix_coop_country", "ix_coop_network_listed"] {
            manager
                .drop_index(Index::drop().name(name).table(Coop::Table).to_owned())
                .await?;
        }
        if manager.get_database_backend() != DbBackend::Postgres {
            let db = manager.get_connection();
            for sql in SQLITE_DOWN {
                db.execute_unprepared(sql).await?;
            }
        }
        // On PostgreSQL the tsvector column and its index go with the table.
        manager
            .drop_table(Table::drop().table(CoopSearch::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(CoopFacet::Table).to_owned())
            .await
    }
}
