//! Remote actors we have fetched: their inboxes and public keys.
use chrono::{DateTime, Utc};
use coopnet_core::ActorKind;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, QueryFilter,
};
use url::Url;

use crate::DbError;
use crate::convert::actor_kind;
use crate::entities::remote_actor;

/// A cached remote actor.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteActorRecord {
    /// Storage id.
    pub id: i64,
    /// Its id URL.
    pub actor_id: Url,
    /// ActivityStreams type.
    pub kind: ActorKind,
    /// preferredUsername.
    pub username: String,
    /// ``host[:port]`` of the id.
    pub domain: String,
    /// Display name.
    pub name: Option<String>,
    /// Personal inbox.
    pub inbox: Url,
    /// Shared inbox of its server, when it has one.
    pub shared_inbox: Option<Url>,
    /// keyId of its public key.
    pub public_key_id: String,
    /// SPKI PEM.
    pub public_key_pem: String,
    /// When we last fetched it.
    pub fetched_at: DateTime<Utc>,
}

impl RemoteActorRecord {
    /// Where to deliver to it: the shared inbox when there is one.
    pub fn delivery_inbox(&self) -> &Url {
        self.shared_inbox.as_ref().unwrap_or(&self.inbox)
    }
}

fn from_model(m: remote_actor::Model) -> Result<RemoteActorRecord, DbError> {
    let url = |v: &str| {
        Url::parse(v).map_err(|e| DbError::Corrupt(format!("remote_actor {}: {e}", m.id)))
    };
    Ok(RemoteActorRecord {
        id: i64::from(m.id),
        actor_id: url(&m.actor_id)?,
        kind: actor_kind(&m.kind)?,
        username: m.username.clone(),
        domain: m.domain.clone(),
        name: m.name.clone(),
        inbox: url(&m.inbox)?,
        shared_inbox: m.shared_inbox.as_deref().map(url).transpose()?,
        public_key_id: m.public_key_id.clone(),
        public_key_pem: m.public_key_pem.clone(),
        fetched_at: m.fetched_at,
    })
}

/// The cached actor with this id.
pub async fn find(
    conn: &impl ConnectionTrait,
    actor_id: &Url,
) -> Result<Option<RemoteActorRecord>, DbError> {
    remote_actor::Entity::find()
        .filter(remote_actor::Column::ActorId.eq(actor_id.as_str()))
        .one(conn)
        .await?
        .map(from_model)
        .transpose()
}

/// Inserts or refreshes an actor (`id` of the argument is ignored). Two requests may store
/// the same actor at once: the loser of the insert race updates the winner's row.
pub async fn upsert(
    conn: &impl ConnectionTrait,
    actor: &RemoteActorRecord,
) -> Result<RemoteActorRecord, DbError> {
    match try_upsert(conn, actor).await {
        Err(DbError::Conflict(_)) => try_upsert(conn, actor).await,
        other => other,
    }
}

async fn try_upsert(
    conn: &impl ConnectionTrait,
    actor: &RemoteActorRecord,
) -> Result<RemoteActorRecord, DbError> {
    let existing = remote_actor::Entity::find()
        .filter(remote_actor::Column::ActorId.eq(actor.actor_id.as_str()))
        .one(conn)
        .await?;
    let mut am = match existing {
        Some(m) => m.into(),
        None => remote_actor::ActiveModel {
            id: NotSet,
            actor_id: Set(actor.actor_id.to_string()),
            ..Default::default()
        },
    };
    am.kind = Set(actor.kind.as_str().to_owned());
    am.username = Set(actor.username.clone());
    am.domain = Set(actor.domain.clone());
    am.name = Set(actor.name.clone());
    am.inbox = Set(actor.inbox.to_string());
    am.shared_inbox = Set(actor.shared_inbox.as_ref().map(Url::to_string));
    am.public_key_id = Set(actor.public_key_id.clone());
    am.public_key_pem = Set(actor.public_key_pem.clone());
    am.fetched_at = Set(actor.fetched_at);
    let model = match am.id {
        sea_orm::ActiveValue::Unchanged(_) | sea_orm::ActiveValue::Set(_) => {
            am.update(conn).await?
        }
        sea_orm::ActiveValue::NotSet => am.insert(conn).await?,
    };
    from_model(model)
}

/// Forgets an actor and (by cascade) its follows. Returns whether it was known.
pub async fn delete(conn: &impl ConnectionTrait, actor_id: &Url) -> Result<bool, DbError> {
    let found = remote_actor::Entity::find()
        .filter(remote_actor::Column::ActorId.eq(actor_id.as_str()))
        .one(conn)
        .await?;
    match found {
        Some(m) => {
            m.delete(conn).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Every cached actor on `domain` (`host[:port]`).
pub async fn on_domain(
    conn: &impl ConnectionTrait,
    domain: &str,
) -> Result<Vec<RemoteActorRecord>, DbError> {
    remote_actor::Entity::find()
        .filter(remote_actor::Column::Domain.eq(domain.to_ascii_lowercase()))
        .all(conn)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}
