//! The notifications service as its own process, and the operator's tool: `notifications --help`.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = notifications::cli::Cli::parse();
    shared::cli::run(notifications::cli::run(cli))
}

// mimalloc, as in the hub: many small short-lived buffers per message; glibc malloc took ~8% of
// this process's CPU under load (perf).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
