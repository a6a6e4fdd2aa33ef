//! Console accounts: invites, passwords (argon2id), login with lockout, sessions, and who
//! may edit which co-op.
//!
//! Secrets are shown once and stored hashed: invite tokens and session cookies as SHA-256,
//! passwords as argon2id PHC strings. Sessions carry a CSRF synchroniser token.
//!
//! Every password check goes through [`check_password`]: logging in, accepting an invite
//! with an existing account, changing the password. It counts failures per login name (the
//! SHA-256 of the normalised e-mail, in `login_throttle`) for unknown addresses as for real
//! ones, verifies unknown addresses against a dummy hash so they take as long, and answers
//! both alike, so neither the words, the lock nor the timing tell which addresses have an
//! account. No session starts for a locked login name, whatever the door.
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use coopnet_core::{
    AccountRecord, FieldErrors, InviteRecord, Role, SessionPolicy, Slug, TokenScope,
    check_display_name, check_new_password, login_name, normalize_email,
};
use coopnet_db::repo::accounts::{self, NewInvite, SessionRecord};
use coopnet_db::repo::login_throttle;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{AppContext, AppError, coops};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "coopnet_session";

/// 32 random bytes, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// SHA-256 hex: how tokens and cookies are stored.
pub fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares a presented CSRF token with the expected one in constant time; an empty
/// presented token never matches.
pub fn csrf_matches(expected: &str, presented: &str) -> bool {
    !presented.is_empty()
        && !expected.is_empty()
        && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

/// Hashes a password with argon2id (default parameters, random salt) as a PHC string.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::caused("password salt", e))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::caused("hashing a password", e))
}

/// True when `password` matches the PHC string `hash`.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash verified for unknown e-mails, so that their answer takes as long as a real one.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not a real password").unwrap_or_default())
}

/// The session rules from the settings.
pub fn policy(ctx: &AppContext) -> SessionPolicy {
    let c = &ctx.settings.console;
    SessionPolicy {
        lifetime: Duration::hours(i64::from(c.session_hours.max(1))),
        idle: Duration::hours(i64::from(c.idle_hours.max(1))),
        lockout_attempts: c.lockout_attempts.max(1),
        lockout: Duration::minutes(i64::from(c.lockout_minutes)),
    }
}

/// A signed-in account, as each console request sees it.
#[derive(Debug, Clone)]
pub struct Session {
    /// The account.
    pub account: AccountRecord,
    /// The co-ops it edits (admins edit every co-op anyway).
    pub coops: Vec<Slug>,
    /// SHA-256 of the cookie (the session's id).
    pub id: String,
    /// The synchroniser token every form of this session must send back.
    pub csrf_token: String,
}

impl Session {
    /// True for admins.
    pub fn is_admin(&self) -> bool {
        self.account.role == Role::Admin
    }

    /// The scope the co-op use cases get for `slug`, or `None` when the account may not
    /// edit it.
    pub fn scope_for(&self, slug: &str) -> Option<TokenScope> {
        if self.is_admin() {
            return Some(TokenScope::Admin);
        }
        self.coops
            .iter()
            .find(|s| s.as_str() == slug)
            .map(|s| TokenScope::Coop(s.clone()))
    }

    /// `Forbidden` unless the account may edit `slug`.
    pub fn require_coop(&self, slug: &str) -> Result<TokenScope, AppError> {
        self.scope_for(slug)
            .ok_or_else(|| AppError::Forbidden(format!("you may not edit co-op '{slug}'")))
    }

    /// `Forbidden` unless an admin.
    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden("this needs an admin account".into()))
        }
    }
}

/// A new session: the cookie value exists only here.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie value to set.
    pub cookie: String,
    /// When it ends at the latest.
    pub expires_at: DateTime<Utc>,
}

async fn coop_slugs(ctx: &AppContext, account_id: i64) -> Result<Vec<Slug>, AppError> {
    let mut out = Vec::new();
    for id in accounts::coop_ids(&ctx.db, account_id).await? {
        if let Some(coop) = coopnet_db::repo::coops::get_by_id(&ctx.db, id).await?
            && coop.is_local()
            && coop.network_id == ctx.network.id
        {
            out.push(coop.slug);
        }
    }
    out.sort();
    Ok(out)
}

/// Looks up the session of a cookie: `None` when unknown or over (an expired session is
/// deleted).
pub async fn session(ctx: &AppContext, cookie: &str) -> Result<Option<Session>, AppError> {
    if cookie.is_empty() {
        return Ok(None);
    }
    let id = sha256_hex(cookie);
    let Some(record) = accounts::find_session(&ctx.db, &id).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    if policy(ctx).session_expired(now, record.expires_at, record.last_seen) {
        accounts::delete_session(&ctx.db, &id).await?;
        return Ok(None);
    }
    let Some(account) = accounts::get(&ctx.db, record.account_id).await? else {
        return Ok(None);
    };
    // One write a minute at most per session.
    if now - record.last_seen > Duration::seconds(60) {
        accounts::touch_session(&ctx.db, &id, now).await?;
    }
    Ok(Some(Session {
        coops: coop_slugs(ctx, account.id).await?,
        account,
        id,
        csrf_token: record.csrf_token,
    }))
}

/// The key of `email`'s failure counter: SHA-256 hex of its [`login_name`]. The migration
/// that created `login_throttle` derives the same key from stored e-mails.
fn throttle_key(email: &str) -> String {
    sha256_hex(&login_name(email))
}

/// The lock in force on `email`, if any.
async fn lock_of(ctx: &AppContext, email: &str) -> Result<Option<DateTime<Utc>>, AppError> {
    let stored = login_throttle::find(&ctx.db, &throttle_key(email)).await?;
    Ok(stored.and_then(|a| policy(ctx).lock_in_force(&a, Utc::now())))
}

/// Starts a session for `account`, unless its login name is locked: no door gives a locked
/// account a session.
async fn start_session(
    ctx: &AppContext,
    account: &AccountRecord,
) -> Result<NewSession, LoginError> {
    if let Some(until) = lock_of(ctx, &account.email).await? {
        return Err(LoginError::Locked(until));
    }
    let cookie = random_token();
    let now = Utc::now();
    let expires_at = now + policy(ctx).lifetime;
    accounts::insert_session(
        &ctx.db,
        &SessionRecord {
            id: sha256_hex(&cookie),
            account_id: account.id,
            csrf_token: random_token(),
            created_at: now,
            last_seen: now,
            expires_at,
        },
    )
    .await?;
    // Housekeeping: sessions past their end are of no use to anyone.
    accounts::delete_expired_sessions(&ctx.db, now).await?;
    Ok(NewSession { cookie, expires_at })
}

/// Why a login failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown e-mail or wrong password (never said which).
    #[error("wrong e-mail or password")]
    BadCredentials,
    /// Too many failures: locked until then.
    #[error("account locked until {0}")]
    Locked(DateTime<Utc>),
    /// Anything else.
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<coopnet_db::DbErr> for LoginError {
    fn from(e: coopnet_db::DbErr) -> Self {
        Self::App(e.into())
    }
}

impl From<coopnet_db::DbError> for LoginError {
    fn from(e: coopnet_db::DbError) -> Self {
        Self::App(e.into())
    }
}

/// The one password check: the account of `email` when `password` is its password.
///
/// The attempt is counted before the password is verified, so concurrent guesses cannot all
/// slip in before the lock; a right password then clears the count. After
/// `lockout_attempts` failures (with no quiet lockout window between them) the login name
/// is locked for `lockout_minutes`, and while locked no password is verified at all, not
/// even the right one. Unknown addresses are counted, locked and timed (a verification
/// against a dummy hash) exactly like known ones, and get the same answers.
#[tracing::instrument(skip_all, err)]
pub async fn check_password(
    ctx: &AppContext,
    email: &str,
    password: &str,
) -> Result<AccountRecord, LoginError> {
    let policy = policy(ctx);
    let key = throttle_key(email);
    let now = Utc::now();
    // Opportunistic housekeeping: records that say nothing any more. A statement of its
    // own, outside the claim below, so concurrent checks never wait on each other's stale
    // rows; a failure here only delays the cleanup.
    if let Err(e) = login_throttle::prune(&ctx.db, now - policy.lockout, now).await {
        tracing::warn!(error = %e, "pruning login_throttle failed");
    }
    let txn = coopnet_db::begin_write(&ctx.db).await?;
    let stored = login_throttle::claim(&txn, &key, now).await?;
    let attempt = match policy.begin_attempt(Some(&stored), now) {
        Ok(attempt) => attempt,
        Err(until) => {
            txn.commit().await?;
            return Err(LoginError::Locked(until));
        }
    };
    login_throttle::save(&txn, &key, &attempt).await?;
    txn.commit().await?;

    // Verified outside the transaction: argon2 takes a while, the write lock must not wait;
    // and on a blocking thread, so a flood of guesses does not stall the async workers.
    let account = accounts::find_by_email(&ctx.db, &login_name(email)).await?;
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    let typed = password.to_owned();
    let verified = tokio::task::spawn_blocking(move || match &hash {
        Some(hash) => verify_password(hash, &typed),
        None => verify_password(dummy_hash(), &typed),
    })
    .await
    .map_err(|e| AppError::caused("verifying a password", e))?;
    match account {
        Some(account) if verified => {
            login_throttle::clear(&ctx.db, &key).await?;
            Ok(account)
        }
        _ => match policy.lock_in_force(&attempt, now) {
            Some(until) => {
                tracing::warn!("login name locked after repeated failed password checks");
                Err(LoginError::Locked(until))
            }
            None => Err(LoginError::BadCredentials),
        },
    }
}

/// Checks e-mail and password ([`check_password`]) and starts a session.
#[tracing::instrument(skip_all, err)]
pub async fn login(
    ctx: &AppContext,
    email: &str,
    password: &str,
) -> Result<NewSession, LoginError> {
    let account = check_password(ctx, email, password).await?;
    start_session(ctx, &account).await
}

/// Ends one session.
pub async fn logout(ctx: &AppContext, session: &Session) -> Result<(), AppError> {
    Ok(accounts::delete_session(&ctx.db, &session.id).await?)
}

/// Ends every session of the account, this one included.
pub async fn logout_everywhere(ctx: &AppContext, session: &Session) -> Result<u64, AppError> {
    Ok(accounts::delete_sessions_of(&ctx.db, session.account.id, None).await?)
}

/// Changes the password after checking the current one through [`check_password`] (a wrong
/// one counts towards the lock; while locked the change is refused); every other session
/// ends. The new password is checked first, so a typo there costs no attempt.
pub async fn change_password(
    ctx: &AppContext,
    session: &Session,
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<(), LoginError> {
    check_new_password(new, confirm).map_err(AppError::from)?;
    match check_password(ctx, &session.account.email, current).await {
        Ok(_) => {}
        Err(LoginError::BadCredentials) => {
            return Err(AppError::from(FieldErrors::single(
                "current_password",
                "is not your current password",
            ))
            .into());
        }
        Err(e) => return Err(e),
    }
    let hash = hash_password(new)?;
    let txn = coopnet_db::begin_write(&ctx.db).await?;
    accounts::set_password(&txn, session.account.id, &hash).await?;
    accounts::delete_sessions_of(&txn, session.account.id, Some(&session.id)).await?;
    txn.commit().await?;
    Ok(())
}

/// A new invite: the link exists only here.
#[derive(Debug, Clone)]
pub struct NewInviteLink {
    /// `{base}/console/invite/{token}`, to hand to the invitee.
    pub url: String,
    /// The stored record.
    pub record: InviteRecord,
}

/// Creates a one-time invite. Admin invites need an admin (`by` `None` is the command line,
/// which may do anything); editor invites name a co-op, which `by` must be able to edit.
#[tracing::instrument(skip_all, err)]
pub async fn invite(
    ctx: &AppContext,
    by: Option<&Session>,
    role: Role,
    coop: Option<&str>,
    email: Option<&str>,
) -> Result<NewInviteLink, AppError> {
    let coop = coop.map(str::trim).filter(|c| !c.is_empty());
    let coop_id = match (role, coop) {
        (Role::Admin, Some(_)) => {
            return Err(
                FieldErrors::single("coop", "admins edit every co-op; leave it empty").into(),
            );
        }
        (Role::Admin, None) => {
            if let Some(by) = by {
                by.require_admin()?;
            }
            None
        }
        (Role::Editor, None) => {
            return Err(FieldErrors::single("coop", "an editor invite needs a co-op").into());
        }
        (Role::Editor, Some(slug)) => {
            if let Some(by) = by {
                by.require_coop(slug)?;
            }
            Some(coops::get(ctx, slug).await?.id)
        }
    };
    let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Some(normalize_email(e).map_err(|m| FieldErrors::single("email", m))?),
        None => None,
    };
    let token = random_token();
    let record = accounts::insert_invite(
        &ctx.db,
        NewInvite {
            token_hash: &sha256_hex(&token),
            role,
            coop_id,
            email: email.as_deref(),
            created_by: by.map(|s| s.account.id),
            expires_at: Utc::now()
                + Duration::days(i64::from(ctx.settings.console.invite_days.max(1))),
        },
    )
    .await?;
    Ok(NewInviteLink {
        url: format!("{}/console/invite/{token}", ctx.base_url()),
        record,
    })
}

/// The usable invite of `token`: `NotFound` when unknown, `Gone` when used or expired.
pub async fn invite_by_token(ctx: &AppContext, token: &str) -> Result<InviteRecord, AppError> {
    let record = accounts::find_invite(&ctx.db, &sha256_hex(token.trim()))
        .await?
        .ok_or_else(|| AppError::NotFound("invite".into()))?;
    if record.used_at.is_some() || record.expires_at <= Utc::now() {
        return Err(AppError::Gone("invite".into()));
    }
    Ok(record)
}

/// What the invitee fills in to make a new account.
#[derive(Debug, Clone, Default)]
pub struct AcceptInvite {
    /// Their e-mail (ignored when the invite fixes one).
    pub email: String,
    /// Their name.
    pub display_name: String,
    /// The new password.
    pub password: String,
    /// The same again.
    pub password_confirm: String,
}

/// Uses an invite to make a new account, and signs it in. An e-mail that already has an
/// account is a `Conflict` (registration says so, as any sign-up without mail verification
/// must), and no password is checked here: an existing account accepts with
/// [`accept_invite_with_account`]. A locked login name gets no account and no session.
#[tracing::instrument(skip_all, err)]
pub async fn accept_invite(
    ctx: &AppContext,
    token: &str,
    form: &AcceptInvite,
) -> Result<NewSession, LoginError> {
    let invite = invite_by_token(ctx, token).await?;
    let email = match &invite.email {
        Some(e) => e.clone(),
        None => normalize_email(&form.email)
            .map_err(|m| AppError::from(FieldErrors::single("email", m)))?,
    };
    if let Some(until) = lock_of(ctx, &email).await? {
        return Err(LoginError::Locked(until));
    }
    let mut errors = FieldErrors::new();
    let name = check_display_name(&form.display_name)
        .map_err(|e| merge(&mut errors, e))
        .ok();
    if let Err(e) = check_new_password(&form.password, &form.password_confirm) {
        merge(&mut errors, e);
    }
    let name = errors
        .into_result(name.unwrap_or_default())
        .map_err(AppError::from)?;
    let hash = hash_password(&form.password)?;
    let txn = coopnet_db::begin_write(&ctx.db).await?;
    let account = accounts::insert(&txn, &email, &name, &hash, invite.role)
        .await
        .map_err(|e| match e {
            coopnet_db::DbError::Conflict(_) => AppError::Conflict(
                "an account with this e-mail exists: accept the invitation with it instead".into(),
            ),
            other => other.into(),
        })?;
    redeem(&txn, &invite, &account).await?;
    txn.commit().await?;
    start_session(ctx, &account).await
}

/// Uses an invite with an existing account: its e-mail (unless the invite fixes one) and
/// password go through [`check_password`], so a wrong password or an unknown address gets
/// the same answer as a failed login and counts towards the same lock. The account gains the
/// invite's co-op (and role), and is signed in.
#[tracing::instrument(skip_all, err)]
pub async fn accept_invite_with_account(
    ctx: &AppContext,
    token: &str,
    email: &str,
    password: &str,
) -> Result<NewSession, LoginError> {
    let invite = invite_by_token(ctx, token).await?;
    let email = invite.email.as_deref().unwrap_or(email);
    let account = check_password(ctx, email, password).await?;
    let txn = coopnet_db::begin_write(&ctx.db).await?;
    if invite.role == Role::Admin && account.role != Role::Admin {
        accounts::set_role(&txn, account.id, Role::Admin).await?;
    }
    redeem(&txn, &invite, &account).await?;
    txn.commit().await?;
    start_session(ctx, &account).await
}

/// Links the invite's co-op to `account` and marks the invite used (`Gone` when a concurrent
/// use won the race).
async fn redeem(
    txn: &coopnet_db::DatabaseTransaction,
    invite: &InviteRecord,
    account: &AccountRecord,
) -> Result<(), AppError> {
    if let Some(coop_id) = invite.coop_id {
        accounts::link_coop(txn, account.id, coop_id).await?;
    }
    if !accounts::use_invite(txn, invite.id, Utc::now()).await? {
        return Err(AppError::Gone("invite".into()));
    }
    Ok(())
}

fn merge(into: &mut FieldErrors, from: FieldErrors) {
    for (field, messages) in from.iter() {
        for m in messages {
            into.add(field.clone(), m.clone());
        }
    }
}

/// Every account (admins only).
pub async fn list(ctx: &AppContext, by: &Session) -> Result<Vec<AccountRecord>, AppError> {
    by.require_admin()?;
    Ok(accounts::list(&ctx.db).await?)
}

/// Invites, newest first: all of them for admins, else those of `coop` (which `by` edits).
pub async fn invites(
    ctx: &AppContext,
    by: &Session,
    coop: Option<&str>,
) -> Result<Vec<InviteRecord>, AppError> {
    let coop_id = match coop {
        Some(slug) => {
            by.require_coop(slug)?;
            Some(coops::get(ctx, slug).await?.id)
        }
        None => {
            by.require_admin()?;
            None
        }
    };
    Ok(accounts::list_invites(&ctx.db, coop_id).await?)
}

/// Withdraws an unused invite (admins).
pub async fn revoke_invite(ctx: &AppContext, by: &Session, id: i64) -> Result<(), AppError> {
    by.require_admin()?;
    if accounts::delete_invite(&ctx.db, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("invite {id}")))
    }
}

/// The editors of co-op `slug`.
pub async fn editors(
    ctx: &AppContext,
    by: &Session,
    slug: &str,
) -> Result<Vec<AccountRecord>, AppError> {
    by.require_coop(slug)?;
    let coop = coops::get(ctx, slug).await?;
    Ok(accounts::editors_of(&ctx.db, coop.id).await?)
}

/// Removes an editor from co-op `slug` (its editors and admins may).
pub async fn remove_editor(
    ctx: &AppContext,
    by: &Session,
    slug: &str,
    account_id: i64,
) -> Result<(), AppError> {
    by.require_coop(slug)?;
    let coop = coops::get(ctx, slug).await?;
    if accounts::unlink_coop(&ctx.db, account_id, coop.id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("editor {account_id}")))
    }
}

/// Deletes an account (admins; not their own).
pub async fn delete(ctx: &AppContext, by: &Session, account_id: i64) -> Result<(), AppError> {
    by.require_admin()?;
    if account_id == by.account.id {
        return Err(AppError::Conflict(
            "you cannot delete your own account".into(),
        ));
    }
    if accounts::delete(&ctx.db, account_id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("account {account_id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse batterz"));
        assert!(!verify_password("not a phc string", "x"));
        let again = hash_password("correct horse battery").expect("hash");
        assert_ne!(hash, again, "salted");
    }

    #[test]
    fn csrf_tokens_compare_exactly() {
        let t = random_token();
        assert_eq!(t.len(), 64);
        assert!(csrf_matches(&t, &t));
        assert!(!csrf_matches(&t, ""));
        assert!(!csrf_matches("", ""));
        assert!(!csrf_matches(&t, &t[..63]));
        assert!(!csrf_matches(&t, &random_token()));
    }

    #[test]
    fn editors_get_a_scope_only_for_their_coops() {
        let slug = |s: &str| Slug::parse(s).expect("slug");
        let mut s = Session {
            account: AccountRecord {
                id: 1,
                email: "e@x.org".into(),
                display_name: "E".into(),
                password_hash: String::new(),
                role: Role::Editor,
                created_at: Utc::now(),
            },
            coops: vec![slug("alpha")],
            id: String::new(),
            csrf_token: String::new(),
        };
        assert_eq!(s.scope_for("alpha"), Some(TokenScope::Coop(slug("alpha"))));
        assert_eq!(s.scope_for("beta"), None);
        assert!(s.require_admin().is_err());
        s.account.role = Role::Admin;
        assert_eq!(s.scope_for("beta"), Some(TokenScope::Admin));
    }
}
