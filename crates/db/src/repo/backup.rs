//! Backup and restore of everything an instance owns, as one JSON document that is portable
//! between SQLite and PostgreSQL: networks and their keys, co-ops and their keys, tokens
//! (hashes), the instance actor, remote actors, follows both ways, posts, the outbox and its
//! deliveries, domain blocks, and the web console's accounts (password hashes), their links
//! to co-ops, invites (token hashes), join applications, uploaded logos (base64 in the JSON)
//! and removal reasons, the co-ops' linked fediverse accounts and the remote posts kept for
//! them and for federation news (with the ids of our boosts, which a later `Undo` names). Derived data (search index) is rebuilt on restore; caches (received
//! activity ids, host health), membership history, console sessions and login failure
//! counters and locks (`login_throttle`) are not kept: a restored instance starts unlocked.
//! Nor are the recent federation errors (`federation_error`): a log, not state.
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, PaginatorTrait,
    Statement,
};
use serde::{Deserialize, Serialize};

use crate::DbError;
use crate::entities::{
    account, account_coop, api_token, coop, coop_logo, delivery, domain_block, follower, following,
    instance_actor, invite, join_application, linked_account, member_removal, network,
    outbox_activity, post, remote_actor, remote_post, remote_post_source,
};

/// Format version of the document written now. Version 2 added the console tables; a
/// version 1 document (without them) still restores, with those tables left empty. Version 3
/// dropped the lock state from account rows (now in `login_throttle`, not backed up); the
/// fields in older documents are ignored. Older versions refuse a version 3 document by its
/// number instead of failing on the missing fields. Version 4 added linked accounts and the
/// remote post store (absent from older documents: restored empty); an older version
/// refuses it rather than drop them silently.
pub const FORMAT: u32 = 4;

/// The oldest format [`restore`] reads.
pub const OLDEST_FORMAT: u32 = 1;

/// A `coop_logo` row with its bytes as base64 text (JSON has no binary type).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct LogoRow {
    coop_id: i32,
    content_type: String,
    #[serde(with = "base64_bytes")]
    bytes: Vec<u8>,
    etag: String,
    updated_at: DateTime<Utc>,
}

impl From<coop_logo::Model> for LogoRow {
    fn from(m: coop_logo::Model) -> Self {
        Self {
            coop_id: m.coop_id,
            content_type: m.content_type,
            bytes: m.bytes,
            etag: m.etag,
            updated_at: m.updated_at,
        }
    }
}

impl From<LogoRow> for coop_logo::Model {
    fn from(r: LogoRow) -> Self {
        Self {
            coop_id: r.coop_id,
            content_type: r.content_type,
            bytes: r.bytes,
            etag: r.etag,
            updated_at: r.updated_at,
        }
    }
}

/// Standard base64 (with padding) for byte columns.
mod base64_bytes {
    use super::{BASE64, Engine};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&BASE64.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        BASE64
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

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
    // Format 2: the web console. Absent from format 1 documents, hence the defaults.
    #[serde(default)]
    account: Vec<account::Model>,
    #[serde(default)]
    account_coop: Vec<account_coop::Model>,
    #[serde(default)]
    invite: Vec<invite::Model>,
    #[serde(default)]
    join_application: Vec<join_application::Model>,
    #[serde(default)]
    coop_logo: Vec<LogoRow>,
    #[serde(default)]
    member_removal: Vec<member_removal::Model>,
    // Format 4: linked accounts and the remote post store.
    #[serde(default)]
    linked_account: Vec<linked_account::Model>,
    #[serde(default)]
    remote_post: Vec<remote_post::Model>,
    #[serde(default)]
    remote_post_source: Vec<remote_post_source::Model>,
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
            ("account", self.account.len()),
            ("account_coop", self.account_coop.len()),
            ("invite", self.invite.len()),
            ("join_application", self.join_application.len()),
            ("coop_logo", self.coop_logo.len()),
            ("member_removal", self.member_removal.len()),
            ("linked_account", self.linked_account.len()),
            ("remote_post", self.remote_post.len()),
            ("remote_post_source", self.remote_post_source.len()),
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
        account: account::Entity::find().all(conn).await?,
        account_coop: account_coop::Entity::find().all(conn).await?,
        // Used and expired invites too: the console lists them, and only hashes are kept.
        invite: invite::Entity::find().all(conn).await?,
        join_application: join_application::Entity::find().all(conn).await?,
        coop_logo: coop_logo::Entity::find()
            .all(conn)
            .await?
            .into_iter()
            .map(LogoRow::from)
            .collect(),
        member_removal: member_removal::Entity::find().all(conn).await?,
        linked_account: linked_account::Entity::find().all(conn).await?,
        remote_post: remote_post::Entity::find().all(conn).await?,
        remote_post_source: remote_post_source::Entity::find().all(conn).await?,
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
    if !(OLDEST_FORMAT..=FORMAT).contains(&backup.format) {
        return Err(DbError::Corrupt(format!(
            "backup format {} (this version reads {OLDEST_FORMAT} to {FORMAT})",
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
    restore_table!(conn, account, backup.account);
    restore_table!(conn, account_coop, backup.account_coop);
    restore_table!(conn, invite, backup.invite);
    restore_table!(conn, join_application, backup.join_application);
    let logos: Vec<coop_logo::Model> = backup.coop_logo.iter().cloned().map(Into::into).collect();
    restore_table!(conn, coop_logo, logos);
    restore_table!(conn, member_removal, backup.member_removal);
    restore_table!(conn, linked_account, backup.linked_account);
    restore_table!(conn, remote_post, backup.remote_post);
    restore_table!(conn, remote_post_source, backup.remote_post_source);
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
            "account",
            "invite",
            "join_application",
            "member_removal",
            "linked_account",
            "remote_post",
            "remote_post_source",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_format_1_document_without_console_tables_still_reads() {
        let doc = serde_json::json!({
            "format": 1,
            "created_at": "2026-11-01T00:00:00Z",
            "domain": "coops.example",
            "network": [], "coop": [], "api_token": [], "instance_actor": [],
            "remote_actor": [], "follower": [], "following": [], "post": [],
            "outbox_activity": [], "delivery": [], "domain_block": [],
        });
        let backup: Backup = serde_json::from_value(doc).expect("format 1 reads");
        assert_eq!(backup.format, 1);
        assert!(backup.counts().iter().all(|(_, n)| *n == 0));
        assert!(backup.counts().iter().any(|(t, _)| *t == "account"));
    }

    #[test]
    fn logo_bytes_are_base64_in_the_json() {
        let row = LogoRow {
            coop_id: 7,
            content_type: "image/png".into(),
            bytes: vec![0, 159, 146, 150, 255],
            etag: "abc".into(),
            updated_at: Utc::now(),
        };
        let json = serde_json::to_value(&row).expect("serialises");
        assert_eq!(json["bytes"], "AJ+Slv8=");
        let back: LogoRow = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, row);
        let bad = serde_json::json!({
            "coop_id": 7, "content_type": "image/png", "bytes": "not base64!",
            "etag": "abc", "updated_at": "2026-11-01T00:00:00Z",
        });
        assert!(serde_json::from_value::<LogoRow>(bad).is_err());
    }
}
