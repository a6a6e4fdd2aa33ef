//! coopnet-cli: the one `coopnet` binary.
//!
//! Parses the command line (clap), loads settings (file, environment, flags), sets up
//! logging (`telemetry.rs`) and runs a subcommand from `commands/`: `serve`, `migrate`,
//! `coop …`, `token …`. Errors end the process with a non-zero status and one clear line on
//! standard error. All behaviour lives in `coopnet-app` and `coopnet-web`. `serve` first
//! starts itself again with glibc limited to two malloc arenas (`allocator.rs`).

mod allocator;
mod args;
mod commands;
mod telemetry;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    if matches!(cli.command, args::Command::Serve(_)) {
        allocator::limit_arenas();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(cli))
}

async fn run(cli: args::Cli) -> ExitCode {
    match commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
