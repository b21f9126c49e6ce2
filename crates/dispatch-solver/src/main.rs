//! `dispatch solve FILE --seconds S [--seed N]`: the optimiser alone on a VRPTW instance in
//! Solomon's text format, its plan printed as JSON so that anyone can check it against another
//! solver on the same data (docs/dispatch.md). The dispatch service's own subcommands join it here
//! when the service lands.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dispatch_solver::{Budget, parse, vrptw};

/// `dispatch`.
#[derive(Debug, Parser)]
#[command(name = "dispatch", version, about = "Gigafibre's dispatch optimiser")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Plans a Solomon VRPTW instance: prints {"routes", "distance", "unassigned", ...} on stdout.
    Solve {
        /// The instance (Solomon's text format).
        file: std::path::PathBuf,
        /// Wall-clock budget.
        #[arg(long, default_value_t = 10.0, value_parser = positive, allow_negative_numbers = true)]
        seconds: f64,
        /// Seed of the search: the same seed and generation budget give the same plan.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Generation budget (the repeatable one); the time limit still applies.
        #[arg(long)]
        generations: Option<usize>,
    },
}

fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("{s:?} is not a positive number of seconds")),
    }
}

fn main() -> ExitCode {
    let Command::Solve {
        file,
        seconds,
        seed,
        generations,
    } = Cli::parse().command;
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) => return fail(format!("cannot read {}: {e}", file.display())),
    };
    let instance = match parse(&text) {
        Ok(instance) => instance,
        Err(e) => return fail(format!("{}: {e}", file.display())),
    };
    let budget = Budget {
        seconds,
        generations,
        seed,
    };
    match vrptw::solve(&instance, budget) {
        Ok(plan) => match serde_json::to_string(&plan) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e.to_string()),
        },
        Err(e) => fail(format!("{}: {e}", file.display())),
    }
}

fn fail(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}
