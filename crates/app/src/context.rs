//! [`AppContext`]: what every use case runs with (settings, the database pool, the local
//! network, the federation data, caches), built once per instance from settings passed in,
//! never from globals, so one process can run several instances (the tests run whole
//! federations). Also starts the background workers and the commit-signal listener.
use std::path::Path;
use std::sync::Arc;

use coopnet_config::Settings;
use coopnet_core::Network;
use coopnet_db::index::SearchIndex;
use coopnet_db::repo::count_cache::CountCache;
use coopnet_db::repo::networks::{self, LocalNetwork};
use coopnet_db::signals::Signal;
use coopnet_db::{DatabaseConnection, connect};
use coopnet_federation::delivery::DeliveryConfig;
use coopnet_federation::jobs::JobConfig;
use coopnet_federation::keys::KeySource;
use coopnet_federation::net::{AddressRules, NetConfig, Resolve, SystemResolver};
use coopnet_federation::protocol::nodeinfo::SoftwareLinks;
use coopnet_federation::queue::Wake;
use coopnet_federation::sync::WalkLimits;
use coopnet_federation::urls::Urls;
use coopnet_federation::{FedData, FederationConfig, PeerPolicy};
use tokio::sync::watch;

use crate::{AppError, demo, schema};

/// The User-Agent of every request we make.
pub fn user_agent(domain: &str) -> String {
    format!("coopnet/{} (+https://{domain}/)", env!("CARGO_PKG_VERSION"))
}

/// What an instance takes from the world besides its settings. Tests substitute their own
/// (fixture keys; a resolver that maps test host names to loopback addresses).
#[derive(Clone)]
pub struct Externals {
    /// Where new actor key pairs come from.
    pub keys: KeySource,
    /// Where the outgoing client resolves names (its answers still pass the address rules).
    pub resolver: Arc<dyn Resolve>,
}

impl Default for Externals {
    fn default() -> Self {
        Self {
            keys: KeySource::Generate,
            resolver: Arc::new(SystemResolver),
        }
    }
}

/// The outgoing-request rules of `settings` (`federation.allow_private_addresses`,
/// `federation.allowed_private_addresses`, `dev_mode`).
pub fn address_rules(settings: &Settings) -> Result<AddressRules, AppError> {
    let f = &settings.federation;
    let allowed = f
        .allowed_private_addresses
        .iter()
        .map(|range| {
            coopnet_federation::net::rules::parse_range(range).ok_or_else(|| {
                AppError::internal(format!(
                    "federation.allowed_private_addresses: '{range}' is not an address or range"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(AddressRules {
        allow_http: settings.dev_mode,
        allow_private: f.private_addresses_allowed(settings.dev_mode),
        allowed,
    })
}

/// What NodeInfo 2.1 states about the software, from `[nodeinfo]` (empty keys: not stated;
/// the values were checked as http(s) URLs when the settings were loaded).
pub fn software_links(
    nodeinfo: &coopnet_config::NodeInfoSettings,
) -> Result<SoftwareLinks, AppError> {
    let parse = |key: &str, value: &str| {
        if value.is_empty() {
            return Ok(None);
        }
        url::Url::parse(value)
            .map(Some)
            .map_err(|e| AppError::internal(format!("nodeinfo.{key} '{value}': {e}")))
    };
    Ok(SoftwareLinks {
        repository: parse("repository", &nodeinfo.repository)?,
        homepage: parse("homepage", &nodeinfo.homepage)?,
    })
}

/// Everything a use case needs: settings, the database and the local network.
///
/// Cheap to clone; one per instance (tests run several in one process).
#[derive(Clone)]
pub struct AppContext {
    /// The instance's settings.
    pub settings: Arc<Settings>,
    /// The connection pool.
    pub db: DatabaseConnection,
    /// This instance's own network.
    pub network: Arc<Network>,
    /// The ActivityPub library's configuration (its app data is [`FedData`]).
    pub federation: FederationConfig<FedData>,
    /// Totals and facet counts of recent directory queries (see `directory::search`).
    pub count_cache: Arc<CountCache>,
    /// The in-memory search index `directory::search` answers from, built on first use
    /// (`serve` builds it in the background while it already serves, see
    /// `directory::spawn_index_build`).
    pub search_index: Arc<SearchIndex>,
}

impl AppContext {
    /// Opens the database (creating a SQLite file's folder), migrates when allowed, records
    /// the configured network and, with `demo_data`, seeds an empty database.
    pub async fn start(settings: Settings) -> Result<Self, AppError> {
        Self::start_with_keys(settings, KeySource::Generate).await
    }

    /// Like [`AppContext::start`], with a chosen source of actor keys (tests use fixtures).
    pub async fn start_with_keys(settings: Settings, keys: KeySource) -> Result<Self, AppError> {
        Self::start_with(
            settings,
            Externals {
                keys,
                ..Externals::default()
            },
        )
        .await
    }

    /// Like [`AppContext::start`], with what the instance takes from outside chosen.
    pub async fn start_with(settings: Settings, externals: Externals) -> Result<Self, AppError> {
        let db = open_database(&settings.database_url).await?;
        if settings.auto_migrate {
            schema::migrate_up(&db).await?;
        }
        Self::with_database(settings, db, externals).await
    }

    /// Like [`AppContext::start`] on an already migrated connection.
    pub async fn with_database(
        settings: Settings,
        db: DatabaseConnection,
        externals: Externals,
    ) -> Result<Self, AppError> {
        let Externals { keys, resolver } = externals;
        let n = &settings.network;
        let network = networks::upsert_local(
            &db,
            LocalNetwork {
                username: &n.username,
                domain: &settings.domain,
                name: &n.name,
                country: n.country.as_deref().map(str::trim),
                languages: &n.languages,
                summary: &n.summary,
            },
        )
        .await?;
        let indexed = coopnet_db::repo::search::reindex_missing(&db).await?;
        if indexed > 0 {
            tracing::info!(coops = indexed, "added co-ops to the search index");
        }
        let network = Arc::new(network);
        let urls = Urls::new(settings.scheme(), &settings.domain)
            .ok_or_else(|| AppError::internal(format!("bad domain {}", settings.domain)))?;
        let net = NetConfig {
            rules: Arc::new(address_rules(&settings)?),
            resolver,
        };
        let http = coopnet_federation::net::client(&net, &user_agent(&settings.domain))
            .map_err(|e| AppError::caused("building the HTTP client", e))?;
        let f = &settings.federation;
        let walk = WalkLimits {
            max_members: f.peer_max_members,
            max_page_items: f.peer_max_page_items,
            deadline: std::time::Duration::from_secs(f.peer_walk_timeout_secs),
        };
        let software = software_links(&settings.nodeinfo)?;
        let data = FedData {
            software,
            db: db.clone(),
            http,
            walk,
            urls,
            network: network.clone(),
            keys,
            wake: Wake::default(),
            jobs_wake: Wake::default(),
            dev_mode: settings.dev_mode,
            metrics: Arc::default(),
            actor_cache: Arc::default(),
            policy: match settings.federation.follow_policy {
                coopnet_config::FollowPolicy::Auto => PeerPolicy::Auto,
                coopnet_config::FollowPolicy::Manual => PeerPolicy::Manual,
                coopnet_config::FollowPolicy::Allowlist => {
                    PeerPolicy::Allowlist(settings.federation.allowlist.clone())
                }
            },
        };
        let federation = coopnet_federation::build_config(data)
            .await
            .map_err(|e| AppError::caused("configuring federation", e))?;
        let settings_index_dir =
            Some(settings.directory.index_dir.clone()).filter(|dir| !dir.trim().is_empty());
        let ctx = Self {
            settings: Arc::new(settings),
            db,
            network,
            federation,
            count_cache: Arc::new(CountCache::new()),
            search_index: Arc::new(match settings_index_dir {
                Some(dir) => SearchIndex::on_disk(dir),
                None => SearchIndex::new(),
            }),
        };
        if ctx.settings.demo_data {
            let seeded = demo::seed_if_empty(&ctx).await?;
            if seeded > 0 {
                tracing::info!(
                    coops = seeded,
                    "seeded the empty database with demo members"
                );
            }
        }
        Ok(ctx)
    }

    /// `scheme://domain` of this instance.
    pub fn base_url(&self) -> String {
        self.settings.base_url()
    }

    /// The federation app data.
    pub fn fed(&self) -> &FedData {
        &self.federation
    }

    /// Starts the background workers, the delivery worker and the job worker (backfill
    /// and resync of peer networks, paced like deliveries: same idle poll and backoff);
    /// they stop when `stop` turns true. The handle ends when both have stopped.
    pub fn spawn_delivery_worker(
        &self,
        config: DeliveryConfig,
        stop: watch::Receiver<bool>,
    ) -> Result<tokio::task::JoinHandle<()>, AppError> {
        let jobs = JobConfig {
            idle_poll: config.idle_poll,
            backoff: config.backoff.clone(),
            ..JobConfig::default()
        };
        self.spawn_workers(config, jobs, stop)
    }

    /// Like [`AppContext::spawn_delivery_worker`] with the job worker's pacing given.
    pub fn spawn_workers(
        &self,
        config: DeliveryConfig,
        jobs: JobConfig,
        stop: watch::Receiver<bool>,
    ) -> Result<tokio::task::JoinHandle<()>, AppError> {
        let deliveries =
            coopnet_federation::delivery::spawn(self.fed().clone(), config, stop.clone())
                .map_err(|e| AppError::caused("starting the delivery worker", e))?;
        let jobs = coopnet_federation::jobs::spawn(self.federation.clone(), jobs, stop.clone());
        let signals = self.spawn_commit_signals(stop);
        Ok(tokio::spawn(async move {
            let _ = tokio::join!(deliveries, jobs, signals);
        }))
    }
}

impl AppContext {
    /// Rings the workers' wake-ups when another process on the database commits rows for
    /// them (`coopnet_db::signals`), so what `coopnet coop add` enqueues is delivered at once
    /// rather than at the worker's next idle poll, and drops the rendered actor documents
    /// and moves the search index's epoch when co-ops or networks changed. Ends when `stop`
    /// turns true.
    fn spawn_commit_signals(&self, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        let url = self.settings.database_url.clone();
        let deliveries = self.federation.wake.clone();
        let jobs = self.federation.jobs_wake.clone();
        let actors = self.federation.actor_cache.clone();
        let index = self.search_index.clone();
        // From here on the index trusts these signals instead of reading the directory's
        // counter per query (`coopnet_db::index`, watched mode).
        index.set_watched();
        tokio::spawn(async move {
            coopnet_db::signals::watch_commits(&url, stop, |signal| match signal {
                Signal::Deliveries => deliveries.ring(),
                Signal::Jobs => jobs.ring(),
                Signal::Coops => {
                    actors.invalidate();
                    index.invalidate();
                }
                Signal::Any => {
                    deliveries.ring();
                    jobs.ring();
                    actors.invalidate();
                    index.invalidate();
                }
            })
            .await;
        })
    }
}

/// Connects to `url`; for a SQLite file, creates its folder first (SQLite creates the file,
/// not the folder).
pub async fn open_database(url: &str) -> Result<DatabaseConnection, AppError> {
    let folder = sqlite_file(url)
        .and_then(|path| Path::new(path).parent())
        .filter(|dir| !dir.as_os_str().is_empty());
    if let Some(dir) = folder {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::caused(format!("cannot create {}", dir.display()), e))?;
    }
    connect(url)
        .await
        .map_err(|e| AppError::caused("cannot open database", e))
}

fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sqlite_file_paths() {
        assert_eq!(
            super::sqlite_file("sqlite://data/coopnet.db?mode=rwc"),
            Some("data/coopnet.db")
        );
        assert_eq!(super::sqlite_file("sqlite:///tmp/x.db"), Some("/tmp/x.db"));
        assert_eq!(super::sqlite_file("sqlite::memory:"), None);
        assert_eq!(super::sqlite_file("postgres://x/y"), None);
    }
}
