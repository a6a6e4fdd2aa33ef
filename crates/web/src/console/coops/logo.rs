//! `/console/coops/{slug}/logo`: the editor's logo section, uploading and removing a logo.
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use coopnet_app::accounts::{self, Session};
use coopnet_app::{AppContext, AppError, logos};
use coopnet_core::{Coop, FieldErrors};

use super::editable;
use super::editor::{EditorPage, editor_page};
use super::profile::Values;
use crate::console::auth::Empty;
use crate::console::{
    Auth, Errs, Field, FormView, Kind, Posted, Section, Ui, csrf_refused, error, forbidden,
    same_origin, see_other,
};

/// The logo section of the editor: the current logo, the upload form and its errors.
pub(super) fn logo_section(
    ctx: &AppContext,
    ui: &Ui,
    s: &Session,
    coop: &Coop,
    errs: &Errs,
) -> Section {
    let t = ui.t;
    let slug = coop.slug.as_str();
    let own_logo = format!("{}/coops/{slug}/logo.png", ctx.base_url());
    let mut logo = Section::new("logo", t.logo);
    match &coop.profile.logo {
        Some(url) if url.as_str().starts_with(&own_logo) => {
            let path = url.as_str().trim_start_matches(&ctx.base_url()).to_owned();
            logo.image = Some((path, format!("{} {}", t.logo_current, coop.profile.name)));
        }
        Some(url) => logo = logo.intro(url.to_string()),
        None => logo = logo.intro(t.logo_none),
    }
    logo = logo.form(
        FormView::new(
            format!("/console/coops/{slug}/logo"),
            &s.csrf_token,
            t.logo_upload,
            vec![
                Field::new("logo", t.logo_upload, Kind::File, "")
                    .hint(t.logo_hint)
                    .err(errs),
            ],
        )
        .multipart(),
    );
    if coop.profile.logo.is_some() {
        logo = logo.form(FormView::button(
            format!("/console/coops/{slug}/logo/delete"),
            &s.csrf_token,
            t.logo_remove,
        ));
    }
    logo
}

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
        Err(AppError::Invalid(errors)) => editor_page(
            &ctx,
            &ui,
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            EditorPage {
                values: Values::of(&ctx, &coop),
                coop: &coop,
                errs: Errs::default(),
                logo_errs: Errs(errors),
                notice: None,
            },
        ),
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
