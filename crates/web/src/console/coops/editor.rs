//! `/console/coops/{slug}`: the co-op editor page (profile and logo) and saving the profile.
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::accounts::Session;
use coopnet_app::{AppContext, AppError, coops};
use coopnet_core::Coop;

use super::editable;
use super::logo::logo_section;
use super::profile::{Values, form_errors, profile_form};
use crate::console::auth::Empty;
use crate::console::{
    Auth, Errs, Nav, NoticeQuery, PageView, Posted, Section, Ui, error, forbidden, notice, render,
    see_other,
};

/// What the editor page shows of a co-op, with the errors of its two forms.
pub(super) struct EditorPage<'a> {
    pub coop: &'a Coop,
    pub values: Values,
    pub errs: Errs,
    pub logo_errs: Errs,
    pub notice: Option<&'static str>,
}

pub(super) fn editor_page(
    ctx: &AppContext,
    ui: &Ui,
    s: &Session,
    status: StatusCode,
    p: EditorPage<'_>,
) -> Response {
    let t = ui.t;
    let slug = p.coop.slug.as_str();
    let view = PageView::new(
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
    .section(logo_section(ctx, ui, s, p.coop, &p.logo_errs));
    render(ui, status, &view)
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
