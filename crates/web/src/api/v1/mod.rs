//! `/api/v1`: the public directory and, under `admin/`, bearer-token administration.
pub mod admin;
pub mod coops;
pub mod networks;
pub mod openapi;

use serde::Deserialize;
use utoipa::IntoParams;

/// `?limit=&offset=` paging.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page size, 1 to 200 (default 50).
    #[serde(default = "default_limit")]
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: u64,
    /// Items to skip.
    #[serde(default)]
    pub offset: u64,
}

fn default_limit() -> u64 {
    50
}
