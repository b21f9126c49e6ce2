//! `erp-sandbox`: the Frappe stand-in as a process, and its operator's tool (`erp-sandbox --help`).

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;
use erp_sandbox::{DEFAULT_API_KEY, DEFAULT_API_SECRET, Sandbox, SandboxSettings};
use shared::cli::{Checks, Common, settings_outcome};
use shared::config::{self, ConfigError, Env};

const LONG_ABOUT: &str = "erp-sandbox: a Frappe-compatible REST server (the v1 /api/resource and \
/api/method routes) over its own database, seeded with demo customers, invoices, items, quotations, suppliers, equipment and a dispatch day \
(technicians, jobs, issues); the ERP of `make run` and \
of the tests. Never for production.

Without a subcommand it serves. Environment:
  BIND                  listen address (default 127.0.0.1:8000)
  DATABASE_URL          its own database (default sqlite://var/erp-sandbox.db?mode=rwc)
  ERP_API_KEY           API key accepted with full rights (default sandbox-key)
  ERP_API_SECRET        its secret, or ERP_API_SECRET_FILE (default sandbox-secret)";

/// The command line of `erp-sandbox`.
#[derive(Debug, clap::Parser)]
#[command(name = "erp-sandbox", version, about = "Frappe REST stand-in for development and tests", long_about = LONG_ABOUT)]
struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    command: Option<Common>,
}

fn settings() -> Result<SandboxSettings, ConfigError> {
    Ok(SandboxSettings {
        bind: stand_in_kit::config::bind(&Env, "127.0.0.1:8000")?,
        database_url: config::database_url(&Env, "sqlite://var/erp-sandbox.db?mode=rwc")?,
        api_key: config::string_or(&Env, "ERP_API_KEY", DEFAULT_API_KEY),
        api_secret: config::secret_or(&Env, "ERP_API_SECRET", DEFAULT_API_SECRET)?,
    })
}

async fn run(command: Common) -> anyhow::Result<ExitCode> {
    if command != Common::Serve {
        shared::cli::init_logging();
    }
    match command {
        Common::Serve => {
            let sandbox = Sandbox::build(settings()?).await?;
            println!("erp-sandbox listening on {}", sandbox.base_url());
            // actix stops gracefully on SIGTERM: no new connection, requests in flight finish.
            sandbox
                .run_until_stopped()
                .await
                .context("erp-sandbox server failed")?;
        }
        Common::Migrate => {
            let url = settings()?.database_url;
            let seeded = erp_sandbox::prepare_database(&url).await?;
            let place = shared::cli::describe_database(&url);
            match seeded {
                true => println!("erp-sandbox: {place} ready; demo data seeded"),
                false => println!(
                    "erp-sandbox: {place} ready; it already holds documents, nothing seeded"
                ),
            }
        }
        Common::CheckConfig => {
            let mut checks = Checks::new();
            let parsed = settings();
            checks.known("settings", settings_outcome(&parsed));
            if let Ok(s) = parsed {
                checks.add("database", check_database(s.database_url));
            }
            return Ok(checks.run().await);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn check_database(url: String) -> Result<String, String> {
    let place = shared::cli::describe_database(&url);
    let db = shared::db::connect(&url)
        .await
        .map_err(|e| format!("cannot open {place} ({e}): check DATABASE_URL"))?;
    let answer = db.ping().await;
    let _ = db.close().await;
    answer
        .map(|()| format!("{place} answers"))
        .map_err(|e| format!("{place} does not answer ({e}): check DATABASE_URL"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    shared::cli::run(run(cli.command.unwrap_or_default()))
}
