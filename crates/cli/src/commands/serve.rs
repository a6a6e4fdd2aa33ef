//! `coopnet serve`
use anyhow::Context;
use coopnet_app::AppContext;
use coopnet_config::Settings;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let listen = settings.listen.clone();
    let ctx = AppContext::start(settings)
        .await
        .context("start-up failed")?;
    // Built while serving: searches use the SQL path until it is done.
    coopnet_app::directory::spawn_index_build(&ctx);
    let listener = TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(url = %ctx.base_url(), listen = %listen, network = %ctx.network.name, "coopnet is serving");
    // Printed as well as logged so a newcomer sees where to go whatever the log filter.
    eprintln!(
        "coopnet: serving {} at {} (listening on {listen})",
        ctx.network.name,
        ctx.base_url()
    );
    let (stop_worker, worker_stop) = watch::channel(false);
    let stop_worker = std::sync::Arc::new(stop_worker);
    let metrics_listen = ctx.settings.metrics.listen.clone();
    if !metrics_listen.is_empty() {
        let listener = TcpListener::bind(&metrics_listen)
            .await
            .with_context(|| format!("cannot listen on metrics.listen {metrics_listen}"))?;
        tracing::info!(listen = %metrics_listen, "metrics served on their own address");
        let mut stopped = worker_stop.clone();
        let metrics_ctx = ctx.clone();
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            };
            if let Err(e) = coopnet_web::serve_metrics(metrics_ctx, listener, shutdown).await {
                tracing::error!(error = %e, "metrics server failed");
            }
        });
    }
    let config = coopnet_app::queue::delivery_config(&ctx.settings.delivery);
    let worker = ctx.spawn_delivery_worker(config, worker_stop.clone())?;
    let interval = std::time::Duration::from_secs(ctx.settings.federation.resync_interval_secs);
    coopnet_app::federation::spawn_resync_loop(ctx.clone(), interval, worker_stop);
    // On a stop signal the worker stops at once, while the server drains its requests: the
    // round in flight finishes and the deliveries it claimed but had not started are handed
    // back (due at once for the next process), so nothing waits for a lease to expire.
    let signal = {
        let stop_worker = stop_worker.clone();
        async move {
            shutdown_signal().await;
            let _ = stop_worker.send(true);
        }
    };
    let served = coopnet_web::serve(ctx, listener, signal)
        .await
        .context("server failed");
    let _ = stop_worker.send(true);
    // A send in flight takes at most the 10 s request timeout; one cut short is retried when
    // its lease expires (at-least-once), so stopping here loses nothing.
    if tokio::time::timeout(std::time::Duration::from_secs(15), worker)
        .await
        .is_err()
    {
        tracing::warn!("the delivery worker did not stop in time");
    }
    served?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
}
