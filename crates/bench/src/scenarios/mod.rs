//! The six scenarios of the performance issue, one module each.
pub mod actor;
pub mod fanout;
pub mod federation;
pub mod footprint;
pub mod inbox;
pub mod search;

use std::time::Duration;

/// A plain client for set-up and polling (not for load: see `load`).
pub fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?)
}

/// `GET url` as JSON (with `accept`), failing on a non-2xx answer.
pub async fn get_json(
    http: &reqwest::Client,
    url: &str,
    accept: &str,
) -> anyhow::Result<serde_json::Value> {
    let response = http.get(url).header("Accept", accept).send().await?;
    let status = response.status();
    anyhow::ensure!(status.is_success(), "GET {url}: HTTP {status}");
    Ok(response.json().await?)
}

/// Median of a non-empty list.
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Largest of a list.
pub fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(0.0, f64::max)
}
