//! `/console/admin/tokens`: API tokens for the admin API, created (the secret shown once) and
//! revoked.
use axum::extract::{Path, Query, State};
use axum::response::Response;
use coopnet_app::accounts::Session;
use coopnet_app::{AppContext, AppError, tokens};
use serde::Deserialize;

use super::{Admin, admin_only, unknown_coop};
use crate::console::auth::Empty;
use crate::console::{
    Cell, Field, FormState, FormView, Kind, Nav, NoticeQuery, PageView, Posted, Section, Table, Ui,
    date, error, render, see_other,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    label: String,
    coop: String,
}

async fn tokens_page(ctx: &AppContext, ui: &Ui, s: &Session, state: FormState) -> Response {
    let t = ui.t;
    let errs = &state.errs;
    let list = match tokens::list(ctx).await {
        Ok(l) => l,
        Err(e) => return error(ui, e),
    };
    let mut table = Table::new(
        vec!["#", t.token_label, t.invite_coop, t.state, t.created],
        t.no_tokens,
    );
    for tok in &list {
        let forms = if tok.revoked_at.is_none() {
            vec![
                FormView::button(
                    format!("/console/admin/tokens/{}/revoke", tok.id),
                    &s.csrf_token,
                    t.token_revoke,
                )
                .danger(),
            ]
        } else {
            Vec::new()
        };
        table.row(
            vec![
                Cell::text(tok.id.to_string()),
                Cell::text(tok.label.clone()),
                Cell::text(
                    tok.coop_slug
                        .clone()
                        .unwrap_or_else(|| t.role_admin.to_owned()),
                ),
                Cell::text(if tok.revoked_at.is_some() {
                    t.token_revoked
                } else {
                    t.token_active
                }),
                Cell::text(date(tok.created_at)),
            ],
            forms,
        );
    }
    let form = FormView::new(
        "/console/admin/tokens",
        &s.csrf_token,
        t.token_create,
        vec![
            Field::new("label", t.token_label, Kind::Text, "").err(errs),
            Field::new("coop", t.invite_coop, Kind::Text, "")
                .hint(t.token_coop_hint)
                .err(errs),
        ],
    );
    let view = PageView::new(ui, Some(Nav::new(s, "tokens")), t.tokens_title)
        .notice(state.notice)
        .errors(errs)
        .secret(t.token_secret_once, state.secret)
        .section(Section::new("tokens", "").table(table))
        .section(Section::new("create", t.token_create).form(form));
    render(ui, state.status, &view)
}

/// `GET /console/admin/tokens`
pub async fn tokens_index(
    State(ctx): State<AppContext>,
    ui: Ui,
    Admin(s): Admin,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let state = FormState::fresh(ui.t, q.notice.as_deref());
    tokens_page(&ctx, &ui, &s, state).await
}

/// `POST /console/admin/tokens`: the secret is shown once.
pub async fn tokens_create(
    State(ctx): State<AppContext>,
    ui: Ui,
    posted: Posted<TokenForm>,
) -> Response {
    let s = &posted.session;
    if let Some(r) = admin_only(&ui, s) {
        return r;
    }
    let f = &posted.form;
    let coop = Some(f.coop.trim()).filter(|c| !c.is_empty());
    let state = match tokens::create(&ctx, coop, &f.label).await {
        Ok(new) => FormState::secret(new.secret),
        Err(AppError::NotFound(m) | AppError::Gone(m)) => unknown_coop(&m),
        Err(e) => return error(&ui, e),
    };
    tokens_page(&ctx, &ui, s, state).await
}

/// `POST /console/admin/tokens/{id}/revoke`
pub async fn tokens_revoke(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(id): Path<i64>,
    posted: Posted<Empty>,
) -> Response {
    if let Some(r) = admin_only(&ui, &posted.session) {
        return r;
    }
    match tokens::revoke(&ctx, id).await {
        Ok(()) => see_other("/console/admin/tokens?notice=token_revoked"),
        Err(e) => error(&ui, e),
    }
}
