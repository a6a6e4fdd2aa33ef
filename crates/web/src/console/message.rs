//! Pages that only say something: 403s, failed use cases, refused forms.
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use coopnet_app::AppError;

use super::ConsoleTexts;
use super::ui::Ui;
use crate::ui::{Chrome, page};

#[derive(Template)]
#[template(path = "console/message.html")]
struct MessagePage<'a> {
    c: &'a Chrome,
    t: &'static ConsoleTexts,
    title: &'a str,
    message: &'a str,
    items: Vec<String>,
    back: Option<&'a str>,
}

/// A page with a title and a message.
pub fn message(
    ui: &Ui,
    status: StatusCode,
    title: &str,
    message: &str,
    items: Vec<String>,
) -> Response {
    page(
        &ui.c,
        status,
        &MessagePage {
            c: &ui.c,
            t: ui.t,
            title,
            message,
            items,
            back: Some("/console"),
        },
    )
}

/// 403: the account may not do this.
pub fn forbidden(ui: &Ui) -> Response {
    message(
        ui,
        StatusCode::FORBIDDEN,
        ui.t.forbidden_title,
        ui.t.forbidden_text,
        Vec::new(),
    )
}

/// 403: the form's CSRF token was missing or wrong.
pub fn csrf_refused(ui: &Ui) -> Response {
    message(
        ui,
        StatusCode::FORBIDDEN,
        ui.t.csrf_title,
        ui.t.csrf_text,
        Vec::new(),
    )
}

/// The page for a failed use case (forms show validation errors themselves).
pub fn error(ui: &Ui, err: AppError) -> Response {
    match err {
        AppError::Forbidden(_) => forbidden(ui),
        AppError::Unauthorized => Redirect::to("/console/login").into_response(),
        AppError::Invalid(errors) => message(
            ui,
            StatusCode::UNPROCESSABLE_ENTITY,
            ui.t.invalid_title,
            ui.t.fix_errors,
            errors
                .iter()
                .flat_map(|(f, ms)| ms.iter().map(move |m| format!("{f}: {m}")))
                .collect(),
        ),
        AppError::Conflict(m) => message(
            ui,
            StatusCode::CONFLICT,
            ui.t.conflict_title,
            &m,
            Vec::new(),
        ),
        other => crate::pages::error_page(&ui.c, &other),
    }
}
