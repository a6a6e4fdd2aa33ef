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
