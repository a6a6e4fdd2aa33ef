//! `/federation`: the networks this one federates with, their state, members and last sync.
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::AppContext;
use coopnet_app::federation;
use coopnet_core::{FollowState, FollowerState};

use super::error_page;
use crate::ui::{Chrome, page};

/// A peer row.
pub struct PeerRow {
    pub name: String,
    pub domain: String,
    pub url: String,
    pub state: String,
    pub members: u64,
    pub last_sync: String,
}

#[derive(Template)]
#[template(path = "pages/federation.html")]
struct FederationPage<'a> {
    c: &'a Chrome,
    peers: Vec<PeerRow>,
    suggestions: Vec<String>,
}

/// `GET /federation`
pub async fn show(State(ctx): State<AppContext>, c: Chrome) -> Response {
    let peers = match federation::peers(&ctx).await {
        Ok(p) => p,
        Err(e) => return error_page(&c, &e),
    };
    let t = c.t;
    let rows = peers
        .into_iter()
        .map(|p| {
            let state = match (p.following, p.follower) {
                (Some(FollowState::Accepted), Some(FollowerState::Accepted)) => {
                    t.state_mutual.to_owned()
                }
                (Some(FollowState::Accepted), _) => t.state_following.to_owned(),
                (_, Some(FollowerState::Accepted)) => t.state_follower.to_owned(),
                _ => t.state_pending.to_owned(),
            };
            let last_sync = match (p.sync.last_sync_at, p.sync.last_sync_ok) {
                (Some(at), Some(ok)) => format!(
                    "{} ({})",
                    at.format("%Y-%m-%d %H:%M UTC"),
                    if ok { "ok" } else { "✗" }
                ),
                _ => t.never.to_owned(),
            };
            PeerRow {
                url: p
                    .network
                    .actor_id
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                name: p.network.name,
                domain: p.network.domain,
                state,
                members: p.members,
                last_sync,
            }
        })
        .collect();
    // Peers of peers, fetched live with a short budget: a slow peer only shortens the list.
    let suggestions = federation::suggestions(&ctx, std::time::Duration::from_secs(2))
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|u| u.to_string())
        .collect();
    page(
        &c,
        StatusCode::OK,
        &FederationPage {
            c: &c,
            peers: rows,
            suggestions,
        },
    )
}
