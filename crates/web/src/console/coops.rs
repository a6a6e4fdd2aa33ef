//! The co-op editor: profile, logo, news posts and editors. Editors reach only the co-ops
//! their account is linked to (403 otherwise, by link or by direct URL); admins reach all.
//! Saves go through the co-op and post use cases, which federate them.
use std::collections::BTreeSet;

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use coopnet_app::accounts::{self, Session};
use coopnet_app::posts::{self, PostAuthor};
use coopnet_app::{AppContext, AppError, coops, logos};
use coopnet_core::{Coop, CoopInput, FieldErrors, Role};
use coopnet_federation::html::markdown_to_html;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{
    Auth, Cell, Errs, Field, FormView, Kind, Nav, NoticeQuery, PageView, Posted, Section, Table,
    Ui, csrf_refused, error, forbidden, notice, render, see_other,
};

/// The editor's form values, as strings (from the co-op, or as the form sent them).
#[derive(Debug, Default, Clone)]
struct Values {
    name: String,
    summary: Vec<(String, String)>,
    website: String,
    email: String,
    contact_public: bool,
    locality: String,
    region: String,
    country: String,
    latitude: String,
    longitude: String,
    founded: String,
    workers: String,
    legal_form: String,
    services: String,
    technologies: String,
    languages: String,
    links: String,
    listed: bool,
}

fn summary_languages(ctx: &AppContext, existing: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut langs: BTreeSet<String> = existing.into_iter().collect();
    langs.extend(ctx.network.languages.iter().map(ToString::to_string));
    for l in ["en", "de", "nl", "fr"] {
        langs.insert(l.to_owned());
    }
    langs.into_iter().collect()
}

impl Values {
    fn of(ctx: &AppContext, coop: &Coop) -> Self {
        let i = CoopInput::from(coop);
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
        let int = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        let summary = summary_languages(ctx, i.summary.keys().cloned())
            .into_iter()
            .map(|l| {
                let text = i.summary.get(&l).cloned().unwrap_or_default();
                (l, text)
            })
            .collect();
        Self {
            name: i.name.clone(),
            summary,
            website: opt(&i.website),
            email: opt(&i.email),
            contact_public: i.contact_public,
            locality: opt(&i.locality),
            region: opt(&i.region),
            country: opt(&i.country),
            latitude: num(i.latitude),
            longitude: num(i.longitude),
            founded: int(i.founded),
            workers: int(i.workers),
            legal_form: opt(&i.legal_form),
            services: i.services.join("; "),
            technologies: i.technologies.join("; "),
            languages: i.languages.join("; "),
            links: i
                .links
                .iter()
                .map(|l| format!("{} {}", l.kind, l.url))
                .collect::<Vec<_>>()
                .join("\n"),
            listed: i.listed,
        }
    }

    fn from_pairs(ctx: &AppContext, pairs: &[(String, String)]) -> Self {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let has = |k: &str| pairs.iter().any(|(key, _)| key == k);
        let sent: Vec<(String, String)> = pairs
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("summary_")
                    .map(|l| (l.to_owned(), v.clone()))
            })
            .collect();
        let summary = summary_languages(ctx, sent.iter().map(|(l, _)| l.clone()))
            .into_iter()
            .map(|l| {
                let text = sent
                    .iter()
                    .find(|(k, _)| *k == l)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                (l, text)
            })
            .collect();
        Self {
            name: get("name"),
            summary,
            website: get("website"),
            email: get("email"),
            contact_public: has("contact_public"),
            locality: get("locality"),
            region: get("region"),
            country: get("country"),
            latitude: get("latitude"),
            longitude: get("longitude"),
            founded: get("founded"),
            workers: get("workers"),
            legal_form: get("legal_form"),
            services: get("services"),
            technologies: get("technologies"),
            languages: get("languages"),
            links: get("links"),
            listed: has("listed"),
        }
    }

    /// The patch for [`coops::update`], or the fields that do not even parse.
    fn patch(&self) -> Result<Map<String, Value>, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut patch = Map::new();
        let text = |v: &str| {
            let v = v.trim();
            if v.is_empty() {
                Value::Null
            } else {
                Value::String(v.to_owned())
            }
        };
        patch.insert("name".into(), Value::String(self.name.clone()));
        let summary: Map<String, Value> = self
            .summary
            .iter()
            .map(|(l, v)| (l.clone(), Value::String(v.clone())))
            .collect();
        patch.insert("summary".into(), Value::Object(summary));
        for (k, v) in [
            ("website", &self.website),
            ("email", &self.email),
            ("locality", &self.locality),
            ("region", &self.region),
            ("country", &self.country),
            ("legal_form", &self.legal_form),
        ] {
            patch.insert(k.into(), text(v));
        }
        for (k, v) in [("latitude", &self.latitude), ("longitude", &self.longitude)] {
            let v = v.trim().replace(',', ".");
            match v.parse::<f64>() {
                _ if v.is_empty() => {
                    patch.insert(k.into(), Value::Null);
                }
                Ok(n) if n.is_finite() => {
                    patch.insert(k.into(), serde_json::json!(n));
                }
                _ => errors.add(k, "is not a number"),
            }
        }
        for (k, v) in [("founded", &self.founded), ("workers", &self.workers)] {
            let v = v.trim();
            match v.parse::<i64>() {
                _ if v.is_empty() => {
                    patch.insert(k.into(), Value::Null);
                }
                Ok(n) => {
                    patch.insert(k.into(), serde_json::json!(n));
                }
                Err(_) => errors.add(k, "is not a whole number"),
            }
        }
        let list = |v: &str| {
            Value::Array(
                v.split([';', '\n'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_owned()))
                    .collect(),
            )
        };
        patch.insert("services".into(), list(&self.services));
        patch.insert("technologies".into(), list(&self.technologies));
        patch.insert("languages".into(), list(&self.languages));
        let mut links = Vec::new();
        for line in self.links.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match line.split_once(char::is_whitespace) {
                Some((kind, url)) => {
                    links.push(serde_json::json!({"kind": kind.trim(), "url": url.trim()}))
                }
                None => errors.add("links", format!("'{line}' is not KIND URL")),
            }
        }
        patch.insert("links".into(), Value::Array(links));
        patch.insert("listed".into(), Value::Bool(self.listed));
        patch.insert("contact_public".into(), Value::Bool(self.contact_public));
        errors.into_result(patch)
    }
}

/// Domain error keys (`summary.de`, `links[2].url`) as form field names.
fn form_errors(errors: FieldErrors) -> Errs {
    let mut out = FieldErrors::new();
    for (field, messages) in errors.iter() {
        let name = if let Some(lang) = field.strip_prefix("summary.") {
            format!("summary_{lang}")
        } else if field.starts_with("links") {
            "links".to_owned()
        } else {
            field.clone()
        };
        for m in messages {
            let m = if name != *field {
                format!("{field}: {m}")
            } else {
                m.clone()
            };
            out.add(name.clone(), m);
        }
    }
    Errs(out)
}

fn profile_form(ui: &Ui, slug: &str, csrf: &str, v: &Values, errs: &Errs) -> FormView {
    let t = ui.t;
    let mut fields = vec![
        Field::new("name", t.field_name, Kind::Text, v.name.clone())
            .required()
            .err(errs),
    ];
    for (lang, text) in &v.summary {
        fields.push(
            Field::new(
                &format!("summary_{lang}"),
                format!("{} {lang}", t.field_summary_in),
                Kind::TextArea,
                text.clone(),
            )
            .lang(lang)
            .err(errs),
        );
    }
    fields.extend([
        Field::new("website", t.field_website, Kind::Url, v.website.clone()).err(errs),
        Field::new("email", t.field_email, Kind::Email, v.email.clone()).err(errs),
        Field::new("contact_public", t.field_contact_public, Kind::Checkbox, "")
            .checked(v.contact_public)
            .hint(t.field_contact_public_hint)
            .err(errs),
        Field::new("locality", t.field_locality, Kind::Text, v.locality.clone()).err(errs),
        Field::new("region", t.field_region, Kind::Text, v.region.clone()).err(errs),
        Field::new("country", t.field_country, Kind::Text, v.country.clone())
            .hint(t.field_country_hint)
            .err(errs),
        Field::new(
            "latitude",
            t.field_latitude,
            Kind::Number,
            v.latitude.clone(),
        )
        .err(errs),
        Field::new(
            "longitude",
            t.field_longitude,
            Kind::Number,
            v.longitude.clone(),
        )
        .err(errs),
        Field::new("founded", t.field_founded, Kind::Number, v.founded.clone()).err(errs),
        Field::new("workers", t.field_workers, Kind::Number, v.workers.clone()).err(errs),
        Field::new(
            "legal_form",
            t.field_legal_form,
            Kind::Text,
            v.legal_form.clone(),
        )
        .err(errs),
        Field::new("services", t.field_services, Kind::Text, v.services.clone())
            .hint(t.list_hint)
            .err(errs),
        Field::new(
            "technologies",
            t.field_technologies,
            Kind::Text,
            v.technologies.clone(),
        )
        .hint(t.list_hint)
        .err(errs),
        Field::new(
            "languages",
            t.field_languages,
            Kind::Text,
            v.languages.clone(),
        )
        .hint(t.list_hint)
        .err(errs),
        Field::new("links", t.field_links, Kind::TextArea, v.links.clone())
            .hint(t.field_links_hint)
            .err(errs),
        Field::new("listed", t.field_listed, Kind::Checkbox, "")
            .checked(v.listed)
            .hint(t.field_listed_hint)
            .err(errs),
    ]);
    FormView::new(format!("/console/coops/{slug}"), csrf, t.save, fields)
}

struct EditorPage<'a> {
    coop: &'a Coop,
    values: Values,
    errs: Errs,
    logo_errs: Errs,
    notice: Option<&'static str>,
}

fn editor_page(
    ctx: &AppContext,
    ui: &Ui,
    s: &Session,
    status: StatusCode,
    p: EditorPage<'_>,
) -> Response {
    let t = ui.t;
    let slug = p.coop.slug.as_str();
    let own_logo = format!("{}/coops/{slug}/logo.png", ctx.base_url());
    let mut logo = Section::new("logo", t.logo);
    match &p.coop.profile.logo {
        Some(url) if url.as_str().starts_with(&own_logo) => {
            let path = url.as_str().trim_start_matches(&ctx.base_url()).to_owned();
            logo.image = Some((path, format!("{} {}", t.logo_current, p.coop.profile.name)));
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
                    .err(&p.logo_errs),
            ],
        )
        .multipart(),
    );
    if p.coop.profile.logo.is_some() {
        logo = logo.form(FormView::button(
            format!("/console/coops/{slug}/logo/delete"),
            &s.csrf_token,
            t.logo_remove,
        ));
    }
    let mut view = PageView::new(
        ui,
        Some(Nav::new(s, "coop")),
        &format!("{}: {}", t.editor_title, p.coop.profile.name),
    )
    .notice(p.notice)
    .errors(&p.errs)
    .errors(&p.logo_errs)
    .section(Section::new("", "").links(vec![
        (format!("/coops/{slug}"), t.view_public.into()),
        (format!("/console/coops/{slug}/posts"), t.news_posts.into()),
        (format!("/console/coops/{slug}/editors"), t.editors.into()),
    ]))
    .section(Section::new("profile", t.editor_title).form(profile_form(
        ui,
        slug,
        &s.csrf_token,
        &p.values,
        &p.errs,
    )))
    .section(logo);
    view.title = format!("{}: {}", t.editor_title, p.coop.profile.name);
    render(ui, status, &view)
}

/// The co-op `slug` when `s` may edit it; the page to answer otherwise.
async fn editable(ctx: &AppContext, ui: &Ui, s: &Session, slug: &str) -> Result<Coop, Response> {
    if s.scope_for(slug).is_none() {
        return Err(forbidden(ui));
    }
    coops::get(ctx, slug).await.map_err(|e| error(ui, e))
}

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
            notice: notice(ui.t, q.notice.as_deref()),
        },
    )
}

/// `POST /console/coops/{slug}`: saves through [`coops::update`] (federated as Update).
pub async fn update(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(slug): Path<String>,
    posted: Posted<super::auth::Empty>,
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
        Err(AppError::Invalid(errors)) => editor_page(
            &ctx,
            &ui,
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            EditorPage {
                coop: &coop,
                values,
                errs: form_errors(errors),
                logo_errs: Errs::default(),
                notice: None,
            },
        ),
        Err(e) => error(&ui, e),
    }
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
    if !super::same_origin(&headers) {
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
    posted: Posted<super::auth::Empty>,
) -> Response {
    if posted.session.scope_for(&slug).is_none() {
        return forbidden(&ui);
    }
    match logos::remove(&ctx, &posted.session, &slug).await {
        Ok(_) => see_other(&format!("/console/coops/{slug}?notice=logo_removed#logo")),
        Err(e) => error(&ui, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PostForm {
    content: String,
    action: String,
}

// The page is drawn in several states; a struct would only rename the arguments.
#[allow(clippy::too_many_arguments)]
async fn posts_page(
    ctx: &AppContext,
    ui: &Ui,
    s: &Session,
    slug: &str,
    status: StatusCode,
    content: &str,
    preview: Option<String>,
    errs: &Errs,
    notice_text: Option<&'static str>,
) -> Response {
    let t = ui.t;
    let coop = match editable(ctx, ui, s, slug).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let list = match posts::list(ctx, &PostAuthor::Coop(slug.to_owned()), 50, 0).await {
        Ok((items, _)) => items,
        Err(e) => return error(ui, e),
    };
    let form = FormView::new(
        format!("/console/coops/{slug}/posts"),
        &s.csrf_token,
        t.publish,
        vec![
            Field::new("content", t.post_content, Kind::TextArea, content)
                .hint(t.post_hint)
                .err(errs),
        ],
    )
    .action_value("publish")
    .extra_button("preview", t.preview);
    let mut table = Table::new(vec![t.submitted, t.posts_title], t.no_posts);
    for p in &list {
        let text: String = p.record.content.chars().take(120).collect();
        table.row(
            vec![
                Cell::link(
                    p.record.published_at.format("%Y-%m-%d %H:%M").to_string(),
                    p.url.to_string(),
                ),
                Cell::text(text),
            ],
            vec![
                FormView::button(
                    format!("/console/coops/{slug}/posts/{}/delete", p.record.public_id),
                    &s.csrf_token,
                    t.delete,
                )
                .danger(),
            ],
        );
    }
    let mut view = PageView::new(
        ui,
        Some(Nav::new(s, "coop")),
        &format!("{}: {}", t.posts_title, coop.profile.name),
    )
    .notice(notice_text)
    .errors(errs);
    if let Some(html) = preview {
        let mut sec = Section::new("preview", t.preview_title);
        sec.html = Some(html);
        view = view.section(sec);
    }
    view = view
        .section(Section::new("write", t.post_content).form(form))
        .section(Section::new("posts", t.posts_title).table(table));
    render(ui, status, &view)
}

/// `GET /console/coops/{slug}/posts`
pub async fn posts_index(
    State(ctx): State<AppContext>,
    ui: Ui,
    Auth(s): Auth,
    Path(slug): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let n = notice(ui.t, q.notice.as_deref());
    posts_page(
        &ctx,
        &ui,
        &s,
        &slug,
        StatusCode::OK,
        "",
        None,
        &Errs::default(),
        n,
    )
    .await
}

/// `POST /console/coops/{slug}/posts`: `action=preview` shows the rendering,
/// `action=publish` publishes through [`posts::create`] (federated as Create).
pub async fn posts_create(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(slug): Path<String>,
    posted: Posted<PostForm>,
) -> Response {
    let s = &posted.session;
    let Some(scope) = s.scope_for(&slug) else {
        return forbidden(&ui);
    };
    let f = &posted.form;
    if f.action == "preview" {
        let html = markdown_to_html(f.content.trim());
        return posts_page(
            &ctx,
            &ui,
            s,
            &slug,
            StatusCode::OK,
            &f.content,
            Some(html),
            &Errs::default(),
            None,
        )
        .await;
    }
    match posts::create(&ctx, &scope, &PostAuthor::Coop(slug.clone()), &f.content).await {
        Ok(_) => see_other(&format!("/console/coops/{slug}/posts?notice=published")),
        Err(AppError::Invalid(errors)) => {
            posts_page(
                &ctx,
                &ui,
                s,
                &slug,
                StatusCode::UNPROCESSABLE_ENTITY,
                &f.content,
                None,
                &Errs(errors),
                None,
            )
            .await
        }
        Err(e) => error(&ui, e),
    }
}

/// `POST /console/coops/{slug}/posts/{id}/delete` (federated as Delete).
pub async fn posts_delete(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path((slug, id)): Path<(String, String)>,
    posted: Posted<super::auth::Empty>,
) -> Response {
    let Some(scope) = posted.session.scope_for(&slug) else {
        return forbidden(&ui);
    };
    // The post must belong to this co-op (an admin scope would reach any post).
    if let Err(e) = posts::get(&ctx, &PostAuthor::Coop(slug.clone()), &id).await {
        return error(&ui, e);
    }
    match posts::delete(&ctx, &scope, &id).await {
        Ok(()) => see_other(&format!("/console/coops/{slug}/posts?notice=deleted")),
        Err(e) => error(&ui, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteEditorForm {
    email: String,
}

// The page is drawn in several states; a struct would only rename the arguments.
#[allow(clippy::too_many_arguments)]
async fn editors_page(
    ctx: &AppContext,
    ui: &Ui,
    s: &Session,
    slug: &str,
    status: StatusCode,
    link: Option<String>,
    errs: &Errs,
    notice_text: Option<&'static str>,
) -> Response {
    let t = ui.t;
    let coop = match editable(ctx, ui, s, slug).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let editors = match accounts::editors(ctx, s, slug).await {
        Ok(e) => e,
        Err(e) => return error(ui, e),
    };
    let invites = match accounts::invites(ctx, s, Some(slug)).await {
        Ok(i) => i,
        Err(e) => return error(ui, e),
    };
    let mut table = Table::new(vec![t.display_name, t.email], t.no_coops);
    for a in &editors {
        let forms = if a.id == s.account.id {
            Vec::new()
        } else {
            vec![
                FormView::button(
                    format!("/console/coops/{slug}/editors/{}/remove", a.id),
                    &s.csrf_token,
                    t.remove,
                )
                .danger(),
            ]
        };
        table.row(
            vec![
                Cell::text(a.display_name.clone()),
                Cell::text(a.email.clone()),
            ],
            forms,
        );
    }
    let mut inv = Table::new(vec![t.invite_for, t.expires, t.state], t.no_invites);
    for i in invites.iter().filter(|i| i.role == Role::Editor) {
        inv.row(
            vec![
                Cell::text(i.email.clone().unwrap_or_else(|| t.none.to_owned())),
                Cell::text(i.expires_at.format("%Y-%m-%d %H:%M").to_string()),
                Cell::text(if i.used_at.is_some() {
                    t.used
                } else {
                    t.status_pending
                }),
            ],
            Vec::new(),
        );
    }
    let form = FormView::new(
        format!("/console/coops/{slug}/editors"),
        &s.csrf_token,
        t.invite_create,
        vec![Field::new("email", t.invite_email_optional, Kind::Email, "").err(errs)],
    );
    let mut view = PageView::new(
        ui,
        Some(Nav::new(s, "coop")),
        &format!("{}: {}", t.editors_title, coop.profile.name),
    )
    .intro(t.editors_intro)
    .notice(notice_text)
    .errors(errs);
    if let Some(link) = link {
        view = view.secret(t.invite_link_once, link);
    }
    view = view
        .section(Section::new("editors", t.editors_title).table(table))
        .section(Section::new("invite", t.invite_editor).form(form))
        .section(Section::new("invites", t.invites_pending).table(inv));
    render(ui, status, &view)
}

/// `GET /console/coops/{slug}/editors`
pub async fn editors(
    State(ctx): State<AppContext>,
    ui: Ui,
    Auth(s): Auth,
    Path(slug): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let n = notice(ui.t, q.notice.as_deref());
    editors_page(
        &ctx,
        &ui,
        &s,
        &slug,
        StatusCode::OK,
        None,
        &Errs::default(),
        n,
    )
    .await
}

/// `POST /console/coops/{slug}/editors`: a one-time editor invite, shown once.
pub async fn invite_editor(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(slug): Path<String>,
    posted: Posted<InviteEditorForm>,
) -> Response {
    let s = &posted.session;
    if s.scope_for(&slug).is_none() {
        return forbidden(&ui);
    }
    let email = Some(posted.form.email.as_str()).filter(|e| !e.trim().is_empty());
    match accounts::invite(&ctx, Some(s), Role::Editor, Some(&slug), email).await {
        Ok(link) => {
            editors_page(
                &ctx,
                &ui,
                s,
                &slug,
                StatusCode::OK,
                Some(link.url),
                &Errs::default(),
                None,
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            editors_page(
                &ctx,
                &ui,
                s,
                &slug,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &Errs(errors),
                None,
            )
            .await
        }
        Err(e) => error(&ui, e),
    }
}

/// `POST /console/coops/{slug}/editors/{id}/remove`
pub async fn remove_editor(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path((slug, id)): Path<(String, i64)>,
    posted: Posted<super::auth::Empty>,
) -> Response {
    match accounts::remove_editor(&ctx, &posted.session, &slug, id).await {
        Ok(()) => see_other(&format!("/console/coops/{slug}/editors?notice=done")),
        Err(e) => error(&ui, e),
    }
}
