//! What went wrong in a use case: a short list of kinds the web layer maps to statuses
//! (`NotFound` 404, `Forbidden` 403, `Invalid` 422, `Conflict` 409, `Remote` 502,
//! `Internal` 500, …), each keeping its cause.
//!
//! The cause is a `#[source]`, not text pasted into the message: the log shows the whole
//! chain ([`AppError::chain`]), while what a person or a remote server is shown is the
//! kind's own words. A remote server's answer in particular never reaches a response: a
//! [`AppError::Remote`] says what we were doing and, in fixed words, what went wrong.
use coopnet_core::FieldErrors;
use coopnet_db::DbError;
use coopnet_federation::FederationError;

/// Any error that can be kept as a cause.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong in a use case.
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
    /// A remote server could not be reached, or answered in a way we refuse.
    #[error("{what}: {}", .source.public_message())]
    Remote {
        /// What we were doing (`looking up @x@y`).
        what: String,
        /// The federation error (its detail is for the log only); boxed, as it is large.
        #[source]
        source: Box<FederationError>,
    },
    /// Anything unexpected: what we were doing; details are logged, not shown.
    #[error("internal error: {context}")]
    Internal {
        /// What we were doing.
        context: String,
        /// Why it failed, when another error says so.
        #[source]
        source: Option<Cause>,
    },
}

impl AppError {
    /// An unexpected failure with no other error behind it.
    pub fn internal(context: impl Into<String>) -> Self {
        Self::Internal {
            context: context.into(),
            source: None,
        }
    }

    /// An unexpected failure caused by `source`.
    pub fn caused(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Internal {
            context: context.into(),
            source: Some(Box::new(source)),
        }
    }

    /// A remote server's failure while doing `what`.
    pub fn remote(what: impl Into<String>, source: FederationError) -> Self {
        Self::Remote {
            what: what.into(),
            source: Box::new(source),
        }
    }

    /// This error and every cause behind it, `: `-separated, for the log.
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut next = std::error::Error::source(self);
        while let Some(cause) = next {
            out.push_str(": ");
            out.push_str(&cause.to_string());
            next = cause.source();
        }
        out
    }
}

impl From<DbError> for AppError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::NotFound => Self::NotFound("record".into()),
            DbError::Conflict(detail) => Self::Conflict(detail),
            other => Self::caused("storage", other),
        }
    }
}

impl From<coopnet_db::DbErr> for AppError {
    fn from(err: coopnet_db::DbErr) -> Self {
        DbError::from(err).into()
    }
}

impl From<FederationError> for AppError {
    fn from(err: FederationError) -> Self {
        match err {
            FederationError::NotFound => Self::NotFound("object".into()),
            FederationError::Gone => Self::Gone("object".into()),
            FederationError::Db(e) => e.into(),
            FederationError::Internal(_) => Self::caused("federation", err),
            remote => Self::remote("remote server", remote),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        Self::Invalid(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_are_kept_for_the_log_and_kept_out_of_the_message() {
        let parse = serde_json::from_str::<u8>("x").expect_err("not a number");
        let err = AppError::caused("reading the backup", parse);
        assert_eq!(err.to_string(), "internal error: reading the backup");
        assert!(
            err.chain()
                .starts_with("internal error: reading the backup: expected value")
        );
        let remote = AppError::from(FederationError::BadRequest("fetched: SECRET".into()));
        assert!(!remote.to_string().contains("SECRET"), "{remote}");
        assert!(
            remote.chain().contains("SECRET"),
            "the log keeps the detail"
        );
        assert!(matches!(
            AppError::from(DbError::Conflict("slug".into())),
            AppError::Conflict(_)
        ));
    }
}
