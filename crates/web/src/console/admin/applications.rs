//! `/console/admin/applications`: join applications from `/apply`, approved or rejected.
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::accounts::Session;
use coopnet_app::{AppContext, applications};
use coopnet_core::ApplicationStatus;

use super::{Admin, ReasonForm};
use crate::console::auth::Empty;
use crate::console::{
    Cell, Field, FormView, Kind, Nav, NoticeQuery, PageView, Posted, Section, Table, Ui, date,
    error, notice, render, see_other,
};

async fn applications_page(
    ctx: &AppContext,
    ui: &Ui,
    s: &Session,
    secret: Option<String>,
    notice_text: Option<&'static str>,
) -> Response {
    let t = ui.t;
    let list = match applications::list(ctx, s).await {
        Ok(l) => l,
        Err(e) => return error(ui, e),
    };
    let mut table = Table::new(
        vec![
            t.submitted,
            t.field_name,
            t.slug,
            t.field_website,
            t.field_country,
            t.field_summary,
            t.applicant,
            t.message,
            t.state,
        ],
        t.no_applications,
    );
    for a in &list {
        let i = &a.input;
        let status = match a.status {
            ApplicationStatus::Pending => t.status_pending.to_owned(),
            ApplicationStatus::Approved => t.status_approved.to_owned(),
            ApplicationStatus::Rejected => format!(
                "{}: {}",
                t.status_rejected,
                a.reason.clone().unwrap_or_default()
            ),
        };
        let forms = if a.status == ApplicationStatus::Pending {
            vec![
                FormView::button(
                    format!("/console/admin/applications/{}/approve", a.id),
                    &s.csrf_token,
                    t.approve,
                ),
                FormView::new(
                    format!("/console/admin/applications/{}/reject", a.id),
                    &s.csrf_token,
                    t.reject,
                    vec![Field::new("reason", t.reason, Kind::Text, "")],
                )
                .inline()
                .prefixed(&a.id.to_string())
                .danger(),
            ]
        } else {
            Vec::new()
        };
        table.row(
            vec![
                Cell::text(date(a.created_at)),
                Cell::text(i.name.clone()),
                Cell::text(i.slug.clone()),
                Cell::text(i.website.clone()),
                Cell::text(i.country.clone()),
                Cell::text(format!("[{}] {}", i.summary_lang, i.summary)),
                Cell::text(format!("{} <{}>", i.applicant_name, i.contact_email)),
                Cell::text(i.message.clone()),
                Cell::text(status),
            ],
            forms,
        );
    }
    let view = PageView::new(ui, Some(Nav::new(s, "applications")), t.applications_title)
        .notice(notice_text)
        .secret(t.approved_invite, secret)
        .section(Section::new("applications", "").table(table));
    render(ui, StatusCode::OK, &view)
}

/// `GET /console/admin/applications`
pub async fn applications(
    State(ctx): State<AppContext>,
    ui: Ui,
    Admin(s): Admin,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let n = notice(ui.t, q.notice.as_deref());
    applications_page(&ctx, &ui, &s, None, n).await
}

/// `POST /console/admin/applications/{id}/approve`: the co-op is created (and federates),
/// the applicant's one-time editor link is shown.
pub async fn approve(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(id): Path<i64>,
    posted: Posted<Empty>,
) -> Response {
    match applications::approve(&ctx, &posted.session, id).await {
        Ok((_, invite)) => {
            applications_page(&ctx, &ui, &posted.session, Some(invite.url), None).await
        }
        Err(e) => error(&ui, e),
    }
}

/// `POST /console/admin/applications/{id}/reject`
pub async fn reject(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(id): Path<i64>,
    posted: Posted<ReasonForm>,
) -> Response {
    match applications::reject(&ctx, &posted.session, id, &posted.form.reason).await {
        Ok(()) => see_other("/console/admin/applications?notice=rejected"),
        Err(e) => error(&ui, e),
    }
}
