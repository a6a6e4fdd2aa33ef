//! A refused or failed federation step with a peer: logged at `warn` with the reason and
//! kept in `federation_error` for the console's federation page (recent errors per peer),
//! so an operator learns why federation with a peer does not work without reading logs.
//! Reasons are our own words (an error's [`brief`](crate::FederationError::brief) or a
//! fixed text), never a body the peer sent.
use coopnet_db::ConnectionTrait;
use coopnet_db::repo::federation_errors;

/// Logs `step` with `host` as failed for `reason`, and records it. Recording is best
/// effort: a database error is logged, not returned, so that noting a failure never
/// turns into a second one.
pub async fn record(conn: &impl ConnectionTrait, host: &str, step: &str, reason: &str) {
    tracing::warn!(%host, step, reason, "federation step failed");
    if let Err(e) = federation_errors::record(conn, host, step, reason).await {
        tracing::error!(%host, step, error = %e, "could not record a federation error");
    }
}
