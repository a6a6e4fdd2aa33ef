//! coopnet-tests: the test harness and the end-to-end suite (`e2e/`).
//!
//! [`TestDb`] gives each test its own database: a SQLite file in a temporary folder by
//! default, or, when `TEST_DATABASE_URL` names a PostgreSQL server, a fresh
//! `coopnet_test_<uuid>` database dropped afterwards (`TEST_KEEP_DB=1` keeps it).
//! [`TestInstance`] runs a whole instance (real migrations, real router) on a free loopback
//! port named `localhost:PORT`. Nothing is global, so tests run in parallel.
#![allow(clippy::unwrap_used)]

pub mod console;
mod db;
mod instance;
mod process;
mod remote;
mod rng;

pub use db::TestDb;
pub use instance::{METRICS_TOKEN, TestInstance, fast_delivery, test_settings};
pub use process::{ServeProcess, free_port};
pub use remote::{FakeServer, TestResolver, activity_json, respond};
pub use rng::Rng;

use coopnet_db::repo::keys::KeyPair;
use coopnet_federation::keys::KeySource;

/// The fixture key pairs in `tests/fixtures/keys/`, handed out in turn.
pub fn fixture_keys() -> KeySource {
    let pair = |private: &str, public: &str| KeyPair {
        public_pem: public.to_owned(),
        private_pem: private.to_owned(),
    };
    KeySource::fixed(vec![
        pair(
            include_str!("../fixtures/keys/key1.pem"),
            include_str!("../fixtures/keys/key1.pub.pem"),
        ),
        pair(
            include_str!("../fixtures/keys/key2.pem"),
            include_str!("../fixtures/keys/key2.pub.pem"),
        ),
        pair(
            include_str!("../fixtures/keys/key3.pem"),
            include_str!("../fixtures/keys/key3.pub.pem"),
        ),
        pair(
            include_str!("../fixtures/keys/key4.pem"),
            include_str!("../fixtures/keys/key4.pub.pem"),
        ),
    ])
}

/// Polls `check` every 50 ms until it returns `Some`, or fails after `timeout`.
pub async fn eventually<T, F, Fut>(timeout: std::time::Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
