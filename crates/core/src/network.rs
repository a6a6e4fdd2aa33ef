//! [`Network`]: a national network of co-ops, this instance's own or a peer's, as the
//! directory shows it.
use url::Url;

use crate::{CountryCode, LanguageTag, Slug};

/// A national network of co-ops: this instance's own, or a peer's.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// Storage id.
    pub id: i64,
    /// The network actor's handle (`cotech` in `@cotech@coops.tech`).
    pub username: Slug,
    /// The host (with port when not default) the network lives on.
    pub domain: String,
    /// Display name.
    pub name: String,
    /// Country the network covers.
    pub country: Option<CountryCode>,
    /// Languages the network works in.
    pub languages: Vec<LanguageTag>,
    /// Short description, Markdown.
    pub summary: String,
    /// `None` for this instance's own network; the actor id of a peer otherwise.
    pub actor_id: Option<Url>,
}

impl Network {
    /// True for this instance's own network.
    pub fn is_local(&self) -> bool {
        self.actor_id.is_none()
    }
}
