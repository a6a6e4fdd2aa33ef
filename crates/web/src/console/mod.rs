//! The web console under `/console` (and the public `/apply` form): accounts and login, the
//! co-op editor, join applications and the admin pages. Server-rendered, usable without
//! JavaScript; every handler calls the same `coopnet-app` use cases as the API and the CLI.
//!
//! Security: a session cookie (`coopnet_session`: HttpOnly, SameSite=Lax, Secure outside dev
//! mode) names a stored session; every POST carries the session's synchroniser token in the
//! hidden field `csrf` ([`Posted`]); anonymous forms (login, invite, apply) use a
//! double-submit cookie instead ([`AnonForm`]). Both also refuse a cross-site `Origin`.
pub mod admin;
pub mod apply;
pub mod auth;
pub mod coops;
pub mod texts;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use coopnet_app::accounts::{self, SESSION_COOKIE, Session};
use coopnet_app::{AppContext, AppError};
use coopnet_core::FieldErrors;
use serde::de::DeserializeOwned;

use crate::ui::{Chrome, page};
pub use texts::ConsoleTexts;

/// The double-submit cookie of anonymous forms.
pub const CSRF_COOKIE: &str = "coopnet_csrf";

/// The value of cookie `name`.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value with the console's attributes.
pub fn set_cookie(ctx: &AppContext, name: &str, value: &str, max_age: i64) -> Option<HeaderValue> {
    let secure = if ctx.settings.dev_mode {
        ""
    } else {
        "; Secure"
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .ok()
}

/// Adds a `Set-Cookie` header to `response`.
pub fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(v) = cookie {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// False when the request names another site in `Origin` (browsers send it on every POST).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// Chrome and console strings together, for every console page.
pub struct Ui {
    /// Site chrome.
    pub c: Chrome,
    /// Console strings.
    pub t: &'static ConsoleTexts,
}

impl FromRequestParts<AppContext> for Ui {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        ctx: &AppContext,
    ) -> Result<Self, Self::Rejection> {
        let c = Chrome::from_request_parts(parts, ctx).await?;
        let t = texts::texts(c.lang);
        Ok(Self { c, t })
    }
}

/// The console navigation and who is signed in, shown on every page of a session.
pub struct Nav {
    pub email: String,
    pub name: String,
    pub admin: bool,
    pub csrf: String,
    pub current: &'static str,
}

impl Nav {
    pub fn new(s: &Session, current: &'static str) -> Self {
        Self {
            email: s.account.email.clone(),
            name: s.account.display_name.clone(),
            admin: s.is_admin(),
            csrf: s.csrf_token.clone(),
            current,
        }
    }
}

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

/// Field errors as forms show them: keyed by form field name.
#[derive(Debug, Default)]
pub struct Errs(pub FieldErrors);

impl Errs {
    /// The messages for `field`, joined.
    pub fn of(&self, field: &str) -> Option<String> {
        self.0.get(field).map(|m| m.join("; "))
    }

    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How a form field is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Email,
    Url,
    Number,
    Password,
    NewPassword,
    TextArea,
    Checkbox,
    Select,
    File,
}

/// One labelled form field with its value and error.
pub struct Field {
    pub name: String,
    pub label: String,
    pub kind: Kind,
    pub value: String,
    pub checked: bool,
    pub hint: Option<&'static str>,
    pub error: Option<String>,
    pub required: bool,
    pub lang: Option<String>,
    pub options: Vec<(String, String)>,
    pub autocomplete: &'static str,
    /// Keeps element ids unique when a page repeats a form (one per table row).
    pub id_prefix: String,
}

impl Field {
    pub fn new(name: &str, label: impl Into<String>, kind: Kind, value: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            label: label.into(),
            kind,
            value: value.into(),
            checked: false,
            hint: None,
            error: None,
            required: false,
            lang: None,
            options: Vec::new(),
            autocomplete: "off",
            id_prefix: String::new(),
        }
    }

    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn checked(mut self, checked: bool) -> Self {
        self.checked = checked;
        self
    }

    pub fn autocomplete(mut self, value: &'static str) -> Self {
        self.autocomplete = value;
        self
    }

    pub fn options(mut self, options: Vec<(String, String)>) -> Self {
        self.options = options;
        self
    }

    /// Takes this field's error (by its name) from `errs`.
    pub fn err(mut self, errs: &Errs) -> Self {
        self.error = errs.of(&self.name);
        self
    }

    /// The element id.
    pub fn id(&self) -> String {
        format!(
            "f-{}{}",
            self.id_prefix,
            self.name.replace(['.', '[', ']'], "-")
        )
    }

    pub fn is(&self, kind: &str) -> bool {
        let k = match self.kind {
            Kind::Text => "text",
            Kind::Email => "email",
            Kind::Url => "url",
            Kind::Number => "number",
            Kind::Password => "password",
            Kind::NewPassword => "new-password",
            Kind::TextArea => "textarea",
            Kind::Checkbox => "checkbox",
            Kind::Select => "select",
            Kind::File => "file",
        };
        k == kind
    }

    /// The `type` of an `<input>`.
    pub fn input_type(&self) -> &'static str {
        match self.kind {
            Kind::Email => "email",
            Kind::Url => "url",
            Kind::Number => "number",
            Kind::Password | Kind::NewPassword => "password",
            _ => "text",
        }
    }

    /// `aria-describedby`: the hint and the error, when present.
    pub fn described(&self) -> String {
        let id = self.id();
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{id}-hint"));
        }
        if self.error.is_some() {
            ids.push(format!("{id}-error"));
        }
        ids.join(" ")
    }

    /// Rows of a text area.
    pub fn rows(&self) -> usize {
        (self.value.lines().count() + 2).clamp(3, 20)
    }

    /// Marks the text's language (summaries).
    pub fn lang(mut self, lang: &str) -> Self {
        self.lang = Some(lang.to_owned());
        self
    }
}

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
        }
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

/// A table cell, maybe a link.
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            href: None,
        }
    }

    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            href: Some(href.into()),
        }
    }
}

/// A table row with its action forms.
pub struct Row {
    pub cells: Vec<Cell>,
    pub forms: Vec<FormView>,
}

/// A table; `empty` is shown instead when it has no rows.
pub struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Row>,
    pub empty: String,
    pub actions: bool,
}

impl Table {
    pub fn new(head: Vec<&str>, empty: &str) -> Self {
        Self {
            head: head.into_iter().map(str::to_owned).collect(),
            rows: Vec::new(),
            empty: empty.to_owned(),
            actions: false,
        }
    }

    pub fn row(&mut self, cells: Vec<Cell>, forms: Vec<FormView>) {
        if !forms.is_empty() {
            self.actions = true;
        }
        self.rows.push(Row { cells, forms });
    }
}

/// A part of a console page.
#[derive(Default)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub intro: Vec<String>,
    pub image: Option<(String, String)>,
    /// Trusted HTML (sanitised Markdown of a preview).
    pub html: Option<String>,
    pub links: Vec<(String, String)>,
    pub table: Option<Table>,
    /// The total and the previous/next links of a paged table.
    pub pager: Option<Pager>,
    pub forms: Vec<FormView>,
}

impl Section {
    pub fn new(id: &str, title: &str) -> Self {
        Self {
            id: id.to_owned(),
            title: title.to_owned(),
            ..Self::default()
        }
    }

    pub fn intro(mut self, text: impl Into<String>) -> Self {
        self.intro.push(text.into());
        self
    }

    pub fn table(mut self, table: Table) -> Self {
        self.table = Some(table);
        self
    }

    pub fn form(mut self, form: FormView) -> Self {
        self.forms.push(form);
        self
    }

    pub fn pager(mut self, pager: Pager) -> Self {
        self.pager = Some(pager);
        self
    }

    pub fn links(mut self, links: Vec<(String, String)>) -> Self {
        self.links = links;
        self
    }
}

/// The highest page number a console list accepts: keeps offsets far from overflow.
const MAX_PAGE: u64 = u32::MAX as u64;

/// A 1-based page number from `?page=`: anything missing, unreadable or below 1 is page 1.
pub fn page_number(raw: Option<&str>) -> u64 {
    raw.and_then(|p| p.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_PAGE)
}

/// The number of pages `total` items fill (at least one, so an empty list has page 1).
pub fn page_count(total: u64, page_size: u64) -> u64 {
    total.div_ceil(page_size.max(1)).clamp(1, MAX_PAGE)
}

/// Previous/next links of a paged list (in the public directory's words and look), and
/// the total.
pub struct Pager {
    /// E.g. "73 member co-ops in all".
    pub total: String,
    /// "Page 2 of 3": the navigation's label.
    pub label: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Links to `base?page=N` (page 1 is `base` itself); `page` is within `1..=pages`.
    pub fn new(ui: &Ui, base: &str, page: u64, pages: u64, total: String) -> Self {
        let href = |n: u64| {
            if n <= 1 {
                base.to_owned()
            } else {
                format!("{base}?page={n}")
            }
        };
        Self {
            total,
            label: ui.c.page_of(page, pages),
            prev: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
        }
    }
}

/// Every console page: title, notices, sections.
#[derive(Template)]
#[template(path = "console/page.html")]
pub struct PageView<'a> {
    pub c: &'a Chrome,
    pub t: &'static ConsoleTexts,
    pub nav: Option<Nav>,
    pub title: String,
    pub intro: Vec<String>,
    pub notice: Option<String>,
    pub alert: Option<String>,
    pub alert_items: Vec<String>,
    pub secret: Option<(String, String)>,
    pub sections: Vec<Section>,
}

impl<'a> PageView<'a> {
    pub fn new(ui: &'a Ui, nav: Option<Nav>, title: &str) -> Self {
        Self {
            c: &ui.c,
            t: ui.t,
            nav,
            title: title.to_owned(),
            intro: Vec::new(),
            notice: None,
            alert: None,
            alert_items: Vec::new(),
            secret: None,
            sections: Vec::new(),
        }
    }

    pub fn intro(mut self, text: impl Into<String>) -> Self {
        self.intro.push(text.into());
        self
    }

    pub fn notice(mut self, text: Option<&str>) -> Self {
        self.notice = text.map(str::to_owned);
        self
    }

    /// The "please correct" summary when `errs` has anything.
    pub fn errors(mut self, errs: &Errs) -> Self {
        if !errs.is_empty() {
            self.alert = Some(self.t.fix_errors.to_owned());
        }
        self
    }

    pub fn alert(mut self, text: impl Into<String>) -> Self {
        self.alert = Some(text.into());
        self
    }

    pub fn secret(mut self, label: &str, value: impl Into<String>) -> Self {
        self.secret = Some((label.to_owned(), value.into()));
        self
    }

    pub fn section(mut self, section: Section) -> Self {
        self.sections.push(section);
        self
    }
}

/// A signed-in account. Without a valid session, GETs are sent to the login page and
/// other requests get 401.
pub struct Auth(pub Session);

async fn session_of(parts: &Parts, ctx: &AppContext) -> Result<Option<Session>, AppError> {
    match cookie(&parts.headers, SESSION_COOKIE) {
        Some(value) => accounts::session(ctx, &value).await,
        None => Ok(None),
    }
}

async fn not_signed_in(parts: &mut Parts, ctx: &AppContext) -> Response {
    let ui = Ui::from_request_parts(parts, ctx).await;
    let Ok(ui) = ui;
    if parts.method == axum::http::Method::GET {
        let next = parts
            .uri
            .path_and_query()
            .map_or("/console", |p| p.as_str());
        let target = format!("/console/login?next={}", url_encode(next));
        Redirect::to(&target).into_response()
    } else {
        message(
            &ui,
            StatusCode::UNAUTHORIZED,
            ui.t.login_title,
            ui.t.login_intro,
            Vec::new(),
        )
    }
}

impl FromRequestParts<AppContext> for Auth {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        ctx: &AppContext,
    ) -> Result<Self, Self::Rejection> {
        match session_of(parts, ctx).await {
            Ok(Some(s)) => Ok(Self(s)),
            Ok(None) => Err(not_signed_in(parts, ctx).await),
            Err(e) => {
                let Ok(ui) = Ui::from_request_parts(parts, ctx).await;
                Err(error(&ui, e))
            }
        }
    }
}

/// Percent-encodes a query value.
pub fn url_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A form posted by a signed-in account with the session's CSRF token; refused with 403
/// otherwise. `T` is read from the url-encoded body (unknown keys ignored).
pub struct Posted<T> {
    pub session: Session,
    pub form: T,
    /// Every pair of the body, for forms with dynamic fields.
    pub pairs: Vec<(String, String)>,
}

impl<T: DeserializeOwned> FromRequest<AppContext> for Posted<T> {
    type Rejection = Response;

    async fn from_request(req: Request, ctx: &AppContext) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let Ok(ui) = Ui::from_request_parts(&mut parts, ctx).await;
        let Auth(session) = Auth::from_request_parts(&mut parts, ctx).await?;
        if !same_origin(&parts.headers) {
            return Err(csrf_refused(&ui));
        }
        let req = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(req, ctx)
            .await
            .map_err(IntoResponse::into_response)?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let presented = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map_or("", |(_, v)| v.as_str());
        if !accounts::csrf_matches(&session.csrf_token, presented) {
            return Err(csrf_refused(&ui));
        }
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            message(
                &ui,
                StatusCode::BAD_REQUEST,
                ui.t.invalid_title,
                &e.to_string(),
                Vec::new(),
            )
        })?;
        Ok(Self {
            session,
            form,
            pairs,
        })
    }
}

/// The double-submit token of an anonymous form: the cookie's when it has a sane one, else a
/// new one with the cookie to set.
pub fn anon_token(ctx: &AppContext, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match cookie(headers, CSRF_COOKIE) {
        Some(v) if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) => (v, None),
        _ => {
            let token = accounts::random_token();
            let set = set_cookie(ctx, CSRF_COOKIE, &token, 60 * 60 * 24);
            (token, set)
        }
    }
}

/// An anonymous form (login, invite, apply): its `csrf` field must equal the
/// `coopnet_csrf` cookie; refused with 403 otherwise.
pub struct AnonForm<T> {
    pub form: T,
    /// The token, for re-rendering the form.
    pub csrf: String,
}

impl<T: DeserializeOwned> FromRequest<AppContext> for AnonForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, ctx: &AppContext) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let Ok(ui) = Ui::from_request_parts(&mut parts, ctx).await;
        let expected = cookie(&parts.headers, CSRF_COOKIE).unwrap_or_default();
        if !same_origin(&parts.headers) {
            return Err(csrf_refused(&ui));
        }
        let req = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(req, ctx)
            .await
            .map_err(IntoResponse::into_response)?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let presented = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map_or("", |(_, v)| v.as_str());
        if !accounts::csrf_matches(&expected, presented) {
            return Err(csrf_refused(&ui));
        }
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            message(
                &ui,
                StatusCode::BAD_REQUEST,
                ui.t.invalid_title,
                &e.to_string(),
                Vec::new(),
            )
        })?;
        Ok(Self {
            form,
            csrf: expected,
        })
    }
}

/// 303 to `to` (after a successful POST).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Renders a console page.
pub fn render(ui: &Ui, status: StatusCode, template: &impl Template) -> Response {
    let mut r = page(&ui.c, status, template);
    // Console pages are personal: never cached.
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A notice shown after a redirect (`?notice=KEY`), from a fixed list.
pub fn notice(t: &'static ConsoleTexts, key: Option<&str>) -> Option<&'static str> {
    Some(match key? {
        "saved" => t.saved,
        "logo_saved" => t.logo_saved,
        "logo_removed" => t.logo_removed,
        "published" => t.post_published,
        "deleted" => t.post_deleted,
        "password" => t.password_changed,
        "removed" => t.member_removed,
        "rejected" => t.rejected,
        "token_revoked" => t.token_revoked,
        "account_deleted" => t.account_deleted,
        "followed" => t.followed,
        "blocked" => t.blocked,
        "unblocked" => t.unblocked,
        "resynced" => t.resynced,
        "done" => t.done,
        _ => return None,
    })
}

/// `?notice=` of a console page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

/// `?notice=&page=` of a paged console list (`page` read leniently by [`page_number`]).
#[derive(Debug, Default, serde::Deserialize)]
pub struct PagedQuery {
    pub notice: Option<String>,
    pub page: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_read_leniently_and_bounded() {
        assert_eq!(page_number(None), 1);
        assert_eq!(page_number(Some("2")), 2);
        assert_eq!(page_number(Some(" 3 ")), 3);
        assert_eq!(page_number(Some("0")), 1);
        assert_eq!(page_number(Some("-1")), 1);
        assert_eq!(page_number(Some("two")), 1);
        assert_eq!(page_number(Some("99999999999999999999")), 1);
        assert_eq!(page_number(Some("18446744073709551615")), MAX_PAGE);
        assert_eq!(page_count(0, 50), 1);
        assert_eq!(page_count(50, 50), 1);
        assert_eq!(page_count(51, 50), 2);
        assert_eq!(page_count(7, 0), 7);
    }

    #[test]
    fn origin_must_match_host_when_sent() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("coops.example"));
        assert!(same_origin(&h), "no Origin: older browsers, curl");
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://coops.example"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h));
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("lang=de; coopnet_session=abc; coopnet_csrf=x"),
        );
        assert_eq!(cookie(&h, "coopnet_session").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "coopnet_csrf").as_deref(), Some("x"));
        assert_eq!(cookie(&h, "nope"), None);
    }
}
