//! portal-auth as the operator's tool: `serve` (the default), `migrate`, `check-config`,
//! `keys generate|rotate|list` and `audit list`. `main.rs` parses and calls [`run`]; the hub reuses [`check_keys`]
//! and [`migrate`].

mod audit;
mod keys;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use shared::cli::{Checks, Common, ServiceBinary, settings_outcome};
use shared::config::{self, ConfigError, ErpSettings, Source};

pub use keys::check_keys;

use crate::config::{
    DEFAULT_BIND, DEFAULT_DATABASE_URL, SANDBOX_ERP_KEY, SANDBOX_ERP_SECRET, Settings,
};
use crate::store::Migrator;

const LONG_ABOUT: &str = "portal-auth: passwordless login of Gigafibre customers (magic links by \
email and SMS, typed codes, EdDSA customer tokens, JWKS, Traefik forwardAuth at /auth/verify).

Without a subcommand it serves. Every variable is listed in .env.example; the main ones:
  BIND                  listen address (default 127.0.0.1:8081)
  DATABASE_URL          sqlite://… or postgres://… (default sqlite://var/portal-auth.db?mode=rwc)
  NATS_URL              nats://… for JetStream; unset: in-process bus (one process only)
  ERP_URL               ERPNext (Frappe REST) base URL; ERP_API_KEY, ERP_API_SECRET: its token
  PORTAL_URL            customer portal origin used in links; PUBLIC_URL: origin of short links
  JWT_KEYS_DIR          Ed25519 signing keys (default var/keys); see `portal-auth keys --help`
  JWT_GENERATE_KEYS     create a key when JWT_KEYS_DIR has none (default true; false in production)
  JWT_KEYS_RELOAD_S     seconds between re-reads of JWT_KEYS_DIR (default 10)
  JWT_KEY_ACTIVATION_S  seconds after its creation before a new key signs (default 600)
  JWT_PRIVATE_KEY       or JWT_PRIVATE_KEY_FILE: one key given directly instead of JWT_KEYS_DIR
  CODE_HASH_KEY         or CODE_HASH_KEY_FILE: secret of the typed codes' hashes (32+ characters;
                        required when JWT_GENERATE_KEYS=false, else generated in JWT_KEYS_DIR)
  INTERNAL_API_SECRET   or INTERNAL_API_SECRET_FILE: bearer secret of POST /internal/customer-tokens
                        (32+ characters); unset: that route is off
  SHUTDOWN_GRACE_S      seconds to finish requests and queued links after SIGTERM (default 25)
  RUST_LOG              log filter (serve logs JSON on stdout; other subcommands log to stderr)";

const KEYS_HELP: &str = "Manage the Ed25519 keys that sign customer tokens, in JWT_KEYS_DIR.

A rotated key is published at /.well-known/jwks.json at once and signs JWT_KEY_ACTIVATION_S \
(default 600) after its creation; older keys stay published, and keep verifying the tokens they \
signed, for the customer token lifetime (24 h) after their successor started signing. A running \
portal-auth reads JWT_KEYS_DIR again every JWT_KEYS_RELOAD_S (default 10): no restart after \
`rotate`. Key files are written with mode 0600 in a 0700 directory; no subcommand ever prints \
private key material.";

/// The command line of `portal-auth`.
#[derive(Debug, Parser)]
#[command(
    name = "portal-auth",
    version,
    about = "Passwordless customer login: magic links, codes, tokens, JWKS",
    long_about = LONG_ABOUT
)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands of `portal-auth`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// `serve`, `migrate`, `check-config`.
    #[command(flatten)]
    Common(Common),
    /// Generate, rotate or list the token signing keys (JWT_KEYS_DIR)
    #[command(subcommand, long_about = KEYS_HELP)]
    Keys(KeysCommand),
    /// Read the impersonation audit: which staff member opened which customer's session
    #[command(subcommand)]
    Audit(AuditCommand),
}

/// `portal-auth audit …`.
#[derive(Debug, Clone, Subcommand)]
pub enum AuditCommand {
    /// Impersonations, newest first: when, staff, groups, customer, client address, token id, reason
    List {
        /// Only the impersonations of this ERPNext Customer
        #[arg(long)]
        customer: Option<String>,
        /// How many at most
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
}

/// `portal-auth keys …`.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum KeysCommand {
    /// Create the first signing key; refuses when JWT_KEYS_DIR already holds one
    Generate,
    /// Add a new signing key; the older ones keep verifying their tokens for 24 h
    Rotate,
    /// List the keys: kid, created, status, public key fingerprint
    List,
}

/// Runs the command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let command = cli.command.unwrap_or(Command::Common(Common::Serve));
    if !matches!(command, Command::Common(Common::Serve)) {
        shared::cli::init_logging();
    }
    match command {
        Command::Common(common) => shared::cli::run_common::<Settings>(common).await,
        Command::Keys(command) => keys::run(command, &config::Env),
        Command::Audit(AuditCommand::List { customer, limit }) => {
            audit::list(&config::Env, customer.as_deref(), limit).await
        }
    }
}

/// Applies the pending migrations of `DATABASE_URL`; says what was done.
pub async fn migrate(src: &dyn Source) -> anyhow::Result<String> {
    shared::cli::migrate_service::<Settings>(src).await
}

impl ServiceBinary for Settings {
    const NAME: &'static str = "portal-auth";
    const DEFAULT_BIND: &'static str = DEFAULT_BIND;
    const DEFAULT_DATABASE_URL: &'static str = DEFAULT_DATABASE_URL;
    type Migrator = Migrator;

    fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        Settings::from_source(src)
    }

    /// The ERP, the signing keys and the code hash key.
    fn more_checks(src: &dyn Source, _settings: Option<&Self>, checks: &mut Checks) {
        match ErpSettings::from_source(src, SANDBOX_ERP_KEY, SANDBOX_ERP_SECRET) {
            Ok(erp) => checks.add("ERP", shared::cli::check_erp(erp)),
            Err(e) => checks.known("ERP", settings_outcome::<()>(&Err(e))),
        }
        checks.known("signing keys", check_keys(src));
        checks.known("code hash key", crate::code_key::check(src));
    }
}
