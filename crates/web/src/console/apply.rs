//! The public "apply to join" form (`/apply`): rate-limited with the login budget,
//! protected by a double-submit CSRF cookie, checked with the co-op rules, capped per
//! instance (`limits.applications_per_hour`, `limits.pending_applications`, in
//! `app::applications`), and with a honeypot field: robots that fill every field get the
//! usual thank-you page, and nothing is stored.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use coopnet_app::applications::{self, SubmitError};
use coopnet_app::{AppContext, AppError};
use coopnet_core::ApplicationInput;
use serde::Deserialize;

use super::{
    AnonForm, Errs, Field, FormView, Kind, PageView, Section, Ui, anon_token, error, render,
    with_cookie,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApplyForm {
    name: String,
    slug: String,
    website: String,
    summary: String,
    summary_lang: String,
    country: String,
    applicant_name: String,
    contact_email: String,
    message: String,
    /// The honeypot ([`HONEYPOT`]): empty from people.
    extra_info: String,
}

/// The honeypot field's name: plain enough for robots to fill, meaningless to browsers'
/// autofill.
const HONEYPOT: &str = "extra_info";

impl From<&ApplyForm> for ApplicationInput {
    fn from(f: &ApplyForm) -> Self {
        Self {
            name: f.name.clone(),
            slug: f.slug.clone(),
            website: f.website.clone(),
            summary: f.summary.clone(),
            summary_lang: f.summary_lang.clone(),
            country: f.country.clone(),
            applicant_name: f.applicant_name.clone(),
            contact_email: f.contact_email.clone(),
            message: f.message.clone(),
        }
    }
}

fn apply_page(
    ui: &Ui,
    status: StatusCode,
    csrf: &str,
    f: &ApplyForm,
    errs: &Errs,
    alert: Option<&str>,
) -> Response {
    let t = ui.t;
    let lang = if f.summary_lang.is_empty() {
        ui.c.lang.to_owned()
    } else {
        f.summary_lang.clone()
    };
    // Errors of the summary come keyed by its language (`summary.de`).
    let mut errs_summary = errs.of(&format!("summary.{lang}"));
    if errs_summary.is_none() {
        errs_summary = errs
            .0
            .iter()
            .find(|(k, _)| k.starts_with("summary"))
            .map(|(_, m)| m.join("; "));
    }
    let mut summary = Field::new(
        "summary",
        t.apply_summary,
        Kind::TextArea,
        f.summary.clone(),
    )
    .required()
    .lang(&lang);
    summary.error = errs_summary;
    let fields = vec![
        Field::new("name", t.apply_name, Kind::Text, f.name.clone())
            .autocomplete("organization")
            .required()
            .err(errs),
        Field::new("slug", t.slug, Kind::Text, f.slug.clone())
            .hint(t.slug_hint)
            .required()
            .err(errs),
        Field::new("website", t.field_website, Kind::Url, f.website.clone())
            .autocomplete("url")
            .err(errs),
        Field::new("country", t.field_country, Kind::Text, f.country.clone())
            .hint(t.field_country_hint)
            .autocomplete("country")
            .err(errs),
        summary,
        Field::new("summary_lang", t.apply_language, Kind::Select, lang.clone())
            .options(
                [
                    ("en", "English"),
                    ("de", "Deutsch"),
                    ("nl", "Nederlands"),
                    ("fr", "Français"),
                ]
                .into_iter()
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect(),
            )
            .err(errs),
        Field::new(
            "applicant_name",
            t.display_name,
            Kind::Text,
            f.applicant_name.clone(),
        )
        .autocomplete("name")
        .required()
        .err(errs),
        Field::new(
            "contact_email",
            t.email,
            Kind::Email,
            f.contact_email.clone(),
        )
        .autocomplete("email")
        .required()
        .err(errs),
        Field::new(
            "message",
            t.apply_message,
            Kind::TextArea,
            f.message.clone(),
        )
        .err(errs),
    ];
    let mut view = PageView::new(ui, None, t.apply_title)
        .intro(t.apply_intro)
        .errors(errs)
        .section(
            Section::new("application", "").form(
                FormView::new("/apply", csrf, t.apply_submit, fields)
                    .honeypot(HONEYPOT, t.apply_honeypot),
            ),
        );
    if let Some(a) = alert {
        view = view.alert(a);
    }
    render(ui, status, &view)
}

/// `GET /apply`
pub async fn form(State(ctx): State<AppContext>, ui: Ui, headers: HeaderMap) -> Response {
    let (csrf, set) = anon_token(&ctx, &headers);
    with_cookie(
        apply_page(
            &ui,
            StatusCode::OK,
            &csrf,
            &ApplyForm::default(),
            &Errs::default(),
            None,
        ),
        set,
    )
}

fn thanks(ui: &Ui) -> Response {
    render(
        ui,
        StatusCode::OK,
        &PageView::new(ui, None, ui.t.apply_thanks_title).intro(ui.t.apply_thanks_text),
    )
}

/// `POST /apply`: files the application (pending until an admin decides).
pub async fn submit(
    State(ctx): State<AppContext>,
    ui: Ui,
    posted: AnonForm<ApplyForm>,
) -> Response {
    let f = &posted.form;
    if !f.extra_info.trim().is_empty() {
        // A robot: the same answer as a success, so it learns nothing; nothing is stored.
        tracing::info!("join application discarded: honeypot filled");
        return thanks(&ui);
    }
    let again = |status, errs: &Errs, alert| apply_page(&ui, status, &posted.csrf, f, errs, alert);
    match applications::submit(&ctx, &ApplicationInput::from(f)).await {
        Ok(_) => thanks(&ui),
        Err(SubmitError::App(AppError::Invalid(errors))) => {
            again(StatusCode::UNPROCESSABLE_ENTITY, &Errs(errors), None)
        }
        Err(SubmitError::HourlyLimit) => again(
            StatusCode::TOO_MANY_REQUESTS,
            &Errs::default(),
            Some(ui.t.apply_busy),
        ),
        Err(SubmitError::TooManyPending) => again(
            StatusCode::SERVICE_UNAVAILABLE,
            &Errs::default(),
            Some(ui.t.apply_full),
        ),
        Err(SubmitError::App(e)) => error(&ui, e),
    }
}
