//! Opening the database: [`connect`] builds the pool with each backend's settings (SQLite
//! WAL, busy timeout, foreign keys), [`begin_write`] starts a transaction that will write.
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::DbError;

/// The database engine behind a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl Backend {
    /// Which backend a connection uses.
    pub fn of(db: &DatabaseConnection) -> Self {
        match db.get_database_backend() {
            DbBackend::Postgres => Self::Postgres,
            _ => Self::Sqlite,
        }
    }
}

/// Opens a connection pool for `url` (`sqlite:…` or `postgres://…`).
///
/// SQLite gets WAL mode (readers never block the writer), `synchronous=NORMAL` (durable at
/// checkpoints, safe against corruption in WAL mode), foreign keys and a busy timeout so
/// concurrent writers wait instead of failing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbError> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    if url.starts_with("sqlite:") {
        options.max_connections(8);
    } else {
        options.max_connections(16);
    }
    Ok(Database::connect(options).await?)
}

/// Starts a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`: the write lock
/// is taken at the start, where the busy timeout makes a concurrent writer wait. (A deferred
/// transaction that reads first and writes later fails at once with `SQLITE_BUSY` when
/// another connection wrote meanwhile: the timeout cannot help it.) PostgreSQL ignores the
/// mode.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbError> {
    Ok(db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await?)
}
