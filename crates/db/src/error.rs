//! [`DbError`]: storage failures callers can tell apart (not found, conflict, corrupt
//! row), the same on SQLite and PostgreSQL.
use sea_orm::{DbErr, SqlErr};

/// Storage failures callers can tell apart.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The row does not exist.
    #[error("not found")]
    NotFound,
    /// A unique or foreign-key constraint refused the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored value no longer parses (a bug or a hand-edited database).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The in-memory search index failed (see [`crate::index`]).
    #[error("search index: {0}")]
    Index(String),
    /// Anything else from the driver.
    #[error(transparent)]
    Backend(DbErr),
}

impl From<DbErr> for DbError {
    fn from(err: DbErr) -> Self {
        // `sql_err` reports constraint violations the same way on SQLite and PostgreSQL.
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => Self::Conflict(detail),
            Some(SqlErr::ForeignKeyConstraintViolation(detail)) => Self::Conflict(detail),
            _ => match err {
                DbErr::RecordNotFound(_) => Self::NotFound,
                other => Self::Backend(other),
            },
        }
    }
}
