use coopnet_core::FieldErrors;
use coopnet_db::DbError;

/// What went wrong in a use case, in kinds the web layer maps to statuses.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such co-op, token, ...
    #[error("{0} not found")]
    NotFound(String),
    /// It existed and was removed.
    #[error("{0} was removed")]
    Gone(String),
    /// No or unknown credentials.
    #[error("authentication required")]
    Unauthorized,
    /// Valid credentials without the right.
    #[error("{0}")]
    Forbidden(String),
    /// Input failed validation; every field problem is listed.
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// The change collides with existing data (a taken slug).
    #[error("{0}")]
    Conflict(String),
    /// Anything unexpected; details are logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DbError> for AppError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::NotFound => Self::NotFound("record".into()),
            DbError::Conflict(detail) => Self::Conflict(detail),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        Self::Invalid(errors)
    }
}
