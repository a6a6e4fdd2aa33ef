//! coopnet-tests: the test harness and the end-to-end suite (`e2e/`).
//!
//! [`TestDb`] gives each test its own database: a SQLite file in a temporary folder by
//! default, or, when `TEST_DATABASE_URL` names a PostgreSQL server, a fresh
//! `coopnet_test_<uuid>` database dropped afterwards (`TEST_KEEP_DB=1` keeps it).
//! [`TestInstance`] runs a whole instance (real migrations, real router) on a free loopback
//! port named `localhost:PORT`. Nothing is global, so tests run in parallel.
#![allow(clippy::unwrap_used)]

mod db;
mod instance;

pub use db::TestDb;
pub use instance::{TestInstance, test_settings};
