//! Settings from the environment: `COOPNET_*` variables turned into a TOML table of
//! overrides (`COOPNET_NETWORK__NAME` -> `network.name`), applied over the config file.
use serde::{Deserialize, Deserializer};

use crate::ConfigError;

/// Environment variables read by the binary itself, not settings keys.
const NOT_SETTINGS: &[&str] = &["COOPNET_CONFIG", "COOPNET_LOG"];

/// Builds a TOML table of overrides from `COOPNET_*` variables.
///
/// `COOPNET_DATABASE_URL` sets `database_url`; a double underscore enters a section:
/// `COOPNET_NETWORK__NAME` sets `network.name`. Each value keeps the type the setting has in
/// `current` (a string stays a string even if it looks like a number); other values are read
/// as TOML (`true`, `8080`, `["en", "de"]`) and fall back to a string. A `COOPNET_` variable
/// that names no setting is an error, so typos do not pass silently.
pub fn env_overrides(
    current: &toml::Value,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<toml::Value, ConfigError> {
    let mut root = toml::Table::new();
    let mut vars: Vec<(String, String)> = env
        .into_iter()
        .filter(|(k, _)| k.starts_with("COOPNET_") && !NOT_SETTINGS.contains(&k.as_str()))
        .collect();
    vars.sort();
    for (name, raw) in vars {
        let path: Vec<String> = name["COOPNET_".len()..]
            .split("__")
            .map(|p| p.to_ascii_lowercase())
            .collect();
        if path.iter().any(String::is_empty) {
            return Err(ConfigError::Parse {
                path: None,
                message: format!("malformed variable name {name}"),
            });
        }
        let existing = lookup(current, &path);
        if existing.is_none() && !is_optional_key(&path) {
            return Err(ConfigError::Parse {
                path: None,
                message: format!("{name} does not name a setting (see README, Configuration)"),
            });
        }
        let value = match existing {
            Some(toml::Value::String(_)) => toml::Value::String(raw),
            _ => parse_scalar(&raw),
        };
        insert(&mut root, &path, value);
    }
    Ok(toml::Value::Table(root))
}

/// Optional settings are absent from the serialised defaults; they may still be set.
fn is_optional_key(path: &[String]) -> bool {
    matches!(path, [a, b] if a == "network" && b == "country")
}

fn lookup<'a>(value: &'a toml::Value, path: &[String]) -> Option<&'a toml::Value> {
    path.iter().try_fold(value, |v, key| v.get(key.as_str()))
}

fn parse_scalar(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_owned()))
}

fn insert(root: &mut toml::Table, path: &[String], value: toml::Value) {
    match path {
        [] => {}
        [last] => {
            root.insert(last.clone(), value);
        }
        [first, rest @ ..] => {
            let entry = root
                .entry(first.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(table) = entry {
                insert(table, rest, value);
            }
        }
    }
}

/// Accepts a list or a comma-separated string (`COOPNET_NETWORK__LANGUAGES=en,cy`).
pub(crate) fn list_or_csv<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrCsv {
        List(Vec<String>),
        Csv(String),
    }
    Ok(match ListOrCsv::deserialize(d)? {
        ListOrCsv::List(list) => list,
        ListOrCsv::Csv(s) => s
            .split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect(),
    })
}
