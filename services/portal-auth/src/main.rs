//! portal-auth as its own process, and the operator's tool: `portal-auth --help`.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = portal_auth::cli::Cli::parse();
    shared::cli::run(portal_auth::cli::run(cli))
}
