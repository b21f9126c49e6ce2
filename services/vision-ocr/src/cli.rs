//! vision-ocr as the operator's tool: `serve` (the default), `migrate`, `check-config`.

use std::process::ExitCode;

use clap::Parser;
use shared::cli::{Common, ServiceBinary};
use shared::config::{ConfigError, Source};

use crate::config::{DEFAULT_BIND, DEFAULT_DATABASE_URL, Settings};
use crate::store::Migrator;

const LONG_ABOUT: &str = "vision-ocr: supplier invoices and equipment labels read from a photo by \
Gemini or Tesseract, checked, then a draft Purchase Invoice or the Equipment found in ERPNext \
(docs/vision-ocr.md).

Without a subcommand it serves. The main variables:
  BIND                     listen address (default 127.0.0.1:8084)
  DATABASE_URL             sqlite://… or postgres://… (default sqlite://var/vision-ocr.db?mode=rwc)
  GEMINI_API_KEY           Gemini's key (or GEMINI_API_KEY_FILE); unset: Tesseract reads everything
  GEMINI_API_URL           Gemini's API (default https://generativelanguage.googleapis.com/v1beta)
  VISION_MAX_UPLOAD_BYTES  largest upload (default 10485760)
  VISION_MAX_PIXELS        largest image by its header (default 25000000)
  VISION_MAX_PDF_PAGES     largest PDF (default 10)
  VISION_WORKERS           local readings at once (default: the number of cores)
  VISION_STAFF_GROUPS      staff groups that may read invoices (default accounting,support,admin,dispatch)
  VISION_ACCOUNT_TPS/_TVQ/_HST  the tax accounts of a draft Purchase Invoice
  PORTAL_AUTH_URL, JWT_ISSUER   where technicians' tokens are checked";

/// `vision-ocr`.
#[derive(Debug, Parser)]
#[command(name = "vision-ocr", version, about = "Invoices and labels read from a photo", long_about = LONG_ABOUT)]
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
    const NAME: &'static str = "vision-ocr";
    const DEFAULT_BIND: &'static str = DEFAULT_BIND;
    const DEFAULT_DATABASE_URL: &'static str = DEFAULT_DATABASE_URL;
    type Migrator = Migrator;

    fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        Settings::from_source(src)
    }
}
