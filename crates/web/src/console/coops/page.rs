//! The co-op editor page as drawn: the profile form, the logo section and the linked
//! fediverse account (its state and the link/unlink forms), with the errors of each. The
//! profile handlers (`editor.rs`), the logo handlers (`logo.rs`) and the link handlers
//! (`linked.rs`) all draw it, so it lives apart from them.
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::accounts::Session;
use coopnet_app::coops::{self, LinkState};
use coopnet_app::{AppContext, AppError};
use coopnet_core::{Coop, FollowState};

use super::profile::{Values, profile_form};
use crate::console::{Errs, Field, FormView, Kind, Nav, PageView, Section, Ui, render};

/// What the editor page shows of a co-op, with the errors of its two forms.
pub(super) struct EditorPage<'a> {
    pub coop: &'a Coop,
    pub values: Values,
    pub errs: Errs,
    pub logo_errs: Errs,
    pub link: LinkForm,
    pub notice: Option<&'static str>,
}

/// The link form as posted (the account typed, its errors), when it is drawn again.
#[derive(Default)]
pub(super) struct LinkForm {
    pub value: String,
    pub errs: Errs,
}

pub(super) async fn editor_page(
    ctx: &AppContext,
    ui: &Ui,
    s: &Session,
    status: StatusCode,
    p: EditorPage<'_>,
) -> Response {
    let t = ui.t;
    let slug = p.coop.slug.as_str();
    let Some(scope) = s.scope_for(slug) else {
        return crate::console::forbidden(ui);
    };
    let link = match coops::linked_account(ctx, &scope, slug).await {
        Ok(link) => link,
        Err(e) => return crate::console::error(ui, e),
    };
    let view = PageView::new(
        ui,
        Some(Nav::new(s, "coop")),
        &format!("{}: {}", t.editor_title, p.coop.profile.name),
    )
    .notice(p.notice)
    .errors(&p.errs)
    .errors(&p.logo_errs)
    .errors(&p.link.errs)
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
    .section(logo_section(ctx, ui, s, p.coop, &p.logo_errs))
    .section(linked_section(ctx, ui, s, p.coop, link.as_ref(), &p.link));
    render(ui, status, &view)
}

/// The linked account section: what linking does and how to prove the account is the
/// co-op's, the account linked and where our follow of it stands, the link form (to link
/// or replace) and the unlink button.
fn linked_section(
    ctx: &AppContext,
    ui: &Ui,
    s: &Session,
    coop: &Coop,
    link: Option<&LinkState>,
    form: &LinkForm,
) -> Section {
    let t = ui.t;
    let slug = coop.slug.as_str();
    let profile = ctx.fed().urls.coop(slug);
    let mut section = Section::new("fediverse", t.linked_title)
        .intro(t.linked_intro)
        .intro(t.linked_proof.replace("{profile}", profile.as_str()));
    if let Some(link) = link {
        let state = match link.follow {
            Some(FollowState::Accepted) => t.link_following,
            Some(FollowState::Pending) => t.link_pending,
            Some(FollowState::Rejected) => t.link_rejected,
            None => t.link_not_followed,
        };
        section = section
            .intro(
                t.linked_as
                    .replace("{account}", &format!("@{}", link.account.handle)),
            )
            .intro(state);
    }
    section = section.form(FormView::new(
        format!("/console/coops/{slug}/link"),
        &s.csrf_token,
        t.link_button,
        vec![
            Field::new("account", t.linked_field, Kind::Text, form.value.clone())
                .hint(t.link_hint)
                .required()
                .err(&form.errs),
        ],
    ));
    if link.is_some() {
        section = section.form(
            FormView::button(
                format!("/console/coops/{slug}/unlink"),
                &s.csrf_token,
                t.unlink_button,
            )
            .danger(),
        );
    }
    section
}

/// Field errors of a failed link for the form; `None` when the failure is not the
/// account's (the caller shows the error page).
pub(super) fn link_errors(e: AppError) -> Result<Errs, AppError> {
    match e {
        AppError::Invalid(errors) => Ok(Errs(errors)),
        AppError::Conflict(message) => {
            Ok(Errs(coopnet_core::FieldErrors::single("account", message)))
        }
        // Our own words about the remote server (never its answer): see `AppError::Remote`.
        remote @ AppError::Remote { .. } => Ok(Errs(coopnet_core::FieldErrors::single(
            "account",
            remote.to_string(),
        ))),
        other => Err(other),
    }
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
