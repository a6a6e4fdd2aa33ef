//! `coopnet backup` / `coopnet restore`: everything local, keys included, in one portable
//! JSON file (SQLite to PostgreSQL and back). See docs/operations.md.
use std::path::Path;

use coopnet_db::TransactionTrait;
use coopnet_db::repo::{backup, search};

use crate::{AppError, open_database, schema};

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

/// Writes a consistent snapshot of `database_url` to `file`; returns rows per table.
pub async fn write(
    database_url: &str,
    domain: &str,
    file: &Path,
) -> Result<Vec<(&'static str, usize)>, AppError> {
    let db = open_database(database_url).await?;
    let txn = db.begin().await.map_err(internal)?;
    let doc = backup::dump(&txn, domain).await?;
    txn.commit().await.map_err(internal)?;
    let text = serde_json::to_vec(&doc).map_err(internal)?;
    // Write then rename: a crash never leaves half a backup under the final name.
    let tmp = file.with_extension("partial");
    std::fs::write(&tmp, text)
        .map_err(|e| internal(format!("cannot write {}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, file)
        .map_err(|e| internal(format!("cannot write {}: {e}", file.display())))?;
    Ok(doc.counts())
}

/// Restores `file` into the (new, empty) database at `database_url`, migrating it first and
/// rebuilding the search index; returns rows per table.
pub async fn read(database_url: &str, file: &Path) -> Result<Vec<(&'static str, usize)>, AppError> {
    let text = std::fs::read(file)
        .map_err(|e| internal(format!("cannot read {}: {e}", file.display())))?;
    let doc: backup::Backup = serde_json::from_slice(&text)
        .map_err(|e| internal(format!("{} is not a coopnet backup: {e}", file.display())))?;
    let db = open_database(database_url).await?;
    schema::migrate_up(&db).await?;
    let txn = db.begin().await.map_err(internal)?;
    backup::restore(&txn, &doc).await.map_err(|e| match e {
        coopnet_db::DbError::Conflict(m) => AppError::Conflict(m),
        other => other.into(),
    })?;
    txn.commit().await.map_err(internal)?;
    search::reindex_missing(&db).await?;
    Ok(doc.counts())
}
