//! [`LanguageTag`]: BCP 47 tags in canonical case, the languages co-ops work in and posts
//! are written in; shape-checked, never looked up remotely.
use std::fmt;

use serde::{Deserialize, Serialize};

/// A BCP 47 language tag in its canonical case (`en`, `de`, `pt-BR`, `zh-Hant`, `sr-Latn-RS`).
///
/// Checks the shape (primary language of 2–3 letters, then script, region, variants of the
/// sizes RFC 5646 allows), not registry membership.
///
/// ```
/// use coopnet_core::LanguageTag;
/// assert_eq!(LanguageTag::parse("pt-br").unwrap().as_str(), "pt-BR");
/// assert!(LanguageTag::parse("english").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LanguageTag(String);

impl LanguageTag {
    /// Parses and canonicalises the case of a tag.
    pub fn parse(value: &str) -> Result<Self, String> {
        let error = || format!("'{value}' is not a BCP 47 language tag (e.g. en, de, pt-BR)");
        let value = value.trim();
        if value.is_empty() || value.len() > 35 {
            return Err(error());
        }
        let mut out: Vec<String> = Vec::new();
        for (i, part) in value.split(['-', '_']).enumerate() {
            if part.is_empty() || part.len() > 8 || !part.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return Err(error());
            }
            let canonical = if i == 0 {
                if !(2..=3).contains(&part.len()) || !part.chars().all(|c| c.is_ascii_alphabetic())
                {
                    return Err(error());
                }
                part.to_ascii_lowercase()
            } else if part.len() == 4 && part.chars().all(|c| c.is_ascii_alphabetic()) {
                let lower = part.to_ascii_lowercase();
                let mut chars = lower.chars();
                chars
                    .next()
                    .map(|f| f.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            } else if (part.len() == 2 && part.chars().all(|c| c.is_ascii_alphabetic()))
                || (part.len() == 3 && part.chars().all(|c| c.is_ascii_digit()))
            {
                part.to_ascii_uppercase()
            } else if part.len() >= 4 || part.len() == 1 {
                part.to_ascii_lowercase()
            } else {
                return Err(error());
            };
            out.push(canonical);
        }
        Ok(Self(out.join("-")))
    }

    /// The tag text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary language subtag (`pt` for `pt-BR`), used to match a reader's language.
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for LanguageTag {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<LanguageTag> for String {
    fn from(value: LanguageTag) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalises_case() {
        let cases = [
            ("EN", "en"),
            ("de-de", "de-DE"),
            ("zh-hant-tw", "zh-Hant-TW"),
            ("es-419", "es-419"),
        ];
        for (input, want) in cases {
            assert_eq!(
                LanguageTag::parse(input).map(|t| t.to_string()),
                Ok(want.to_string())
            );
        }
        assert_eq!(
            LanguageTag::parse("pt-BR").map(|t| t.primary().to_string()),
            Ok("pt".into())
        );
    }

    #[test]
    fn refuses_non_tags() {
        for bad in ["", "e", "english", "en--GB", "en-GB!", "12", "en-abcdefghi"] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad}");
        }
    }
}
