//! Join applications sent with the public form, and the admins' decisions.
use chrono::{DateTime, Utc};
use coopnet_core::{ApplicationInput, ApplicationRecord, ApplicationStatus};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use crate::DbError;
use crate::entities::join_application;

impl TryFrom<join_application::Model> for ApplicationRecord {
    type Error = DbError;

    fn try_from(m: join_application::Model) -> Result<Self, DbError> {
        Ok(Self {
            id: i64::from(m.id),
            status: ApplicationStatus::parse(&m.status).ok_or_else(|| {
                DbError::Corrupt(format!("join_application {}: status {}", m.id, m.status))
            })?,
            input: ApplicationInput {
                name: m.name,
                slug: m.slug,
                website: m.website,
                summary: m.summary,
                summary_lang: m.summary_lang,
                country: m.country,
                applicant_name: m.applicant_name,
                contact_email: m.contact_email,
                message: m.message,
            },
            reason: m.reason,
            created_at: m.created_at,
            decided_at: m.decided_at,
            decided_by: m.decided_by.map(i64::from),
        })
    }
}

/// Stores a pending application.
pub async fn insert(
    conn: &impl ConnectionTrait,
    input: &ApplicationInput,
) -> Result<ApplicationRecord, DbError> {
    let t = |s: &str| s.trim().to_owned();
    join_application::ActiveModel {
        id: NotSet,
        name: Set(t(&input.name)),
        slug: Set(t(&input.slug).to_lowercase()),
        website: Set(t(&input.website)),
        summary: Set(t(&input.summary)),
        summary_lang: Set(t(&input.summary_lang)),
        country: Set(t(&input.country).to_uppercase()),
        contact_email: Set(t(&input.contact_email)),
        applicant_name: Set(t(&input.applicant_name)),
        message: Set(t(&input.message)),
        status: Set(ApplicationStatus::Pending.as_str().to_owned()),
        reason: Set(None),
        created_at: Set(Utc::now()),
        decided_at: Set(None),
        decided_by: Set(None),
    }
    .insert(conn)
    .await?
    .try_into()
}

/// How many applications were filed at or after `since` (whatever became of them).
pub async fn count_since(
    conn: &impl ConnectionTrait,
    since: DateTime<Utc>,
) -> Result<u64, DbError> {
    Ok(join_application::Entity::find()
        .filter(join_application::Column::CreatedAt.gte(since))
        .count(conn)
        .await?)
}

/// How many applications wait for a decision.
pub async fn count_pending(conn: &impl ConnectionTrait) -> Result<u64, DbError> {
    Ok(join_application::Entity::find()
        .filter(join_application::Column::Status.eq(ApplicationStatus::Pending.as_str()))
        .count(conn)
        .await?)
}

/// Application `id`.
pub async fn get(
    conn: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<ApplicationRecord>, DbError> {
    let id = i32::try_from(id).map_err(|_| DbError::NotFound)?;
    join_application::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(TryInto::try_into)
        .transpose()
}

/// Applications, pending first, newest first within each status.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<ApplicationRecord>, DbError> {
    let mut rows: Vec<ApplicationRecord> = join_application::Entity::find()
        .order_by_desc(join_application::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect::<Result<_, _>>()?;
    rows.sort_by_key(|r| r.status != ApplicationStatus::Pending);
    Ok(rows)
}

/// Records a decision on a pending application; false when it was no longer pending.
pub async fn decide(
    conn: &impl ConnectionTrait,
    id: i64,
    status: ApplicationStatus,
    reason: Option<&str>,
    by: Option<i64>,
) -> Result<bool, DbError> {
    let id = i32::try_from(id).map_err(|_| DbError::NotFound)?;
    let by = by.and_then(|b| i32::try_from(b).ok());
    Ok(join_application::Entity::update_many()
        .col_expr(
            join_application::Column::Status,
            Expr::value(status.as_str()),
        )
        .col_expr(
            join_application::Column::Reason,
            Expr::value(reason.map(str::to_owned)),
        )
        .col_expr(join_application::Column::DecidedAt, Expr::value(Utc::now()))
        .col_expr(join_application::Column::DecidedBy, Expr::value(by))
        .filter(join_application::Column::Id.eq(id))
        .filter(join_application::Column::Status.eq(ApplicationStatus::Pending.as_str()))
        .exec(conn)
        .await?
        .rows_affected
        > 0)
}
