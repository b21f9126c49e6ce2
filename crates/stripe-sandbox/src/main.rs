//! `stripe-sandbox`: the Stripe stand-in as a process (`stripe-sandbox --help`).

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;
use shared::cli::{Checks, Common, settings_outcome};
use shared::config::Env;
use stripe_sandbox::{Sandbox, SandboxSettings};

const LONG_ABOUT: &str = "stripe-sandbox: a Stripe stand-in (customers, Checkout Sessions, \
PaymentIntents, refunds, a hosted Checkout page with Stripe's test cards, signed webhooks) over \
its own SQLite database; the Stripe of `make run` and of the tests. Never for production.

Without a subcommand it serves. Environment:
  BIND                          listen address (default 127.0.0.1:8002)
  DATABASE_URL                  its own database (default sqlite://var/stripe-sandbox.db?mode=rwc)
  STRIPE_SECRET_KEY             the one sk_test_ key accepted, or STRIPE_SECRET_KEY_FILE (default sk_test_sandbox)
  STRIPE_SANDBOX_PUBLIC_URL     origin of the Checkout page URLs (default http://127.0.0.1:<port>)
  STRIPE_SANDBOX_WEBHOOKS       URL=whsec_…[,URL=whsec_…]: where events are POSTed, signed
  STRIPE_SANDBOX_RETRY_SECONDS  waits before each retry (default 60,300,1800,7200,18000,36000)";

/// The command line of `stripe-sandbox`.
#[derive(Debug, clap::Parser)]
#[command(name = "stripe-sandbox", version, about = "Stripe stand-in for development and tests", long_about = LONG_ABOUT)]
struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    command: Option<Common>,
}

async fn run(command: Common) -> anyhow::Result<ExitCode> {
    shared::cli::init_logging();
    match command {
        Common::Serve => {
            let sandbox = Sandbox::build(SandboxSettings::from_source(&Env)?).await?;
            println!("stripe-sandbox listening on {}", sandbox.base_url());
            sandbox
                .run_until_stopped()
                .await
                .context("stripe-sandbox server failed")?;
        }
        Common::Migrate => {
            let url = SandboxSettings::from_source(&Env)?.database_url;
            stripe_sandbox::prepare_database(&url).await?;
            println!(
                "stripe-sandbox: {} ready",
                shared::cli::describe_database(&url)
            );
        }
        Common::CheckConfig => {
            let mut checks = Checks::new();
            checks.known(
                "settings",
                settings_outcome(&SandboxSettings::from_source(&Env)),
            );
            return Ok(checks.run().await);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    shared::cli::run(run(cli.command.unwrap_or_default()))
}
