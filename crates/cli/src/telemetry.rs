//! Logging: one tracing subscriber for the process, writing to standard error.
use coopnet_config::LogFormat;
use tracing_subscriber::EnvFilter;

/// Installs the subscriber. `COOPNET_LOG` (or `RUST_LOG`) sets the filter; `default` applies
/// otherwise (`info` for `serve`, `warn` for one-shot commands).
pub fn init(format: LogFormat, default: &str) {
    let filter = std::env::var("COOPNET_LOG")
        .ok()
        .or_else(|| std::env::var("RUST_LOG").ok())
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests) is harmless: keep the first subscriber.
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}
