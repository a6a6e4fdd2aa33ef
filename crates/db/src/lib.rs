//! coopnet-db: storage on SQLite (embedded default) and PostgreSQL, chosen by URL.
//!
//! `entities/` holds the sea-orm entities (one per table, mirroring `migrations/`); they stay
//! inside this crate. `repo/` holds the hand-written queries, one module per aggregate, which
//! take any connection or transaction and return `coopnet-core` types. `index/` is the
//! in-memory search index the directory answers from, derived from the database. [`connect`]
//! opens a pool with the pragmas each backend needs; [`signals`] tells a process what others
//! committed (PostgreSQL `LISTEN`, SQLite `data_version`).
//!
//! Depends on `coopnet-core` and sea-orm; nothing above it.

mod connect;
mod convert;
mod entities;
mod error;
pub mod index;
pub mod repo;
pub mod signals;
mod statistics;

pub use connect::{Backend, begin_write, connect};
pub use error::DbError;
pub use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait,
};
pub use statistics::{COOP_TABLES, analyze};
