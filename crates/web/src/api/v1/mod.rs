//! `/api/v1`: the public directory and, under `admin/`, bearer-token administration.
pub mod admin;
pub mod coops;

use serde::Deserialize;

/// `?limit=&offset=` paging.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    #[serde(default = "default_limit")]
    pub limit: u64,
    #[serde(default)]
    pub offset: u64,
}

fn default_limit() -> u64 {
    50
}
