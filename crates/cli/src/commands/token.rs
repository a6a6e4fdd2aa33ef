//! `coopnet token create|revoke|list`
use coopnet_app::{AppContext, tokens};

use crate::args::TokenCommand;

pub async fn run(ctx: &AppContext, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            admin: _,
            coop,
            label,
        } => {
            let new = tokens::create(ctx, coop.as_deref(), &label).await?;
            let scope = new
                .record
                .coop_slug
                .as_deref()
                .map_or("admin".to_owned(), |s| format!("co-op {s}"));
            eprintln!(
                "created token {} ({scope}); it is shown only this once:",
                new.record.id
            );
            println!("{}", new.secret);
        }
        TokenCommand::Revoke { id } => {
            tokens::revoke(ctx, id).await?;
            println!("revoked token {id}");
        }
        TokenCommand::List => {
            for t in tokens::list(ctx).await? {
                let scope = t
                    .coop_slug
                    .as_deref()
                    .map_or("admin".to_owned(), |s| format!("coop:{s}"));
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                let used = t.last_used_at.map_or("never used".to_owned(), |u| {
                    format!("last used {}", u.to_rfc3339())
                });
                println!("{}\t{scope}\t{state}\t{}\t{used}", t.id, t.label);
            }
        }
    }
    Ok(())
}
