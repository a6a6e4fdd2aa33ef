//! ActivityPub routes: thin wrappers that pick HTML or ActivityStreams by `Accept` and call
//! `coopnet_federation::http`.
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::Response;
use coopnet_app::AppContext;
use coopnet_federation::http::{actors, collections, discovery, inbox, objects};
use coopnet_federation::protocol::wants_activity_json;
use coopnet_federation::{Data, FedData};

use crate::pages;
use crate::ui::Chrome;

fn data(ctx: &AppContext) -> Data<FedData> {
    ctx.federation.to_request_data()
}

/// True when the request asks for ActivityStreams JSON.
pub fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(wants_activity_json)
}

/// `GET /coops/{slug}`: the profile page, or the `Organization` actor.
pub async fn coop(
    State(ctx): State<AppContext>,
    c: Chrome,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Response {
    let data = data(&ctx);
    if wants_json(&headers) {
        actors::coop(&data, &slug).await
    } else {
        pages::profile::show(&ctx, &c, &slug).await
    }
}

/// `GET /network`
pub async fn network(State(ctx): State<AppContext>, c: Chrome, headers: HeaderMap) -> Response {
    let data = data(&ctx);
    if wants_json(&headers) {
        actors::network(&data).await
    } else {
        pages::profile::network(&ctx, &c).await
    }
}

/// `GET /actor`
pub async fn instance(State(ctx): State<AppContext>) -> Response {
    let data = data(&ctx);
    actors::instance(data).await
}

/// `GET /actor/outbox`, `/actor/followers`, `/actor/following`: the instance actor posts
/// nothing, follows nobody and cannot be followed, so its collections are empty.
pub async fn instance_collection(State(ctx): State<AppContext>, uri: Uri) -> Response {
    let data = data(&ctx);
    let name = uri.path().rsplit('/').next().unwrap_or_default();
    collections::following(data.urls.instance_sub(name)).await
}

/// `POST` to any inbox.
pub async fn inbox(State(ctx): State<AppContext>, request: Request) -> Response {
    let data = data(&ctx);
    inbox::post(data, request).await
}

/// `GET /coops/{slug}/outbox`
pub async fn coop_outbox(
    State(ctx): State<AppContext>,
    Path(slug): Path<String>,
    Query(q): Query<collections::PageQuery>,
) -> Response {
    let data = data(&ctx);
    collections::coop_outbox(&data, &slug, q).await
}

/// `GET /coops/{slug}/followers`
pub async fn coop_followers(State(ctx): State<AppContext>, Path(slug): Path<String>) -> Response {
    let data = data(&ctx);
    collections::coop_followers(&data, &slug).await
}

/// `GET /coops/{slug}/following`
pub async fn coop_following(State(ctx): State<AppContext>, Path(slug): Path<String>) -> Response {
    let data = data(&ctx);
    collections::following(data.urls.coop_sub(&slug, "following")).await
}

/// `GET /network/outbox`
pub async fn network_outbox(
    State(ctx): State<AppContext>,
    Query(q): Query<collections::PageQuery>,
) -> Response {
    let data = data(&ctx);
    collections::network_outbox(&data, q).await
}

/// `GET /network/followers`
pub async fn network_followers(State(ctx): State<AppContext>) -> Response {
    let data = data(&ctx);
    collections::network_followers(&data).await
}

/// `GET /network/following`
pub async fn network_following(State(ctx): State<AppContext>) -> Response {
    let data = data(&ctx);
    collections::network_following(&data).await
}

/// `GET /network/members`
pub async fn network_members(
    State(ctx): State<AppContext>,
    Query(q): Query<collections::PageQuery>,
) -> Response {
    let data = data(&ctx);
    collections::members(&data, q).await
}

/// `GET /coops/{slug}/posts/{id}`
pub async fn coop_post(
    State(ctx): State<AppContext>,
    c: Chrome,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
) -> Response {
    let data = data(&ctx);
    if wants_json(&headers) {
        objects::post(&data, objects::PostOwner::Coop(slug), &id).await
    } else {
        pages::profile::post(&ctx, &c, objects::PostOwner::Coop(slug), &id).await
    }
}

/// `GET /network/posts/{id}`
pub async fn network_post(
    State(ctx): State<AppContext>,
    c: Chrome,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let data = data(&ctx);
    if wants_json(&headers) {
        objects::post(&data, objects::PostOwner::Network, &id).await
    } else {
        pages::profile::post(&ctx, &c, objects::PostOwner::Network, &id).await
    }
}

/// `GET /activities/{id}`
pub async fn activity(State(ctx): State<AppContext>, Path(id): Path<String>) -> Response {
    let data = data(&ctx);
    objects::activity(&data, &id).await
}

/// `GET /.well-known/webfinger`
pub async fn webfinger(
    State(ctx): State<AppContext>,
    Query(q): Query<discovery::WebfingerQuery>,
) -> Response {
    let data = data(&ctx);
    discovery::webfinger(data, q).await
}

/// `GET /.well-known/host-meta`
pub async fn host_meta(State(ctx): State<AppContext>) -> Response {
    let data = data(&ctx);
    discovery::host_meta(data).await
}

/// `GET /.well-known/nodeinfo`
pub async fn nodeinfo_links(State(ctx): State<AppContext>) -> Response {
    let data = data(&ctx);
    discovery::nodeinfo_links(data).await
}

/// `GET /nodeinfo/{version}`
pub async fn nodeinfo(State(ctx): State<AppContext>, Path(version): Path<String>) -> Response {
    let data = data(&ctx);
    discovery::nodeinfo(data, &version).await
}

/// `GET /federated/{domain}/{slug}`: our copy of a federated co-op.
pub async fn federated_coop(
    State(ctx): State<AppContext>,
    c: Chrome,
    Path((domain, slug)): Path<(String, String)>,
) -> Response {
    pages::profile::federated(&ctx, &c, &domain, &slug).await
}
