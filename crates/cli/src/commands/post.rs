//! `coopnet post create|delete|list`
use coopnet_app::AppContext;
use coopnet_app::posts::{self, Draft, PostAuthor};
use coopnet_core::TokenScope;

use crate::args::PostCommand;

fn author(coop: Option<String>) -> PostAuthor {
    coop.map_or(PostAuthor::Network, PostAuthor::Coop)
}

pub async fn run(ctx: &AppContext, command: PostCommand) -> anyhow::Result<()> {
    match command {
        PostCommand::Create {
            coop,
            network: _,
            lang,
            text,
        } => {
            let draft = Draft {
                content: text,
                language: lang,
            };
            let post = posts::create(ctx, &TokenScope::Admin, &author(coop), draft).await?;
            eprintln!(
                "published post {}; followers receive it shortly",
                post.record.public_id
            );
            println!("{}", post.url);
        }
        PostCommand::Delete { id } => {
            posts::delete(ctx, &TokenScope::Admin, &id).await?;
            println!("deleted post {id}");
        }
        PostCommand::List { coop, network: _ } => {
            let (items, total) = posts::list(ctx, &author(coop), 200, 0).await?;
            for p in items {
                let first_line = p.record.content.lines().next().unwrap_or_default();
                let language = p.record.language.as_ref().map_or("-", |l| l.as_str());
                println!(
                    "{}\t{}\t{}\t{}",
                    p.record.public_id,
                    p.record.published_at.to_rfc3339(),
                    language,
                    first_line
                );
            }
            eprintln!("{total} post(s)");
        }
    }
    Ok(())
}
