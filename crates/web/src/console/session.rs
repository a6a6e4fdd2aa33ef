//! The [`Auth`] extractor: the signed-in account of a console request.
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use coopnet_app::accounts::{self, SESSION_COOKIE, Session};
use coopnet_app::{AppContext, AppError};

use super::cookies::cookie;
use super::message::{error, message};
use super::ui::Ui;

/// A signed-in account. Without a valid session, GETs are sent to the login page and
/// other requests get 401.
pub struct Auth(pub Session);

async fn session_of(parts: &Parts, ctx: &AppContext) -> Result<Option<Session>, AppError> {
    match cookie(&parts.headers, SESSION_COOKIE) {
        Some(value) => accounts::session(ctx, &value).await,
        None => Ok(None),
    }
}

async fn not_signed_in(parts: &mut Parts, ctx: &AppContext) -> Response {
    let ui = Ui::from_request_parts(parts, ctx).await;
    let Ok(ui) = ui;
    if parts.method == Method::GET {
        let next = parts
            .uri
            .path_and_query()
            .map_or("/console", |p| p.as_str());
        let target = format!("/console/login?next={}", url_encode(next));
        Redirect::to(&target).into_response()
    } else {
        message(
            &ui,
            StatusCode::UNAUTHORIZED,
            ui.t.login_title,
            ui.t.login_intro,
            Vec::new(),
        )
    }
}

impl FromRequestParts<AppContext> for Auth {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        ctx: &AppContext,
    ) -> Result<Self, Self::Rejection> {
        match session_of(parts, ctx).await {
            Ok(Some(s)) => Ok(Self(s)),
            Ok(None) => Err(not_signed_in(parts, ctx).await),
            Err(e) => {
                let Ok(ui) = Ui::from_request_parts(parts, ctx).await;
                Err(error(&ui, e))
            }
        }
    }
}

/// Percent-encodes a query value.
pub fn url_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
