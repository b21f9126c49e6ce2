//! vision-ocr as its own process, and the operator's tool: `vision-ocr --help`.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = vision_ocr::cli::Cli::parse();
    shared::cli::run(vision_ocr::cli::run(cli))
}
