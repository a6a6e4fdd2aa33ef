//! `/console/admin/queue`: the delivery queue's counts and its failing hosts.
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::{AppContext, queue};

use super::Admin;
use crate::console::{Cell, Nav, PageView, Section, Table, Ui, date, error, render};

/// `GET /console/admin/queue`
pub async fn queue_page(State(ctx): State<AppContext>, ui: Ui, Admin(s): Admin) -> Response {
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
