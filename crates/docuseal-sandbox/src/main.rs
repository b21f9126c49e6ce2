//! `docuseal-sandbox`: the DocuSeal stand-in as a process (`docuseal-sandbox --help`).

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;
use docuseal_sandbox::{Sandbox, SandboxSettings};
use shared::cli::{Checks, Common, settings_outcome};
use shared::config::Env;

const LONG_ABOUT: &str = "docuseal-sandbox: a DocuSeal stand-in (POST /api/submissions, \
GET /api/submissions/{id}, GET /api/submitters/{id}, a signing page at /s/{slug}, signed PDFs, \
webhooks with the secret headers, retried) over its own SQLite database; the DocuSeal of `make run` \
and of the tests. Never for production.

Without a subcommand it serves. Environment:
  BIND                                  listen address (default 127.0.0.1:8003)
  DATABASE_URL                          its own database (default sqlite://var/docuseal-sandbox.db?mode=rwc)
  DOCUSEAL_API_KEY                      the one X-Auth-Token accepted, or DOCUSEAL_API_KEY_FILE (default docuseal-sandbox-key)
  DOCUSEAL_SANDBOX_PUBLIC_URL           origin of the signing page and file URLs (default http://127.0.0.1:<port>)
  DOCUSEAL_SANDBOX_WEBHOOK_URL          where events are POSTed (default: none sent)
  DOCUSEAL_SANDBOX_WEBHOOK_HEADERS      Name=value[,Name=value]: the webhook secret headers (or _FILE)
  DOCUSEAL_SANDBOX_WEBHOOK_EVENTS       the events sent (default all: form.viewed,form.started,…)
  DOCUSEAL_SANDBOX_WEBHOOK_HMAC_SECRET  key of X-Docuseal-Signature (or _FILE; default random)
  DOCUSEAL_SANDBOX_RETRY_SECONDS        waits before each retry (default 60,120,240,… 2^n minutes, 11 retries)";

/// The command line of `docuseal-sandbox`.
#[derive(Debug, clap::Parser)]
#[command(name = "docuseal-sandbox", version, about = "DocuSeal stand-in for development and tests", long_about = LONG_ABOUT)]
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
            println!("docuseal-sandbox listening on {}", sandbox.base_url());
            sandbox
                .run_until_stopped()
                .await
                .context("docuseal-sandbox server failed")?;
        }
        Common::Migrate => {
            let url = SandboxSettings::from_source(&Env)?.database_url;
            docuseal_sandbox::prepare_database(&url).await?;
            println!(
                "docuseal-sandbox: {} ready",
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
