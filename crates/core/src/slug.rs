//! [`Slug`]: a co-op's handle (`@slug@domain`, its profile path): the allowed shape,
//! length and the reserved names that would collide with routes or well-known actors.
use std::fmt;

use serde::{Deserialize, Serialize};

/// Paths and handles a co-op may not take: they collide with routes or well-known actors.
pub const RESERVED_SLUGS: &[&str] = &[
    "about",
    "actor",
    "admin",
    "api",
    "apply",
    "coops",
    "edit",
    "export",
    "feeds",
    "federation",
    "inbox",
    "instance",
    "login",
    "logout",
    "map",
    "network",
    "new",
    "news",
    "nodeinfo",
    "outbox",
    "posts",
    "root",
    "search",
    "settings",
    "static",
    "well-known",
];

/// The maximum length of a slug, as Mastodon limits usernames.
pub const MAX_SLUG_LEN: usize = 30;

/// A co-op's handle: a valid fediverse username, lowercase, stable, unique per instance.
///
/// Lowercase ASCII letters, digits and `_`, with `.` and `-` allowed inside (not first or
/// last), at most 30 characters, the shape Mastodon accepts for remote usernames.
///
/// ```
/// use coopnet_core::Slug;
/// assert!(Slug::parse("agile-collective").is_ok());
/// assert!(Slug::parse("-bad").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

/// Why a string is not a slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    /// Empty string.
    #[error("must not be empty")]
    Empty,
    /// Longer than [`MAX_SLUG_LEN`].
    #[error("must be at most {MAX_SLUG_LEN} characters")]
    TooLong,
    /// A character outside the allowed set, or `.`/`-` at an end.
    #[error("may contain only lowercase letters a-z, digits, '_', and '.' or '-' between them")]
    BadCharacters,
    /// One of [`RESERVED_SLUGS`].
    #[error("is reserved")]
    Reserved,
}

impl Slug {
    /// Validates `value` as a slug (no case folding: callers decide whether to lowercase).
    pub fn parse(value: &str) -> Result<Self, SlugError> {
        let slug = Self::parse_unreserved(value)?;
        if RESERVED_SLUGS.contains(&value) {
            return Err(SlugError::Reserved);
        }
        Ok(slug)
    }

    /// Like [`Slug::parse`] but allows reserved names, for handles coopnet itself assigns
    /// (the network and instance actors) and for remote co-ops.
    pub fn parse_unreserved(value: &str) -> Result<Self, SlugError> {
        if value.is_empty() {
            return Err(SlugError::Empty);
        }
        if value.chars().count() > MAX_SLUG_LEN {
            return Err(SlugError::TooLong);
        }
        let inner_ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
        let bytes: Vec<char> = value.chars().collect();
        let last = bytes.len() - 1;
        for (i, &c) in bytes.iter().enumerate() {
            let ok = inner_ok(c) || ((c == '.' || c == '-') && i != 0 && i != last);
            if !ok {
                return Err(SlugError::BadCharacters);
            }
        }
        Ok(Self(value.to_owned()))
    }

    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Slug {
    type Error = SlugError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Slug::parse_unreserved(&value)
    }
}

impl From<Slug> for String {
    fn from(value: Slug) -> Self {
        value.0
    }
}

impl AsRef<str> for Slug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_fediverse_usernames() {
        for ok in [
            "a",
            "outlandish",
            "principle_six",
            "co-operative-web",
            "mc3",
            "a.b",
            "_x_",
        ] {
            assert!(Slug::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_bad_shapes() {
        assert_eq!(Slug::parse(""), Err(SlugError::Empty));
        assert_eq!(Slug::parse(&"a".repeat(31)), Err(SlugError::TooLong));
        for bad in [
            "Upper", "-lead", "trail-", ".dot", "sp ace", "ümlaut", "a/b", "a@b",
        ] {
            assert_eq!(Slug::parse(bad), Err(SlugError::BadCharacters), "{bad}");
        }
        assert_eq!(Slug::parse("admin"), Err(SlugError::Reserved));
        assert!(Slug::parse_unreserved("admin").is_ok());
    }
}
