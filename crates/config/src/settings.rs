//! The [`Settings`] tree: one struct per config section with its defaults, and the checks
//! of values that parse but make no sense ([`Settings::validate`]).
use coopnet_core::{CountryCode, LanguageTag, Slug};
use serde::{Deserialize, Serialize};

use crate::ConfigError;

/// Log output style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The instance's own network: its actor's handle and public description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkSettings {
    /// The network actor's handle: `cotech` gives `@cotech@DOMAIN`.
    pub username: String,
    /// Display name.
    pub name: String,
    /// ISO 3166-1 alpha-2 code of the country the network covers.
    pub country: Option<String>,
    /// Languages the network works in (BCP 47).
    #[serde(deserialize_with = "crate::env::list_or_csv")]
    pub languages: Vec<String>,
    /// Short description, Markdown.
    pub summary: String,
}

impl Default for NetworkSettings {
    fn default() -> Self {
        Self {
            username: "network".into(),
            name: "Co-op network".into(),
            country: None,
            languages: vec!["en".into()],
            summary: String::new(),
        }
    }
}

/// How incoming follows of the network actor by other networks are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FollowPolicy {
    /// Every network may follow (and so receive our member directory).
    #[default]
    Auto,
    /// Follows wait until an admin accepts them.
    Manual,
    /// Networks on `federation.allowlist` are accepted, others refused.
    Allowlist,
}

/// Federation between networks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FederationSettings {
    /// Policy for follows of the network actor by other networks (`Group` actors).
    /// Mastodon users following the network are always accepted.
    pub follow_policy: FollowPolicy,
    /// Domains (`host[:port]`) accepted under the `allowlist` policy.
    #[serde(deserialize_with = "crate::env::list_or_csv")]
    pub allowlist: Vec<String>,
    /// Seconds between resyncs of each peer's member directory (jittered by ±10 %).
    pub resync_interval_secs: u64,
    /// Whether outgoing requests may reach loopback, private and other non-public
    /// addresses. Unset: allowed in `dev_mode`, refused otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_private_addresses: Option<bool>,
    /// Non-public addresses or CIDR ranges (`10.0.5.0/24`, `fd00::7`) that outgoing
    /// requests may reach anyway: a peer on the operator's own network.
    #[serde(deserialize_with = "crate::env::list_or_csv")]
    pub allowed_private_addresses: Vec<String>,
    /// Most co-ops kept of one peer network; a larger directory ends its walk with an error.
    pub peer_max_members: u64,
    /// Most items accepted on one page of a peer's members collection.
    pub peer_max_page_items: u64,
    /// Longest time, in seconds, one walk of a peer's members collection may take.
    pub peer_walk_timeout_secs: u64,
}

impl FederationSettings {
    /// Whether outgoing requests may reach non-public addresses (see the field).
    pub fn private_addresses_allowed(&self, dev_mode: bool) -> bool {
        self.allow_private_addresses.unwrap_or(dev_mode)
    }
}

impl Default for FederationSettings {
    fn default() -> Self {
        Self {
            follow_policy: FollowPolicy::Auto,
            allowlist: Vec::new(),
            resync_interval_secs: 6 * 3600,
            allow_private_addresses: None,
            allowed_private_addresses: Vec::new(),
            peer_max_members: 50_000,
            peer_max_page_items: 1_000,
            peer_walk_timeout_secs: 1_800,
        }
    }
}

/// The persistent delivery queue's pacing (`docs/delivery.md`). The defaults suit
/// production; tests shorten them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliverySettings {
    /// Deliveries claimed per worker round.
    pub batch: u64,
    /// Deliveries in flight at once, all hosts together.
    pub concurrency: usize,
    /// Deliveries to one host in flight at once (per round of each worker).
    pub per_host_concurrency: usize,
    /// Seconds a claim lasts; a crashed worker's deliveries are retried after it. Must
    /// exceed the 10 s request timeout, or a slow send could be sent twice.
    pub lease_secs: u64,
    /// Seconds to wait before each retry, by attempt; the last value repeats.
    pub backoff_secs: Vec<u64>,
    /// Seconds after which an undelivered activity is given up.
    pub max_age_secs: u64,
    /// Longest `Retry-After` honoured, in seconds (longer values are cut to this).
    pub retry_after_max_secs: u64,
    /// Consecutive failures of a host that open its circuit breaker.
    pub breaker_threshold: u32,
    /// Shortest time, in seconds, an open breaker waits before probing the host again.
    pub breaker_open_secs: u64,
    /// Longest time, in seconds, an open breaker waits before probing the host again.
    pub breaker_max_open_secs: u64,
    /// Milliseconds between polls of an idle queue (other processes' enqueues are seen then).
    pub idle_poll_ms: u64,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            batch: 64,
            concurrency: 16,
            per_host_concurrency: 4,
            lease_secs: 300,
            // About three days in all, like Mastodon's retries.
            backoff_secs: vec![60, 300, 1800, 7200, 21600, 43200, 86400],
            max_age_secs: 3 * 86400,
            retry_after_max_secs: 86400,
            breaker_threshold: 10,
            breaker_open_secs: 60,
            breaker_max_open_secs: 3600,
            idle_poll_ms: 5000,
        }
    }
}

impl DeliverySettings {
    fn problems(&self, problems: &mut Vec<String>) {
        let d = "delivery.";
        if self.batch == 0 {
            problems.push(format!("{d}batch must be at least 1"));
        }
        if self.concurrency == 0 {
            problems.push(format!("{d}concurrency must be at least 1"));
        }
        if self.per_host_concurrency == 0 {
            problems.push(format!("{d}per_host_concurrency must be at least 1"));
        }
        if self.lease_secs < 15 {
            problems.push(format!(
                "{d}lease_secs must be at least 15 (longer than the 10 s request timeout)"
            ));
        }
        if self.backoff_secs.is_empty() || self.backoff_secs.contains(&0) {
            problems.push(format!("{d}backoff_secs must list waits of at least 1 s"));
        }
        if self.max_age_secs == 0 {
            problems.push(format!("{d}max_age_secs must be at least 1"));
        }
        if self.breaker_threshold == 0 {
            problems.push(format!("{d}breaker_threshold must be at least 1"));
        }
        if self.breaker_open_secs == 0 || self.breaker_max_open_secs < self.breaker_open_secs {
            problems.push(format!(
                "{d}breaker_open_secs must be at least 1 and at most breaker_max_open_secs"
            ));
        }
        if self.idle_poll_ms < 10 {
            problems.push(format!("{d}idle_poll_ms must be at least 10"));
        }
    }
}

/// The public directory's open data: the licence its exports and API carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DirectorySettings {
    /// SPDX identifier (or name) of the licence of the directory data; empty: none stated.
    pub data_licence: String,
    /// Where the licence text lives (`Link: <URL>; rel="license"` on exports and the API).
    pub data_licence_url: String,
    /// Folder where `serve` keeps its search index between runs; empty: in memory only.
    pub index_dir: String,
}

impl Default for DirectorySettings {
    fn default() -> Self {
        Self {
            data_licence: "CC-BY-4.0".into(),
            data_licence_url: "https://creativecommons.org/licenses/by/4.0/".into(),
            index_dir: String::new(),
        }
    }
}

/// Request budgets per client address and minute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSettings {
    /// Admin API requests.
    pub admin_per_minute: u32,
    /// Directory searches, exports and the map.
    pub search_per_minute: u32,
    /// Console logins, invite acceptances and join applications (the public forms).
    pub login_per_minute: u32,
    /// Join applications filed per hour, from all clients together (0 closes the form).
    pub applications_per_hour: u32,
    /// Applications waiting for a decision at most; beyond, the form politely refuses new
    /// ones (0 closes the form).
    pub pending_applications: u32,
    /// Reverse proxies (IP addresses) whose `X-Forwarded-For` names the real client.
    #[serde(deserialize_with = "crate::env::list_or_csv")]
    pub trusted_proxies: Vec<String>,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            admin_per_minute: 600,
            search_per_minute: 1200,
            login_per_minute: 30,
            applications_per_hour: 20,
            pending_applications: 200,
            trusted_proxies: vec!["127.0.0.1".into(), "::1".into()],
        }
    }
}

/// What NodeInfo 2.1 says about the software (`software.repository` and `software.homepage`).
/// Empty: not stated (NodeInfo 2.0 never carries them: its schema forbids them). An operator
/// running modified code points `repository` at their own source (AGPL-3.0).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NodeInfoSettings {
    /// Where the source code of the running software is (an http(s) URL); empty: none.
    pub repository: String,
    /// The software's home page (an http(s) URL); empty: none.
    pub homepage: String,
}

impl NodeInfoSettings {
    fn problems(&self, problems: &mut Vec<String>) {
        for (key, value) in [
            ("repository", &self.repository),
            ("homepage", &self.homepage),
        ] {
            if !value.is_empty() && !http_url_ok(value) {
                problems.push(format!(
                    "nodeinfo.{key} '{value}' must be empty or an absolute http(s) URL, e.g. https://github.com/coopnet/coopnet"
                ));
            }
        }
    }
}

/// Who may read the Prometheus metrics. By default nobody: `/metrics` is not on the public
/// router unless a token is set, and a separate listen address serves it to whoever can
/// reach that address (keep it private: loopback or an internal interface).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSettings {
    /// Bearer token for `GET /metrics` on the public address (`Authorization: Bearer …`);
    /// empty: `/metrics` answers 404 there.
    pub token: String,
    /// A second address (`127.0.0.1:9464`) serving only `/metrics`, without a token;
    /// empty: none.
    pub listen: String,
}

/// The web console: sessions, login lockout, invites, logo uploads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleSettings {
    /// Hours a login session lasts at most.
    pub session_hours: u32,
    /// Hours of inactivity that end a session.
    pub idle_hours: u32,
    /// Failed logins in a row that lock an account.
    pub lockout_attempts: u32,
    /// Minutes a locked account stays locked.
    pub lockout_minutes: u32,
    /// Days an invite link stays usable.
    pub invite_days: u32,
    /// Largest logo upload, in bytes.
    pub logo_max_bytes: usize,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        Self {
            session_hours: 14 * 24,
            idle_hours: 48,
            lockout_attempts: 5,
            lockout_minutes: 15,
            invite_days: 7,
            logo_max_bytes: 2 * 1024 * 1024,
        }
    }
}

/// Everything an instance needs to run. Defaults are production-safe; see
/// [`Settings::demo`] for what runs without any configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Public host, with `:port` when not the default (`coops.tech`, `localhost:8081`).
    pub domain: String,
    /// Address to bind the HTTP server to.
    pub listen: String,
    /// `sqlite://path?mode=rwc` or `postgres://user@host/db`.
    pub database_url: String,
    /// Development mode: plain http URLs and explicit ports allowed, and (unless
    /// `federation.allow_private_addresses` says otherwise) loopback peers. Never in
    /// production.
    pub dev_mode: bool,
    /// Seed an empty database with demo members at start-up.
    pub demo_data: bool,
    /// Run pending migrations when `serve` starts.
    pub auto_migrate: bool,
    /// Log output style.
    pub log_format: LogFormat,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// This instance's network.
    pub network: NetworkSettings,
    /// Federation with other networks.
    pub federation: FederationSettings,
    /// Rate limits.
    pub limits: LimitSettings,
    /// The public directory's open data.
    pub directory: DirectorySettings,
    /// The delivery queue's pacing.
    pub delivery: DeliverySettings,
    /// The web console.
    pub console: ConsoleSettings,
    /// Who may read `/metrics`.
    pub metrics: MetricsSettings,
    /// What NodeInfo says about the software.
    pub nodeinfo: NodeInfoSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            domain: "localhost:8080".into(),
            listen: "0.0.0.0:8080".into(),
            database_url: "sqlite://data/coopnet.db?mode=rwc".into(),
            dev_mode: false,
            demo_data: false,
            auto_migrate: true,
            log_format: LogFormat::Pretty,
            max_body_bytes: 1024 * 1024,
            network: NetworkSettings::default(),
            federation: FederationSettings::default(),
            limits: LimitSettings::default(),
            directory: DirectorySettings::default(),
            delivery: DeliverySettings::default(),
            console: ConsoleSettings::default(),
            metrics: MetricsSettings::default(),
            nodeinfo: NodeInfoSettings::default(),
        }
    }
}

impl Settings {
    /// What runs when no config file is given: a local demo of CoTech on
    /// `http://localhost:8080`, SQLite under `data/`, seeded with the demo members.
    pub fn demo() -> Self {
        Self {
            domain: "localhost:8080".into(),
            listen: "127.0.0.1:8080".into(),
            dev_mode: true,
            demo_data: true,
            network: NetworkSettings {
                username: "cotech".into(),
                name: "CoTech (demo)".into(),
                country: Some("GB".into()),
                languages: vec!["en".into()],
                summary: "A local demo of the UK's network of tech worker co-operatives.".into(),
            },
            ..Self::default()
        }
    }

    /// `http` in dev mode, else `https`.
    pub fn scheme(&self) -> &'static str {
        if self.dev_mode { "http" } else { "https" }
    }

    /// `scheme://domain`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme(), self.domain)
    }

    /// Checks values that parse but are wrong; reports all problems in one message.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        if !domain_ok(&self.domain) {
            problems.push(format!("domain '{}' must be a host name with an optional :port, e.g. coops.tech or localhost:8081 (no scheme, no IP address)", self.domain));
        }
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            problems.push(format!(
                "listen '{}' must be an address:port, e.g. 0.0.0.0:8080",
                self.listen
            ));
        }
        let db = self.database_url.as_str();
        if !(db.starts_with("sqlite:")
            || db.starts_with("postgres://")
            || db.starts_with("postgresql://"))
        {
            problems.push("database_url must start with sqlite: or postgres://".into());
        }
        if self.federation.resync_interval_secs < 60 {
            problems.push("federation.resync_interval_secs must be at least 60".into());
        }
        for range in &self.federation.allowed_private_addresses {
            if !ip_range_ok(range) {
                problems.push(format!("federation.allowed_private_addresses: '{range}' is not an IP address or CIDR range (10.0.5.0/24, fd00::7)"));
            }
        }
        if self.federation.peer_max_members == 0
            || self.federation.peer_max_page_items == 0
            || self.federation.peer_walk_timeout_secs == 0
        {
            problems.push("federation.peer_max_members, peer_max_page_items and peer_walk_timeout_secs must be at least 1".into());
        }
        if !self.metrics.listen.is_empty()
            && self.metrics.listen.parse::<std::net::SocketAddr>().is_err()
        {
            problems.push(format!(
                "metrics.listen '{}' must be empty or an address:port, e.g. 127.0.0.1:9464",
                self.metrics.listen
            ));
        }
        self.delivery.problems(&mut problems);
        self.nodeinfo.problems(&mut problems);
        if self.max_body_bytes < 1024 {
            problems.push("max_body_bytes must be at least 1024".into());
        }
        if let Err(e) = Slug::parse_unreserved(&self.network.username) {
            problems.push(format!("network.username '{}' {e}", self.network.username));
        }
        if self.network.name.trim().is_empty() {
            problems.push("network.name must not be empty".into());
        }
        if let Some(Err(e)) = self.network.country.as_deref().map(CountryCode::parse) {
            problems.push(format!("network.country: {e}"));
        }
        for lang in &self.network.languages {
            if let Err(e) = LanguageTag::parse(lang) {
                problems.push(format!("network.languages: {e}"));
            }
        }
        let licence_url = &self.directory.data_licence_url;
        if !licence_url.is_empty()
            && (!(licence_url.starts_with("https://") || licence_url.starts_with("http://"))
                || licence_url
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"')))
        {
            problems.push(format!(
                "directory.data_licence_url '{licence_url}' must be an http(s) URL"
            ));
        }
        if self.directory.data_licence.chars().any(char::is_control) {
            problems.push("directory.data_licence must not contain control characters".into());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(problems.join("; ")))
        }
    }

    /// The configured settings as TOML (`coopnet config`), secrets masked: a token set is
    /// shown as `(set)`, so the output can be pasted into a bug report.
    pub fn to_toml(&self) -> Result<String, ConfigError> {
        let mut shown = self.clone();
        if !shown.metrics.token.is_empty() {
            shown.metrics.token = "(set)".into();
        }
        toml::to_string(&shown).map_err(|e| ConfigError::Invalid(e.to_string()))
    }
}

/// An absolute `http`/`https` URL with a host, nothing else (what NodeInfo readers such as
/// Fedify's accept for `software.repository` and `software.homepage`).
fn http_url_ok(value: &str) -> bool {
    url::Url::parse(value).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

/// An IP address, or one with a `/prefix` no longer than the address.
fn ip_range_ok(range: &str) -> bool {
    let (addr, prefix) = match range.split_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix)),
        None => (range, None),
    };
    let Ok(addr) = addr.trim().parse::<std::net::IpAddr>() else {
        return false;
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    prefix.is_none_or(|p| p.trim().parse::<u8>().is_ok_and(|p| p <= max))
}

/// ``host[:port]`` with a DNS-style host name (IP literals are refused: ActivityPub ids need a
/// host name, and the federation library rejects IP-literal URLs).
fn domain_ok(domain: &str) -> bool {
    let (host, port) = match domain.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (domain, None),
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    let labels_ok = host.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    let is_ip = host.parse::<std::net::Ipv4Addr>().is_ok();
    port_ok && labels_ok && !is_ip && host.len() <= 253
}
