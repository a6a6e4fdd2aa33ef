//! Admin pages: members, applications, federation, the delivery queue, API tokens, invites
//! and accounts. Every page and action needs an admin account (403 otherwise).
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::accounts::{self, Session};
use coopnet_app::coops::Visibility;
use coopnet_app::{AppContext, AppError, applications, coops, federation, members, queue, tokens};
use coopnet_core::{ApplicationStatus, Coop, CoopInput, FieldErrors, Role};
use serde::Deserialize;

use super::{
    Auth, Cell, Errs, Field, FormView, Kind, Nav, NoticeQuery, PageView, PagedQuery, Pager, Posted,
    Section, Table, Ui, error, forbidden, notice, page_count, page_number, render, see_other,
};

fn date(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// The 403 page unless `s` is an admin.
fn admin_only(ui: &Ui, s: &Session) -> Option<Response> {
    (!s.is_admin()).then(|| forbidden(ui))
}

// ---------------------------------------------------------------- members

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddMemberForm {
    slug: String,
    name: String,
    country: String,
    website: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReasonForm {
    reason: String,
}

/// Co-ops per page of the members list.
pub const MEMBERS_PAGE_SIZE: u64 = 50;

/// Page `page` of this network's co-ops, by name; a page past the end shows the last one.
async fn members_at(
    ctx: &AppContext,
    page: u64,
) -> Result<(coops::Page<Coop>, u64, u64), AppError> {
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

#[allow(clippy::too_many_arguments)]
async fn members_page(
    ctx: &AppContext,
    ui: &Ui,
    s: &Session,
    status: StatusCode,
    page: u64,
    add: &AddMemberForm,
    errs: &Errs,
    notice_text: Option<&'static str>,
) -> Response {
    let t = ui.t;
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
        .notice(notice_text)
        .errors(errs)
        .section(
            Section::new("members", t.members_title)
                .table(table)
                .pager(pager),
        )
        .section(Section::new("add", t.members_add).form(form))
        .section(Section::new("history", t.members_history).table(hist));
    render(ui, status, &view)
}

/// `GET /console/admin/members?page=N` (50 co-ops a page, by name)
pub async fn members(
    State(ctx): State<AppContext>,
    ui: Ui,
    Auth(s): Auth,
    Query(q): Query<PagedQuery>,
) -> Response {
    if let Some(r) = admin_only(&ui, &s) {
        return r;
    }
    let n = notice(ui.t, q.notice.as_deref());
    members_page(
        &ctx,
        &ui,
        &s,
        StatusCode::OK,
        page_number(q.page.as_deref()),
        &AddMemberForm::default(),
        &Errs::default(),
        n,
    )
    .await
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
    let input: Result<CoopInput, _> = serde_json::from_value(serde_json::json!({
        "slug": f.slug.trim(),
        "name": f.name,
        "country": blank(&f.country),
        "website": blank(&f.website),
    }));
    let result = match input {
        Ok(input) => coops::create(&ctx, &input).await,
        Err(e) => Err(AppError::Internal(e.to_string())),
    };
    match result {
        Ok(c) => see_other(&format!("/console/coops/{}?notice=saved", c.slug)),
        Err(AppError::Invalid(errors)) => {
            members_page(
                &ctx,
                &ui,
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                1,
                f,
                &Errs(errors),
                None,
            )
            .await
        }
        Err(AppError::Conflict(m)) => {
            let errs = Errs(FieldErrors::single("slug", m));
            members_page(&ctx, &ui, s, StatusCode::CONFLICT, 1, f, &errs, None).await
        }
        Err(e) => error(&ui, e),
    }
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

// ---------------------------------------------------------------- applications

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
    let mut view = PageView::new(ui, Some(Nav::new(s, "applications")), t.applications_title)
        .notice(notice_text)
        .section(Section::new("applications", "").table(table));
    if let Some(link) = secret {
        view = view.secret(t.approved_invite, link);
    }
    render(ui, StatusCode::OK, &view)
}

/// `GET /console/admin/applications`
pub async fn applications(
    State(ctx): State<AppContext>,
    ui: Ui,
    Auth(s): Auth,
    Query(q): Query<NoticeQuery>,
) -> Response {
    if let Some(r) = admin_only(&ui, &s) {
        return r;
    }
    let n = notice(ui.t, q.notice.as_deref());
    applications_page(&ctx, &ui, &s, None, n).await
}

/// `POST /console/admin/applications/{id}/approve`: the co-op is created (and federates),
/// the applicant's one-time editor link is shown.
pub async fn approve(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(id): Path<i64>,
    posted: Posted<super::auth::Empty>,
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

// ---------------------------------------------------------------- federation

/// `GET /console/admin/federation`
pub async fn federation_page(
    State(ctx): State<AppContext>,
    ui: Ui,
    Auth(s): Auth,
    Query(q): Query<NoticeQuery>,
) -> Response {
    if let Some(r) = admin_only(&ui, &s) {
        return r;
    }
    let t = ui.t;
    let (peers, requests, blocks) = match (
        federation::peers(&ctx).await,
        federation::requests(&ctx).await,
        federation::blocked(&ctx).await,
    ) {
        (Ok(p), Ok(r), Ok(b)) => (p, r, b),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return error(&ui, e),
    };
    let csrf = &s.csrf_token;
    let act = |action: &str, domain: &str, text: &str| {
        FormView::button("/console/admin/federation", csrf, text)
            .hidden("op", action)
            .hidden("domain", domain)
    };
    let mut peer_table = Table::new(vec![t.peer, t.state, t.members, t.last_sync], t.no_peers);
    for p in &peers {
        let mut state = Vec::new();
        if let Some(f) = p.following {
            state.push(format!("→ {}", f.as_str()));
        }
        if let Some(f) = p.follower {
            state.push(format!(
                "← {}",
                match f {
                    federation::FollowerState::Accepted => t.accepted,
                    federation::FollowerState::Pending => t.status_pending,
                }
            ));
        }
        let sync = match (&p.sync.last_sync_at, p.sync.last_sync_ok) {
            (Some(at), Some(false)) => format!(
                "{} ({})",
                date(*at),
                p.sync.last_sync_message.clone().unwrap_or_default()
            ),
            (Some(at), _) => date(*at),
            (None, _) => t.never.to_owned(),
        };
        let domain = p.network.domain.clone();
        let mut forms = vec![act("resync", &domain, t.resync)];
        if p.following.is_some() {
            forms.push(act("unfollow", &domain, t.unfollow).danger());
        }
        peer_table.row(
            vec![
                Cell::text(format!("{} ({domain})", p.network.name)),
                Cell::text(state.join(", ")),
                Cell::text(p.members.to_string()),
                Cell::text(sync),
            ],
            forms,
        );
    }
    let mut req_table = Table::new(vec![t.peer, t.state], t.no_requests);
    for r in &requests {
        let domain = r.actor.domain.clone();
        let forms = match r.state {
            federation::FollowerState::Pending => vec![
                act("accept", &domain, t.accept),
                act("reject", &domain, t.reject).danger(),
            ],
            federation::FollowerState::Accepted => Vec::new(),
        };
        req_table.row(
            vec![
                Cell::text(format!("{} ({domain})", r.actor.actor_id)),
                Cell::text(match r.state {
                    federation::FollowerState::Accepted => t.accepted,
                    federation::FollowerState::Pending => t.status_pending,
                }),
            ],
            forms,
        );
    }
    let mut block_table = Table::new(vec![t.host, t.reason, t.created], t.no_blocks);
    for b in &blocks {
        block_table.row(
            vec![
                Cell::text(b.domain.clone()),
                Cell::text(b.reason.clone()),
                Cell::text(date(b.created_at)),
            ],
            vec![act("unblock", &b.domain, t.unblock)],
        );
    }
    let follow = FormView::new(
        "/console/admin/federation",
        csrf,
        t.follow,
        vec![Field::new("target", t.follow_target, Kind::Text, "").hint(t.follow_target_hint)],
    )
    .hidden("op", "follow");
    let block = FormView::new(
        "/console/admin/federation",
        csrf,
        t.block,
        vec![
            Field::new("domain", t.block_domain, Kind::Text, ""),
            Field::new("reason", t.reason, Kind::Text, ""),
        ],
    )
    .hidden("op", "block")
    .danger();
    let view = PageView::new(&ui, Some(Nav::new(&s, "federation")), t.federation_title)
        .notice(notice(t, q.notice.as_deref()))
        .section(
            Section::new("peers", t.peers_title)
                .table(peer_table)
                .form(act("resync", "", t.resync_all)),
        )
        .section(Section::new("follow", t.follow_target).form(follow))
        .section(Section::new("requests", t.requests_title).table(req_table))
        .section(
            Section::new("blocks", t.blocks_title)
                .table(block_table)
                .form(block),
        );
    render(&ui, StatusCode::OK, &view)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FederationForm {
    op: String,
    target: String,
    domain: String,
    reason: String,
}

/// `POST /console/admin/federation`: `op` = follow, unfollow, accept, reject, block,
/// unblock or resync, through the federation use cases.
pub async fn federation_action(
    State(ctx): State<AppContext>,
    ui: Ui,
    posted: Posted<FederationForm>,
) -> Response {
    if let Some(r) = admin_only(&ui, &posted.session) {
        return r;
    }
    let f = &posted.form;
    let domain = f.domain.trim();
    let result = match f.op.as_str() {
        "follow" => federation::follow(&ctx, f.target.trim())
            .await
            .map(|_| "followed"),
        "unfollow" => federation::unfollow(&ctx, domain).await.map(|_| "done"),
        "accept" => federation::accept(&ctx, domain).await.map(|_| "done"),
        "reject" => federation::reject(&ctx, domain).await.map(|_| "done"),
        "block" => federation::block(&ctx, domain, f.reason.trim())
            .await
            .map(|()| "blocked"),
        "unblock" => federation::unblock(&ctx, domain)
            .await
            .map(|()| "unblocked"),
        "resync" => federation::resync(&ctx, Some(domain).filter(|d| !d.is_empty()))
            .await
            .map(|_| "resynced"),
        _ => Err(AppError::Invalid(FieldErrors::single(
            "op",
            "unknown action",
        ))),
    };
    match result {
        Ok(key) => see_other(&format!("/console/admin/federation?notice={key}")),
        Err(AppError::NotFound(m)) => super::message(
            &ui,
            StatusCode::NOT_FOUND,
            ui.t.conflict_title,
            &format!("{m}: not found"),
            Vec::new(),
        ),
        Err(e) => error(&ui, e),
    }
}

// ---------------------------------------------------------------- queue

/// `GET /console/admin/queue`
pub async fn queue_page(State(ctx): State<AppContext>, ui: Ui, Auth(s): Auth) -> Response {
    if let Some(r) = admin_only(&ui, &s) {
        return r;
    }
    let t = ui.t;
    let status = match queue::status(&ctx).await {
        Ok(st) => st,
        Err(e) => return error(&ui, e),
    };
    let c = status.counts;
    let mut counts = Table::new(vec![t.state, t.members], t.none);
    for (label, n) in [
        (t.queue_pending, c.pending),
        (t.queue_leased, c.leased),
        (t.queue_done, c.done),
        (t.queue_dead, c.dead),
    ] {
        counts.row(
            vec![Cell::text(label), Cell::text(n.to_string())],
            Vec::new(),
        );
    }
    counts.head = vec![t.state.to_owned(), "#".to_owned()];
    let mut hosts = Table::new(
        vec![
            t.host,
            t.breaker,
            t.fail_streak,
            t.queue_pending,
            t.open_until,
        ],
        t.no_failing_hosts,
    );
    for h in &status.failing_hosts {
        hosts.row(
            vec![
                Cell::text(h.host.clone()),
                Cell::text(format!("{:?}", h.breaker).to_lowercase()),
                Cell::text(h.fail_streak.to_string()),
                Cell::text(h.pending.to_string()),
                Cell::text(h.open_until.map(date).unwrap_or_default()),
            ],
            Vec::new(),
        );
    }
    let view = PageView::new(&ui, Some(Nav::new(&s, "queue")), t.queue_title)
        .section(Section::new("counts", "").table(counts))
        .section(Section::new("hosts", t.failing_hosts).table(hosts));
    render(&ui, StatusCode::OK, &view)
}

// ---------------------------------------------------------------- tokens

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    label: String,
    coop: String,
}

async fn tokens_page(
    ctx: &AppContext,
    ui: &Ui,
    s: &Session,
    status: StatusCode,
    secret: Option<String>,
    errs: &Errs,
    notice_text: Option<&'static str>,
) -> Response {
    let t = ui.t;
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
    let mut view = PageView::new(ui, Some(Nav::new(s, "tokens")), t.tokens_title)
        .notice(notice_text)
        .errors(errs)
        .section(Section::new("tokens", "").table(table))
        .section(Section::new("create", t.token_create).form(form));
    if let Some(secret) = secret {
        view = view.secret(t.token_secret_once, secret);
    }
    render(ui, status, &view)
}

/// `GET /console/admin/tokens`
pub async fn tokens_index(
    State(ctx): State<AppContext>,
    ui: Ui,
    Auth(s): Auth,
    Query(q): Query<NoticeQuery>,
) -> Response {
    if let Some(r) = admin_only(&ui, &s) {
        return r;
    }
    let n = notice(ui.t, q.notice.as_deref());
    tokens_page(&ctx, &ui, &s, StatusCode::OK, None, &Errs::default(), n).await
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
    match tokens::create(&ctx, coop, &f.label).await {
        Ok(new) => {
            tokens_page(
                &ctx,
                &ui,
                s,
                StatusCode::OK,
                Some(new.secret),
                &Errs::default(),
                None,
            )
            .await
        }
        Err(AppError::NotFound(m)) | Err(AppError::Gone(m)) => {
            let errs = Errs(FieldErrors::single("coop", format!("{m}: not found")));
            tokens_page(
                &ctx,
                &ui,
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &errs,
                None,
            )
            .await
        }
        Err(e) => error(&ui, e),
    }
}

/// `POST /console/admin/tokens/{id}/revoke`
pub async fn tokens_revoke(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(id): Path<i64>,
    posted: Posted<super::auth::Empty>,
) -> Response {
    if let Some(r) = admin_only(&ui, &posted.session) {
        return r;
    }
    match tokens::revoke(&ctx, id).await {
        Ok(()) => see_other("/console/admin/tokens?notice=token_revoked"),
        Err(e) => error(&ui, e),
    }
}

// ---------------------------------------------------------------- invites and accounts

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    role: String,
    coop: String,
    email: String,
}

// The page is drawn in several states; a struct would only rename the arguments.
#[allow(clippy::too_many_arguments)]
async fn invites_page(
    ctx: &AppContext,
    ui: &Ui,
    s: &Session,
    status: StatusCode,
    secret: Option<String>,
    form: &InviteForm,
    errs: &Errs,
    notice_text: Option<&'static str>,
) -> Response {
    let t = ui.t;
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
    let mut view = PageView::new(ui, Some(Nav::new(s, "invites")), t.nav_invites)
        .notice(notice_text)
        .errors(errs)
        .section(Section::new("create", t.invite_create).form(create))
        .section(Section::new("invites", t.invites_title).table(inv))
        .section(Section::new("accounts", t.accounts_title).table(acc));
    if let Some(secret) = secret {
        view = view.secret(t.invite_link_once, secret);
    }
    render(ui, status, &view)
}

/// `GET /console/admin/invites`
pub async fn invites(
    State(ctx): State<AppContext>,
    ui: Ui,
    Auth(s): Auth,
    Query(q): Query<NoticeQuery>,
) -> Response {
    if let Some(r) = admin_only(&ui, &s) {
        return r;
    }
    let n = notice(ui.t, q.notice.as_deref());
    invites_page(
        &ctx,
        &ui,
        &s,
        StatusCode::OK,
        None,
        &InviteForm::default(),
        &Errs::default(),
        n,
    )
    .await
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
            let errs = Errs(FieldErrors::single("role", m));
            return invites_page(
                &ctx,
                &ui,
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                f,
                &errs,
                None,
            )
            .await;
        }
    };
    let coop = Some(f.coop.as_str());
    let email = Some(f.email.as_str());
    match accounts::invite(&ctx, Some(s), role, coop, email).await {
        Ok(link) => {
            invites_page(
                &ctx,
                &ui,
                s,
                StatusCode::OK,
                Some(link.url),
                &InviteForm::default(),
                &Errs::default(),
                None,
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            invites_page(
                &ctx,
                &ui,
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                f,
                &Errs(errors),
                None,
            )
            .await
        }
        Err(AppError::NotFound(m)) | Err(AppError::Gone(m)) => {
            let errs = Errs(FieldErrors::single("coop", format!("{m}: not found")));
            invites_page(
                &ctx,
                &ui,
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                f,
                &errs,
                None,
            )
            .await
        }
        Err(e) => error(&ui, e),
    }
}

/// `POST /console/admin/invites/{id}/revoke`
pub async fn invites_revoke(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(id): Path<i64>,
    posted: Posted<super::auth::Empty>,
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
    posted: Posted<super::auth::Empty>,
) -> Response {
    match accounts::delete(&ctx, &posted.session, id).await {
        Ok(()) => see_other("/console/admin/invites?notice=account_deleted"),
        Err(e) => error(&ui, e),
    }
}
