//! API tokens: [`TokenScope`] (what a token may do: admin, or one co-op) and the stored
//! token record (a hash, never the secret).
use chrono::{DateTime, Utc};

use crate::Slug;

/// What an API token may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenScope {
    /// Everything on the instance.
    Admin,
    /// Read and edit one co-op (and publish its posts).
    Coop(Slug),
}

impl TokenScope {
    /// True when a token of this scope may edit the co-op `slug`.
    pub fn may_edit(&self, slug: &Slug) -> bool {
        match self {
            Self::Admin => true,
            Self::Coop(own) => own == slug,
        }
    }

    /// True for admin tokens.
    pub fn is_admin(&self) -> bool {
        matches!(self, Self::Admin)
    }
}

/// A stored token (never the secret itself).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    /// Id, used to revoke.
    pub id: i64,
    /// Hex SHA-256 of the secret.
    pub token_hash: String,
    /// The co-op an editor token is bound to; `None` for admin tokens.
    pub coop_id: Option<i64>,
    /// The slug of that co-op.
    pub coop_slug: Option<String>,
    /// Free text naming the holder.
    pub label: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editors_reach_only_their_coop() -> Result<(), crate::SlugError> {
        let own = Slug::parse("outlandish")?;
        let other = Slug::parse("autonomic")?;
        let scope = TokenScope::Coop(own.clone());
        assert!(scope.may_edit(&own));
        assert!(!scope.may_edit(&other));
        assert!(TokenScope::Admin.may_edit(&other));
        Ok(())
    }
}
