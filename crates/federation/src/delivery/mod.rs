//! The persistent delivery queue (the shared leased-queue worker of [`crate::queue`], with
//! per-host limits, circuit breakers and `Retry-After`) and our HTTP-signature signer.
//!
//! We sign and send ourselves rather than through the library's `SendActivityTask`, which
//! reports every 4xx as success: our retry rules need the real status (401/408/429 retried,
//! 410 and other 4xx dead), and owning the signer lets us pick the RSA implementation.
pub mod signer;
mod worker;

pub use worker::{
    DeliveryConfig, Outcome, Round, classify, housekeeping, parse_retry_after, run_once, spawn,
};
