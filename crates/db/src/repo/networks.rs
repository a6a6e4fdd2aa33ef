//! Networks: this instance's own (one row, kept in step with the configuration) and peers.
use chrono::Utc;
use coopnet_core::Network;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::DbError;
use crate::convert::to_json;
use crate::entities::network;

/// The local network's configured identity.
#[derive(Debug, Clone)]
pub struct LocalNetwork<'a> {
    /// Handle of the network actor.
    pub username: &'a str,
    /// Host the instance serves.
    pub domain: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Country code.
    pub country: Option<&'a str>,
    /// Language tags.
    pub languages: &'a [String],
    /// Markdown description.
    pub summary: &'a str,
}

/// Creates the local network row or brings it in line with the configuration.
pub async fn upsert_local(
    conn: &impl ConnectionTrait,
    cfg: LocalNetwork<'_>,
) -> Result<Network, DbError> {
    let now = Utc::now();
    let existing = network::Entity::find()
        .filter(network::Column::IsLocal.eq(true))
        .one(conn)
        .await?;
    let model = match existing {
        Some(m) => {
            let unchanged = m.username == cfg.username
                && m.domain == cfg.domain
                && m.name == cfg.name
                && m.country.as_deref() == cfg.country
                && m.languages == to_json(&cfg.languages)
                && m.summary == cfg.summary;
            if unchanged {
                m
            } else {
                let mut am: network::ActiveModel = m.into();
                am.username = Set(cfg.username.to_owned());
                am.domain = Set(cfg.domain.to_owned());
                am.name = Set(cfg.name.to_owned());
                am.country = Set(cfg.country.map(str::to_owned));
                am.languages = Set(to_json(&cfg.languages));
                am.summary = Set(cfg.summary.to_owned());
                am.updated_at = Set(now);
                am.update(conn).await?
            }
        }
        None => {
            network::ActiveModel {
                id: NotSet,
                username: Set(cfg.username.to_owned()),
                domain: Set(cfg.domain.to_owned()),
                name: Set(cfg.name.to_owned()),
                country: Set(cfg.country.map(str::to_owned)),
                languages: Set(to_json(&cfg.languages)),
                summary: Set(cfg.summary.to_owned()),
                actor_id: Set(None),
                is_local: Set(true),
                public_key_pem: Set(None),
                private_key_pem: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(conn)
            .await?
        }
    };
    Network::try_from(model)
}

/// Every known network, the local one first.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<Network>, DbError> {
    let mut models = network::Entity::find().all(conn).await?;
    models.sort_by_key(|m| (!m.is_local, m.name.to_lowercase()));
    models.into_iter().map(Network::try_from).collect()
}

/// A peer network as read from its `Group` actor.
#[derive(Debug, Clone)]
pub struct RemoteNetwork<'a> {
    /// Its actor id.
    pub actor_id: &'a url::Url,
    /// Its handle.
    pub username: &'a str,
    /// Its `host[:port]`.
    pub domain: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Country code, when it says.
    pub country: Option<&'a str>,
    /// Language tags.
    pub languages: &'a [String],
    /// Summary (plain text).
    pub summary: &'a str,
    /// Its members collection.
    pub members_url: Option<&'a url::Url>,
}

/// Creates or refreshes a peer network's row.
pub async fn upsert_remote(
    conn: &impl ConnectionTrait,
    r: RemoteNetwork<'_>,
) -> Result<Network, DbError> {
    let now = Utc::now();
    let existing = network::Entity::find()
        .filter(network::Column::ActorId.eq(r.actor_id.as_str()))
        .one(conn)
        .await?;
    let mut am = match existing {
        Some(m) => m.into(),
        None => network::ActiveModel {
            id: NotSet,
            actor_id: Set(Some(r.actor_id.to_string())),
            is_local: Set(false),
            created_at: Set(now),
            ..Default::default()
        },
    };
    am.username = Set(r.username.to_owned());
    am.domain = Set(r.domain.to_owned());
    am.name = Set(r.name.to_owned());
    am.country = Set(r.country.map(str::to_owned));
    am.languages = Set(to_json(&r.languages));
    am.summary = Set(r.summary.to_owned());
    am.members_url = Set(r.members_url.map(url::Url::to_string));
    am.updated_at = Set(now);
    let model = if matches!(am.id, sea_orm::ActiveValue::NotSet) {
        am.insert(conn).await?
    } else {
        am.update(conn).await?
    };
    Network::try_from(model)
}

/// The network with this actor id.
pub async fn find_by_actor(
    conn: &impl ConnectionTrait,
    actor_id: &url::Url,
) -> Result<Option<Network>, DbError> {
    network::Entity::find()
        .filter(network::Column::ActorId.eq(actor_id.as_str()))
        .one(conn)
        .await?
        .map(Network::try_from)
        .transpose()
}

/// The network with this storage id.
pub async fn get(conn: &impl ConnectionTrait, id: i64) -> Result<Option<Network>, DbError> {
    let id = i32::try_from(id).map_err(|_| DbError::NotFound)?;
    network::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(Network::try_from)
        .transpose()
}

/// How a peer's last resync went.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncState {
    /// Its members collection.
    pub members_url: Option<url::Url>,
    /// The change marker seen at the last successful resync.
    pub member_digest: Option<String>,
    /// When the last resync ran.
    pub last_sync_at: Option<chrono::DateTime<Utc>>,
    /// Whether it succeeded.
    pub last_sync_ok: Option<bool>,
    /// What it did or why it failed.
    pub last_sync_message: Option<String>,
}

/// The sync state of network `id`.
pub async fn sync_state(conn: &impl ConnectionTrait, id: i64) -> Result<SyncState, DbError> {
    let id = i32::try_from(id).map_err(|_| DbError::NotFound)?;
    let m = network::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(DbError::NotFound)?;
    Ok(SyncState {
        members_url: m.members_url.and_then(|u| url::Url::parse(&u).ok()),
        member_digest: m.member_digest,
        last_sync_at: m.last_sync_at,
        last_sync_ok: m.last_sync_ok,
        last_sync_message: m.last_sync_message,
    })
}

/// Records a resync's outcome (`digest` only on success).
pub async fn record_sync(
    conn: &impl ConnectionTrait,
    id: i64,
    ok: bool,
    message: &str,
    digest: Option<&str>,
) -> Result<(), DbError> {
    let id = i32::try_from(id).map_err(|_| DbError::NotFound)?;
    let mut am = network::ActiveModel {
        id: Set(id),
        last_sync_at: Set(Some(Utc::now())),
        last_sync_ok: Set(Some(ok)),
        last_sync_message: Set(Some(message.chars().take(500).collect())),
        ..Default::default()
    };
    if let Some(d) = digest {
        am.member_digest = Set(Some(d.to_owned()));
    }
    am.update(conn).await?;
    Ok(())
}

/// Forgets a peer network and its co-ops: each listed co-op's departure is recorded (the
/// members feed shows it as having left), they leave the search index, the posts and boosts
/// that came through it leave the remote post store, then the network row goes. Run it in a
/// transaction (callers do) so all of it happens together.
pub async fn delete_remote(conn: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    let db_id = i32::try_from(id).map_err(|_| DbError::NotFound)?;
    let remote = network::Entity::find_by_id(db_id)
        .filter(network::Column::IsLocal.eq(false))
        .one(conn)
        .await?
        .is_some();
    if !remote {
        return Ok(());
    }
    super::coops::delete_remote_except(conn, id, &std::collections::HashSet::new()).await?;
    // Its posts and boosts leave with it (explicitly: the foreign key's cascade would leave
    // posts that came only through it behind).
    super::remote_posts::forget_network(conn, id).await?;
    network::Entity::delete_many()
        .filter(network::Column::Id.eq(db_id))
        .filter(network::Column::IsLocal.eq(false))
        .exec(conn)
        .await?;
    Ok(())
}
