//! One module per subcommand group.
mod coop;
mod demo;
mod federation;
mod migrate;
mod post;
mod queue;
mod serve;
mod token;

use anyhow::Context;
use coopnet_app::AppContext;
use coopnet_config::Settings;

use crate::args::{Cli, Command};
use crate::telemetry;

/// Log filter for one-shot commands. Use-case failures come back as errors that `main` prints
/// as one line; `coopnet_app` would log them a second time (`#[instrument(err)]`), so its
/// events are off here (`COOPNET_LOG` still overrides).
const ONE_SHOT_LOG: &str = "warn,coopnet_app=off";

/// Loads settings and runs the chosen subcommand.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = coopnet_config::load(cli.config.as_deref(), std::env::vars())?;
    match cli.command {
        Command::Serve(args) => {
            if let Some(listen) = args.listen {
                settings.listen = listen;
            }
            if let Some(domain) = args.domain {
                settings.domain = domain;
            }
            if let Some(url) = args.database_url {
                settings.database_url = url;
            }
            settings.validate()?;
            telemetry::init(settings.log_format, "info,sqlx=warn,sea_orm=warn");
            serve::run(settings).await
        }
        Command::Migrate { action } => {
            telemetry::init(settings.log_format, ONE_SHOT_LOG);
            migrate::run(settings, action).await
        }
        Command::Coop(command) => {
            telemetry::init(settings.log_format, ONE_SHOT_LOG);
            coop::run(&open(settings).await?, command).await
        }
        Command::Token(command) => {
            telemetry::init(settings.log_format, ONE_SHOT_LOG);
            token::run(&open(settings).await?, command).await
        }
        Command::Post(command) => {
            telemetry::init(settings.log_format, ONE_SHOT_LOG);
            post::run(&open(settings).await?, command).await
        }
        Command::Federation(command) => {
            telemetry::init(settings.log_format, ONE_SHOT_LOG);
            federation::run(&open(settings).await?, command).await
        }
        Command::Queue(command) => {
            telemetry::init(settings.log_format, ONE_SHOT_LOG);
            queue::run(&open(settings).await?, command).await
        }
        Command::Invite(args) => {
            telemetry::init(settings.log_format, ONE_SHOT_LOG);
            let ctx = open(settings).await?;
            let link = coopnet_app::accounts::invite(
                &ctx,
                None,
                args.role,
                args.coop.as_deref(),
                args.email.as_deref(),
            )
            .await?;
            eprintln!(
                "one-time {} invite, valid until {}; open it to set a password:",
                link.record.role,
                link.record.expires_at.to_rfc3339()
            );
            println!("{}", link.url);
            Ok(())
        }
        Command::Demo(args) => {
            telemetry::init(settings.log_format, "warn");
            demo::run(args).await
        }
        Command::Backup { file } => {
            telemetry::init(settings.log_format, ONE_SHOT_LOG);
            let counts =
                coopnet_app::backup::write(&settings.database_url, &settings.domain, &file).await?;
            let total: usize = counts.iter().map(|(_, n)| n).sum();
            println!("wrote {} ({total} rows)", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            telemetry::init(settings.log_format, ONE_SHOT_LOG);
            let counts = coopnet_app::backup::read(&settings.database_url, &file).await?;
            for (table, n) in counts {
                println!("{table}\t{n}");
            }
            Ok(())
        }
        Command::Config => {
            print!("{}", settings.to_toml()?);
            Ok(())
        }
    }
}

/// Opens the instance for a one-shot command (migrating first when allowed).
async fn open(settings: Settings) -> anyhow::Result<AppContext> {
    AppContext::start(settings)
        .await
        .context("cannot open the instance")
}
