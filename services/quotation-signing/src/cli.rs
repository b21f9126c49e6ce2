//! quotation-signing as the operator's tool: `serve` (the default), `migrate`, `check-config`.

use std::process::ExitCode;

use clap::Parser;
use shared::cli::{Common, ServiceBinary};
use shared::config::{ConfigError, Source};

use crate::config::{DEFAULT_BIND, DEFAULT_DATABASE_URL, Settings};
use crate::store::Migrator;

const LONG_ABOUT: &str = "quotation-signing: ERPNext quotations signed on DocuSeal or accepted in \
one click, turned into Sales Orders and Subscriptions (docs/quotation-signing.md).

Without a subcommand it serves. The main variables:
  BIND                      listen address (default 127.0.0.1:8083)
  DATABASE_URL              sqlite://… or postgres://… (default sqlite://var/quotation-signing.db?mode=rwc)
  DOCUSEAL_API_URL          DocuSeal's API (default http://127.0.0.1:8003/api, the stand-in)
  DOCUSEAL_API_KEY          X-Auth-Token (or DOCUSEAL_API_KEY_FILE)
  DOCUSEAL_TEMPLATE_FR/_EN  the templates of the French and English quotes (default 1 and 2)
  DOCUSEAL_WEBHOOK_HEADER   the header DocuSeal sends the secret in (default X-Docuseal-Secret)
  DOCUSEAL_WEBHOOK_SECRETS  its accepted values, comma-separated (two during a roll)
  ACCEPT_STAFF_GROUPS       staff groups that may send quotes (default sales,support,admin)";

/// `quotation-signing`.
#[derive(Debug, Parser)]
#[command(name = "quotation-signing", version, about = "Quotes signed and accepted", long_about = LONG_ABOUT)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Common>,
}

/// Runs the command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let common = cli.command.unwrap_or(Common::Serve);
    if !matches!(common, Common::Serve) {
        shared::cli::init_logging();
    }
    shared::cli::run_common::<Settings>(common).await
}

impl ServiceBinary for Settings {
    const NAME: &'static str = "quotation-signing";
    const DEFAULT_BIND: &'static str = DEFAULT_BIND;
    const DEFAULT_DATABASE_URL: &'static str = DEFAULT_DATABASE_URL;
    type Migrator = Migrator;

    fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        Settings::from_source(src)
    }
}
