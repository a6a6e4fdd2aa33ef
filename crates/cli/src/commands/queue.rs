//! `coopnet queue …`
use coopnet_app::AppContext;
use coopnet_app::queue::{self, Breaker};

use crate::args::QueueCommand;

pub async fn run(ctx: &AppContext, command: QueueCommand) -> anyhow::Result<()> {
    match command {
        QueueCommand::Status { json } => {
            let status = queue::status(ctx).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&status)?);
                return Ok(());
            }
            let c = status.counts;
            println!("pending\t{}", c.pending);
            println!("leased\t{}", c.leased);
            println!("done\t{}", c.done);
            println!("dead\t{}", c.dead);
            if status.failing_hosts.is_empty() {
                println!("no failing hosts");
            } else {
                println!(
                    "failing hosts (host, breaker, failures in a row, waiting deliveries, since, next probe):"
                );
            }
            for h in &status.failing_hosts {
                let breaker = match h.breaker {
                    Breaker::Open => "open",
                    Breaker::HalfOpen => "half-open",
                    Breaker::Closed => "closed",
                };
                println!(
                    "{}\t{breaker}\t{}\t{}\t{}\t{}",
                    h.host,
                    h.fail_streak,
                    h.pending,
                    h.first_failure_at
                        .map_or_else(|| "-".to_owned(), |t| t.to_rfc3339()),
                    h.open_until
                        .map_or_else(|| "-".to_owned(), |t| t.to_rfc3339()),
                );
            }
            let j = status.jobs;
            println!(
                "jobs: pending {}, leased {}, done {}, dead {}",
                j.pending, j.leased, j.done, j.dead
            );
            if !status.unfinished_jobs.is_empty() {
                println!("unfinished jobs (id, kind, state, attempts, due, payload, last error):");
            }
            for job in &status.unfinished_jobs {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    job.id,
                    job.kind,
                    job.state,
                    job.attempts,
                    job.run_after.to_rfc3339(),
                    job.payload,
                    job.last_error.as_deref().unwrap_or("-"),
                );
            }
        }
    }
    Ok(())
}
