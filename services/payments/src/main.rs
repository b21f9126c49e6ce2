//! The payments service as its own process, and the operator's tool: `payments --help`.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = payments::cli::Cli::parse();
    shared::cli::run(payments::cli::run(cli))
}
