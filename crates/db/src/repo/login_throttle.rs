//! Failure counters and locks of password checks, one row per login name, keyed by the
//! SHA-256 (hex) of the normalised e-mail so the address itself is not stored here. Rows
//! exist for unknown addresses too: they count and lock exactly like real accounts, so the
//! answers never tell which addresses have one. The rules are `coopnet_core::SessionPolicy`'s;
//! the caller hashes.
use chrono::{DateTime, Utc};
use coopnet_core::LoginAttempts;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::DbError;
use crate::entities::login_throttle;

impl From<login_throttle::Model> for LoginAttempts {
    fn from(m: login_throttle::Model) -> Self {
        Self {
            failures: u32::try_from(m.failures).unwrap_or(0),
            locked_until: m.locked_until,
            updated_at: m.updated_at,
        }
    }
}

fn active(key_hash: &str, a: &LoginAttempts) -> login_throttle::ActiveModel {
    login_throttle::ActiveModel {
        key_hash: Set(key_hash.to_owned()),
        failures: Set(i32::try_from(a.failures).unwrap_or(i32::MAX)),
        locked_until: Set(a.locked_until),
        updated_at: Set(a.updated_at),
    }
}

/// The record of `key_hash`, locked for the rest of the transaction `conn` (`FOR UPDATE` on
/// PostgreSQL; SQLite's write transaction holds the whole database). A name never seen gets
/// an empty record first, so concurrent checks of one name queue up behind each other
/// instead of each reading "no failures yet".
pub async fn claim(
    conn: &impl ConnectionTrait,
    key_hash: &str,
    now: DateTime<Utc>,
) -> Result<LoginAttempts, DbError> {
    let empty = LoginAttempts {
        failures: 0,
        locked_until: None,
        updated_at: now,
    };
    login_throttle::Entity::insert(active(key_hash, &empty))
        .on_conflict(
            OnConflict::column(login_throttle::Column::KeyHash)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    login_throttle::Entity::find_by_id(key_hash.to_owned())
        .lock_exclusive()
        .one(conn)
        .await?
        .map(Into::into)
        .ok_or(DbError::NotFound)
}

/// The record of `key_hash`, if any.
pub async fn find(
    conn: &impl ConnectionTrait,
    key_hash: &str,
) -> Result<Option<LoginAttempts>, DbError> {
    Ok(login_throttle::Entity::find_by_id(key_hash.to_owned())
        .one(conn)
        .await?
        .map(Into::into))
}

/// Stores the record of `key_hash` (it exists: see [`claim`]).
pub async fn save(
    conn: &impl ConnectionTrait,
    key_hash: &str,
    attempts: &LoginAttempts,
) -> Result<(), DbError> {
    login_throttle::Entity::update(active(key_hash, attempts))
        .exec(conn)
        .await?;
    Ok(())
}

/// Forgets the record of `key_hash` (after a right password).
pub async fn clear(conn: &impl ConnectionTrait, key_hash: &str) -> Result<(), DbError> {
    login_throttle::Entity::delete_by_id(key_hash.to_owned())
        .exec(conn)
        .await?;
    Ok(())
}

/// Deletes the records without a lock in force at `now` whose last attempt was at or before
/// `quiet_since` (they say nothing any more); returns how many.
pub async fn prune(
    conn: &impl ConnectionTrait,
    quiet_since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    Ok(login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::UpdatedAt.lte(quiet_since))
        .filter(
            Condition::any()
                .add(login_throttle::Column::LockedUntil.is_null())
                .add(login_throttle::Column::LockedUntil.lte(now)),
        )
        .exec(conn)
        .await?
        .rows_affected)
}
