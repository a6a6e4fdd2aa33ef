//! The public "apply to join" form (`/apply`): rate-limited with the login budget,
//! protected by a double-submit CSRF cookie, checked with the co-op rules.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use coopnet_app::{AppContext, AppError, applications};
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
}

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

fn apply_page(ui: &Ui, status: StatusCode, csrf: &str, f: &ApplyForm, errs: &Errs) -> Response {
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
    let view = PageView::new(ui, None, t.apply_title)
        .intro(t.apply_intro)
        .errors(errs)
        .section(Section::new("application", "").form(FormView::new(
            "/apply",
            csrf,
            t.apply_submit,
            fields,
        )));
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
        ),
        set,
    )
}

/// `POST /apply`: files the application (pending until an admin decides).
pub async fn submit(
    State(ctx): State<AppContext>,
    ui: Ui,
    posted: AnonForm<ApplyForm>,
) -> Response {
    let f = &posted.form;
    match applications::submit(&ctx, &ApplicationInput::from(f)).await {
        Ok(_) => render(
            &ui,
            StatusCode::OK,
            &PageView::new(&ui, None, ui.t.apply_thanks_title).intro(ui.t.apply_thanks_text),
        ),
        Err(AppError::Invalid(errors)) => apply_page(
            &ui,
            StatusCode::UNPROCESSABLE_ENTITY,
            &posted.csrf,
            f,
            &Errs(errors),
        ),
        Err(e) => error(&ui, e),
    }
}
