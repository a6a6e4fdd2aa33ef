//! The directory's facet dimensions and counts: shared by the search index, which counts
//! them, and the count cache, which keeps recent counts.

/// A facet dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FacetKind {
    /// The co-op's network (key: network id).
    Network,
    /// Its country code.
    Country,
    /// A service (key: `Tag::key`).
    Service,
    /// A technology (key: `Tag::key`).
    Technology,
    /// A language worked in (key: primary subtag).
    Language,
}

impl FacetKind {
    /// The `coop_facet.kind` value (network and country live in `coop`).
    pub(crate) fn stored(self) -> Option<&'static str> {
        match self {
            Self::Service => Some("service"),
            Self::Technology => Some("technology"),
            Self::Language => Some("language"),
            Self::Network | Self::Country => None,
        }
    }

    pub(crate) fn from_stored(kind: &str) -> Option<Self> {
        [Self::Service, Self::Technology, Self::Language]
            .into_iter()
            .find(|k| k.stored() == Some(kind))
    }
}

/// How many matches carry one facet value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    /// The dimension.
    pub kind: FacetKind,
    /// The filter value (network id as text, country code, tag key, language subtag).
    pub key: String,
    /// A label as stored (for tags, the first in byte order of the labels co-ops used;
    /// otherwise the key).
    pub label: String,
    /// Matches with this value.
    pub count: u64,
}
