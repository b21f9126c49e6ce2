//! The notifications service as its own process, and the operator's tool: `notifications --help`.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = notifications::cli::Cli::parse();
    shared::cli::run(notifications::cli::run(cli))
}
