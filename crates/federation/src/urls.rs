//! The URLs of this instance's actors and objects. One place, so ids never drift.
use url::Url;

/// A local actor or object named by a URL of this instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalRef {
    /// `/coops/{slug}`
    Coop(String),
    /// `/network`
    Network,
    /// `/actor`
    Instance,
}

/// Builds and parses this instance's URLs.
#[derive(Debug, Clone)]
pub struct Urls {
    base: Url,
    domain: String,
}

impl Urls {
    /// For `scheme://domain`; `None` if that is not a URL.
    pub fn new(scheme: &str, domain: &str) -> Option<Self> {
        let base = Url::parse(&format!("{scheme}://{domain}/")).ok()?;
        Some(Self {
            base,
            domain: domain.to_owned(),
        })
    }

    /// `host[:port]`
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// `scheme://domain` without a trailing slash.
    pub fn base(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_owned()
    }

    fn at(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        url.set_path(path);
        url
    }

    /// A co-op's actor id and profile page.
    pub fn coop(&self, slug: &str) -> Url {
        self.at(&format!("/coops/{slug}"))
    }

    /// `{coop}/{suffix}` (inbox, outbox, followers, following, posts/…).
    pub fn coop_sub(&self, slug: &str, suffix: &str) -> Url {
        self.at(&format!("/coops/{slug}/{suffix}"))
    }

    /// The network's Group actor.
    pub fn network(&self) -> Url {
        self.at("/network")
    }

    /// `/network/{suffix}`.
    pub fn network_sub(&self, suffix: &str) -> Url {
        self.at(&format!("/network/{suffix}"))
    }

    /// The instance's Application actor (signs fetches; FEP-2677).
    pub fn instance(&self) -> Url {
        self.at("/actor")
    }

    /// `/actor/{suffix}`.
    pub fn instance_sub(&self, suffix: &str) -> Url {
        self.at(&format!("/actor/{suffix}"))
    }

    /// The shared inbox.
    pub fn shared_inbox(&self) -> Url {
        self.at("/inbox")
    }

    /// A fresh id for an outgoing activity.
    pub fn new_activity(&self) -> Url {
        self.at(&format!("/activities/{}", uuid::Uuid::new_v4()))
    }

    /// The key id of an actor: `{actor}#main-key`.
    pub fn key_id(actor: &Url) -> String {
        format!("{actor}#main-key")
    }

    /// Which local actor `url` names, if it is one of ours.
    pub fn parse(&self, url: &Url) -> Option<LocalRef> {
        if url.scheme() != self.base.scheme() || host_port(url) != self.domain {
            return None;
        }
        let segments: Vec<&str> = url.path_segments()?.collect();
        match segments.as_slice() {
            ["coops", slug] => Some(LocalRef::Coop((*slug).to_owned())),
            ["network"] => Some(LocalRef::Network),
            ["actor"] => Some(LocalRef::Instance),
            _ => None,
        }
    }

    /// True when `url` is on this instance (host and port compared: peers on loopback
    /// differ only by port).
    pub fn is_local(&self, url: &Url) -> bool {
        host_port(url) == self.domain
    }
}

/// `host[:port]` of a URL, as used for trust decisions.
pub fn host_port(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_parses_local_urls() {
        let urls = Urls::new("http", "localhost:8081").expect("urls");
        assert_eq!(
            urls.coop("outlandish").as_str(),
            "http://localhost:8081/coops/outlandish"
        );
        assert_eq!(
            urls.coop_sub("outlandish", "inbox").as_str(),
            "http://localhost:8081/coops/outlandish/inbox"
        );
        assert_eq!(
            urls.parse(&urls.coop("x")),
            Some(LocalRef::Coop("x".into()))
        );
        assert_eq!(urls.parse(&urls.network()), Some(LocalRef::Network));
        let other = Url::parse("http://localhost:8082/coops/x").expect("url");
        assert_eq!(urls.parse(&other), None, "another port is another instance");
        assert!(!urls.is_local(&other));
    }
}
