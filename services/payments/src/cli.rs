//! The payments service as the operator's tool: `serve` (the default), `migrate`, `check-config`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use shared::cli::{Common, ServiceBinary};
use shared::config::{ConfigError, Source};

use crate::config::{DEFAULT_BIND, DEFAULT_DATABASE_URL, Settings};
use crate::store::Migrator;

const LONG_ABOUT: &str = "payments: Stripe payments kept in step with ERPNext (being built: \
docs/payments.md). Today it records Stripe's signed webhooks, once each.

Without a subcommand it serves. The main variables:
  BIND                      listen address (default 127.0.0.1:8082)
  DATABASE_URL              sqlite://… or postgres://… (default sqlite://var/payments.db?mode=rwc)
  STRIPE_API_URL            Stripe's API origin (default http://127.0.0.1:8002, the stand-in)
  STRIPE_SECRET_KEY         sk_… (or STRIPE_SECRET_KEY_FILE)
  STRIPE_WEBHOOK_SECRETS    whsec_… endpoint secrets, comma-separated (two during a roll)
  STRIPE_WEBHOOK_MAX_BYTES  largest webhook body (default 262144)
  PPA_ENABLED               run auto-pay daily (default false)
  PPA_TIME                  when, America/Toronto (default 06:00)
  PPA_RATE_PER_S            calls to Stripe per second at most (default 20)
  PPA_LEASE_SECONDS         a run's lease without renewal (default 120)";

/// `payments`.
#[derive(Debug, Parser)]
#[command(name = "payments", version, about = "Stripe payments kept in step with ERPNext", long_about = LONG_ABOUT)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands of `payments`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// `serve`, `migrate`, `check-config`.
    #[command(flatten)]
    Common(Common),
    /// Pre-authorised auto-pay: `payments ppa run [--dry-run] [--date YYYY-MM-DD]`
    Ppa {
        /// What to do.
        #[command(subcommand)]
        command: crate::ppa::cli::PpaCommand,
    },
}

/// Runs the command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let common = match cli.command.unwrap_or(Command::Common(Common::Serve)) {
        Command::Common(common) => common,
        Command::Ppa { command } => {
            shared::cli::init_logging();
            return crate::ppa::cli::run(command).await;
        }
    };
    if !matches!(common, Common::Serve) {
        shared::cli::init_logging();
    }
    shared::cli::run_common::<Settings>(common).await
}

impl ServiceBinary for Settings {
    const NAME: &'static str = "payments";
    const DEFAULT_BIND: &'static str = DEFAULT_BIND;
    const DEFAULT_DATABASE_URL: &'static str = DEFAULT_DATABASE_URL;
    type Migrator = Migrator;

    fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        Settings::from_source(src)
    }
}
