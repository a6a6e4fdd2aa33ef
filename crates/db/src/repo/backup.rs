//! Backup and restore of everything an instance owns, as one JSON document that is portable
//! between SQLite and PostgreSQL: networks and their keys, co-ops and their keys, tokens
//! (hashes), the instance actor, remote actors, follows both ways, posts, the outbox and its
//! deliveries, and domain blocks. Derived data (search index) is rebuilt on restore; caches
//! (received activity ids, host health) and membership history are not kept.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, PaginatorTrait,
    Statement,
};
use serde::{Deserialize, Serialize};

use crate::DbError;
use crate::entities::{
    api_token, coop, delivery, domain_block, follower, following, instance_actor, network,
    outbox_activity, post, remote_actor,
};

/// Format version of the document.
pub const FORMAT: u32 = 1;

/// The whole backup.
#[derive(Debug, Serialize, Deserialize)]
pub struct Backup {
    /// [`FORMAT`].
    pub format: u32,
    /// When it was taken.
    pub created_at: DateTime<Utc>,
    /// The instance's domain at the time.
    pub domain: String,
    network: Vec<network::Model>,
    coop: Vec<coop::Model>,
    api_token: Vec<api_token::Model>,
    instance_actor: Vec<instance_actor::Model>,
    remote_actor: Vec<remote_actor::Model>,
    follower: Vec<follower::Model>,
    following: Vec<following::Model>,
    post: Vec<post::Model>,
    outbox_activity: Vec<outbox_activity::Model>,
    delivery: Vec<delivery::Model>,
    domain_block: Vec<domain_block::Model>,
}

impl Backup {
    /// Rows per table, for reports.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        vec![
            ("network", self.network.len()),
            ("coop", self.coop.len()),
            ("api_token", self.api_token.len()),
            ("instance_actor", self.instance_actor.len()),
            ("remote_actor", self.remote_actor.len()),
            ("follower", self.follower.len()),
            ("following", self.following.len()),
            ("post", self.post.len()),
            ("outbox_activity", self.outbox_activity.len()),
            ("delivery", self.delivery.len()),
            ("domain_block", self.domain_block.len()),
        ]
    }
}

/// Reads everything (one consistent snapshot when `conn` is a transaction).
pub async fn dump(conn: &impl ConnectionTrait, domain: &str) -> Result<Backup, DbError> {
    Ok(Backup {
        format: FORMAT,
        created_at: Utc::now(),
        domain: domain.to_owned(),
        network: network::Entity::find().all(conn).await?,
        coop: coop::Entity::find().all(conn).await?,
        api_token: api_token::Entity::find().all(conn).await?,
        instance_actor: instance_actor::Entity::find().all(conn).await?,
        remote_actor: remote_actor::Entity::find().all(conn).await?,
        follower: follower::Entity::find().all(conn).await?,
        following: following::Entity::find().all(conn).await?,
        post: post::Entity::find().all(conn).await?,
        outbox_activity: outbox_activity::Entity::find().all(conn).await?,
        delivery: delivery::Entity::find().all(conn).await?,
        domain_block: domain_block::Entity::find().all(conn).await?,
    })
}

macro_rules! restore_table {
    ($conn:expr, $module:ident, $rows:expr) => {
        for chunk in $rows.chunks(200) {
            let models: Vec<$module::ActiveModel> = chunk
                .iter()
                .cloned()
                .map(|m| m.into_active_model().reset_all())
                .collect();
            if !models.is_empty() {
                $module::Entity::insert_many(models)
                    .exec_without_returning($conn)
                    .await?;
            }
        }
    };
}

/// Writes a backup into an empty, migrated database (ids kept). Refuses a non-empty one.
pub async fn restore(conn: &impl ConnectionTrait, backup: &Backup) -> Result<(), DbError> {
    if backup.format != FORMAT {
        return Err(DbError::Corrupt(format!(
            "backup format {} (this version reads {FORMAT})",
            backup.format
        )));
    }
    if network::Entity::find().count(conn).await? > 0 || coop::Entity::find().count(conn).await? > 0
    {
        return Err(DbError::Conflict(
            "the database is not empty: restore into a new database".into(),
        ));
    }
    // Parents before children (foreign keys).
    restore_table!(conn, network, backup.network);
    restore_table!(conn, coop, backup.coop);
    restore_table!(conn, api_token, backup.api_token);
    restore_table!(conn, instance_actor, backup.instance_actor);
    restore_table!(conn, remote_actor, backup.remote_actor);
    restore_table!(conn, follower, backup.follower);
    restore_table!(conn, following, backup.following);
    restore_table!(conn, post, backup.post);
    restore_table!(conn, outbox_activity, backup.outbox_activity);
    restore_table!(conn, delivery, backup.delivery);
    restore_table!(conn, domain_block, backup.domain_block);
    if conn.get_database_backend() == DbBackend::Postgres {
        // Explicit ids bypass the sequences: move each past the restored rows.
        for table in [
            "network",
            "coop",
            "api_token",
            "instance_actor",
            "remote_actor",
            "follower",
            "following",
            "post",
            "outbox_activity",
            "delivery",
        ] {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)"
            );
            conn.execute_raw(Statement::from_string(DbBackend::Postgres, sql))
                .await?;
        }
    }
    Ok(())
}
