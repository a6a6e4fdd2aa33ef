//! Console accounts, their co-ops, login sessions and one-time invites. Secrets arrive here
//! already hashed (argon2id for passwords, SHA-256 for session cookies and invite tokens).
//! Failed logins are counted per login name, not per account: `repo::login_throttle`.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use coopnet_core::{AccountRecord, InviteRecord, Role};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::DbError;
use crate::entities::{account, account_coop, console_session, coop, invite};

fn db_id(id: i64) -> Result<i32, DbError> {
    i32::try_from(id).map_err(|_| DbError::NotFound)
}

fn role(text: &str, id: i32) -> Result<Role, DbError> {
    text.parse()
        .map_err(|e| DbError::Corrupt(format!("account {id}: {e}")))
}

impl TryFrom<account::Model> for AccountRecord {
    type Error = DbError;

    fn try_from(m: account::Model) -> Result<Self, DbError> {
        Ok(Self {
            id: i64::from(m.id),
            role: role(&m.role, m.id)?,
            email: m.email,
            display_name: m.display_name,
            password_hash: m.password_hash,
            created_at: m.created_at,
        })
    }
}

/// Creates an account; a taken e-mail is a [`DbError::Conflict`].
pub async fn insert(
    conn: &impl ConnectionTrait,
    email: &str,
    display_name: &str,
    password_hash: &str,
    role: Role,
) -> Result<AccountRecord, DbError> {
    account::ActiveModel {
        id: NotSet,
        email: Set(email.to_owned()),
        display_name: Set(display_name.to_owned()),
        password_hash: Set(password_hash.to_owned()),
        role: Set(role.as_str().to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?
    .try_into()
}

/// The account with this (lowercased) e-mail.
pub async fn find_by_email(
    conn: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<AccountRecord>, DbError> {
    account::Entity::find()
        .filter(account::Column::Email.eq(email))
        .one(conn)
        .await?
        .map(TryInto::try_into)
        .transpose()
}

/// The account `id`.
pub async fn get(conn: &impl ConnectionTrait, id: i64) -> Result<Option<AccountRecord>, DbError> {
    account::Entity::find_by_id(db_id(id)?)
        .one(conn)
        .await?
        .map(TryInto::try_into)
        .transpose()
}

/// Every account, by e-mail.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<AccountRecord>, DbError> {
    account::Entity::find()
        .order_by_asc(account::Column::Email)
        .all(conn)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Replaces the password hash.
pub async fn set_password(
    conn: &impl ConnectionTrait,
    id: i64,
    password_hash: &str,
) -> Result<(), DbError> {
    account::Entity::update_many()
        .col_expr(account::Column::PasswordHash, Expr::value(password_hash))
        .filter(account::Column::Id.eq(db_id(id)?))
        .exec(conn)
        .await?;
    Ok(())
}

/// Raises the account's role (an editor invited as admin).
pub async fn set_role(conn: &impl ConnectionTrait, id: i64, role: Role) -> Result<(), DbError> {
    account::Entity::update_many()
        .col_expr(account::Column::Role, Expr::value(role.as_str()))
        .filter(account::Column::Id.eq(db_id(id)?))
        .exec(conn)
        .await?;
    Ok(())
}

/// Deletes an account (its sessions and co-op links go with it).
pub async fn delete(conn: &impl ConnectionTrait, id: i64) -> Result<bool, DbError> {
    let id = db_id(id)?;
    console_session::Entity::delete_many()
        .filter(console_session::Column::AccountId.eq(id))
        .exec(conn)
        .await?;
    account_coop::Entity::delete_many()
        .filter(account_coop::Column::AccountId.eq(id))
        .exec(conn)
        .await?;
    Ok(account::Entity::delete_by_id(id)
        .exec(conn)
        .await?
        .rows_affected
        > 0)
}

/// Makes the account an editor of co-op `coop_id` (nothing when it already is).
pub async fn link_coop(
    conn: &impl ConnectionTrait,
    account_id: i64,
    coop_id: i64,
) -> Result<(), DbError> {
    account_coop::Entity::insert(account_coop::ActiveModel {
        account_id: Set(db_id(account_id)?),
        coop_id: Set(db_id(coop_id)?),
    })
    .on_conflict(
        OnConflict::columns([
            account_coop::Column::AccountId,
            account_coop::Column::CoopId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Removes the account's link to co-op `coop_id`.
pub async fn unlink_coop(
    conn: &impl ConnectionTrait,
    account_id: i64,
    coop_id: i64,
) -> Result<bool, DbError> {
    Ok(account_coop::Entity::delete_many()
        .filter(account_coop::Column::AccountId.eq(db_id(account_id)?))
        .filter(account_coop::Column::CoopId.eq(db_id(coop_id)?))
        .exec(conn)
        .await?
        .rows_affected
        > 0)
}

/// The co-ops (ids) the account edits.
pub async fn coop_ids(conn: &impl ConnectionTrait, account_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(account_coop::Entity::find()
        .filter(account_coop::Column::AccountId.eq(db_id(account_id)?))
        .all(conn)
        .await?
        .into_iter()
        .map(|l| i64::from(l.coop_id))
        .collect())
}

/// The accounts that edit co-op `coop_id`, by e-mail.
pub async fn editors_of(
    conn: &impl ConnectionTrait,
    coop_id: i64,
) -> Result<Vec<AccountRecord>, DbError> {
    let ids: Vec<i32> = account_coop::Entity::find()
        .filter(account_coop::Column::CoopId.eq(db_id(coop_id)?))
        .all(conn)
        .await?
        .into_iter()
        .map(|l| l.account_id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    account::Entity::find()
        .filter(account::Column::Id.is_in(ids))
        .order_by_asc(account::Column::Email)
        .all(conn)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// A login session (its id is the SHA-256 of the cookie value).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    /// SHA-256 hex of the cookie.
    pub id: String,
    /// Whose.
    pub account_id: i64,
    /// The synchroniser token of its forms.
    pub csrf_token: String,
    /// Login time.
    pub created_at: DateTime<Utc>,
    /// Last request.
    pub last_seen: DateTime<Utc>,
    /// Absolute end.
    pub expires_at: DateTime<Utc>,
}

/// Stores a new session.
pub async fn insert_session(
    conn: &impl ConnectionTrait,
    session: &SessionRecord,
) -> Result<(), DbError> {
    console_session::ActiveModel {
        id: Set(session.id.clone()),
        account_id: Set(db_id(session.account_id)?),
        csrf_token: Set(session.csrf_token.clone()),
        created_at: Set(session.created_at),
        last_seen: Set(session.last_seen),
        expires_at: Set(session.expires_at),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The session with this id.
pub async fn find_session(
    conn: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<SessionRecord>, DbError> {
    Ok(console_session::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .map(|m| SessionRecord {
            id: m.id,
            account_id: i64::from(m.account_id),
            csrf_token: m.csrf_token,
            created_at: m.created_at,
            last_seen: m.last_seen,
            expires_at: m.expires_at,
        }))
}

/// Records a request of session `id`.
pub async fn touch_session(
    conn: &impl ConnectionTrait,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    console_session::Entity::update_many()
        .col_expr(console_session::Column::LastSeen, Expr::value(now))
        .filter(console_session::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends session `id`.
pub async fn delete_session(conn: &impl ConnectionTrait, id: &str) -> Result<(), DbError> {
    console_session::Entity::delete_by_id(id.to_owned())
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends every session of the account but `keep`; returns how many ended.
pub async fn delete_sessions_of(
    conn: &impl ConnectionTrait,
    account_id: i64,
    keep: Option<&str>,
) -> Result<u64, DbError> {
    let mut q = console_session::Entity::delete_many()
        .filter(console_session::Column::AccountId.eq(db_id(account_id)?));
    if let Some(keep) = keep {
        q = q.filter(console_session::Column::Id.ne(keep));
    }
    Ok(q.exec(conn).await?.rows_affected)
}

/// Deletes sessions past their absolute end.
pub async fn delete_expired_sessions(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    Ok(console_session::Entity::delete_many()
        .filter(console_session::Column::ExpiresAt.lte(now))
        .exec(conn)
        .await?
        .rows_affected)
}

/// A new invite.
#[derive(Debug, Clone)]
pub struct NewInvite<'a> {
    /// SHA-256 hex of the token.
    pub token_hash: &'a str,
    /// Role to grant.
    pub role: Role,
    /// Co-op to edit.
    pub coop_id: Option<i64>,
    /// Fixed address.
    pub email: Option<&'a str>,
    /// Inviting account.
    pub created_by: Option<i64>,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

async fn slugs(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, String>, DbError> {
    let ids: Vec<i32> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(coop::Entity::find()
        .filter(coop::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.slug))
        .collect())
}

fn invite_record(m: invite::Model, slugs: &HashMap<i32, String>) -> Result<InviteRecord, DbError> {
    Ok(InviteRecord {
        id: i64::from(m.id),
        role: role(&m.role, m.id)?,
        coop_slug: m.coop_id.and_then(|c| slugs.get(&c).cloned()),
        coop_id: m.coop_id.map(i64::from),
        email: m.email,
        created_by: m.created_by.map(i64::from),
        created_at: m.created_at,
        expires_at: m.expires_at,
        used_at: m.used_at,
    })
}

/// Stores an invite.
pub async fn insert_invite(
    conn: &impl ConnectionTrait,
    new: NewInvite<'_>,
) -> Result<InviteRecord, DbError> {
    let m = invite::ActiveModel {
        id: NotSet,
        token_hash: Set(new.token_hash.to_owned()),
        role: Set(new.role.as_str().to_owned()),
        coop_id: Set(new.coop_id.map(db_id).transpose()?),
        email: Set(new.email.map(str::to_owned)),
        created_by: Set(new.created_by.map(db_id).transpose()?),
        created_at: Set(Utc::now()),
        expires_at: Set(new.expires_at),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    let slugs = slugs(conn, m.coop_id).await?;
    invite_record(m, &slugs)
}

/// The invite with this token hash.
pub async fn find_invite(
    conn: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<InviteRecord>, DbError> {
    let Some(m) = invite::Entity::find()
        .filter(invite::Column::TokenHash.eq(token_hash))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let slugs = slugs(conn, m.coop_id).await?;
    invite_record(m, &slugs).map(Some)
}

/// Marks invite `id` used; false when it already was (a concurrent use lost the race).
pub async fn use_invite(
    conn: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    Ok(invite::Entity::update_many()
        .col_expr(invite::Column::UsedAt, Expr::value(now))
        .filter(invite::Column::Id.eq(db_id(id)?))
        .filter(invite::Column::UsedAt.is_null())
        .exec(conn)
        .await?
        .rows_affected
        > 0)
}

/// Invites, newest first; only those of co-op `coop_id` when given.
pub async fn list_invites(
    conn: &impl ConnectionTrait,
    coop_id: Option<i64>,
) -> Result<Vec<InviteRecord>, DbError> {
    let mut q = invite::Entity::find().order_by_desc(invite::Column::Id);
    if let Some(coop_id) = coop_id {
        q = q.filter(invite::Column::CoopId.eq(db_id(coop_id)?));
    }
    let rows = q.all(conn).await?;
    let slugs = slugs(conn, rows.iter().filter_map(|m| m.coop_id)).await?;
    rows.into_iter().map(|m| invite_record(m, &slugs)).collect()
}

/// Deletes invite `id`.
pub async fn delete_invite(conn: &impl ConnectionTrait, id: i64) -> Result<bool, DbError> {
    Ok(invite::Entity::delete_by_id(db_id(id)?)
        .exec(conn)
        .await?
        .rows_affected
        > 0)
}
