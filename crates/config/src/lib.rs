//! coopnet-config: the instance's settings and how they are loaded.
//!
//! One [`Settings`] tree, built in layers, each overriding the last:
//! struct defaults → a TOML file (`--config FILE` or `COOPNET_CONFIG`) → `COOPNET_*`
//! environment variables → CLI flags (applied by the caller). With no file at all the
//! built-in demo settings ([`Settings::demo`]) are the base instead, so a fresh clone runs a
//! local demo instance. Settings are values passed around, never globals: one process can
//! run several differently configured instances (the test harness does).
//!
//! Depends on `coopnet-core` (to validate handles, countries, languages), `toml` and `url`
//! (to validate the URLs NodeInfo states).

mod env;
mod settings;

pub use env::env_overrides;
pub use settings::{
    ConsoleSettings, DeliverySettings, DirectorySettings, FederationSettings, FollowPolicy,
    LimitSettings, LogFormat, MetricsSettings, NetworkSettings, NodeInfoSettings, Settings,
};

use std::path::{Path, PathBuf};

/// Why settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// TOML syntax error, unknown key or wrong type (file or environment).
    #[error("invalid configuration{}: {message}", .path.as_ref().map(|p| format!(" in {}", p.display())).unwrap_or_default())]
    Parse {
        /// The file, when the error is in one.
        path: Option<PathBuf>,
        /// What is wrong.
        message: String,
    },
    /// Values that parse but make no sense together.
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// Loads settings: the file (or the demo defaults when `file` is `None`), then `env`
/// overrides (pairs such as `("COOPNET_DATABASE_URL", "postgres://…")`), then validation.
///
/// Pass `std::env::vars()` in the binary and an explicit list in tests.
pub fn load(
    file: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Settings, ConfigError> {
    let base = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_owned(),
                source,
            })?;
            let mut value = toml::Value::try_from(Settings::default())
                .map_err(|e| ConfigError::Invalid(e.to_string()))?;
            let file_value: toml::Value =
                toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: Some(path.to_owned()),
                    message: e.to_string(),
                })?;
            merge(&mut value, file_value);
            // Check the file on its own first so its errors name the file.
            value
                .clone()
                .try_into::<Settings>()
                .map_err(|e| ConfigError::Parse {
                    path: Some(path.to_owned()),
                    message: e.to_string(),
                })?;
            value
        }
        None => toml::Value::try_from(Settings::demo())
            .map_err(|e| ConfigError::Invalid(e.to_string()))?,
    };
    let mut value = base;
    let overrides = env_overrides(&value, env)?;
    merge(&mut value, overrides);
    let settings: Settings = value
        .try_into()
        .map_err(|e: toml::de::Error| ConfigError::Parse {
            path: None,
            message: e.to_string(),
        })?;
    settings.validate()?;
    Ok(settings)
}

/// Deep-merges `over` into `base` (tables merge key by key; anything else replaces).
fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(base), toml::Value::Table(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

#[cfg(test)]
mod tests;
