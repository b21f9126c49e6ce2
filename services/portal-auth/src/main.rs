//! portal-auth as its own process, and the operator's tool: `portal-auth --help`.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = portal_auth::cli::Cli::parse();
    shared::cli::run(portal_auth::cli::run(cli))
}

// mimalloc, as in the hub, which serves the same routes: many small short-lived buffers per request.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
