//! `/console/admin/invites`: one-time invite links for admins and editors, and the accounts
//! they made (deleted here).
use axum::extract::{Path, Query, State};
use axum::response::Response;
use coopnet_app::accounts::{self, Session};
use coopnet_app::{AppContext, AppError};
use coopnet_core::{FieldErrors, Role};
use serde::Deserialize;

use super::{Admin, admin_only, unknown_coop};
use crate::console::auth::Empty;
use crate::console::{
    Cell, Field, FormState, FormView, Kind, Nav, NoticeQuery, PageView, Posted, Section, Table, Ui,
    date, error, render, see_other,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    role: String,
    coop: String,
    email: String,
}

async fn invites_page(
    ctx: &AppContext,
    ui: &Ui,
    s: &Session,
    form: &InviteForm,
    state: FormState,
) -> Response {
    let t = ui.t;
    let errs = &state.errs;
    let (invites, accounts_list) = match (
        accounts::invites(ctx, s, None).await,
        accounts::list(ctx, s).await,
    ) {
        (Ok(i), Ok(a)) => (i, a),
        (Err(e), _) | (_, Err(e)) => return error(ui, e),
    };
    let role_name = |r: Role| match r {
        Role::Admin => t.role_admin,
        Role::Editor => t.role_editor,
    };
    let now = chrono::Utc::now();
    let mut inv = Table::new(
        vec![
            t.invite_role,
            t.invite_coop,
            t.invite_for,
            t.expires,
            t.state,
        ],
        t.no_invites,
    );
    for i in &invites {
        let state = if i.used_at.is_some() {
            t.used
        } else if i.expires_at <= now {
            t.expires
        } else {
            t.status_pending
        };
        let forms = if i.used_at.is_none() {
            vec![
                FormView::button(
                    format!("/console/admin/invites/{}/revoke", i.id),
                    &s.csrf_token,
                    t.token_revoke,
                )
                .danger(),
            ]
        } else {
            Vec::new()
        };
        inv.row(
            vec![
                Cell::text(role_name(i.role)),
                Cell::text(i.coop_slug.clone().unwrap_or_default()),
                Cell::text(i.email.clone().unwrap_or_default()),
                Cell::text(date(i.expires_at)),
                Cell::text(state),
            ],
            forms,
        );
    }
    let mut acc = Table::new(
        vec![t.display_name, t.email, t.invite_role, t.created],
        t.none,
    );
    for a in &accounts_list {
        let forms = if a.id == s.account.id {
            Vec::new()
        } else {
            vec![
                FormView::button(
                    format!("/console/admin/accounts/{}/delete", a.id),
                    &s.csrf_token,
                    t.account_delete,
                )
                .danger(),
            ]
        };
        acc.row(
            vec![
                Cell::text(a.display_name.clone()),
                Cell::text(a.email.clone()),
                Cell::text(role_name(a.role)),
                Cell::text(date(a.created_at)),
            ],
            forms,
        );
    }
    let create = FormView::new(
        "/console/admin/invites",
        &s.csrf_token,
        t.invite_create,
        vec![
            Field::new(
                "role",
                t.invite_role,
                Kind::Select,
                if form.role.is_empty() {
                    "editor".to_owned()
                } else {
                    form.role.clone()
                },
            )
            .options(vec![
                ("editor".into(), t.role_editor.into()),
                ("admin".into(), t.role_admin.into()),
            ])
            .err(errs),
            Field::new("coop", t.invite_coop, Kind::Text, form.coop.clone()).err(errs),
            Field::new(
                "email",
                t.invite_email_optional,
                Kind::Email,
                form.email.clone(),
            )
            .err(errs),
        ],
    );
    let view = PageView::new(ui, Some(Nav::new(s, "invites")), t.nav_invites)
        .notice(state.notice)
        .errors(errs)
        .secret(t.invite_link_once, state.secret)
        .section(Section::new("create", t.invite_create).form(create))
        .section(Section::new("invites", t.invites_title).table(inv))
        .section(Section::new("accounts", t.accounts_title).table(acc));
    render(ui, state.status, &view)
}

/// `GET /console/admin/invites`
pub async fn invites(
    State(ctx): State<AppContext>,
    ui: Ui,
    Admin(s): Admin,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let state = FormState::fresh(ui.t, q.notice.as_deref());
    invites_page(&ctx, &ui, &s, &InviteForm::default(), state).await
}

/// `POST /console/admin/invites`: the one-time link is shown once.
pub async fn invites_create(
    State(ctx): State<AppContext>,
    ui: Ui,
    posted: Posted<InviteForm>,
) -> Response {
    let s = &posted.session;
    if let Some(r) = admin_only(&ui, s) {
        return r;
    }
    let f = &posted.form;
    let role: Role = match f.role.parse() {
        Ok(r) => r,
        Err(m) => {
            let state = FormState::invalid(FieldErrors::single("role", m));
            return invites_page(&ctx, &ui, s, f, state).await;
        }
    };
    let coop = Some(f.coop.as_str());
    let email = Some(f.email.as_str());
    let blank = InviteForm::default();
    let (form, state) = match accounts::invite(&ctx, Some(s), role, coop, email).await {
        Ok(link) => (&blank, FormState::secret(link.url)),
        Err(AppError::Invalid(errors)) => (f, FormState::invalid(errors)),
        Err(AppError::NotFound(m) | AppError::Gone(m)) => (f, unknown_coop(&m)),
        Err(e) => return error(&ui, e),
    };
    invites_page(&ctx, &ui, s, form, state).await
}

/// `POST /console/admin/invites/{id}/revoke`
pub async fn invites_revoke(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(id): Path<i64>,
    posted: Posted<Empty>,
) -> Response {
    match accounts::revoke_invite(&ctx, &posted.session, id).await {
        Ok(()) => see_other("/console/admin/invites?notice=done"),
        Err(e) => error(&ui, e),
    }
}

/// `POST /console/admin/accounts/{id}/delete`
pub async fn account_delete(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(id): Path<i64>,
    posted: Posted<Empty>,
) -> Response {
    match accounts::delete(&ctx, &posted.session, id).await {
        Ok(()) => see_other("/console/admin/invites?notice=account_deleted"),
        Err(e) => error(&ui, e),
    }
}
