//! The co-op editor: profile, logo, linked fediverse account, news posts and editors. Editors reach only the co-ops
//! their account is linked to (403 otherwise, by link or by direct URL); admins reach all.
//! Saves go through the co-op and post use cases, which federate them.
pub mod editor;
pub mod editors;
pub mod linked;
pub mod logo;
mod page;
pub mod posts;
mod profile;

use axum::response::Response;
use coopnet_app::accounts::Session;
use coopnet_app::{AppContext, coops};
use coopnet_core::Coop;

use super::{Ui, error, forbidden};

/// The co-op `slug` when `s` may edit it; the page to answer otherwise.
async fn editable(ctx: &AppContext, ui: &Ui, s: &Session, slug: &str) -> Result<Coop, Response> {
    if s.scope_for(slug).is_none() {
        return Err(forbidden(ui));
    }
    coops::get(ctx, slug).await.map_err(|e| error(ui, e))
}
