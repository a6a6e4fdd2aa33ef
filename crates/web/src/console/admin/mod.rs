//! Admin pages: members, applications, federation, the delivery queue, API tokens, invites
//! and accounts. Every page and action needs an admin account (403 otherwise).
pub mod applications;
pub mod federation;
pub mod invites;
pub mod members;
pub mod queue;
pub mod tokens;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use coopnet_app::AppContext;
use coopnet_app::accounts::Session;
use coopnet_core::FieldErrors;
use serde::Deserialize;

use super::{Auth, FormState, Ui, forbidden};

/// A signed-in admin, for the admin pages: as [`Auth`], and 403 for any other account.
pub struct Admin(pub Session);

impl FromRequestParts<AppContext> for Admin {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        ctx: &AppContext,
    ) -> Result<Self, Self::Rejection> {
        let Auth(s) = Auth::from_request_parts(parts, ctx).await?;
        if s.is_admin() {
            return Ok(Self(s));
        }
        let Ok(ui) = Ui::from_request_parts(parts, ctx).await;
        Err(forbidden(&ui))
    }
}

/// The 403 page unless `s` is an admin (for the admin forms, checked after their CSRF token).
fn admin_only(ui: &Ui, s: &Session) -> Option<Response> {
    (!s.is_admin()).then(|| forbidden(ui))
}

/// A form with only a reason (removing a member, rejecting an application).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReasonForm {
    reason: String,
}

/// The form again, its `coop` field naming a co-op that does not exist (or no longer).
fn unknown_coop(m: &str) -> FormState {
    FormState::errors(
        StatusCode::UNPROCESSABLE_ENTITY,
        FieldErrors::single("coop", format!("{m}: not found")),
    )
}
