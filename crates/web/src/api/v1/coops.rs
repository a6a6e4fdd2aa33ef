//! Public co-op directory API: listed co-ops of every network (local and federated), with
//! the directory page's search, filters, facets, order and paging.
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use coopnet_app::directory;
use coopnet_app::{AppContext, AppError, coops};
use coopnet_core::{Coop, Tag};
use coopnet_core::{MAX_SEARCH_LIMIT, SearchQuery, Sort};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::views::{CoopJson, CoopSearchJson, FacetsJson, LicenceJson};

/// Default page size.
pub const DEFAULT_LIMIT: u64 = 50;

/// Query parameters that may be repeated (`network=1&network=2`) or comma-separated
/// (`network=1,2`); values of one kind are alternatives, different kinds all apply.
const LIST_PARAMS: [&str; 5] = ["network", "country", "service", "technology", "language"];

/// `GET /api/v1/coops` query. Unknown parameters are refused (400).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CoopsQuery {
    /// Words to find in name, summary, services, technologies and locality (all must match,
    /// each as a word prefix or by its English, German, Dutch or French stem).
    #[serde(default)]
    pub q: Option<String>,
    /// Network ids (see `/api/v1/networks`); repeat or comma-separate.
    #[serde(default)]
    #[param(value_type = Option<Vec<i64>>, explode = true)]
    pub network: Vec<String>,
    /// ISO 3166-1 alpha-2 country codes.
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>, explode = true)]
    pub country: Vec<String>,
    /// Service keys (`web-development`) or labels (`Web Development`).
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>, explode = true)]
    pub service: Vec<String>,
    /// Technology keys or labels.
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>, explode = true)]
    pub technology: Vec<String>,
    /// Primary language subtags worked in (`en`, `de`).
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>, explode = true)]
    pub language: Vec<String>,
    /// `relevance` (default; by name without `q`), `name` or `newest`.
    #[serde(default)]
    #[param(value_type = Option<String>, pattern = "^(relevance|name|newest)$")]
    pub sort: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default)]
    #[param(value_type = Option<u64>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// Results to skip (default 0).
    #[serde(default)]
    #[param(value_type = Option<u64>, minimum = 0)]
    pub offset: Option<String>,
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
}

impl CoopsQuery {
    /// Reads a raw query string: list parameters repeated or comma-separated, others once.
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let mut fields = Map::new();
        for (key, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let key = key.into_owned();
            if LIST_PARAMS.contains(&key.as_str()) {
                let entry = fields
                    .entry(key)
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = entry {
                    items.extend(
                        value
                            .split(',')
                            .map(str::trim)
                            .filter(|v| !v.is_empty())
                            .map(|v| Value::String(v.to_owned())),
                    );
                }
            } else if fields.contains_key(&key) {
                return Err(bad_request(format!(
                    "query parameter '{key}' is given more than once"
                )));
            } else {
                fields.insert(key, Value::String(value.into_owned()));
            }
        }
        serde_json::from_value(Value::Object(fields))
            .map_err(|e| bad_request(format!("invalid query: {e}")))
    }

    /// The directory query, with every value checked.
    pub fn to_search(&self) -> Result<SearchQuery, ApiError> {
        let number = |name: &str, value: &Option<String>| -> Result<Option<u64>, ApiError> {
            value
                .as_deref()
                .map(|v| {
                    v.trim().parse::<u64>().map_err(|_| {
                        bad_request(format!("{name} must be a whole number, not '{v}'"))
                    })
                })
                .transpose()
        };
        let limit = number("limit", &self.limit)?.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_SEARCH_LIMIT).contains(&limit) {
            return Err(bad_request(format!(
                "limit must be between 1 and {MAX_SEARCH_LIMIT}"
            )));
        }
        let offset = number("offset", &self.offset)?.unwrap_or(0);
        let sort = match self.sort.as_deref() {
            None | Some("") => Sort::default(),
            Some(s) => Sort::parse(s).ok_or_else(|| {
                bad_request(format!("sort must be relevance, name or newest, not '{s}'"))
            })?,
        };
        let networks = self
            .network
            .iter()
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    bad_request(format!(
                        "network must be a network id (see /api/v1/networks), not '{v}'"
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        let countries = self
            .country
            .iter()
            .map(|v| {
                if v.len() == 2 && v.chars().all(|c| c.is_ascii_alphabetic()) {
                    Ok(v.to_ascii_uppercase())
                } else {
                    Err(bad_request(format!(
                        "country must be an ISO 3166-1 alpha-2 code, not '{v}'"
                    )))
                }
            })
            .collect::<Result<_, _>>()?;
        let tags = |name: &str, values: &[String]| -> Result<Vec<String>, ApiError> {
            values
                .iter()
                .map(|v| {
                    Tag::parse(v)
                        .map(|t| t.key())
                        .map_err(|e| bad_request(format!("{name}: {e}")))
                })
                .collect()
        };
        let languages = self
            .language
            .iter()
            .map(|v| {
                let primary = v.split(['-', '_']).next().unwrap_or_default();
                if (2..=8).contains(&primary.len())
                    && primary.chars().all(|c| c.is_ascii_alphabetic())
                {
                    Ok(primary.to_ascii_lowercase())
                } else {
                    Err(bad_request(format!(
                        "language must be a language code such as en, not '{v}'"
                    )))
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(SearchQuery {
            text: self.q.as_deref().unwrap_or_default().trim().to_owned(),
            networks,
            countries,
            services: tags("service", &self.service)?,
            technologies: tags("technology", &self.technology)?,
            languages,
            sort,
            limit,
            offset,
        })
    }
}

/// `Link: <URL>; rel="license"` for responses carrying directory data, when configured.
pub fn licence_link(ctx: &AppContext) -> Option<(axum::http::HeaderName, String)> {
    LicenceJson::configured(ctx)
        .filter(|l| !l.url.is_empty())
        .map(|l| {
            (
                axum::http::header::LINK,
                format!("<{}>; rel=\"license\"", l.url),
            )
        })
}

/// Adds the licence link to a response.
pub fn with_licence(ctx: &AppContext, response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    if let Some((name, value)) = licence_link(ctx)
        && let Ok(value) = axum::http::HeaderValue::from_str(&value)
    {
        response.headers_mut().insert(name, value);
    }
    response
}

/// Searches the public directory: listed co-ops of this network and of every federated one.
#[utoipa::path(
    get,
    path = "/api/v1/coops",
    tag = "directory",
    params(CoopsQuery),
    responses(
        (status = 200, description = "One page of matches, with facet counts over all matches", body = CoopSearchJson),
        (status = 400, description = "Unknown parameter or bad value", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn list(
    State(ctx): State<AppContext>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = CoopsQuery::parse(raw.as_deref())?.to_search()?;
    let result = directory::search(&ctx, &query).await?;
    let networks = &result.networks;
    let body = CoopSearchJson {
        items: result
            .items
            .iter()
            .map(|c| CoopJson::new(&ctx, networks, c))
            .collect(),
        total: result.total,
        limit: query.limit,
        offset: query.offset,
        facets: FacetsJson::from(&result.facets),
    };
    Ok(with_licence(&ctx, Json(body)))
}

/// One listed co-op by handle, `slug@domain` (a leading `@` and an encoded `%40` are
/// accepted), for local and federated co-ops; a bare slug names a local co-op.
#[utoipa::path(
    get,
    path = "/api/v1/coops/{id}",
    tag = "directory",
    params(("id" = String, Path, description = "`slug@domain` (local or federated) or a local slug", example = "outlandish@coops.tech")),
    responses(
        (status = 200, description = "The co-op", body = CoopJson),
        (status = 404, description = "No listed co-op has this handle", body = crate::api::v1::openapi::ErrorJson),
        (status = 410, description = "The local co-op was removed", body = crate::api::v1::openapi::ErrorJson),
    )
)]
pub async fn show(
    State(ctx): State<AppContext>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let networks = coopnet_app::networks::by_id(&ctx).await?;
    let coop = find(&ctx, &id).await?;
    Ok(with_licence(
        &ctx,
        Json(CoopJson::new(&ctx, &networks, &coop)),
    ))
}

/// Resolves `slug`, `slug@domain` or `@slug@domain` to a listed co-op.
async fn find(ctx: &AppContext, id: &str) -> Result<Coop, ApiError> {
    let not_found = || ApiError::from(AppError::NotFound(format!("co-op '{id}'")));
    let handle = id.strip_prefix('@').unwrap_or(id);
    let (slug, domain) = match handle.split_once('@') {
        Some((slug, domain)) => (slug, Some(domain)),
        None => (handle, None),
    };
    if slug.is_empty() || domain.is_some_and(str::is_empty) {
        return Err(not_found());
    }
    let coop = match domain {
        None => coops::get(ctx, slug).await?,
        Some(domain) if domain.eq_ignore_ascii_case(&ctx.network.domain) => {
            coops::get(ctx, slug).await?
        }
        Some(domain) => coops::get_remote(ctx, domain, slug).await?,
    };
    if coop.profile.listed {
        Ok(coop)
    } else {
        Err(not_found())
    }
}
