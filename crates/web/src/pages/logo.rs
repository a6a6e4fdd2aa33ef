//! `GET /coops/{slug}/logo.png`: a co-op's uploaded logo, with a strong ETag.
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use coopnet_app::{AppContext, AppError, logos};

/// Serves the stored PNG; `If-None-Match` gets 304. Cached for an hour (profile and actor
/// link to `?v=ETAG`, so a new logo is a new URL anyway).
pub async fn show(
    State(ctx): State<AppContext>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    let logo = match logos::get(&ctx, &slug).await {
        Ok(l) => l,
        Err(AppError::NotFound(_) | AppError::Gone(_)) => {
            return (StatusCode::NOT_FOUND, "no logo").into_response();
        }
        Err(e) => {
            tracing::error!(error = %e, "logo lookup failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let etag = format!("\"{}\"", logo.etag);
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, logo.bytes).into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&logo.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}
