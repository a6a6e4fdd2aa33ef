//! Network writes move the directory's change counter too: result pages and facets show
//! network names, and the search index keeps the networks with each snapshot
//! (`coopnet_db::index`), so a page needs no read of the `network` table. A peer network
//! renamed through federation, or this network's name changed in its config, must reach
//! those the same way a co-op write does: through `directory_version`
//! (migration `m20261126_000007_create_directory_version`). Only the columns a page shows
//! count: the sync bookkeeping (`last_sync_*`, `member_digest`) changes on every member
//! walk and must not make every process re-check its index.
use sea_orm_migration::prelude::*;

use crate::statements::run_by_backend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE TRIGGER directory_version_network_ai AFTER INSERT ON network BEGIN \
     UPDATE directory_version SET version = version + 1 WHERE id = 1; END",
    "CREATE TRIGGER directory_version_network_ad AFTER DELETE ON network BEGIN \
     UPDATE directory_version SET version = version + 1 WHERE id = 1; END",
    "CREATE TRIGGER directory_version_network_au AFTER UPDATE OF username, domain, name, \
     country, languages, summary, actor_id, is_local ON network BEGIN \
     UPDATE directory_version SET version = version + 1 WHERE id = 1; END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS directory_version_network_ai",
    "DROP TRIGGER IF EXISTS directory_version_network_ad",
    "DROP TRIGGER IF EXISTS directory_version_network_au",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE TRIGGER directory_version_network AFTER INSERT OR DELETE ON network \
     FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump()",
    "CREATE TRIGGER directory_version_network_u AFTER UPDATE OF username, domain, name, \
     country, languages, summary, actor_id, is_local ON network \
     FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump()",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS directory_version_network ON network",
    "DROP TRIGGER IF EXISTS directory_version_network_u ON network",
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
