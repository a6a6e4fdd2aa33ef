//! [`FedData`], the app data every federation handler and worker gets from the library:
//! this instance's database, identity, settings it needs and shared helpers, passed in (never
//! global) so one process can run several instances.
use std::sync::Arc;

use activitypub_federation::config::FederationConfig;
use coopnet_core::Network;
use coopnet_db::DatabaseConnection;

use crate::FederationError;
use crate::keys::KeySource;
use crate::queue::Wake;
use crate::urls::Urls;

/// What federation code needs from the instance: its database, identity and helpers.
#[derive(Clone)]
pub struct FedData {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// URL builder for this instance's actors and objects.
    pub urls: Urls,
    /// This instance's network.
    pub network: Arc<Network>,
    /// Where new key pairs come from.
    pub keys: KeySource,
    /// The delivery worker's wake-up, rung by [`crate::queue::commit_and_wake`] after
    /// deliveries are committed, so the worker need not wait for its next poll.
    pub wake: Wake,
    /// The job worker's wake-up, rung likewise after jobs (backfill, resync) are committed.
    pub jobs_wake: Wake,
    /// Development mode: http and explicit ports allowed (the library's debug mode).
    pub dev_mode: bool,
    /// The one guarded client for every outgoing request (`net`).
    pub http: crate::net::HttpClient,
    /// Bounds of a walk of a peer's members collection.
    pub walk: crate::sync::WalkLimits,
    /// How follows of the network actor by other networks are answered.
    pub policy: PeerPolicy,
    /// Counters and latency histograms of this instance (`/metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Rendered co-op actor documents (`http::actor_cache`).
    pub actor_cache: Arc<crate::http::actor_cache::ActorCache>,
    /// What NodeInfo 2.1 states about the software (`[nodeinfo]` in the config).
    pub software: crate::protocol::nodeinfo::SoftwareLinks,
}

/// How follows of the network actor by other networks (`Group` actors) are answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerPolicy {
    /// Accept every network.
    Auto,
    /// Keep follows pending until an admin decides.
    Manual,
    /// Accept these domains (`host[:port]`); refuse others.
    Allowlist(Vec<String>),
}

/// The library's configuration for one instance.
///
/// `debug` follows `dev_mode` (http and ports allowed); which addresses may be reached is
/// decided by the guarded client in `data.http`, whatever the mode. Deliveries never use
/// the library's in-memory queue (see `delivery/`).
pub async fn build_config(data: FedData) -> Result<FederationConfig<FedData>, FederationError> {
    let client = data.http.clone();
    let instance = crate::objects::instance::InstanceActor::load(&data).await?;
    let domain = data.urls.domain().to_owned();
    let debug = data.dev_mode;
    FederationConfig::builder()
        .domain(domain)
        .app_data(data)
        .client(client)
        .debug(debug)
        .http_signature_compat(true)
        .http_fetch_limit(50)
        .request_timeout(crate::net::REQUEST_TIMEOUT)
        .signed_fetch_actor(&instance)
        .build()
        .await
        .map_err(|e| FederationError::Internal(format!("federation config: {e}")))
}
