//! Stand-ins for the outside world in federation tests: [`TestResolver`], which answers
//! chosen host names with chosen loopback addresses (in turn, to play DNS rebinding), and
//! [`FakeServer`], a plain HTTP server on a chosen loopback address that answers by a
//! script and records every request it gets (an attacker's host, a "metadata" service
//! that must never be reached, a hostile peer network).
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use coopnet_federation::net::{Addrs, Name, Resolve, Resolving, SystemResolver};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Answers listed names from a table (each name's answers in turn, the last one
/// repeating), every other name from the system's resolver.
#[derive(Default)]
pub struct TestResolver {
    answers: Mutex<HashMap<String, VecDeque<Vec<IpAddr>>>>,
}

impl TestResolver {
    /// An empty table, shareable with an instance.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// `host` resolves to `addresses` (e.g. `["127.0.0.2"]`) from now on.
    pub fn answer(&self, host: &str, addresses: &[&str]) {
        self.answer_in_turn(host, &[addresses]);
    }

    /// `host` resolves to `turns[0]` the first time, `turns[1]` the second, …, then
    /// always to the last.
    pub fn answer_in_turn(&self, host: &str, turns: &[&[&str]]) {
        let turns = turns
            .iter()
            .map(|ips| {
                ips.iter()
                    .map(|ip| ip.parse().expect("an IP address"))
                    .collect()
            })
            .collect();
        self.answers
            .lock()
            .expect("resolver table")
            .insert(host.to_ascii_lowercase(), turns);
    }

    /// The next answer for `host`, if it is in the table.
    fn next(&self, host: &str) -> Option<Vec<IpAddr>> {
        let mut table = self.answers.lock().expect("resolver table");
        let turns = table.get_mut(&host.to_ascii_lowercase())?;
        if turns.len() > 1 {
            turns.pop_front()
        } else {
            turns.front().cloned()
        }
    }
}

impl Resolve for TestResolver {
    fn resolve(&self, name: Name) -> Resolving {
        match self.next(name.as_str()) {
            Some(ips) => {
                let addrs: Vec<SocketAddr> =
                    ips.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect();
                Box::pin(async move { Ok(Box::new(addrs.into_iter()) as Addrs) })
            }
            None => SystemResolver.resolve(name),
        }
    }
}

type Script = dyn Fn(&Request) -> Response + Send + Sync;

/// An HTTP server answering every request with `script(request)`; stops when dropped.
pub struct FakeServer {
    /// Where it listens.
    pub addr: SocketAddr,
    hits: Arc<Mutex<Vec<String>>>,
    _stop: oneshot::Sender<()>,
}

impl FakeServer {
    /// Listens on `ip` (port 0: any free port).
    pub async fn start(
        ip: &str,
        port: u16,
        script: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        Self::listen(ip, port, Duration::ZERO, script).await
    }

    /// Listens on `ip`, any free port, and answers each request after `delay` (a slow
    /// server; the wait does not block the test's runtime).
    pub async fn start_delayed(
        ip: &str,
        delay: Duration,
        script: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        Self::listen(ip, 0, delay, script).await
    }

    async fn listen(
        ip: &str,
        port: u16,
        delay: Duration,
        script: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let ip: IpAddr = ip.parse().map_err(std::io::Error::other)?;
        let listener = TcpListener::bind((ip, port)).await?;
        let addr = listener.local_addr()?;
        let hits = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let recorded = hits.clone();
        let app = axum::Router::new().fallback(move |request: Request| {
            let script = script.clone();
            let recorded = recorded.clone();
            async move {
                let target = request
                    .uri()
                    .path_and_query()
                    .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
                recorded
                    .lock()
                    .expect("hits")
                    .push(format!("{} {target}", request.method()));
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                script(&request)
            }
        });
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Self {
            addr,
            hits,
            _stop: stop,
        })
    }

    /// `METHOD /path?query` of every request so far.
    pub fn hits(&self) -> Vec<String> {
        self.hits.lock().expect("hits").clone()
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
}

/// A response with `status`, `headers` and `body`.
pub fn respond(status: u16, headers: &[(&str, &str)], body: impl Into<Body>) -> Response {
    let mut builder = Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder
        .body(body.into())
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

/// An ActivityStreams JSON document.
pub fn activity_json(value: &serde_json::Value) -> Response {
    respond(
        200,
        &[("content-type", "application/activity+json")],
        value.to_string(),
    )
}
