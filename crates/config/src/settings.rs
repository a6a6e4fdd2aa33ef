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
}

impl Default for FederationSettings {
    fn default() -> Self {
        Self {
            follow_policy: FollowPolicy::Auto,
            allowlist: Vec::new(),
            resync_interval_secs: 6 * 3600,
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
}

impl Default for DirectorySettings {
    fn default() -> Self {
        Self {
            data_licence: "CC-BY-4.0".into(),
            data_licence_url: "https://creativecommons.org/licenses/by/4.0/".into(),
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
    /// Development mode: plain http URLs and loopback peers allowed. Never in production.
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
    /// The public directory's open data.
    pub directory: DirectorySettings,
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
            directory: DirectorySettings::default(),
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

    /// The configured settings as commented TOML (used to keep `config/default.toml` true).
    pub fn to_toml(&self) -> Result<String, ConfigError> {
        toml::to_string(self).map_err(|e| ConfigError::Invalid(e.to_string()))
    }
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
