//! RSA key pairs for local actors: made once, on first need, and stored.
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use coopnet_db::repo::keys::{self, KeyPair};

use crate::{FedData, FederationError};

/// Where new key pairs come from.
#[derive(Clone)]
pub enum KeySource {
    /// Fresh RSA-2048 keys (about 0.15 s each).
    Generate,
    /// Pre-made keys handed out in turn: tests only, where key generation would dominate.
    Fixed(Arc<Vec<KeyPair>>, Arc<AtomicUsize>),
}

impl KeySource {
    /// A source cycling through `keys` (test fixtures).
    pub fn fixed(keys: Vec<KeyPair>) -> Self {
        Self::Fixed(Arc::new(keys), Arc::new(AtomicUsize::new(0)))
    }

    async fn make(&self) -> Result<KeyPair, FederationError> {
        match self {
            Self::Generate => {
                // CPU-bound: keep it off the async workers.
                let pair = tokio::task::spawn_blocking(
                    activitypub_federation::http_signatures::generate_actor_keypair,
                )
                .await
                .map_err(|e| FederationError::Internal(e.to_string()))??;
                Ok(KeyPair {
                    public_pem: pair.public_key,
                    private_pem: pair.private_key,
                })
            }
            Self::Fixed(list, next) if !list.is_empty() => {
                let i = next.fetch_add(1, Ordering::Relaxed) % list.len();
                Ok(list[i].clone())
            }
            Self::Fixed(..) => Err(FederationError::Internal("no fixture keys".into())),
        }
    }
}

/// The co-op's key pair, made now if it has none.
pub async fn for_coop(data: &FedData, coop_id: i64) -> Result<KeyPair, FederationError> {
    if let Some(pair) = keys::coop(&data.db, coop_id).await? {
        return Ok(pair);
    }
    let pair = data.keys.make().await?;
    Ok(keys::set_coop(&data.db, coop_id, &pair).await?)
}

/// The network actor's key pair, made now if it has none.
pub async fn for_network(data: &FedData) -> Result<KeyPair, FederationError> {
    if let Some(pair) = keys::network(&data.db, data.network.id).await? {
        return Ok(pair);
    }
    let pair = data.keys.make().await?;
    Ok(keys::set_network(&data.db, data.network.id, &pair).await?)
}

/// The instance actor's key pair, made now if it has none.
pub async fn for_instance(data: &FedData) -> Result<KeyPair, FederationError> {
    if let Some(pair) = keys::instance(&data.db).await? {
        return Ok(pair);
    }
    let pair = data.keys.make().await?;
    Ok(keys::set_instance(&data.db, &pair).await?)
}
