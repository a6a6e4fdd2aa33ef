//! `/console/coops/{slug}/logo`: uploading and removing a logo (the section is drawn by
//! `page.rs`).
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use coopnet_app::accounts;
use coopnet_app::{AppContext, AppError, logos};
use coopnet_core::FieldErrors;

use super::editable;
use super::page::{EditorPage, LinkForm, editor_page};
use super::profile::Values;
use crate::console::auth::Empty;
use crate::console::{
    Auth, Errs, Posted, Ui, csrf_refused, error, forbidden, same_origin, see_other,
};

/// `POST /console/coops/{slug}/logo` (multipart: `csrf`, `logo`).
pub async fn upload_logo(
    State(ctx): State<AppContext>,
    ui: Ui,
    Auth(s): Auth,
    headers: HeaderMap,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    if !same_origin(&headers) {
        return csrf_refused(&ui);
    }
    let mut csrf = String::new();
    let mut file: Result<Vec<u8>, String> = Ok(Vec::new());
    match multipart {
        Ok(mut m) => loop {
            match m.next_field().await {
                Ok(Some(field)) => match field.name() {
                    Some("csrf") => csrf = field.text().await.unwrap_or_default(),
                    Some("logo") => {
                        file = field
                            .bytes()
                            .await
                            .map(|b| b.to_vec())
                            .map_err(|e| e.body_text())
                    }
                    _ => {}
                },
                Ok(None) => break,
                Err(e) => {
                    file = Err(e.body_text());
                    break;
                }
            }
        },
        Err(e) => file = Err(e.body_text()),
    }
    if !accounts::csrf_matches(&s.csrf_token, &csrf) {
        return csrf_refused(&ui);
    }
    let coop = match editable(&ctx, &ui, &s, &slug).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let result = match file {
        Ok(bytes) => logos::upload(&ctx, &s, &slug, &bytes).await,
        Err(_) => Err(FieldErrors::single(
            "logo",
            format!(
                "is too large or incomplete (at most {} KB)",
                ctx.settings.console.logo_max_bytes / 1024
            ),
        )
        .into()),
    };
    match result {
        Ok(_) => see_other(&format!("/console/coops/{slug}?notice=logo_saved#logo")),
        Err(AppError::Invalid(errors)) => {
            editor_page(
                &ctx,
                &ui,
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                EditorPage {
                    values: Values::of(&ctx, &coop),
                    coop: &coop,
                    errs: Errs::default(),
                    logo_errs: Errs(errors),
                    link: LinkForm::default(),
                    notice: None,
                },
            )
            .await
        }
        Err(e) => error(&ui, e),
    }
}

/// `POST /console/coops/{slug}/logo/delete`
pub async fn delete_logo(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(slug): Path<String>,
    posted: Posted<Empty>,
) -> Response {
    if posted.session.scope_for(&slug).is_none() {
        return forbidden(&ui);
    }
    match logos::remove(&ctx, &posted.session, &slug).await {
        Ok(_) => see_other(&format!("/console/coops/{slug}?notice=logo_removed#logo")),
        Err(e) => error(&ui, e),
    }
}
