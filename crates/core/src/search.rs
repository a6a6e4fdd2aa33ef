//! A directory query as every surface means it: words, facet filters, order and page.
//! The public page, the JSON API, feeds and exports build one of these (the API strictly,
//! refusing bad values; the page leniently, dropping them) and the search index answers it.

/// Most results per page.
pub const MAX_SEARCH_LIMIT: u64 = 200;

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first (name order without a text query).
    #[default]
    Relevance,
    /// By name.
    Name,
    /// Newest members first.
    Newest,
}

impl Sort {
    /// From the URL value (`relevance`, `name`, `newest`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "relevance" => Some(Self::Relevance),
            "name" => Some(Self::Name),
            "newest" => Some(Self::Newest),
            _ => None,
        }
    }

    /// The URL value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::Name => "name",
            Self::Newest => "newest",
        }
    }
}

/// A directory query. Facet filters of one kind are alternatives (OR); different kinds
/// combine (AND).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchQuery {
    /// Words to find in name, summary, services, technologies and locality.
    pub text: String,
    /// Network storage ids.
    pub networks: Vec<i64>,
    /// Country codes (uppercase).
    pub countries: Vec<String>,
    /// Service keys (see `Tag::key`).
    pub services: Vec<String>,
    /// Technology keys.
    pub technologies: Vec<String>,
    /// Primary language subtags worked in (`en`, `de`).
    pub languages: Vec<String>,
    /// Order.
    pub sort: Sort,
    /// Page size (1..=200).
    pub limit: u64,
    /// Results to skip.
    pub offset: u64,
}
