//! The one outgoing HTTP client: every fetch (actors, WebFinger, collections, backfill,
//! resync, admin lookups) and every delivery goes through [`HttpClient`], built once per
//! instance by [`client`].
//!
//! Why one client: the address rules ([`rules`]) are only as good as the path they guard.
//! A check before the request and a second DNS lookup inside the HTTP library is how DNS
//! rebinding gets in; a client that follows redirects by itself is how a public URL becomes
//! a fetch of `127.0.0.1`. So the rules live where the connection is made:
//!
//! - **names** are resolved by [`resolver::GuardedResolver`], which returns only addresses
//!   the rules permit: the address checked is the address connected;
//! - **IP literals** (which no resolver sees) and **schemes** are checked by a middleware on
//!   every request the client sends, the library's own signed fetches included;
//! - **redirects** are never followed by the client. activitypub_federation follows one
//!   `Location` itself, re-validating it and sending it through this same client;
//!   deliveries never follow one (a redirected POST would lose its signature's target);
//! - **no proxy** from the environment: a proxy would connect to addresses we never saw;
//! - **bounded**: connect and whole-request timeouts here; bodies are read under
//!   activitypub_federation's 1 MiB limit, and deliveries never read them.
pub mod resolver;
pub mod rules;

use std::sync::Arc;
use std::time::Duration;

use axum::http::Extensions;
use reqwest_middleware::{ClientWithMiddleware, Middleware, Next};

pub use reqwest::dns::{Addrs, Name, Resolve, Resolving};
pub use resolver::{GuardedResolver, SystemResolver};
pub use rules::{AddressRules, Refused, is_public};

use crate::FederationError;

/// The client every outgoing request goes through.
pub type HttpClient = ClientWithMiddleware;

/// Timeout of every outgoing fetch or delivery (Mastodon reads for 10 s).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Timeout of establishing a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How an instance reaches the outside world.
#[derive(Clone)]
pub struct NetConfig {
    /// Which destinations are allowed.
    pub rules: Arc<AddressRules>,
    /// Where names are resolved: the system's resolver, or a test's.
    pub resolver: Arc<dyn Resolve>,
}

impl NetConfig {
    /// The given rules with the system's resolver.
    pub fn system(rules: AddressRules) -> Self {
        Self {
            rules: Arc::new(rules),
            resolver: Arc::new(SystemResolver),
        }
    }
}

/// Builds the guarded client (see the module header).
pub fn client(net: &NetConfig, user_agent: &str) -> Result<HttpClient, FederationError> {
    let inner = reqwest::Client::builder()
        .user_agent(user_agent)
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver::new(
            net.resolver.clone(),
            net.rules.clone(),
        )))
        .build()
        .map_err(|e| FederationError::Internal(format!("http client: {e}")))?;
    Ok(reqwest_middleware::ClientBuilder::new(inner)
        .with(UrlGuard(net.rules.clone()))
        .build())
}

/// Refuses, before anything is sent, a request whose scheme or literal IP address the rules
/// do not allow. Names are left to the resolver, which sees every connection.
struct UrlGuard(Arc<AddressRules>);

#[async_trait::async_trait]
impl Middleware for UrlGuard {
    async fn handle(
        &self,
        req: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        if let Err(refused) = self.0.check_url(req.url()) {
            tracing::warn!(url = %req.url(), %refused, "outgoing request refused");
            return Err(reqwest_middleware::Error::middleware(refused));
        }
        next.run(req, extensions).await
    }
}

/// True when `error` (from [`HttpClient`]) is the guard's refusal rather than a failure of
/// the remote server: such a destination will never be allowed, so it is not retried.
pub fn is_refusal(error: &reqwest_middleware::Error) -> bool {
    use std::error::Error as _;
    match error {
        reqwest_middleware::Error::Middleware(e) => e.downcast_ref::<Refused>().is_some(),
        reqwest_middleware::Error::Reqwest(e) => {
            let mut source = e.source();
            while let Some(s) = source {
                if s.downcast_ref::<Refused>().is_some() {
                    return true;
                }
                source = s.source();
            }
            false
        }
    }
}
