//! The co-op editor page as drawn: the profile form and the logo section, with the errors
//! of each. Both the profile handlers (`editor.rs`) and the logo handlers (`logo.rs`) draw
//! it, so it lives apart from both.
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::AppContext;
use coopnet_app::accounts::Session;
use coopnet_core::Coop;

use super::profile::{Values, profile_form};
use crate::console::{Errs, Field, FormView, Kind, Nav, PageView, Section, Ui, render};

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

/// The logo section of the editor: the current logo, the upload form and its errors.
fn logo_section(ctx: &AppContext, ui: &Ui, s: &Session, coop: &Coop, errs: &Errs) -> Section {
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
