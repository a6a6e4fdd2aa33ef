//! `/console/admin/federation`: peers, follow requests and blocked hosts, and the actions on
//! them.
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::{AppContext, AppError, federation};
use coopnet_core::FieldErrors;
use serde::Deserialize;

use super::{Admin, admin_only};
use crate::console::{
    Cell, Field, FormView, Kind, Nav, NoticeQuery, PageView, Posted, Section, Table, Ui, date,
    error, message, notice, render, see_other,
};

/// `GET /console/admin/federation`
pub async fn federation_page(
    State(ctx): State<AppContext>,
    ui: Ui,
    Admin(s): Admin,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let t = ui.t;
    let (peers, requests, blocks, errors) = match (
        federation::peers(&ctx).await,
        federation::requests(&ctx).await,
        federation::blocked(&ctx).await,
        federation::recent_errors(&ctx).await,
    ) {
        (Ok(p), Ok(r), Ok(b), Ok(e)) => (p, r, b, e),
        (Err(e), _, _, _) | (_, Err(e), _, _) | (_, _, Err(e), _) | (_, _, _, Err(e)) => {
            return error(&ui, e);
        }
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
                    coopnet_core::FollowerState::Accepted => t.accepted,
                    coopnet_core::FollowerState::Pending => t.status_pending,
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
            coopnet_core::FollowerState::Pending => vec![
                act("accept", &domain, t.accept),
                act("reject", &domain, t.reject).danger(),
            ],
            coopnet_core::FollowerState::Accepted => Vec::new(),
        };
        req_table.row(
            vec![
                Cell::text(format!("{} ({domain})", r.actor.actor_id)),
                Cell::text(match r.state {
                    coopnet_core::FollowerState::Accepted => t.accepted,
                    coopnet_core::FollowerState::Pending => t.status_pending,
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
    // Grouped by peer (hosts in order of their newest error), newest first within each.
    let mut hosts: Vec<&str> = Vec::new();
    for e in &errors {
        if !hosts.contains(&e.host.as_str()) {
            hosts.push(&e.host);
        }
    }
    let mut error_table = Table::new(vec![t.host, t.step, t.reason, t.created], t.no_errors);
    for host in hosts {
        for e in errors.iter().filter(|e| e.host == host) {
            error_table.row(
                vec![
                    Cell::text(e.host.clone()),
                    Cell::text(e.step.clone()),
                    Cell::text(e.reason.clone()),
                    Cell::text(date(e.at)),
                ],
                Vec::new(),
            );
        }
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
        .section(
            Section::new("errors", t.errors_title)
                .intro(t.errors_intro)
                .table(error_table),
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
        Err(AppError::NotFound(m)) => message(
            &ui,
            StatusCode::NOT_FOUND,
            ui.t.conflict_title,
            &format!("{m}: not found"),
            Vec::new(),
        ),
        Err(e) => error(&ui, e),
    }
}
