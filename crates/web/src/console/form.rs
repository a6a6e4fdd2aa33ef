//! A console form ([`FormView`]), its field errors ([`Errs`]) and the state a page with a
//! form is drawn in ([`FormState`]).
use axum::http::StatusCode;
use coopnet_core::FieldErrors;

use super::ConsoleTexts;
use super::errs::Errs;
use super::field::Field;
use super::notice::notice;

/// A form: where it posts, its fields, its button.
pub struct FormView {
    pub action: String,
    pub fields: Vec<Field>,
    pub submit: String,
    pub csrf: String,
    pub danger: bool,
    /// Extra hidden fields.
    pub hidden: Vec<(String, String)>,
    /// Drawn on one line (row actions).
    pub inline: bool,
    /// A file upload.
    pub multipart: bool,
    /// The submit button's `action` value.
    pub action_value: String,
    /// Further submit buttons: `(action value, text)`.
    pub extra_buttons: Vec<(String, String)>,
    /// A honeypot field: `(name, label)`, hidden from people (see [`FormView::honeypot`]).
    pub honeypot: Option<(String, String)>,
}

impl FormView {
    pub fn new(action: impl Into<String>, csrf: &str, submit: &str, fields: Vec<Field>) -> Self {
        Self {
            action: action.into(),
            fields,
            submit: submit.to_owned(),
            csrf: csrf.to_owned(),
            danger: false,
            hidden: Vec::new(),
            inline: false,
            multipart: false,
            action_value: String::new(),
            extra_buttons: Vec::new(),
            honeypot: None,
        }
    }

    /// Adds a honeypot: a text field that people never see or reach (visually hidden,
    /// `aria-hidden`, out of the tab order) but form-filling robots do. Its label asks to
    /// leave it empty, for anyone who meets it anyway.
    pub fn honeypot(mut self, name: &str, label: &str) -> Self {
        self.honeypot = Some((name.to_owned(), label.to_owned()));
        self
    }

    /// A one-button form for a table row.
    pub fn button(action: impl Into<String>, csrf: &str, submit: &str) -> Self {
        let mut f = Self::new(action, csrf, submit, Vec::new());
        f.inline = true;
        f
    }

    pub fn inline(mut self) -> Self {
        self.inline = true;
        self
    }

    /// Prefixes the element ids of its fields (`f-{prefix}-{name}`).
    pub fn prefixed(mut self, prefix: &str) -> Self {
        for f in &mut self.fields {
            f.id_prefix = format!("{prefix}-");
        }
        self
    }

    pub fn multipart(mut self) -> Self {
        self.multipart = true;
        self
    }

    pub fn action_value(mut self, value: &str) -> Self {
        self.action_value = value.to_owned();
        self
    }

    pub fn extra_button(mut self, value: &str, text: &str) -> Self {
        self.extra_buttons.push((value.to_owned(), text.to_owned()));
        self
    }

    pub fn danger(mut self) -> Self {
        self.danger = true;
        self
    }

    pub fn hidden(mut self, name: &str, value: &str) -> Self {
        self.hidden.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// How a page with a form is drawn this time: its status, the form's field errors, a secret
/// shown once (a new token or invite link) and a notice.
#[derive(Debug, Default)]
pub struct FormState {
    pub status: StatusCode,
    pub errs: Errs,
    pub secret: Option<String>,
    pub notice: Option<&'static str>,
}

impl FormState {
    /// 200, with the notice named by `?notice=` (a GET, or a redirect's target).
    pub fn fresh(t: &'static ConsoleTexts, notice_key: Option<&str>) -> Self {
        Self {
            notice: notice(t, notice_key),
            ..Self::default()
        }
    }

    /// 200, showing `secret` once.
    pub fn secret(secret: String) -> Self {
        Self {
            secret: Some(secret),
            ..Self::default()
        }
    }

    /// `status`, with the form's field errors.
    pub fn errors(status: StatusCode, errors: FieldErrors) -> Self {
        Self {
            status,
            errs: Errs(errors),
            ..Self::default()
        }
    }

    /// 422, with the field errors of a use case's `AppError::Invalid`.
    pub fn invalid(errors: FieldErrors) -> Self {
        Self::errors(StatusCode::UNPROCESSABLE_ENTITY, errors)
    }
}
