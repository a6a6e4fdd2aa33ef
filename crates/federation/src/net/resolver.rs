//! Name resolution for the guarded client: [`GuardedResolver`] asks a base resolver (the
//! system's, or a test's) and passes on only the addresses [`AddressRules`] permit. reqwest
//! connects to exactly what it returns, so a name cannot be checked against one answer and
//! connected to another (DNS rebinding): there is only one answer.
use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::rules::{AddressRules, Refused};

/// The operating system's resolver (`getaddrinfo`, on tokio's blocking pool).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// A resolver that drops every address the rules do not permit, and fails when none is left.
pub struct GuardedResolver {
    base: Arc<dyn Resolve>,
    rules: Arc<AddressRules>,
}

impl GuardedResolver {
    /// Guards `base` with `rules`.
    pub fn new(base: Arc<dyn Resolve>, rules: Arc<AddressRules>) -> Self {
        Self { base, rules }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let answer = self.base.resolve(name);
        let rules = self.rules.clone();
        Box::pin(async move {
            let all: Vec<SocketAddr> = answer.await?.collect();
            let permitted: Vec<SocketAddr> = all
                .iter()
                .copied()
                .filter(|a| rules.permits(a.ip()))
                .collect();
            if permitted.is_empty() {
                tracing::warn!(%host, addresses = ?all, "name resolves to no permitted address");
                return Err(Box::new(Refused::Resolved(host)) as _);
            }
            if permitted.len() < all.len() {
                tracing::warn!(%host, addresses = ?all, "non-public addresses of a name skipped");
            }
            Ok(Box::new(permitted.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;
    use std::str::FromStr;

    use super::*;

    /// Answers every name with the same addresses.
    struct Fixed(Vec<IpAddr>);

    impl Resolve for Fixed {
        fn resolve(&self, _: Name) -> Resolving {
            let addrs: Vec<SocketAddr> = self.0.iter().map(|ip| SocketAddr::new(*ip, 0)).collect();
            Box::pin(async move { Ok(Box::new(addrs.into_iter()) as Addrs) })
        }
    }

    async fn resolve(answer: &[&str], rules: AddressRules) -> Result<Vec<IpAddr>, String> {
        let base = Fixed(answer.iter().map(|a| a.parse().expect("ip")).collect());
        let guarded = GuardedResolver::new(Arc::new(base), Arc::new(rules));
        let name = Name::from_str("peer.example").expect("name");
        match guarded.resolve(name).await {
            Ok(addrs) => Ok(addrs.map(|a| a.ip()).collect()),
            Err(e) => Err(e.to_string()),
        }
    }

    #[tokio::test]
    async fn only_permitted_addresses_are_returned() {
        let public_only = resolve(&["10.0.0.1", "93.184.216.34"], AddressRules::production())
            .await
            .expect("one public address left");
        assert_eq!(
            public_only,
            vec!["93.184.216.34".parse::<IpAddr>().expect("ip")]
        );
        let refused = resolve(
            &["127.0.0.1", "::1", "169.254.169.254"],
            AddressRules::production(),
        )
        .await
        .expect_err("nothing public");
        assert_eq!(refused, "peer.example resolves to no public address");
        let dev = resolve(&["127.0.0.1"], AddressRules::dev()).await;
        assert_eq!(dev.expect("dev allows loopback").len(), 1);
    }

    #[tokio::test]
    async fn the_system_resolver_answers_localhost() {
        let addrs: Vec<SocketAddr> = SystemResolver
            .resolve(Name::from_str("localhost").expect("name"))
            .await
            .expect("localhost resolves")
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
