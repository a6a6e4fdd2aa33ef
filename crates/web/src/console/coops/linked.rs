//! `/console/coops/{slug}/link` and `/unlink`: linking the co-op's fediverse account and
//! unlinking it, through the one door of `coopnet_app::coops::{link, unlink}` (the section is
//! drawn by `page.rs`). A refused link draws the editor again with the reason on the field.
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::{AppContext, coops};
use serde::Deserialize;

use super::editable;
use super::page::{EditorPage, LinkForm, editor_page, link_errors};
use super::profile::Values;
use crate::console::auth::Empty;
use crate::console::{Errs, Posted, Ui, error, forbidden, see_other};

/// The link form.
#[derive(Debug, Deserialize)]
pub struct LinkInput {
    #[serde(default)]
    account: String,
}

/// `POST /console/coops/{slug}/link` (`csrf`, `account`)
pub async fn link(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(slug): Path<String>,
    posted: Posted<LinkInput>,
) -> Response {
    let s = &posted.session;
    let Some(scope) = s.scope_for(&slug) else {
        return forbidden(&ui);
    };
    let coop = match editable(&ctx, &ui, s, &slug).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let account = posted.form.account.trim().to_owned();
    match coops::link(&ctx, &scope, &slug, &account).await {
        Ok(_) => see_other(&format!("/console/coops/{slug}?notice=linked#fediverse")),
        Err(e) => match link_errors(e) {
            Ok(errs) => {
                editor_page(
                    &ctx,
                    &ui,
                    s,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    EditorPage {
                        values: Values::of(&ctx, &coop),
                        coop: &coop,
                        errs: Errs::default(),
                        logo_errs: Errs::default(),
                        link: LinkForm {
                            value: account,
                            errs,
                        },
                        notice: None,
                    },
                )
                .await
            }
            Err(e) => error(&ui, e),
        },
    }
}

/// `POST /console/coops/{slug}/unlink`
pub async fn unlink(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(slug): Path<String>,
    posted: Posted<Empty>,
) -> Response {
    let Some(scope) = posted.session.scope_for(&slug) else {
        return forbidden(&ui);
    };
    match coops::unlink(&ctx, &scope, &slug).await {
        Ok(()) => see_other(&format!("/console/coops/{slug}?notice=unlinked#fediverse")),
        Err(e) => error(&ui, e),
    }
}
