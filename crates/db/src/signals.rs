//! Commit signals between processes sharing one database: how a `serve` process learns that
//! another process (the CLI, another `serve`) committed rows for its queues, so its workers
//! wake at once instead of at their next idle poll, or changed co-ops or networks, so it
//! drops the actor documents it rendered and its search index catches up.
//!
//! - PostgreSQL: `LISTEN coopnet_queue` on a connection of its own; triggers on `delivery`,
//!   `job`, `coop` and `linked_account` (migration `m20261206_140000_create_queue_notify`)
//!   and `network` (`m20261211_100000_create_directory_change`)
//!   notify with the table's name when their transaction commits. If the connection drops, notifications may have
//!   been missed while it was down: after reconnecting the watcher reports [`Signal::Any`].
//! - SQLite: no notifications exist, so a connection of its own reads `PRAGMA data_version`
//!   every [`SQLITE_POLL`]; the value changes when any other connection (of any process)
//!   committed, and the watcher reports [`Signal::Any`].
//!
//! A signal only shortens a wait: the workers still poll, so a missed or spurious signal
//! costs at most one idle poll or one empty round.
use std::str::FromStr;
use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::sqlx::sqlite::SqliteConnectOptions;
use sea_orm::sqlx::{ConnectOptions, Row, SqliteConnection};
use tokio::sync::watch;

use crate::DbError;

/// The PostgreSQL channel the queue triggers notify on.
pub const QUEUE_CHANNEL: &str = "coopnet_queue";

/// How often SQLite's `data_version` is read.
pub const SQLITE_POLL: Duration = Duration::from_millis(100);

/// How long to wait before connecting again after the signal connection failed.
const RETRY: Duration = Duration::from_secs(2);

/// What another process committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Rows in `delivery`.
    Deliveries,
    /// Rows in `job`.
    Jobs,
    /// A write to `coop`, `linked_account` or `network`: what actor documents and the
    /// search index are built from.
    Coops,
    /// Something (SQLite), or possibly something (a PostgreSQL reconnect): wake everyone.
    Any,
}

impl Signal {
    fn from_payload(payload: &str) -> Self {
        match payload {
            "delivery" => Self::Deliveries,
            "job" => Self::Jobs,
            "coop" | "linked_account" | "network" => Self::Coops,
            _ => Self::Any,
        }
    }
}

/// Reports commits of other processes on the database at `url` to `on_signal` until `stop`
/// turns true. Connection failures are logged and retried: this never ends early.
pub async fn watch_commits(
    url: &str,
    mut stop: watch::Receiver<bool>,
    on_signal: impl Fn(Signal) + Send,
) {
    let watched = async {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            watch_postgres(url, &on_signal).await
        } else {
            watch_sqlite(url, &on_signal).await
        }
    };
    tokio::select! {
        () = watched => {}
        _ = stop.wait_for(|stopped| *stopped) => {}
    }
}

async fn watch_postgres(url: &str, on_signal: &(impl Fn(Signal) + Send)) {
    loop {
        match listen(url).await {
            Ok(mut listener) => {
                // Whatever was committed before LISTEN took effect was not signalled.
                on_signal(Signal::Any);
                loop {
                    match listener.try_recv().await {
                        Ok(Some(n)) => on_signal(Signal::from_payload(n.payload())),
                        // The connection dropped and was re-established: anything
                        // committed meanwhile went unsignalled.
                        Ok(None) => on_signal(Signal::Any),
                        Err(e) => {
                            tracing::warn!(error = %e, "commit signals: PostgreSQL LISTEN failed; retrying");
                            break;
                        }
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "commit signals: cannot LISTEN on PostgreSQL; retrying");
            }
        }
        tokio::time::sleep(RETRY).await;
    }
}

async fn listen(url: &str) -> Result<PgListener, DbError> {
    let mut listener = PgListener::connect(url).await.map_err(sqlx_error)?;
    listener.listen(QUEUE_CHANNEL).await.map_err(sqlx_error)?;
    Ok(listener)
}

async fn watch_sqlite(url: &str, on_signal: &(impl Fn(Signal) + Send)) {
    loop {
        match sqlite_connection(url).await {
            Ok(mut conn) => {
                let mut last = None;
                loop {
                    match data_version(&mut conn).await {
                        Ok(v) => {
                            if last.is_some_and(|last| last != v) {
                                on_signal(Signal::Any);
                            }
                            last = Some(v);
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "commit signals: cannot read SQLite's data_version; retrying");
                            break;
                        }
                    }
                    tokio::time::sleep(SQLITE_POLL).await;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "commit signals: cannot open SQLite; retrying");
            }
        }
        tokio::time::sleep(RETRY).await;
    }
}

/// A connection outside the pool: `data_version` is per connection, and one held by the
/// watcher would take a slot from the pool's small SQLite budget.
async fn sqlite_connection(url: &str) -> Result<SqliteConnection, DbError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(sqlx_error)?
        .disable_statement_logging();
    options.connect().await.map_err(sqlx_error)
}

async fn data_version(conn: &mut SqliteConnection) -> Result<i64, DbError> {
    let row = sea_orm::sqlx::query("PRAGMA data_version")
        .fetch_one(&mut *conn)
        .await
        .map_err(sqlx_error)?;
    row.try_get::<i64, _>(0).map_err(sqlx_error)
}

fn sqlx_error(e: sea_orm::sqlx::Error) -> DbError {
    DbError::from(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(
        e.into(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_name_their_queue() {
        assert_eq!(Signal::from_payload("delivery"), Signal::Deliveries);
        assert_eq!(Signal::from_payload("job"), Signal::Jobs);
        assert_eq!(Signal::from_payload("coop"), Signal::Coops);
        assert_eq!(Signal::from_payload("linked_account"), Signal::Coops);
        assert_eq!(Signal::from_payload("mail"), Signal::Any);
    }
}
