//! `coopnet demo`: four networks on localhost in one process, in a full mesh.
use std::time::Duration;

use anyhow::Context;
use coopnet_app::{AppContext, coops, federation};
use coopnet_config::{NetworkSettings, Settings};
use coopnet_federation::delivery::DeliveryConfig;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::args::DemoArgs;

/// (username, name, country, languages, summary) of each demo network.
const NETWORKS: [(&str, &str, &str, &str, &str); 4] = [
    (
        "cotech",
        "CoTech (demo)",
        "GB",
        "en",
        "The UK's network of tech worker co-operatives: real member data, demo instance.",
    ),
    (
        "digital",
        "Digitale Genossenschaften (demo)",
        "DE",
        "de",
        "Demo-Netzwerk mit Mitgliedern aus der CoopCycle-Föderation.",
    ),
    (
        "techcoops",
        "Tech Coöperaties NL (demo)",
        "NL",
        "nl",
        "Demonetwerk met leden uit de CoopCycle-federatie.",
    ),
    (
        "scoptech",
        "SCOP Tech France (demo)",
        "FR",
        "fr",
        "Réseau de démonstration avec des membres de la fédération CoopCycle.",
    ),
];

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.data_dir)
        .with_context(|| format!("cannot create {}", args.data_dir.display()))?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut instances = Vec::new();
    for (i, (username, name, country, lang, summary)) in NETWORKS.iter().enumerate() {
        let port = args.base_port + u16::try_from(i)?;
        let db = args.data_dir.join(format!("{username}.db"));
        let settings = Settings {
            domain: format!("localhost:{port}"),
            listen: format!("127.0.0.1:{port}"),
            database_url: format!("sqlite://{}?mode=rwc", db.display()),
            dev_mode: true,
            demo_data: true,
            network: NetworkSettings {
                username: (*username).into(),
                name: (*name).into(),
                country: Some((*country).into()),
                languages: vec![(*lang).into(), "en".into()],
                summary: (*summary).into(),
            },
            ..Settings::default()
        };
        let listener = TcpListener::bind(&settings.listen)
            .await
            .with_context(|| format!("cannot listen on port {port}"))?;
        let ctx = AppContext::start(settings)
            .await
            .with_context(|| format!("cannot start {name}"))?;
        ctx.spawn_delivery_worker(
            DeliveryConfig {
                idle_poll: Duration::from_millis(500),
                ..DeliveryConfig::default()
            },
            stop_rx.clone(),
        )?;
        federation::spawn_resync_loop(ctx.clone(), Duration::from_secs(600), stop_rx.clone());
        let serve_ctx = ctx.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stop.changed().await;
            };
            if let Err(e) = coopnet_web::serve(serve_ctx, listener, shutdown).await {
                tracing::error!(error = %e, "demo instance stopped");
            }
        });
        instances.push(ctx);
    }

    // Full mesh: every network follows every other one (already-accepted follows are kept).
    for a in &instances {
        let known = federation::following(a).await?;
        for b in &instances {
            let target = b.fed().urls.network();
            if a.settings.domain != b.settings.domain && !known.iter().any(|f| f.actor_id == target)
            {
                federation::follow(a, target.as_str())
                    .await
                    .with_context(|| {
                        format!("{} cannot follow {}", a.network.name, b.network.name)
                    })?;
            }
        }
    }
    let local: Vec<u64> = {
        let mut v = Vec::new();
        for ctx in &instances {
            v.push(coops::list(ctx, coops::Visibility::All, 1, 0).await?.total);
        }
        v
    };
    let total: u64 = local.iter().sum();
    println!("coopnet demo: four networks in a full mesh");
    for (ctx, n) in instances.iter().zip(&local) {
        println!(
            "  {:<34} {}  ({n} members)",
            ctx.network.name,
            ctx.base_url()
        );
    }
    println!(
        "Each directory fills up to {total} co-ops as the networks exchange members. Ctrl-C stops."
    );

    // Report convergence once, so a newcomer sees it happen.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let mut converged = true;
        for ctx in &instances {
            converged &= coops::list(ctx, coops::Visibility::Public, 1, 0)
                .await?
                .total
                >= total;
        }
        if converged {
            println!("converged: every instance lists {total} co-ops");
            break;
        }
        if tokio::time::Instant::now() > deadline {
            println!("not converged after 60 s; see `coopnet federation list` per instance");
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let _ = tokio::signal::ctrl_c().await;
    let _ = stop_tx.send(true);
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok(())
}
