//! `coopnet serve`
use anyhow::Context;
use coopnet_app::AppContext;
use coopnet_config::Settings;
use coopnet_federation::delivery::DeliveryConfig;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let listen = settings.listen.clone();
    let ctx = AppContext::start(settings)
        .await
        .context("start-up failed")?;
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
    let worker = ctx.spawn_delivery_worker(DeliveryConfig::default(), worker_stop.clone())?;
    let interval = std::time::Duration::from_secs(ctx.settings.federation.resync_interval_secs);
    coopnet_app::federation::spawn_resync_loop(ctx.clone(), interval, worker_stop);
    coopnet_web::serve(ctx, listener, shutdown_signal())
        .await
        .context("server failed")?;
    // Let the worker finish the round in flight: a delivery interrupted mid-send is retried
    // once its lease expires, so stopping here loses nothing.
    let _ = stop_worker.send(true);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(15), worker).await;
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
