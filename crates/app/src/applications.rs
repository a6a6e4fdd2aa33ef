//! Join applications: the public form files one, an admin approves it (the co-op is created
//! and federates like any new member, and its applicant is invited as editor) or rejects it
//! with a reason.
//!
//! The form is open to anyone, so besides the per-client rate limit of the web layer, the
//! instance as a whole takes at most `limits.applications_per_hour` applications an hour and
//! keeps at most `limits.pending_applications` waiting: a botnet spread over many addresses
//! can neither flood the admins' list nor fill the database.
use chrono::{Duration, Utc};
use coopnet_core::{
    ApplicationInput, ApplicationRecord, ApplicationStatus, Coop, FieldErrors, Role,
};
use coopnet_db::repo::applications;

use crate::accounts::{self, NewInviteLink, Session};
use crate::{AppContext, AppError, coops};

/// Why an application was not filed.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// `limits.applications_per_hour` applications came in during the last hour.
    #[error("too many applications in the last hour; try again later")]
    HourlyLimit,
    /// `limits.pending_applications` applications wait for a decision.
    #[error("too many applications are waiting for a decision; try again later")]
    TooManyPending,
    /// Invalid input, storage failures.
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<coopnet_db::DbError> for SubmitError {
    fn from(e: coopnet_db::DbError) -> Self {
        Self::App(e.into())
    }
}

/// Files an application after checking it with the co-op rules (and that the handle is
/// free), unless the instance's caps are reached (checked after the input, so a mistyped
/// form is still corrected first).
#[tracing::instrument(skip_all, err)]
pub async fn submit(
    ctx: &AppContext,
    input: &ApplicationInput,
) -> Result<ApplicationRecord, SubmitError> {
    let (email, mut errors) = match input.validate() {
        Ok(email) => (email, FieldErrors::new()),
        Err(errors) => (String::new(), errors),
    };
    if errors.get("slug").is_none()
        && let Ok(slug) = coopnet_core::Slug::parse(input.slug.trim())
        && let Some(problem) = coops::availability(&ctx.db, ctx, &slug).await?.problem()
    {
        errors.add("slug", format!("'{slug}' {problem}"));
    }
    errors.into_result(()).map_err(AppError::from)?;
    let input = ApplicationInput {
        contact_email: email,
        ..input.clone()
    };
    let limits = &ctx.settings.limits;
    // Counted and written in one write transaction, so concurrent applications queue up
    // behind each other instead of all reading a count below the cap (SQLite; PostgreSQL may
    // let a few concurrent ones past at the edge, which a cap of this kind tolerates).
    let txn = coopnet_db::begin_write(&ctx.db)
        .await
        .map_err(AppError::from)?;
    let hour_ago = Utc::now() - Duration::hours(1);
    if applications::count_since(&txn, hour_ago).await? >= u64::from(limits.applications_per_hour) {
        tracing::warn!("join application refused: hourly cap reached");
        return Err(SubmitError::HourlyLimit);
    }
    if applications::count_pending(&txn).await? >= u64::from(limits.pending_applications) {
        tracing::warn!("join application refused: too many pending");
        return Err(SubmitError::TooManyPending);
    }
    let record = applications::insert(&txn, &input).await?;
    txn.commit().await.map_err(AppError::from)?;
    Ok(record)
}

/// Every application, pending first.
pub async fn list(ctx: &AppContext, by: &Session) -> Result<Vec<ApplicationRecord>, AppError> {
    by.require_admin()?;
    Ok(applications::list(&ctx.db).await?)
}

async fn pending(ctx: &AppContext, id: i64) -> Result<ApplicationRecord, AppError> {
    let record = applications::get(&ctx.db, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("application {id}")))?;
    if record.status != ApplicationStatus::Pending {
        return Err(AppError::Conflict(format!(
            "application {id} was already {}",
            record.status.as_str()
        )));
    }
    Ok(record)
}

/// Approves: creates the co-op through [`coops::create`] (so it federates) and an editor
/// invite for the applicant's e-mail, whose link the admin hands over.
#[tracing::instrument(skip_all, err, fields(application = id))]
pub async fn approve(
    ctx: &AppContext,
    by: &Session,
    id: i64,
) -> Result<(Coop, NewInviteLink), AppError> {
    by.require_admin()?;
    let record = pending(ctx, id).await?;
    let coop = coops::create(ctx, &record.input.coop_input()).await?;
    applications::decide(
        &ctx.db,
        id,
        ApplicationStatus::Approved,
        None,
        Some(by.account.id),
    )
    .await?;
    let invite = accounts::invite(
        ctx,
        Some(by),
        Role::Editor,
        Some(coop.slug.as_str()),
        Some(&record.input.contact_email),
    )
    .await?;
    Ok((coop, invite))
}

/// Rejects with a reason (required: the applicant deserves one).
#[tracing::instrument(skip_all, err, fields(application = id))]
pub async fn reject(ctx: &AppContext, by: &Session, id: i64, reason: &str) -> Result<(), AppError> {
    by.require_admin()?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(FieldErrors::single("reason", "must not be empty").into());
    }
    if reason.chars().count() > coopnet_core::MAX_MESSAGE_CHARS {
        return Err(FieldErrors::single("reason", "is too long").into());
    }
    pending(ctx, id).await?;
    if applications::decide(
        &ctx.db,
        id,
        ApplicationStatus::Rejected,
        Some(reason),
        Some(by.account.id),
    )
    .await?
    {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "application {id} was already decided"
        )))
    }
}
