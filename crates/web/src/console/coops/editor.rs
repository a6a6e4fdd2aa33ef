//! `/console/coops/{slug}`: showing the co-op editor and saving the profile.
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::{AppContext, AppError, coops};

use super::editable;
use super::page::{EditorPage, LinkForm, editor_page};
use super::profile::{Values, form_errors};
use crate::console::auth::Empty;
use crate::console::{Auth, Errs, NoticeQuery, Posted, Ui, error, forbidden, notice, see_other};

/// `GET /console/coops/{slug}`
pub async fn edit(
    State(ctx): State<AppContext>,
    ui: Ui,
    Auth(s): Auth,
    Path(slug): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let coop = match editable(&ctx, &ui, &s, &slug).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let values = Values::of(&ctx, &coop);
    editor_page(
        &ctx,
        &ui,
        &s,
        StatusCode::OK,
        EditorPage {
            coop: &coop,
            values,
            errs: Errs::default(),
            logo_errs: Errs::default(),
            link: LinkForm::default(),
            notice: notice(ui.t, q.notice.as_deref()),
        },
    )
    .await
}

/// `POST /console/coops/{slug}`: saves through [`coops::update`] (federated as Update).
pub async fn update(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(slug): Path<String>,
    posted: Posted<Empty>,
) -> Response {
    let s = &posted.session;
    let coop = match editable(&ctx, &ui, s, &slug).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(scope) = s.scope_for(&slug) else {
        return forbidden(&ui);
    };
    let values = Values::from_pairs(&ctx, &posted.pairs);
    let result = match values.patch() {
        Ok(patch) => coops::update(&ctx, &scope, &slug, &patch).await,
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(_) => see_other(&format!("/console/coops/{slug}?notice=saved")),
        Err(AppError::Invalid(errors)) => {
            editor_page(
                &ctx,
                &ui,
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                EditorPage {
                    coop: &coop,
                    values,
                    errs: form_errors(errors),
                    logo_errs: Errs::default(),
                    link: LinkForm::default(),
                    notice: None,
                },
            )
            .await
        }
        Err(e) => error(&ui, e),
    }
}
