//! Database schema management: `coopnet migrate` and start-up migrations.
use coopnet_db::DatabaseConnection;
use coopnet_migrations::{Migrator, MigratorTrait};

use crate::AppError;

/// Applies every pending migration.
pub async fn migrate_up(db: &DatabaseConnection) -> Result<(), AppError> {
    Migrator::up(db, None)
        .await
        .map_err(|e| AppError::caused("migration failed", e))
}

/// Rolls back the last `steps` migrations (all with `None`).
pub async fn migrate_down(db: &DatabaseConnection, steps: Option<u32>) -> Result<(), AppError> {
    Migrator::down(db, steps)
        .await
        .map_err(|e| AppError::caused("rollback failed", e))
}

/// Names of applied and pending migrations.
pub async fn status(db: &DatabaseConnection) -> Result<(Vec<String>, Vec<String>), AppError> {
    let applied = Migrator::get_applied_migrations(db).await?;
    let pending = Migrator::get_pending_migrations(db).await?;
    Ok((
        applied.iter().map(|m| m.name().to_owned()).collect(),
        pending.iter().map(|m| m.name().to_owned()).collect(),
    ))
}
