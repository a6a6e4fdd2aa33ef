//! Token administration (admin tokens only).
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use coopnet_app::AppContext;
use coopnet_app::tokens;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::extract::{Admin, ApiJson};

/// A token as listed: never its secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenJson {
    pub id: i64,
    pub scope: &'static str,
    pub coop: Option<String>,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<&coopnet_core::TokenRecord> for TokenJson {
    fn from(r: &coopnet_core::TokenRecord) -> Self {
        Self {
            id: r.id,
            scope: if r.coop_id.is_some() { "coop" } else { "admin" },
            coop: r.coop_slug.clone(),
            label: r.label.clone(),
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// `POST /api/v1/admin/tokens` body: `{"coop": "slug"}` for an editor token, `{}` for admin.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    #[serde(default)]
    pub coop: Option<String>,
    #[serde(default)]
    pub label: String,
}

/// The one response that carries a token's secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub token: String,
    #[serde(flatten)]
    pub info: TokenJson,
}

/// `GET /api/v1/admin/tokens`
#[utoipa::path(
    get,
    path = "/api/v1/admin/tokens",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every token, never the secrets", body = Vec<TokenJson>),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn list(
    State(ctx): State<AppContext>,
    _admin: Admin,
) -> Result<Json<Vec<TokenJson>>, ApiError> {
    Ok(Json(
        tokens::list(&ctx)
            .await?
            .iter()
            .map(TokenJson::from)
            .collect(),
    ))
}

/// `POST /api/v1/admin/tokens`: 201 with the secret, shown this once.
#[utoipa::path(
    post,
    path = "/api/v1/admin/tokens",
    tag = "admin",
    security(("bearer" = [])),
    request_body = CreateToken,
    responses(
        (status = 201, description = "The token with its secret, shown this once", body = CreatedToken),
        (status = 404, description = "No such co-op", body = crate::api::v1::openapi::ErrorJson),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn create(
    State(ctx): State<AppContext>,
    _admin: Admin,
    ApiJson(body): ApiJson<CreateToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let new = tokens::create(&ctx, body.coop.as_deref(), &body.label).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: new.secret,
            info: TokenJson::from(&new.record),
        }),
    ))
}

/// `DELETE /api/v1/admin/tokens/{id}`: 204.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/tokens/{id}",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such token", body = crate::api::v1::openapi::ErrorJson),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn revoke(
    State(ctx): State<AppContext>,
    _admin: Admin,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    tokens::revoke(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
