//! Federation administration (admin tokens): the same operations as `coopnet federation`.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use coopnet_app::AppContext;
use coopnet_app::federation;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::extract::{Admin, ApiJson};

/// A peer network.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PeerJson {
    pub domain: String,
    pub name: String,
    pub actor: Option<String>,
    /// Our follow of it: pending, accepted, rejected, or null.
    pub following: Option<&'static str>,
    /// Its follow of us: pending, accepted, or null.
    pub follower: Option<&'static str>,
    pub members: u64,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_sync_ok: Option<bool>,
    pub last_sync_message: Option<String>,
}

/// `{"target": "…"}`
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetBody {
    pub target: String,
}

/// `{"domain": "…", "reason": "…"}`
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainBody {
    pub domain: String,
    #[serde(default)]
    pub reason: String,
}

/// `{"domain": "…"}` or `{}` for all.
#[derive(Debug, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionalDomain {
    #[serde(default)]
    pub domain: Option<String>,
}

fn follower_state(s: coopnet_core::FollowerState) -> &'static str {
    match s {
        coopnet_core::FollowerState::Accepted => "accepted",
        coopnet_core::FollowerState::Pending => "pending",
    }
}

/// `GET /api/v1/admin/federation/peers`
#[utoipa::path(
    get,
    path = "/api/v1/admin/federation/peers",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Each peer network: follow states, members, last sync", body = Vec<PeerJson>),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn peers(
    State(ctx): State<AppContext>,
    _admin: Admin,
) -> Result<Json<Vec<PeerJson>>, ApiError> {
    let peers = federation::peers(&ctx).await?;
    Ok(Json(
        peers
            .into_iter()
            .map(|p| PeerJson {
                domain: p.network.domain.clone(),
                name: p.network.name.clone(),
                actor: p.network.actor_id.as_ref().map(ToString::to_string),
                following: p.following.map(|s| s.as_str()),
                follower: p.follower.map(follower_state),
                members: p.members,
                last_sync_at: p.sync.last_sync_at,
                last_sync_ok: p.sync.last_sync_ok,
                last_sync_message: p.sync.last_sync_message,
            })
            .collect(),
    ))
}

/// `POST /api/v1/admin/federation/follow`: 202, the follow is pending until accepted.
#[utoipa::path(
    post,
    path = "/api/v1/admin/federation/follow",
    tag = "admin",
    security(("bearer" = [])),
    request_body = TargetBody,
    responses(
        (status = 202, description = "Follow sent; pending until accepted", body = Object),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn follow(
    State(ctx): State<AppContext>,
    _admin: Admin,
    ApiJson(body): ApiJson<TargetBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let f = federation::follow(&ctx, &body.target).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"actor": f.actor_id, "kind": f.kind.as_str(), "state": f.state.as_str()})),
    ))
}

/// `POST /api/v1/admin/federation/unfollow`
#[utoipa::path(
    post,
    path = "/api/v1/admin/federation/unfollow",
    tag = "admin",
    security(("bearer" = [])),
    request_body = DomainBody,
    responses(
        (status = 200, description = "`{\"unfollowed\": N}`", body = Object),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn unfollow(
    State(ctx): State<AppContext>,
    _admin: Admin,
    ApiJson(body): ApiJson<DomainBody>,
) -> Result<Json<Value>, ApiError> {
    let n = federation::unfollow(&ctx, &body.domain).await?;
    Ok(Json(json!({"unfollowed": n})))
}

/// `GET /api/v1/admin/federation/requests`
#[utoipa::path(
    get,
    path = "/api/v1/admin/federation/requests",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Follow requests of other networks", body = Vec<Object>),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn requests(
    State(ctx): State<AppContext>,
    _admin: Admin,
) -> Result<Json<Vec<Value>>, ApiError> {
    let list = federation::requests(&ctx).await?;
    Ok(Json(
        list.into_iter()
            .map(|r| json!({"domain": r.actor.domain, "actor": r.actor.actor_id, "name": r.actor.name, "state": follower_state(r.state)}))
            .collect(),
    ))
}

/// `POST /api/v1/admin/federation/accept`
#[utoipa::path(
    post,
    path = "/api/v1/admin/federation/accept",
    tag = "admin",
    security(("bearer" = [])),
    request_body = DomainBody,
    responses(
        (status = 200, description = "`{\"accepted\": N}`", body = Object),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn accept(
    State(ctx): State<AppContext>,
    _admin: Admin,
    ApiJson(body): ApiJson<DomainBody>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({"accepted": federation::accept(&ctx, &body.domain).await?}),
    ))
}

/// `POST /api/v1/admin/federation/reject`
#[utoipa::path(
    post,
    path = "/api/v1/admin/federation/reject",
    tag = "admin",
    security(("bearer" = [])),
    request_body = DomainBody,
    responses(
        (status = 200, description = "`{\"rejected\": N}`", body = Object),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn reject(
    State(ctx): State<AppContext>,
    _admin: Admin,
    ApiJson(body): ApiJson<DomainBody>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({"rejected": federation::reject(&ctx, &body.domain).await?}),
    ))
}

/// `POST /api/v1/admin/federation/block`: 204.
#[utoipa::path(
    post,
    path = "/api/v1/admin/federation/block",
    tag = "admin",
    security(("bearer" = [])),
    request_body = DomainBody,
    responses(
        (status = 204, description = "Blocked"),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn block(
    State(ctx): State<AppContext>,
    _admin: Admin,
    ApiJson(body): ApiJson<DomainBody>,
) -> Result<StatusCode, ApiError> {
    federation::block(&ctx, &body.domain, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/admin/federation/unblock`: 204.
#[utoipa::path(
    post,
    path = "/api/v1/admin/federation/unblock",
    tag = "admin",
    security(("bearer" = [])),
    request_body = DomainBody,
    responses(
        (status = 204, description = "Unblocked"),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn unblock(
    State(ctx): State<AppContext>,
    _admin: Admin,
    ApiJson(body): ApiJson<DomainBody>,
) -> Result<StatusCode, ApiError> {
    federation::unblock(&ctx, &body.domain).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/admin/federation/blocks`
#[utoipa::path(
    get,
    path = "/api/v1/admin/federation/blocks",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Blocked domains", body = Vec<Object>),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn blocks(
    State(ctx): State<AppContext>,
    _admin: Admin,
) -> Result<Json<Vec<Value>>, ApiError> {
    let list = federation::blocked(&ctx).await?;
    Ok(Json(
        list.into_iter()
            .map(|b| json!({"domain": b.domain, "reason": b.reason, "created_at": b.created_at}))
            .collect(),
    ))
}

/// `POST /api/v1/admin/federation/resync` with `{}` (all peers) or `{"domain": …}`:
/// resyncs now and reports per peer.
#[utoipa::path(
    post,
    path = "/api/v1/admin/federation/resync",
    tag = "admin",
    security(("bearer" = [])),
    request_body = OptionalDomain,
    responses(
        (status = 200, description = "Per peer: domain, ok, result", body = Vec<Object>),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn resync(
    State(ctx): State<AppContext>,
    _admin: Admin,
    ApiJson(body): ApiJson<OptionalDomain>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let domain = body.domain;
    let results = federation::resync(&ctx, domain.as_deref()).await?;
    Ok(Json(
        results
            .into_iter()
            .map(|(peer, r)| match r {
                Ok(report) => json!({"domain": peer, "ok": true, "result": report.to_string()}),
                Err(e) => json!({"domain": peer, "ok": false, "result": e}),
            })
            .collect(),
    ))
}
