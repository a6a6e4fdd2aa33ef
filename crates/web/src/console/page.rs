//! Every console page: the navigation ([`Nav`]), the page
//! ([`PageView`]) made of [`Section`]s, and how it is sent.
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use coopnet_app::accounts::Session;

use super::ConsoleTexts;
use super::errs::Errs;
use super::form::FormView;
use super::paging::Pager;
use super::table::Table;
use super::ui::Ui;
use crate::ui::{Chrome, page};

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

    /// A secret shown once (a new token, an invite link), when there is one.
    pub fn secret(mut self, label: &str, value: Option<String>) -> Self {
        self.secret = value.map(|v| (label.to_owned(), v));
        self
    }

    pub fn section(mut self, section: Section) -> Self {
        self.sections.push(section);
        self
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
