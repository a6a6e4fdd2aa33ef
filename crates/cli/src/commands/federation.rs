//! `coopnet federation …`
use coopnet_app::{AppContext, federation};

use crate::args::FederationCommand;

pub async fn run(ctx: &AppContext, command: FederationCommand) -> anyhow::Result<()> {
    match command {
        FederationCommand::Follow { target } => {
            let f = federation::follow(ctx, &target).await?;
            println!(
                "following {} ({}): {}",
                f.actor_id,
                f.kind,
                f.state.as_str()
            );
            eprintln!(
                "`coopnet serve` delivers the follow; it is accepted when the other side answers"
            );
        }
        FederationCommand::Unfollow { domain } => {
            let n = federation::unfollow(ctx, &domain).await?;
            println!("unfollowed {n} actor(s) on {domain}");
        }
        FederationCommand::List => {
            let peers = federation::peers(ctx).await?;
            for p in &peers {
                let following = p.following.map_or("-", |s| s.as_str());
                let follower = p
                    .follower
                    .map_or("-".to_owned(), |s| format!("{s:?}").to_lowercase());
                let sync = match (&p.sync.last_sync_at, p.sync.last_sync_ok) {
                    (Some(at), Some(ok)) => format!(
                        "{} {} ({})",
                        at.to_rfc3339(),
                        if ok { "ok" } else { "failed" },
                        p.sync.last_sync_message.as_deref().unwrap_or("")
                    ),
                    _ => "never synced".to_owned(),
                };
                println!(
                    "{}\t{}\twe follow: {following}\tfollows us: {follower}\t{} co-ops\t{sync}",
                    p.network.domain, p.network.name, p.members
                );
            }
            for f in federation::following(ctx)
                .await?
                .into_iter()
                .filter(|f| !f.kind.is_network())
            {
                println!(
                    "{}@{}\t{}\twe follow: {}",
                    f.username,
                    f.domain,
                    f.kind,
                    f.state.as_str()
                );
            }
            for b in federation::blocked(ctx).await? {
                println!("{}\tblocked\t{}", b.domain, b.reason);
            }
        }
        FederationCommand::Requests => {
            for r in federation::requests(ctx).await? {
                println!("{}\t{}\t{:?}", r.actor.domain, r.actor.actor_id, r.state);
            }
        }
        FederationCommand::Accept { domain } => {
            let n = federation::accept(ctx, &domain).await?;
            println!("accepted {n} request(s) from {domain}");
        }
        FederationCommand::Reject { domain } => {
            let n = federation::reject(ctx, &domain).await?;
            println!("rejected {n} request(s) from {domain}");
        }
        FederationCommand::Block { domain, reason } => {
            federation::block(ctx, &domain, &reason).await?;
            println!("blocked {domain}");
        }
        FederationCommand::Unblock { domain } => {
            federation::unblock(ctx, &domain).await?;
            println!("unblocked {domain}");
        }
        FederationCommand::Resync { domain } => {
            for (peer, result) in federation::resync(ctx, domain.as_deref()).await? {
                match result {
                    Ok(report) => println!("{peer}: {report}"),
                    Err(e) => println!("{peer}: failed: {e}"),
                }
            }
        }
    }
    Ok(())
}
