//! Console accounts: roles, e-mail and password rules, session lifetimes, and the public
//! "apply to join" form. Pure rules; hashing and storage live above.
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::{CoopInput, FieldErrors};

/// Shortest accepted password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest accepted password, in characters (bounds the hashing work per attempt).
pub const MAX_PASSWORD_CHARS: usize = 200;
/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 100;
/// Longest message or rejection reason, in characters.
pub const MAX_MESSAGE_CHARS: usize = 5_000;

/// What a console account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Runs the network: every co-op, members, applications, federation, tokens, invites.
    Admin,
    /// Edits the co-ops the account is linked to.
    Editor,
}

impl Role {
    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Self::Admin),
            "editor" => Ok(Self::Editor),
            other => Err(format!("unknown role '{other}' (admin or editor)")),
        }
    }
}

/// Trims and lowercases an e-mail address, or says why it is not one.
///
/// ```
/// assert_eq!(coopnet_core::normalize_email(" Ann@Example.ORG ").as_deref(), Ok("ann@example.org"));
/// assert!(coopnet_core::normalize_email("ann").is_err());
/// ```
pub fn normalize_email(value: &str) -> Result<String, String> {
    let value = value.trim().to_lowercase();
    let ok = value.len() <= crate::limits::EMAIL
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && local.len() <= 64
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(value)
    } else {
        Err("is not an e-mail address".into())
    }
}

/// Checks a new password: long enough, not absurdly long, and typed the same twice.
pub fn check_new_password(password: &str, confirm: &str) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        errors.add(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        );
    }
    if n > MAX_PASSWORD_CHARS {
        errors.add(
            "password",
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        );
    }
    if password != confirm {
        errors.add("password_confirm", "does not match the password");
    }
    errors.into_result(())
}

/// Checks a display name (required, one line, bounded).
pub fn check_display_name(name: &str) -> Result<String, FieldErrors> {
    let name = name.trim();
    if name.is_empty() {
        return Err(FieldErrors::single("display_name", "must not be empty"));
    }
    if name.chars().count() > MAX_DISPLAY_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(FieldErrors::single(
            "display_name",
            format!("must be one line of at most {MAX_DISPLAY_NAME_CHARS} characters"),
        ));
    }
    Ok(name.to_owned())
}

/// How long console sessions and invites last, and when an account locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session ends this long after login, whatever happens.
    pub lifetime: Duration,
    /// A session ends when unused for this long.
    pub idle: Duration,
    /// Failed logins in a row that lock an account.
    pub lockout_attempts: u32,
    /// How long a locked account stays locked.
    pub lockout: Duration,
}

impl SessionPolicy {
    /// True when a session created at `expires_at`'s start and last seen at `last_seen` is
    /// over at `now`.
    pub fn session_expired(
        &self,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        last_seen: DateTime<Utc>,
    ) -> bool {
        now >= expires_at || now - last_seen >= self.idle
    }

    /// The lock in force at `now`, if any.
    pub fn lock_in_force(
        &self,
        attempts: &LoginAttempts,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        attempts.locked_until.filter(|until| *until > now)
    }

    /// True when the record says nothing any more: no lock in force and no failure within the
    /// lockout window. Such records are pruned, and read as if absent.
    pub fn is_stale(&self, attempts: &LoginAttempts, now: DateTime<Utc>) -> bool {
        self.lock_in_force(attempts, now).is_none() && attempts.updated_at + self.lockout <= now
    }

    /// Starts one password check for a login name whose record is `stored` (`None`: never
    /// failed). `Err(until)` while locked: the password must not even be checked. Otherwise
    /// the record to store *before* checking, which counts this attempt as a failure and
    /// carries the lock when it is the last one allowed; a right password then clears it.
    /// Counting first means concurrent guesses cannot all slip in before the lock.
    pub fn begin_attempt(
        &self,
        stored: Option<&LoginAttempts>,
        now: DateTime<Utc>,
    ) -> Result<LoginAttempts, DateTime<Utc>> {
        if let Some(until) = stored.and_then(|s| self.lock_in_force(s, now)) {
            return Err(until);
        }
        // After a lock ends, or a quiet lockout window, the count starts again.
        let before = stored
            .filter(|s| s.locked_until.is_none() && !self.is_stale(s, now))
            .map_or(0, |s| s.failures);
        let failures = before.saturating_add(1);
        Ok(LoginAttempts {
            failures,
            locked_until: (failures >= self.lockout_attempts.max(1)).then(|| now + self.lockout),
            updated_at: now,
        })
    }
}

/// Failed password checks recorded against one login name, whether or not an account has
/// it, so that unknown addresses count and lock exactly like real ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginAttempts {
    /// Failures since the last success, lock or quiet lockout window.
    pub failures: u32,
    /// Locked until then (the password is not checked before).
    pub locked_until: Option<DateTime<Utc>>,
    /// The last attempt counted.
    pub updated_at: DateTime<Utc>,
}

/// The login name the failure counter is keyed by: an e-mail trimmed and lowercased as
/// [`normalize_email`] does, but also for text that is no address, so that junk counts too.
///
/// ```
/// assert_eq!(coopnet_core::login_name(" Ann@Example.ORG "), "ann@example.org");
/// assert_eq!(coopnet_core::login_name("Ann"), "ann");
/// ```
pub fn login_name(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A request to join the network, as sent by the public form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationInput {
    /// The co-op's name.
    pub name: String,
    /// The handle it asks for.
    pub slug: String,
    /// Its website.
    pub website: String,
    /// A short description (language `summary_lang`).
    pub summary: String,
    /// The summary's language.
    pub summary_lang: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// Who applies.
    pub applicant_name: String,
    /// Where the admins answer (and the editor invite is meant for); never published.
    pub contact_email: String,
    /// A note to the admins.
    pub message: String,
}

impl ApplicationInput {
    /// The co-op record the application would create: listed like every new member (its
    /// editors may opt out), with no public contact until they add one.
    pub fn coop_input(&self) -> CoopInput {
        let blank = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let lang = if self.summary_lang.trim().is_empty() {
            "en".to_owned()
        } else {
            self.summary_lang.trim().to_owned()
        };
        let mut summary = BTreeMap::new();
        if !self.summary.trim().is_empty() {
            summary.insert(lang, self.summary.trim().to_owned());
        }
        CoopInput {
            name: self.name.trim().to_owned(),
            summary,
            website: blank(&self.website),
            country: blank(&self.country),
            contact_public: false,
            ..CoopInput::blank(&self.slug.trim().to_lowercase())
        }
    }

    /// Validates the co-op fields with the co-op rules and the applicant's own fields;
    /// returns the normalised contact e-mail.
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut errors = match self.coop_input().validate() {
            Ok(_) => FieldErrors::new(),
            Err(e) => e,
        };
        if self.summary.trim().is_empty() {
            errors.add(
                format!("summary.{}", self.summary_lang.trim()),
                "must not be empty",
            );
        }
        if let Err(e) = check_display_name(&self.applicant_name) {
            for (_, messages) in e.iter() {
                for m in messages {
                    errors.add("applicant_name", m.clone());
                }
            }
        }
        let email = normalize_email(&self.contact_email)
            .map_err(|m| errors.add("contact_email", m))
            .ok();
        if self.message.chars().count() > MAX_MESSAGE_CHARS {
            errors.add(
                "message",
                format!("must be at most {MAX_MESSAGE_CHARS} characters"),
            );
        }
        match email {
            Some(email) if errors.is_empty() => Ok(email),
            _ => Err(errors),
        }
    }
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApplicationStatus {
    /// Waiting for an admin.
    Pending,
    /// The co-op was created.
    Approved,
    /// Refused, with a reason.
    Rejected,
}

impl ApplicationStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// A stored account (the password hash included: the caller verifies it).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountRecord {
    /// Id.
    pub id: i64,
    /// Lowercased e-mail, unique.
    pub email: String,
    /// Name shown in the console.
    pub display_name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Admin or editor.
    pub role: Role,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// A one-time invite (never the token itself).
#[derive(Debug, Clone, PartialEq)]
pub struct InviteRecord {
    /// Id.
    pub id: i64,
    /// The role the new account gets.
    pub role: Role,
    /// The co-op an editor invite is for.
    pub coop_id: Option<i64>,
    /// Its slug.
    pub coop_slug: Option<String>,
    /// The address the account is for, when fixed.
    pub email: Option<String>,
    /// Who invited (`None`: the command line).
    pub created_by: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Unusable from then on.
    pub expires_at: DateTime<Utc>,
    /// When it was used.
    pub used_at: Option<DateTime<Utc>>,
}

/// A stored application.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationRecord {
    /// Id.
    pub id: i64,
    /// What was sent (the contact e-mail normalised).
    pub input: ApplicationInput,
    /// Where it stands.
    pub status: ApplicationStatus,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// When an admin decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Which admin.
    pub decided_by: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> SessionPolicy {
        SessionPolicy {
            lifetime: Duration::days(14),
            idle: Duration::days(2),
            lockout_attempts: 5,
            lockout: Duration::minutes(15),
        }
    }

    #[test]
    fn sessions_end_at_expiry_or_when_idle() {
        let p = policy();
        let now = Utc::now();
        let later = now + Duration::days(14);
        assert!(!p.session_expired(now, later, now));
        assert!(p.session_expired(later, later, later), "absolute expiry");
        assert!(
            p.session_expired(now, later, now - Duration::days(3)),
            "idle too long"
        );
        assert!(!p.session_expired(now, later, now - Duration::hours(47)));
    }

    #[test]
    fn the_fifth_failure_locks_for_the_lockout_time() {
        let p = policy();
        let now = Utc::now();
        let mut stored = None;
        for n in 1..=4 {
            let a = p.begin_attempt(stored.as_ref(), now).expect("not locked");
            assert_eq!((a.failures, a.locked_until), (n, None));
            stored = Some(a);
        }
        let fifth = p.begin_attempt(stored.as_ref(), now).expect("checked");
        assert_eq!(fifth.locked_until, Some(now + Duration::minutes(15)));
        // While locked the password is not even checked.
        let later = now + Duration::minutes(14);
        assert_eq!(
            p.begin_attempt(Some(&fifth), later),
            Err(now + Duration::minutes(15))
        );
        // After the lock, the count starts again.
        let after = p
            .begin_attempt(Some(&fifth), now + Duration::minutes(16))
            .expect("unlocked");
        assert_eq!((after.failures, after.locked_until), (1, None));
    }

    #[test]
    fn a_quiet_lockout_window_forgets_failures() {
        let p = policy();
        let now = Utc::now();
        let old = LoginAttempts {
            failures: 4,
            locked_until: None,
            updated_at: now - Duration::minutes(15),
        };
        assert!(p.is_stale(&old, now));
        assert_eq!(p.begin_attempt(Some(&old), now).map(|a| a.failures), Ok(1));
        let recent = LoginAttempts {
            updated_at: now - Duration::minutes(14),
            ..old
        };
        assert!(!p.is_stale(&recent, now));
        let locked = LoginAttempts {
            failures: 0,
            locked_until: Some(now + Duration::minutes(1)),
            updated_at: now - Duration::hours(1),
        };
        assert!(!p.is_stale(&locked, now), "a lock in force is never stale");
        // Without a lockout time nothing ever locks.
        let none = SessionPolicy {
            lockout: Duration::zero(),
            ..p
        };
        let a = none
            .begin_attempt(
                Some(&LoginAttempts {
                    failures: 9,
                    ..recent
                }),
                now,
            )
            .expect("checked");
        assert_eq!(none.lock_in_force(&a, now), None);
    }

    #[test]
    fn passwords_and_emails() {
        assert!(check_new_password("short", "short").is_err());
        assert!(check_new_password("long enough pass", "long enough pasS").is_err());
        assert!(check_new_password("long enough pass", "long enough pass").is_ok());
        assert_eq!(normalize_email("A@B.CO").as_deref(), Ok("a@b.co"));
        assert!(normalize_email("a@b").is_err());
        assert_eq!("Admin".parse::<Role>(), Ok(Role::Admin));
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn applications_use_the_coop_rules() {
        let mut a = ApplicationInput {
            name: "New Co-op".into(),
            slug: "new-coop".into(),
            website: "https://new.example/".into(),
            summary: "We do things.".into(),
            summary_lang: "en".into(),
            country: "GB".into(),
            applicant_name: "Ann".into(),
            contact_email: "Ann@New.Example".into(),
            message: String::new(),
        };
        assert_eq!(a.validate().as_deref(), Ok("ann@new.example"));
        a.slug = "Bad Slug!".into();
        a.country = "XX".into();
        a.contact_email = "nope".into();
        let errors = a.validate().expect_err("invalid");
        for field in ["slug", "country", "contact_email"] {
            assert!(errors.get(field).is_some(), "{field}: {errors}");
        }
    }
}
