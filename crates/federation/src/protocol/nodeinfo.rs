//! NodeInfo (<https://nodeinfo.diaspora.software/>): the discovery document at
//! `/.well-known/nodeinfo` and the 2.0 and 2.1 documents it links.
//!
//! Typed rather than `json!`, because strict readers judge every field: Fedify's NodeInfo
//! parser rejects the whole document for `"repository": ""`, and the official 2.0 schema
//! forbids any `software` key but `name` and `version` (`additionalProperties: false`), so
//! `repository` and `homepage` exist only in 2.1, and only when the operator configured them
//! ([`SoftwareLinks`]). Enums hold the schema's allowed values for protocols and services;
//! counts are unsigned. `tests/interop/strict_check.py` validates what we serve against the
//! published schemas (copies in `tests/fixtures/nodeinfo/`).
use serde::{Deserialize, Serialize};
use url::Url;

/// `software.name`: the schema requires `^[a-z0-9-]+$`.
pub const SOFTWARE_NAME: &str = "coopnet";

/// The NodeInfo schema versions we serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeInfoVersion {
    /// 2.0: `software` is `name` and `version` only.
    #[serde(rename = "2.0")]
    V2_0,
    /// 2.1: `software` may also carry `repository` and `homepage`.
    #[serde(rename = "2.1")]
    V2_1,
}

impl NodeInfoVersion {
    /// Newest first, as the discovery document lists them.
    pub const ALL: [Self; 2] = [Self::V2_1, Self::V2_0];

    /// `2.0` or `2.1` from a URL path segment; `None` for any other.
    pub fn parse(version: &str) -> Option<Self> {
        match version {
            "2.0" => Some(Self::V2_0),
            "2.1" => Some(Self::V2_1),
            _ => None,
        }
    }

    /// `2.0` or `2.1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2_0 => "2.0",
            Self::V2_1 => "2.1",
        }
    }

    /// The schema URI: the `rel` of its link, and (with `#`) the media type's `profile`.
    pub fn schema(self) -> String {
        format!(
            "http://nodeinfo.diaspora.software/ns/schema/{}",
            self.as_str()
        )
    }
}

/// Where the software's source and home page are (`[nodeinfo]` in the config); each is
/// stated in 2.1 only when set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SoftwareLinks {
    /// `software.repository`.
    pub repository: Option<Url>,
    /// `software.homepage`.
    pub homepage: Option<Url>,
}

/// `GET /.well-known/nodeinfo`: links to the documents (and, FEP-2677, the instance actor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeInfoLinks {
    /// The links.
    pub links: Vec<NodeInfoLink>,
}

/// One link of [`NodeInfoLinks`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeInfoLink {
    /// The schema URI, or `https://www.w3.org/ns/activitystreams#Application`.
    pub rel: String,
    /// Where the document is.
    pub href: Url,
}

/// A NodeInfo 2.0 or 2.1 document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
    /// The schema version.
    pub version: NodeInfoVersion,
    /// The server software.
    pub software: Software,
    /// Federation protocols spoken (at least one).
    pub protocols: Vec<Protocol>,
    /// Third-party services connected.
    pub services: Services,
    /// Whether anyone may sign up (co-ops join through an application an admin decides).
    pub open_registrations: bool,
    /// Counts.
    pub usage: Usage,
    /// Free-form: the network's name, handle, country and languages.
    pub metadata: Metadata,
}

/// `software`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Software {
    /// [`SOFTWARE_NAME`].
    pub name: String,
    /// The release (`CARGO_PKG_VERSION`).
    pub version: String,
    /// Source code (2.1 only, when configured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<Url>,
    /// Home page (2.1 only, when configured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<Url>,
}

/// A value of `protocols` (the schema's enum; we speak one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Protocol {
    /// `activitypub`.
    #[serde(rename = "activitypub")]
    ActivityPub,
}

/// A value of `services.inbound` / `services.outbound` (both schema enums list these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedService {
    /// `atom1.0`: we publish Atom feeds of news.
    #[serde(rename = "atom1.0")]
    Atom1_0,
    /// `rss2.0`.
    #[serde(rename = "rss2.0")]
    Rss2_0,
}

/// `services`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Services {
    /// Sites we read messages from.
    pub inbound: Vec<FeedService>,
    /// Sites we publish to.
    pub outbound: Vec<FeedService>,
}

/// `usage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Accounts: our member co-ops.
    pub users: Users,
    /// Live news posts.
    pub local_posts: u64,
}

/// `usage.users`: co-ops have no logins to count activity by, so each is every member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Users {
    /// Member co-ops.
    pub total: u64,
    /// Same as `total`.
    pub active_month: u64,
    /// Same as `total`.
    pub active_halfyear: u64,
}

/// `metadata` (free-form in the schema; these are ours).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// The network's display name (the key Mastodon and Misskey read).
    pub node_name: String,
    /// The same name.
    pub network_name: String,
    /// `@user@domain` of the network actor.
    pub network_handle: String,
    /// ISO 3166-1 alpha-2 code, when the network is national.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// BCP 47 tags, main language first.
    pub languages: Vec<String>,
}

impl NodeInfo {
    /// The document of `version`: `links` are stated in 2.1 only.
    pub fn new(
        version: NodeInfoVersion,
        links: &SoftwareLinks,
        members: u64,
        local_posts: u64,
        metadata: Metadata,
    ) -> Self {
        let (repository, homepage) = match version {
            NodeInfoVersion::V2_0 => (None, None),
            NodeInfoVersion::V2_1 => (links.repository.clone(), links.homepage.clone()),
        };
        Self {
            version,
            software: Software {
                name: SOFTWARE_NAME.to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
                repository,
                homepage,
            },
            protocols: vec![Protocol::ActivityPub],
            services: Services {
                inbound: vec![],
                outbound: vec![FeedService::Atom1_0],
            },
            open_registrations: false,
            usage: Usage {
                users: Users {
                    total: members,
                    active_month: members,
                    active_halfyear: members,
                },
                local_posts,
            },
            metadata,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn metadata(country: Option<&str>) -> Metadata {
        Metadata {
            node_name: "CoTech".into(),
            network_name: "CoTech".into(),
            network_handle: "@cotech@coops.example".into(),
            country: country.map(Into::into),
            languages: vec!["en".into(), "cy".into()],
        }
    }

    fn configured() -> SoftwareLinks {
        SoftwareLinks {
            repository: Url::parse("https://git.example/coopnet").ok(),
            homepage: Url::parse("https://coopnet.example/").ok(),
        }
    }

    fn document(version: NodeInfoVersion, links: &SoftwareLinks) -> Value {
        serde_json::to_value(NodeInfo::new(version, links, 3, 7, metadata(Some("GB"))))
            .expect("serialises")
    }

    #[test]
    fn software_links_only_in_2_1_and_only_when_configured() {
        let v20 = document(NodeInfoVersion::V2_0, &configured());
        assert_eq!(
            v20["software"],
            json!({"name": "coopnet", "version": env!("CARGO_PKG_VERSION")})
        );
        let v21 = document(NodeInfoVersion::V2_1, &configured());
        assert_eq!(v21["software"]["repository"], "https://git.example/coopnet");
        assert_eq!(v21["software"]["homepage"], "https://coopnet.example/");
        let bare = document(NodeInfoVersion::V2_1, &SoftwareLinks::default());
        assert_eq!(
            bare["software"].as_object().map(|o| o.len()),
            Some(2),
            "{bare}"
        );
    }

    #[test]
    fn document_has_the_schema_shape() {
        let doc = document(NodeInfoVersion::V2_0, &SoftwareLinks::default());
        assert_eq!(doc["version"], "2.0");
        assert_eq!(doc["protocols"], json!(["activitypub"]));
        assert_eq!(
            doc["services"],
            json!({"inbound": [], "outbound": ["atom1.0"]})
        );
        assert_eq!(doc["openRegistrations"], false);
        assert_eq!(
            doc["usage"],
            json!({"users": {"total": 3, "activeMonth": 3, "activeHalfyear": 3}, "localPosts": 7})
        );
        assert_eq!(doc["metadata"]["country"], "GB");
        let without_country = serde_json::to_value(NodeInfo::new(
            NodeInfoVersion::V2_1,
            &configured(),
            0,
            0,
            metadata(None),
        ))
        .expect("serialises");
        assert!(without_country["metadata"].get("country").is_none());
        assert!(
            SOFTWARE_NAME
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        );
    }

    #[test]
    fn versions_parse_only_2_0_and_2_1() {
        assert_eq!(NodeInfoVersion::parse("2.0"), Some(NodeInfoVersion::V2_0));
        assert_eq!(NodeInfoVersion::parse("2.1"), Some(NodeInfoVersion::V2_1));
        assert_eq!(NodeInfoVersion::parse("2.2"), None);
        assert_eq!(
            NodeInfoVersion::V2_1.schema(),
            "http://nodeinfo.diaspora.software/ns/schema/2.1"
        );
    }
}
