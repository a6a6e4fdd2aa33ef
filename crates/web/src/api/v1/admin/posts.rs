//! News posts: a co-op's editor posts for the co-op, admins for any co-op and the network.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use coopnet_app::AppContext;
use coopnet_app::posts::{self, Draft, Post, PostAuthor};
use serde::{Deserialize, Serialize};

use crate::api::v1::Paging;
use crate::error::ApiError;
use crate::extract::{Admin, ApiJson, ApiQuery, Caller};

/// A post in API output.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PostJson {
    pub id: String,
    pub url: String,
    pub content: String,
    pub content_html: String,
    /// The post's language (BCP 47); absent on posts written before posts had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub published_at: DateTime<Utc>,
}

impl From<&Post> for PostJson {
    fn from(p: &Post) -> Self {
        Self {
            id: p.record.public_id.clone(),
            url: p.url.to_string(),
            content: p.record.content.clone(),
            content_html: p.record.content_html.clone(),
            language: p.record.language.as_ref().map(|l| l.as_str().to_owned()),
            published_at: p.record.published_at,
        }
    }
}

/// `{"content": "Markdown", "language": "de"}`: `#words` become hashtags, `@user@host`
/// mentions; `language` (BCP 47) defaults to the co-op's first language (the network's
/// for network posts).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    pub content: String,
    #[serde(default)]
    pub language: Option<String>,
}

/// A page of posts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PostPageJson {
    pub items: Vec<PostJson>,
    pub total: u64,
}

async fn create(
    ctx: &AppContext,
    caller: &Caller,
    author: PostAuthor,
    body: NewPost,
) -> Result<(StatusCode, Json<PostJson>), ApiError> {
    let draft = Draft {
        content: body.content,
        language: body.language,
    };
    let post = posts::create(ctx, &caller.0.scope, &author, draft).await?;
    Ok((StatusCode::CREATED, Json(PostJson::from(&post))))
}

/// `POST /api/v1/admin/coops/{slug}/posts`: 201.
#[utoipa::path(
    post,
    path = "/api/v1/admin/coops/{slug}/posts",
    tag = "admin",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The local co-op's slug")),
    request_body = NewPost,
    responses(
        (status = 201, description = "The published post", body = PostJson),
        (status = 422, description = "Empty or too long", body = crate::api::v1::openapi::ErrorJson),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn create_coop(
    State(ctx): State<AppContext>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<NewPost>,
) -> Result<(StatusCode, Json<PostJson>), ApiError> {
    create(&ctx, &caller, PostAuthor::Coop(slug), body).await
}

/// `POST /api/v1/admin/network/posts` (admin): 201.
#[utoipa::path(
    post,
    path = "/api/v1/admin/network/posts",
    tag = "admin",
    security(("bearer" = [])),
    request_body = NewPost,
    responses(
        (status = 201, description = "The published post", body = PostJson),
        (status = 422, description = "Empty or too long", body = crate::api::v1::openapi::ErrorJson),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn create_network(
    State(ctx): State<AppContext>,
    caller: Caller,
    ApiJson(body): ApiJson<NewPost>,
) -> Result<(StatusCode, Json<PostJson>), ApiError> {
    create(&ctx, &caller, PostAuthor::Network, body).await
}

/// `GET /api/v1/admin/coops/{slug}/posts`
#[utoipa::path(
    get,
    path = "/api/v1/admin/coops/{slug}/posts",
    tag = "admin",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The local co-op's slug"), Paging),
    responses(
        (status = 200, description = "The co-op's posts, newest first", body = PostPageJson),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn list_coop(
    State(ctx): State<AppContext>,
    Caller(caller): Caller,
    Path(slug): Path<String>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<PostPageJson>, ApiError> {
    let coop = coopnet_app::coops::get(&ctx, &slug).await?;
    if !caller.scope.may_edit(&coop.slug) {
        return Err(coopnet_app::AppError::Forbidden(format!(
            "this token may not access co-op '{slug}'"
        ))
        .into());
    }
    let (items, total) =
        posts::list(&ctx, &PostAuthor::Coop(slug), paging.limit, paging.offset).await?;
    Ok(Json(PostPageJson {
        items: items.iter().map(PostJson::from).collect(),
        total,
    }))
}

/// `GET /api/v1/admin/network/posts` (admin)
#[utoipa::path(
    get,
    path = "/api/v1/admin/network/posts",
    tag = "admin",
    security(("bearer" = [])),
    params(Paging),
    responses(
        (status = 200, description = "The network's posts, newest first", body = PostPageJson),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn list_network(
    State(ctx): State<AppContext>,
    _admin: Admin,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<PostPageJson>, ApiError> {
    let (items, total) =
        posts::list(&ctx, &PostAuthor::Network, paging.limit, paging.offset).await?;
    Ok(Json(PostPageJson {
        items: items.iter().map(PostJson::from).collect(),
        total,
    }))
}

/// `DELETE /api/v1/admin/posts/{id}`: 204; the post's URL then answers 410.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/posts/{id}",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The post's id")),
    responses(
        (status = 204, description = "Deleted; its URL answers 410 from now on"),
        (status = 404, description = "No such post", body = crate::api::v1::openapi::ErrorJson),
        (status = 410, description = "Already deleted", body = crate::api::v1::openapi::ErrorJson),
        (status = 401, description = "No, unknown or revoked token", body = crate::api::v1::openapi::ErrorJson),
        (status = 403, description = "The token may not do this", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn remove(
    State(ctx): State<AppContext>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    posts::delete(&ctx, &caller.scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
