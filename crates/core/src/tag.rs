//! [`Tag`]: a service or technology label as the co-op wrote it, with the folded key that
//! groups spellings (`Web Design`, `web design`) into one facet.
use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest label a service or technology tag may have.
pub const MAX_TAG_LEN: usize = 50;

/// A service or technology label as the co-op wrote it ("Web Design", "HTML/CSS").
///
/// Its [`Tag::key`] is the case- and punctuation-insensitive form used for facets, hashtags
/// and de-duplication.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Tag(String);

impl Tag {
    /// Trims and validates a label: 1–50 characters, no `;`, `,` or control characters
    /// (`;` separates tags in CSV files).
    pub fn parse(value: &str) -> Result<Self, String> {
        let label = value.split_whitespace().collect::<Vec<_>>().join(" ");
        if label.is_empty() {
            return Err("must not be empty".into());
        }
        if label.chars().count() > MAX_TAG_LEN {
            return Err(format!("'{label}' is longer than {MAX_TAG_LEN} characters"));
        }
        if label
            .chars()
            .any(|c| c == ';' || c == ',' || c.is_control())
        {
            return Err(format!(
                "'{label}' may not contain ';', ',' or control characters"
            ));
        }
        if Self::key_of(&label).is_empty() {
            return Err(format!("'{label}' needs at least one letter or digit"));
        }
        Ok(Self(label))
    }

    /// The label.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Lowercase letters and digits with single `-` between words: `html-css`, `web-design`.
    pub fn key(&self) -> String {
        Self::key_of(&self.0)
    }

    fn key_of(label: &str) -> String {
        let mut key = String::with_capacity(label.len());
        for c in label.chars().flat_map(char::to_lowercase) {
            if c.is_alphanumeric() {
                key.push(c);
            } else if !key.is_empty() && !key.ends_with('-') {
                key.push('-');
            }
        }
        while key.ends_with('-') {
            key.pop();
        }
        key
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Tag {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Tag> for String {
    fn from(value: Tag) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_case_and_punctuation() {
        let tag = Tag::parse("  HTML/CSS ").map(|t| (t.as_str().to_string(), t.key()));
        assert_eq!(tag, Ok(("HTML/CSS".into(), "html-css".into())));
        assert_eq!(
            Tag::parse("Rocket.Chat").map(|t| t.key()),
            Ok("rocket-chat".into())
        );
    }

    #[test]
    fn refuses_separators_and_empty() {
        assert!(Tag::parse("a;b").is_err());
        assert!(Tag::parse("a,b").is_err());
        assert!(Tag::parse("  ").is_err());
        assert!(Tag::parse("/").is_err());
        assert!(Tag::parse(&"x".repeat(51)).is_err());
    }
}
