//! A co-op's social and web links: [`LinkKind`] decides the label and `rel="me"`, links
//! are validated as http(s) URLs (fediverse handles included).
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use url::Url;

/// What a social or web link points at; decides its label and, for `fediverse`, `rel="me"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    /// A fediverse profile (Mastodon etc.).
    Fediverse,
    /// A Twitter/X profile.
    Twitter,
    /// A GitHub account.
    Github,
    /// A LinkedIn page.
    Linkedin,
    /// A Facebook page.
    Facebook,
    /// An Instagram profile.
    Instagram,
    /// A code forge other than GitHub.
    Forge,
    /// Anything else.
    Other,
}

impl LinkKind {
    /// Every kind, in display order.
    pub const ALL: [LinkKind; 8] = [
        Self::Fediverse,
        Self::Twitter,
        Self::Github,
        Self::Linkedin,
        Self::Facebook,
        Self::Instagram,
        Self::Forge,
        Self::Other,
    ];

    /// The stable lowercase name used in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fediverse => "fediverse",
            Self::Twitter => "twitter",
            Self::Github => "github",
            Self::Linkedin => "linkedin",
            Self::Facebook => "facebook",
            Self::Instagram => "instagram",
            Self::Forge => "forge",
            Self::Other => "other",
        }
    }
}

impl fmt::Display for LinkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LinkKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|k| k.as_str()).collect();
                format!(
                    "unknown link kind '{s}' (expected one of {})",
                    names.join(", ")
                )
            })
    }
}

/// A validated social or web link of a co-op.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// What it points at.
    pub kind: LinkKind,
    /// An http(s) URL.
    pub url: Url,
}
