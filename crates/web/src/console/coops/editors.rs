//! `/console/coops/{slug}/editors`: a co-op's editor accounts, inviting and removing them.
use axum::extract::{Path, Query, State};
use axum::response::Response;
use coopnet_app::accounts::{self, Session};
use coopnet_app::{AppContext, AppError};
use coopnet_core::Role;
use serde::Deserialize;

use super::editable;
use crate::console::auth::Empty;
use crate::console::{
    Auth, Cell, Field, FormState, FormView, Kind, Nav, NoticeQuery, PageView, Posted, Section,
    Table, Ui, date, error, forbidden, render, see_other,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteEditorForm {
    email: String,
}

async fn editors_page(
    ctx: &AppContext,
    ui: &Ui,
    s: &Session,
    slug: &str,
    state: FormState,
) -> Response {
    let t = ui.t;
    let errs = &state.errs;
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
                Cell::text(date(i.expires_at)),
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
    let view = PageView::new(
        ui,
        Some(Nav::new(s, "coop")),
        &format!("{}: {}", t.editors_title, coop.profile.name),
    )
    .intro(t.editors_intro)
    .notice(state.notice)
    .errors(errs)
    .secret(t.invite_link_once, state.secret)
    .section(Section::new("editors", t.editors_title).table(table))
    .section(Section::new("invite", t.invite_editor).form(form))
    .section(Section::new("invites", t.invites_pending).table(inv));
    render(ui, state.status, &view)
}

/// `GET /console/coops/{slug}/editors`
pub async fn editors(
    State(ctx): State<AppContext>,
    ui: Ui,
    Auth(s): Auth,
    Path(slug): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let state = FormState::fresh(ui.t, q.notice.as_deref());
    editors_page(&ctx, &ui, &s, &slug, state).await
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
    let state = match accounts::invite(&ctx, Some(s), Role::Editor, Some(&slug), email).await {
        Ok(link) => FormState::secret(link.url),
        Err(AppError::Invalid(errors)) => FormState::invalid(errors),
        Err(e) => return error(&ui, e),
    };
    editors_page(&ctx, &ui, s, &slug, state).await
}

/// `POST /console/coops/{slug}/editors/{id}/remove`
pub async fn remove_editor(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path((slug, id)): Path<(String, i64)>,
    posted: Posted<Empty>,
) -> Response {
    match accounts::remove_editor(&ctx, &posted.session, &slug, id).await {
        Ok(()) => see_other(&format!("/console/coops/{slug}/editors?notice=done")),
        Err(e) => error(&ui, e),
    }
}
