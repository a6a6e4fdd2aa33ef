//! Running a migration's list of SQL statements in order: what the trigger migrations
//! (whose statements differ per backend) share, so each file holds only its SQL.
use sea_orm_migration::prelude::*;

/// Runs `sqls` one after the other on the migration's connection.
pub(crate) async fn run(manager: &SchemaManager<'_>, sqls: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in sqls {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// Runs `postgres` on PostgreSQL, `sqlite` on SQLite: for migrations whose DDL differs.
pub(crate) async fn run_by_backend(
    manager: &SchemaManager<'_>,
    sqlite: &[&str],
    postgres: &[&str],
) -> Result<(), DbErr> {
    match manager.get_database_backend() {
        sea_orm_migration::sea_orm::DbBackend::Postgres => run(manager, postgres).await,
        _ => run(manager, sqlite).await,
    }
}
