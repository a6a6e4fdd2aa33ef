//! Open data exports of the whole public directory at stable URLs:
//! `/exports/coops.json` (an array of the API's co-op objects), `/exports/coops.csv` (the
//! columns of `coopnet coop export --format csv`, plus `network` and `url`) and
//! `/exports/coops.geojson` (RFC 7946, co-ops with coordinates).
//!
//! Every export carries `Link: <licence URL>; rel="license"` when a data licence is
//! configured (`directory.data_licence_url`); the GeoJSON also names it in a foreign member
//! `license` of the FeatureCollection.
use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use coopnet_app::directory;
use coopnet_app::{AppContext, AppError, exchange};
use coopnet_core::{Coop, Network};
use coopnet_core::{MAX_SEARCH_LIMIT, SearchQuery, Sort};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::v1::coops::with_licence;
use crate::error::ApiError;
use crate::views::{CoopJson, LicenceJson};

/// The CSV media type (RFC 4180, with a header row).
pub const CSV: &str = "text/csv; charset=utf-8; header=present";
/// The GeoJSON media type (RFC 7946).
pub const GEOJSON: &str = "application/geo+json";

/// Every listed co-op of the directory (local and federated), by name.
async fn whole_directory(ctx: &AppContext) -> Result<Vec<Coop>, AppError> {
    let mut out = Vec::new();
    loop {
        let page = directory::search(
            ctx,
            &SearchQuery {
                sort: Sort::Name,
                limit: MAX_SEARCH_LIMIT,
                offset: out.len() as u64,
                ..SearchQuery::default()
            },
        )
        .await?;
        let done =
            page.items.is_empty() || out.len() as u64 + page.items.len() as u64 >= page.total;
        out.extend(page.items.into_iter().map(std::sync::Arc::unwrap_or_clone));
        if done {
            return Ok(out);
        }
    }
}

async fn directory_json(ctx: &AppContext) -> Result<Vec<CoopJson>, AppError> {
    let coops = whole_directory(ctx).await?;
    let networks: HashMap<i64, Network> = coopnet_app::networks::by_id(ctx).await?;
    Ok(coops
        .iter()
        .map(|c| CoopJson::new(ctx, &networks, c))
        .collect())
}

/// The whole directory as a JSON array of co-ops (the objects of `/api/v1/coops`).
#[utoipa::path(
    get,
    path = "/exports/coops.json",
    tag = "exports",
    responses((status = 200, description = "Every listed co-op, by name", body = Vec<CoopJson>))
)]
pub async fn json(State(ctx): State<AppContext>) -> Result<Response, ApiError> {
    let items = directory_json(&ctx).await?;
    Ok(with_licence(&ctx, Json(items)))
}

/// The whole directory as CSV: coopnet's export columns (`docs/import-format.md`) with
/// `network` (its network's name) and `url` (its profile, the actor id) after the fixed
/// columns, then one `summary_<lang>` column per language.
#[utoipa::path(
    get,
    path = "/exports/coops.csv",
    tag = "exports",
    responses((status = 200, description = "RFC 4180 CSV with a header row", content_type = "text/csv", body = String))
)]
pub async fn csv(State(ctx): State<AppContext>) -> Result<Response, ApiError> {
    let coops = whole_directory(&ctx).await?;
    let networks = coopnet_app::networks::by_id(&ctx).await?;
    // Peer networks name themselves: these cells are escaped like every other.
    let extra: Vec<Vec<String>> = coops
        .iter()
        .map(|c| {
            let j = CoopJson::new(&ctx, &networks, c);
            vec![j.network.name, j.url]
        })
        .collect();
    // Contacts the co-ops keep private are left out of the open data.
    let public: Vec<_> = coops.iter().map(Coop::redacted).collect();
    let text = exchange::to_csv_with(&public, &["network", "url"], &extra)?;
    Ok(with_licence(&ctx, ([(header::CONTENT_TYPE, CSV)], text)))
}

/// A GeoJSON FeatureCollection (RFC 7946) with the data licence as a foreign member.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    /// The licence of the data (a foreign member), when configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<LicenceJson>,
    pub features: Vec<Feature>,
}

/// One co-op as a GeoJSON Feature.
#[derive(Debug, Serialize, ToSchema)]
pub struct Feature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    /// The co-op's handle.
    pub id: String,
    pub geometry: Point,
    pub properties: FeatureProperties,
}

/// A GeoJSON Point.
#[derive(Debug, Serialize, ToSchema)]
pub struct Point {
    /// Always `Point`.
    #[serde(rename = "type")]
    #[schema(example = "Point")]
    pub kind: &'static str,
    /// `[longitude, latitude]` (WGS 84), in that order.
    pub coordinates: [f64; 2],
}

/// What a co-op's Feature says about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureProperties {
    pub name: String,
    /// `@slug@domain`
    pub handle: String,
    /// Its profile (actor id).
    pub url: String,
    /// Its network's name.
    pub network: String,
    pub country: Option<String>,
    pub locality: Option<String>,
    pub services: Vec<String>,
    pub technologies: Vec<String>,
}

/// The co-ops of the directory that have coordinates, as GeoJSON points.
#[utoipa::path(
    get,
    path = "/exports/coops.geojson",
    tag = "exports",
    responses((status = 200, description = "RFC 7946 FeatureCollection of the co-ops with coordinates", content_type = "application/geo+json", body = FeatureCollection))
)]
pub async fn geojson(State(ctx): State<AppContext>) -> Result<Response, ApiError> {
    let features = directory_json(&ctx)
        .await?
        .into_iter()
        .filter_map(|c| {
            let (Some(lat), Some(lon)) = (c.latitude, c.longitude) else {
                return None;
            };
            Some(Feature {
                kind: "Feature",
                id: c.handle.clone(),
                geometry: Point {
                    kind: "Point",
                    coordinates: [lon, lat],
                },
                properties: FeatureProperties {
                    name: c.name,
                    handle: c.handle,
                    url: c.url,
                    network: c.network.name,
                    country: c.country,
                    locality: c.locality,
                    services: c.services,
                    technologies: c.technologies,
                },
            })
        })
        .collect();
    let collection = FeatureCollection {
        kind: "FeatureCollection",
        license: LicenceJson::configured(&ctx),
        features,
    };
    let body = match serde_json::to_string(&collection) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "GeoJSON export failed");
            return Ok(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
    };
    Ok(with_licence(
        &ctx,
        ([(header::CONTENT_TYPE, GEOJSON)], body),
    ))
}
