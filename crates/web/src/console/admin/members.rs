//! `/console/admin/members`: this network's co-ops (paged), adding and removing one, and the
//! history of joins and departures.
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::accounts::Session;
use coopnet_app::coops::Visibility;
use coopnet_app::{AppContext, AppError, coops, members};
use coopnet_core::{Coop, CoopInput, FieldErrors};
use serde::Deserialize;

use super::{Admin, ReasonForm, admin_only};
use crate::console::{
    Cell, Field, FormState, FormView, Kind, Nav, PageView, PagedQuery, Pager, Posted, Section,
    Table, Ui, date, error, page_count, page_number, render, see_other,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddMemberForm {
    slug: String,
    name: String,
    country: String,
    website: String,
}

/// Co-ops per page of the members list.
pub const MEMBERS_PAGE_SIZE: u64 = 50;

/// Page `page` of this network's co-ops, by name; a page past the end shows the last one.
async fn members_at(
    ctx: &AppContext,
    page: u64,
) -> Result<(coopnet_core::Page<Coop>, u64, u64), AppError> {
    let size = MEMBERS_PAGE_SIZE;
    let offset = |p: u64| (p - 1).saturating_mul(size);
    let list = coops::list(ctx, Visibility::All, size, offset(page)).await?;
    let pages = page_count(list.total, size);
    if page <= pages {
        return Ok((list, page, pages));
    }
    let list = coops::list(ctx, Visibility::All, size, offset(pages)).await?;
    let pages = page_count(list.total, size);
    Ok((list, pages.min(page), pages))
}

async fn members_page(
    ctx: &AppContext,
    ui: &Ui,
    s: &Session,
    page: u64,
    add: &AddMemberForm,
    state: FormState,
) -> Response {
    let t = ui.t;
    let errs = &state.errs;
    let (list, history) = match (members_at(ctx, page).await, members::history(ctx, s).await) {
        (Ok(a), Ok(h)) => (a, h),
        (Err(e), _) | (_, Err(e)) => return error(ui, e),
    };
    let (list, page, pages) = list;
    let pager = Pager::new(
        ui,
        "/console/admin/members",
        page,
        pages,
        t.members_total.replace("{total}", &list.total.to_string()),
    );
    let all = list.items;
    let mut table = Table::new(
        vec![t.field_name, t.slug, t.field_listed, t.editors],
        t.no_coops,
    );
    for c in &all {
        let slug = c.slug.as_str();
        table.row(
            vec![
                Cell::link(c.profile.name.clone(), format!("/console/coops/{slug}")),
                Cell::link(slug, format!("/coops/{slug}")),
                Cell::text(if c.profile.listed {
                    t.listed
                } else {
                    t.unlisted
                }),
                Cell::link(t.editors, format!("/console/coops/{slug}/editors")),
            ],
            vec![
                FormView::new(
                    format!("/console/admin/members/{slug}/remove"),
                    &s.csrf_token,
                    t.remove,
                    vec![Field::new("reason", t.member_remove_reason, Kind::Text, "")],
                )
                .inline()
                .prefixed(slug)
                .danger(),
            ],
        );
    }
    let form = FormView::new(
        "/console/admin/members",
        &s.csrf_token,
        t.add,
        vec![
            Field::new("slug", t.slug, Kind::Text, add.slug.clone())
                .hint(t.slug_hint)
                .required()
                .err(errs),
            Field::new("name", t.field_name, Kind::Text, add.name.clone())
                .required()
                .err(errs),
            Field::new("country", t.field_country, Kind::Text, add.country.clone())
                .hint(t.field_country_hint)
                .err(errs),
            Field::new("website", t.field_website, Kind::Url, add.website.clone()).err(errs),
        ],
    );
    let mut hist = Table::new(vec![t.submitted, t.field_name, t.state, t.reason], t.none);
    for h in &history {
        hist.row(
            vec![
                Cell::text(date(h.at)),
                Cell::text(format!("{} ({})", h.name, h.slug)),
                Cell::text(if h.joined { t.joined } else { t.left }),
                Cell::text(h.reason.clone().unwrap_or_default()),
            ],
            Vec::new(),
        );
    }
    let view = PageView::new(ui, Some(Nav::new(s, "members")), t.members_title)
        .notice(state.notice)
        .errors(errs)
        .section(
            Section::new("members", t.members_title)
                .table(table)
                .pager(pager),
        )
        .section(Section::new("add", t.members_add).form(form))
        .section(Section::new("history", t.members_history).table(hist));
    render(ui, state.status, &view)
}

/// `GET /console/admin/members?page=N` (50 co-ops a page, by name)
pub async fn members(
    State(ctx): State<AppContext>,
    ui: Ui,
    Admin(s): Admin,
    Query(q): Query<PagedQuery>,
) -> Response {
    let state = FormState::fresh(ui.t, q.notice.as_deref());
    let page = page_number(q.page.as_deref());
    members_page(&ctx, &ui, &s, page, &AddMemberForm::default(), state).await
}

/// `POST /console/admin/members`: adds a co-op through [`coops::create`].
pub async fn add_member(
    State(ctx): State<AppContext>,
    ui: Ui,
    posted: Posted<AddMemberForm>,
) -> Response {
    let s = &posted.session;
    if let Some(r) = admin_only(&ui, s) {
        return r;
    }
    let f = &posted.form;
    let blank = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_owned());
    let input = CoopInput {
        name: f.name.clone(),
        country: blank(&f.country),
        website: blank(&f.website),
        ..CoopInput::blank(f.slug.trim())
    };
    let result = coops::create(&ctx, &input).await;
    let state = match result {
        Ok(c) => return see_other(&format!("/console/coops/{}?notice=saved", c.slug)),
        Err(AppError::Invalid(errors)) => FormState::invalid(errors),
        Err(AppError::Conflict(m)) => {
            FormState::errors(StatusCode::CONFLICT, FieldErrors::single("slug", m))
        }
        Err(e) => return error(&ui, e),
    };
    members_page(&ctx, &ui, s, 1, f, state).await
}

/// `POST /console/admin/members/{slug}/remove` (reason required).
pub async fn remove_member(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(slug): Path<String>,
    posted: Posted<ReasonForm>,
) -> Response {
    match members::remove(&ctx, &posted.session, &slug, &posted.form.reason).await {
        Ok(()) => see_other("/console/admin/members?notice=removed"),
        Err(e) => error(&ui, e),
    }
}
