//! coopnet-cli: the one `coopnet` binary.
//!
//! Parses the command line (clap), loads settings (file, environment, flags), sets up
//! logging (`telemetry.rs`) and runs a subcommand from `commands/`: `serve`, `migrate`,
//! `coop …`, `token …`. Errors end the process with a non-zero status and one clear line on
//! standard error. All behaviour lives in `coopnet-app` and `coopnet-web`.

mod args;
mod commands;
mod telemetry;

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
