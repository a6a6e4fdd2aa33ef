//! `coopnet backup` / `coopnet restore`: everything local, keys included, in one portable
//! JSON file (SQLite to PostgreSQL and back). See docs/operations.md.
use std::path::Path;

use coopnet_db::TransactionTrait;
use coopnet_db::repo::{backup, search};

use crate::{AppError, open_database, schema};

/// Writes a consistent snapshot of `database_url` to `file`; returns rows per table.
pub async fn write(
    database_url: &str,
    domain: &str,
    file: &Path,
) -> Result<Vec<(&'static str, usize)>, AppError> {
    let db = open_database(database_url).await?;
    let txn = db.begin().await?;
    let doc = backup::dump(&txn, domain).await?;
    txn.commit().await?;
    let text =
        serde_json::to_vec(&doc).map_err(|e| AppError::caused("serialising the backup", e))?;
    // Write then rename: a crash never leaves half a backup under the final name.
    let tmp = file.with_extension("partial");
    std::fs::write(&tmp, text)
        .map_err(|e| AppError::caused(format!("cannot write {}", tmp.display()), e))?;
    std::fs::rename(&tmp, file)
        .map_err(|e| AppError::caused(format!("cannot write {}", file.display()), e))?;
    Ok(doc.counts())
}

/// Restores `file` into the (new, empty) database at `database_url`, migrating it first and
/// rebuilding the search index; returns rows per table.
pub async fn read(database_url: &str, file: &Path) -> Result<Vec<(&'static str, usize)>, AppError> {
    let text = std::fs::read(file)
        .map_err(|e| AppError::caused(format!("cannot read {}", file.display()), e))?;
    let doc: backup::Backup = serde_json::from_slice(&text)
        .map_err(|e| AppError::caused(format!("{} is not a coopnet backup", file.display()), e))?;
    let db = open_database(database_url).await?;
    schema::migrate_up(&db).await?;
    let txn = db.begin().await?;
    backup::restore(&txn, &doc).await.map_err(|e| match e {
        coopnet_db::DbError::Conflict(m) => AppError::Conflict(m),
        other => other.into(),
    })?;
    txn.commit().await?;
    search::reindex_missing(&db).await?;
    // Every table was just filled: give the planner statistics (`coopnet_db::analyze`).
    coopnet_db::analyze(&db, None).await?;
    Ok(doc.counts())
}
