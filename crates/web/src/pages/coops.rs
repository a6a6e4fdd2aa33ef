//! `/coops`: the directory: full-text search, facets with counts, sort, pages. The whole
//! query lives in the URL, so every view can be bookmarked and shared.
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::AppContext;
use coopnet_app::directory::{self, FacetValue};
use coopnet_core::{SearchQuery, Sort};

use super::error_page;
use crate::ui::{Chrome, page};
use crate::views::CoopView;

/// Results per page.
pub const PAGE_SIZE: u64 = 20;
/// Facet values shown per facet.
const FACET_VALUES: usize = 12;

/// The directory query as it appears in the URL.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DirectoryParams {
    pub q: String,
    pub filters: Vec<(&'static str, String)>,
    pub sort: Option<Sort>,
    pub page: u64,
}

/// Filter names in the URL, in display order.
pub const FILTERS: [&str; 5] = ["network", "country", "service", "technology", "language"];

impl DirectoryParams {
    /// Reads `q`, the filters (repeated or comma-separated), `sort` and `page`; ignores the
    /// rest (`lang` is the chrome's).
    pub fn parse(raw: Option<&str>) -> Self {
        let mut out = Self {
            page: 1,
            ..Self::default()
        };
        for (key, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match key.as_ref() {
                "q" => out.q = value.trim().chars().take(200).collect(),
                "sort" => out.sort = Sort::parse(&value),
                "page" => out.page = value.parse().unwrap_or(1).clamp(1, 10_000),
                k => {
                    if let Some(name) = FILTERS.iter().find(|f| **f == k) {
                        for v in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                            let v = v.chars().take(60).collect::<String>();
                            if !out.filters.iter().any(|(n, x)| n == name && *x == v) {
                                out.filters.push((name, v));
                            }
                        }
                    }
                }
            }
        }
        out
    }

    fn values(&self, name: &str) -> Vec<String> {
        self.filters
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The query for the directory use case.
    pub fn to_search(&self, limit: u64) -> SearchQuery {
        SearchQuery {
            text: self.q.clone(),
            networks: self
                .values("network")
                .iter()
                .filter_map(|v| v.parse().ok())
                .collect(),
            countries: self
                .values("country")
                .iter()
                .map(|v| v.to_ascii_uppercase())
                .collect(),
            services: self.values("service"),
            technologies: self.values("technology"),
            languages: self
                .values("language")
                .iter()
                .map(|v| v.to_ascii_lowercase())
                .collect(),
            sort: self.sort.unwrap_or_default(),
            limit,
            offset: (self.page - 1) * limit,
        }
    }

    /// The URL of this query (page 1 unless given).
    pub fn href(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            s.append_pair("q", &self.q);
        }
        for (name, value) in &self.filters {
            s.append_pair(name, value);
        }
        if let Some(sort) = self.sort {
            s.append_pair("sort", sort.as_str());
        }
        if self.page > 1 {
            s.append_pair("page", &self.page.to_string());
        }
        let query = s.finish();
        if query.is_empty() {
            "/coops".to_owned()
        } else {
            format!("/coops?{query}")
        }
    }

    /// This query with one filter value switched on or off (back to page 1).
    pub fn toggled(&self, name: &'static str, value: &str) -> Self {
        let mut next = self.clone();
        next.page = 1;
        if let Some(i) = next
            .filters
            .iter()
            .position(|(n, v)| *n == name && v == value)
        {
            next.filters.remove(i);
        } else {
            next.filters.push((name, value.to_owned()));
        }
        next
    }

    fn at_page(&self, page: u64) -> Self {
        Self {
            page,
            ..self.clone()
        }
    }
}

/// A facet value as a link that toggles it.
pub struct FacetLink {
    pub label: String,
    pub count: u64,
    pub href: String,
    pub active: bool,
}

/// One facet box.
pub struct FacetGroup {
    pub name: &'static str,
    pub title: &'static str,
    pub values: Vec<FacetLink>,
}

/// A filter in force, with the link that removes it.
pub struct ActiveFilter {
    pub label: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "pages/coops/index.html")]
struct DirectoryPage<'a> {
    c: &'a Chrome,
    q: String,
    coops: Vec<CoopView>,
    total: u64,
    groups: Vec<FacetGroup>,
    active: Vec<ActiveFilter>,
    hidden_filters: Vec<(&'static str, String)>,
    sort: &'static str,
    prev: Option<String>,
    next: Option<String>,
    page_label: String,
    clear: String,
}

fn group(
    c: &Chrome,
    params: &DirectoryParams,
    name: &'static str,
    values: &[FacetValue],
) -> FacetGroup {
    let t = c.t;
    let title = match name {
        "network" => t.facet_network,
        "country" => t.facet_country,
        "service" => t.facet_service,
        "technology" => t.facet_technology,
        _ => t.facet_language,
    };
    let chosen = params.values(name);
    let mut values: Vec<FacetLink> = values
        .iter()
        .enumerate()
        .filter(|(i, v)| *i < FACET_VALUES || chosen.contains(&v.key))
        .map(|(_, v)| FacetLink {
            label: v.label.clone(),
            count: v.count,
            href: params.toggled(name, &v.key).href(),
            active: chosen.contains(&v.key),
        })
        .collect();
    values.sort_by_key(|v| !v.active);
    FacetGroup {
        name,
        title,
        values,
    }
}

/// `GET /coops?q=&network=&country=&service=&technology=&language=&sort=&page=`
pub async fn index(State(ctx): State<AppContext>, c: Chrome, RawQuery(raw): RawQuery) -> Response {
    let params = DirectoryParams::parse(raw.as_deref());
    let result = match directory::search(&ctx, &params.to_search(PAGE_SIZE)).await {
        Ok(r) => r,
        Err(e) => return error_page(&c, &e),
    };
    let networks = result.networks.clone();
    let f = &result.facets;
    let groups: Vec<FacetGroup> = [
        ("network", &f.network),
        ("country", &f.country),
        ("service", &f.service),
        ("technology", &f.technology),
        ("language", &f.language),
    ]
    .into_iter()
    .map(|(name, values)| group(&c, &params, name, values))
    .filter(|g| !g.values.is_empty())
    .collect();
    let label_of = |name: &str, key: &str| -> String {
        let values = match name {
            "network" => &f.network,
            "country" => &f.country,
            "service" => &f.service,
            "technology" => &f.technology,
            _ => &f.language,
        };
        values
            .iter()
            .find(|v| v.key == key)
            .map_or_else(|| key.to_owned(), |v| v.label.clone())
    };
    let active = params
        .filters
        .iter()
        .map(|(name, key)| ActiveFilter {
            label: label_of(name, key),
            href: params.toggled(name, key).href(),
        })
        .collect();
    let pages = result.total.div_ceil(PAGE_SIZE).max(1);
    let lang = c.lang;
    let view = DirectoryPage {
        c: &c,
        q: params.q.clone(),
        coops: result
            .items
            .iter()
            .map(|coop| CoopView::new(coop, &networks, lang))
            .collect(),
        total: result.total,
        groups,
        active,
        hidden_filters: params.filters.clone(),
        sort: params.sort.unwrap_or_default().as_str(),
        prev: (params.page > 1).then(|| params.at_page(params.page - 1).href()),
        next: (params.page < pages).then(|| params.at_page(params.page + 1).href()),
        page_label: c.page_of(params.page, pages),
        clear: DirectoryParams {
            q: params.q.clone(),
            ..DirectoryParams::default()
        }
        .href(),
    };
    page(&c, StatusCode::OK, &view)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_round_trip_through_the_url() {
        let p = DirectoryParams::parse(Some(
            "q=web+design&country=GB,DE&service=hosting&service=hosting&sort=name&page=3&lang=de&x=1",
        ));
        assert_eq!(p.q, "web design");
        assert_eq!(
            p.filters,
            vec![
                ("country", "GB".into()),
                ("country", "DE".into()),
                ("service", "hosting".into())
            ]
        );
        assert_eq!(p.sort, Some(Sort::Name));
        assert_eq!(p.page, 3);
        assert_eq!(
            DirectoryParams::parse(Some(&p.href()["/coops?".len()..])),
            p
        );
        let toggled = p.toggled("country", "GB");
        assert_eq!(toggled.filters.len(), 2);
        assert_eq!(toggled.page, 1);
        assert!(
            toggled
                .toggled("country", "GB")
                .filters
                .iter()
                .any(|(n, v)| *n == "country" && v == "GB")
        );
    }
}
