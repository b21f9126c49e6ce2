//! quotation-signing as its own process, and the operator's tool: `quotation-signing --help`.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = quotation_signing::cli::Cli::parse();
    shared::cli::run(quotation_signing::cli::run(cli))
}
