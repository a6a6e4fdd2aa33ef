//! RSA key pairs of local actors (PEM): the instance actor, the network and each co-op.
//! Generated once, on first need, and never rotated casually (a new key makes Mastodon
//! re-follow).
use chrono::Utc;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::DbError;
use crate::entities::{coop, instance_actor, network};

/// A PEM key pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPair {
    /// SPKI public key.
    pub public_pem: String,
    /// PKCS#8 private key.
    pub private_pem: String,
}

fn pair(public: Option<String>, private: Option<String>) -> Option<KeyPair> {
    Some(KeyPair {
        public_pem: public?,
        private_pem: private?,
    })
}

/// The instance actor's key pair, if made yet.
pub async fn instance(conn: &impl ConnectionTrait) -> Result<Option<KeyPair>, DbError> {
    let row = instance_actor::Entity::find()
        .order_by_asc(instance_actor::Column::Id)
        .one(conn)
        .await?;
    Ok(row.map(|r| KeyPair {
        public_pem: r.public_key_pem,
        private_pem: r.private_key_pem,
    }))
}

/// Stores the instance key unless one exists; returns the one that is stored.
pub async fn set_instance(conn: &impl ConnectionTrait, keys: &KeyPair) -> Result<KeyPair, DbError> {
    if let Some(existing) = instance(conn).await? {
        return Ok(existing);
    }
    instance_actor::ActiveModel {
        id: NotSet,
        public_key_pem: Set(keys.public_pem.clone()),
        private_key_pem: Set(keys.private_pem.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    // Two processes may race here: the lowest id wins for both.
    instance(conn).await?.ok_or(DbError::NotFound)
}

/// A co-op's key pair, if made yet.
pub async fn coop(conn: &impl ConnectionTrait, coop_id: i64) -> Result<Option<KeyPair>, DbError> {
    let id = i32::try_from(coop_id).map_err(|_| DbError::NotFound)?;
    let row = coop::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(DbError::NotFound)?;
    Ok(pair(row.public_key_pem, row.private_key_pem))
}

/// Stores a co-op's key pair unless it has one; returns the one that is stored.
pub async fn set_coop(
    conn: &impl ConnectionTrait,
    coop_id: i64,
    keys: &KeyPair,
) -> Result<KeyPair, DbError> {
    let id = i32::try_from(coop_id).map_err(|_| DbError::NotFound)?;
    coop::Entity::update_many()
        .col_expr(
            coop::Column::PublicKeyPem,
            Expr::value(keys.public_pem.clone()),
        )
        .col_expr(
            coop::Column::PrivateKeyPem,
            Expr::value(keys.private_pem.clone()),
        )
        .filter(coop::Column::Id.eq(id))
        .filter(coop::Column::PublicKeyPem.is_null())
        .exec(conn)
        .await?;
    coop(conn, coop_id).await?.ok_or(DbError::NotFound)
}

/// The local network's key pair, if made yet.
pub async fn network(
    conn: &impl ConnectionTrait,
    network_id: i64,
) -> Result<Option<KeyPair>, DbError> {
    let id = i32::try_from(network_id).map_err(|_| DbError::NotFound)?;
    let row = network::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(DbError::NotFound)?;
    Ok(pair(row.public_key_pem, row.private_key_pem))
}

/// Stores the network's key pair unless it has one; returns the one that is stored.
pub async fn set_network(
    conn: &impl ConnectionTrait,
    network_id: i64,
    keys: &KeyPair,
) -> Result<KeyPair, DbError> {
    let id = i32::try_from(network_id).map_err(|_| DbError::NotFound)?;
    network::Entity::update_many()
        .col_expr(
            network::Column::PublicKeyPem,
            Expr::value(keys.public_pem.clone()),
        )
        .col_expr(
            network::Column::PrivateKeyPem,
            Expr::value(keys.private_pem.clone()),
        )
        .filter(network::Column::Id.eq(id))
        .filter(network::Column::PublicKeyPem.is_null())
        .exec(conn)
        .await?;
    network(conn, network_id).await?.ok_or(DbError::NotFound)
}
