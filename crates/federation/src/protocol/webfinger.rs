//! WebFinger (RFC 7033) JRD documents.
use serde::{Deserialize, Serialize};

/// A JRD document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Jrd {
    /// `acct:user@domain`.
    pub subject: String,
    /// Other names for the subject (the actor id, the profile page).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Links.
    pub links: Vec<JrdLink>,
}

/// A JRD link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JrdLink {
    /// Relation.
    pub rel: String,
    /// Media type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// URL template (OStatus subscribe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}
