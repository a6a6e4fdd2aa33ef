//! API tokens: created once and shown once, stored as SHA-256, checked in constant time.
use coopnet_core::{Slug, TokenRecord, TokenScope};
use coopnet_db::repo::tokens;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{AppContext, AppError, coops};

/// Prefix that makes a leaked token recognisable to secret scanners.
pub const TOKEN_PREFIX: &str = "coopnet_";

/// Who is calling, once a bearer token checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's id.
    pub token_id: i64,
    /// What it may do.
    pub scope: TokenScope,
}

/// A freshly created token: the secret exists only here.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Give this to the holder; it cannot be shown again.
    pub secret: String,
    /// The stored record.
    pub record: TokenRecord,
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", hex::encode(bytes))
}

/// Creates an admin token (`coop` `None`) or an editor token for one co-op.
pub async fn create(
    ctx: &AppContext,
    coop: Option<&str>,
    label: &str,
) -> Result<NewToken, AppError> {
    let coop_id = match coop {
        Some(slug) => Some(coops::get(ctx, slug).await?.id),
        None => None,
    };
    let secret = generate();
    let record = tokens::insert(&ctx.db, &hash(&secret), coop_id, label.trim()).await?;
    Ok(NewToken { secret, record })
}

/// Checks a presented bearer token.
pub async fn authenticate(ctx: &AppContext, presented: &str) -> Result<Principal, AppError> {
    let wanted = hash(presented.trim());
    let record = tokens::find_by_hash(&ctx.db, &wanted)
        .await?
        .ok_or(AppError::Unauthorized)?;
    // The lookup is by hash; compare again without early exit so timing reveals nothing.
    if !bool::from(record.token_hash.as_bytes().ct_eq(wanted.as_bytes()))
        || record.revoked_at.is_some()
    {
        return Err(AppError::Unauthorized);
    }
    let scope = match (&record.coop_id, &record.coop_slug) {
        (None, _) => TokenScope::Admin,
        (Some(_), Some(slug)) => TokenScope::Coop(
            Slug::parse_unreserved(slug).map_err(|e| AppError::caused("stored token slug", e))?,
        ),
        (Some(_), None) => return Err(AppError::Unauthorized),
    };
    tokens::touch(&ctx.db, record.id).await?;
    Ok(Principal {
        token_id: record.id,
        scope,
    })
}

/// All tokens (never their secrets).
pub async fn list(ctx: &AppContext) -> Result<Vec<TokenRecord>, AppError> {
    Ok(tokens::list(&ctx.db).await?)
}

/// Revokes token `id`.
pub async fn revoke(ctx: &AppContext, id: i64) -> Result<(), AppError> {
    tokens::revoke(&ctx.db, id).await.map_err(|e| match e {
        coopnet_db::DbError::NotFound => AppError::NotFound(format!("active token {id}")),
        other => other.into(),
    })
}

/// True when `presented` is the configured `metrics.token`; never when none is set. Both are
/// hashed first, so the comparison takes the same time whatever their lengths.
pub fn metrics_token_matches(ctx: &AppContext, presented: &str) -> bool {
    let token = &ctx.settings.metrics.token;
    if token.is_empty() || presented.is_empty() {
        return false;
    }
    let (a, b) = (
        Sha256::digest(token.as_bytes()),
        Sha256::digest(presented.as_bytes()),
    );
    bool::from(a[..].ct_eq(&b[..]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_long_random_and_prefixed() {
        let (a, b) = (super::generate(), super::generate());
        assert_ne!(a, b);
        assert!(a.starts_with(super::TOKEN_PREFIX));
        assert_eq!(a.len(), super::TOKEN_PREFIX.len() + 64);
        assert_eq!(super::hash(&a).len(), 64);
    }
}
