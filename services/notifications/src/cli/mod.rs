//! The notifications service as the operator's tool: `serve` (the default), `migrate`,
//! `check-config`, `outbox list` and `dead-letters list|replay`. `main.rs` parses and calls [`run`];
//! the hub reuses [`check_smtp`] and [`migrate`].

mod dead_letters;
mod outbox;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use shared::cli::{Checks, Common, ServiceBinary};
use shared::config::{self, ConfigError, Source};

use crate::config::{DEFAULT_BIND, DEFAULT_DATABASE_URL, Settings};
use crate::mailer::Mailer;
use crate::store::{Migrator, Store};
use crate::twilio::Twilio;

const LONG_ABOUT: &str =
    "notifications: delivers the notify.email.send (SMTP) and notify.sms.send \
(Twilio) commands exactly once in effect, captures them in a sandbox outbox outside production, \
keeps a delivery log, and dead-letters what can never go (notify.dead).

Without a subcommand it serves. Every variable is listed in .env.example; the main ones:
  BIND                  listen address (default 127.0.0.1:8085)
  DATABASE_URL          sqlite://… or postgres://… (default sqlite://var/notifications.db?mode=rwc)
                        (the hub's own: sqlite://var/hub.notifications.db)
  NATS_URL              nats://… for JetStream; unset: in-process bus (one process only)
  OUTBOUND_MODE         sandbox (default: capture, except OUTBOUND_ALLOWLIST) or live
  SMTP_URL              smtp://user:pass@host:587?tls=required, or SMTP_URL_FILE; unset: capture
  TWILIO_ACCOUNT_SID    with TWILIO_AUTH_TOKEN and TWILIO_FROM; unset: SMS captured only
  SHUTDOWN_GRACE_S      seconds to finish requests and deliveries after SIGTERM (default 25)
  RUST_LOG              log filter (serve logs JSON on stdout; other subcommands log to stderr)";

const OUTBOX_HELP: &str = "Read what the service holds: the messages of the delivery log, newest \
first (captured = kept in the sandbox outbox, sent = accepted by SMTP or Twilio, retrying, dead…), \
and the events still waiting in its transactional outbox for the relay.";

const DEAD_HELP: &str = "Dead letters: deliveries given up (a permanent refusal, or out of \
attempts) and published on notify.dead.

`replay` sends a dead letter's command again once the cause is fixed: a copy under a new id goes \
to the service's outbox in the same transaction that marks the dead letter replayed, and the \
running service's relay publishes it (within a second; or at its next start). Replaying again, \
even at the same time from two terminals, never sends twice.";

/// The command line of `notifications`.
#[derive(Debug, Parser)]
#[command(
    name = "notifications",
    version,
    about = "Email and SMS delivery: sandbox outbox, delivery log, dead letters",
    long_about = LONG_ABOUT
)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands of `notifications`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// `serve`, `migrate`, `check-config`.
    #[command(flatten)]
    Common(Common),
    /// Read the delivery log and the events waiting for the relay
    #[command(subcommand, long_about = OUTBOX_HELP)]
    Outbox(OutboxCommand),
    /// List or replay the deliveries given up (notify.dead)
    #[command(subcommand, long_about = DEAD_HELP)]
    DeadLetters(DeadLettersCommand),
}

/// `notifications outbox …`.
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Messages newest first, and the events waiting for the relay
    List {
        /// How many messages at most
        #[arg(long, default_value_t = 20)]
        limit: u64,
        /// Only the messages to this address or number
        #[arg(long)]
        to: Option<String>,
        /// Only the messages captured in the sandbox outbox
        #[arg(long)]
        captured: bool,
    },
}

/// `notifications dead-letters …`.
#[derive(Debug, Subcommand)]
pub enum DeadLettersCommand {
    /// Dead letters, the latest first
    List {
        /// How many at most
        #[arg(long, default_value_t = 50)]
        limit: u64,
        /// Include the dead letters replayed already
        #[arg(long)]
        all: bool,
    },
    /// Send dead letters again, once each
    Replay {
        /// Ids of the dead letters (as `dead-letters list` shows them)
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        ids: Vec<String>,
        /// Every dead letter not replayed yet
        #[arg(long)]
        all: bool,
    },
}

/// Runs the command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let command = cli.command.unwrap_or(Command::Common(Common::Serve));
    if !matches!(command, Command::Common(Common::Serve)) {
        shared::cli::init_logging();
    }
    match command {
        Command::Common(common) => shared::cli::run_common::<Settings>(common).await,
        Command::Outbox(OutboxCommand::List {
            limit,
            to,
            captured,
        }) => outbox::list(&open_store().await?, limit, to.as_deref(), captured).await,
        Command::DeadLetters(DeadLettersCommand::List { limit, all }) => {
            dead_letters::list(&open_store().await?, limit, all).await
        }
        Command::DeadLetters(DeadLettersCommand::Replay { ids, all }) => {
            dead_letters::replay(&open_store().await?, ids, all).await
        }
    }
}

/// The database of `DATABASE_URL`, migrated (as the service does at start).
async fn open_store() -> anyhow::Result<Store> {
    use anyhow::Context as _;
    let url = config::database_url(&config::Env, DEFAULT_DATABASE_URL)?;
    Store::connect(&url).await.with_context(|| {
        format!(
            "opening {} (DATABASE_URL)",
            shared::cli::describe_database(&url)
        )
    })
}

/// Applies the pending migrations of `DATABASE_URL`; says what was done.
pub async fn migrate(src: &dyn Source) -> anyhow::Result<String> {
    shared::cli::migrate_service::<Settings>(src).await
}

impl ServiceBinary for Settings {
    const NAME: &'static str = "notifications";
    const DEFAULT_BIND: &'static str = DEFAULT_BIND;
    const DEFAULT_DATABASE_URL: &'static str = DEFAULT_DATABASE_URL;
    type Migrator = Migrator;

    fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        Settings::from_source(src)
    }

    /// SMTP and Twilio (the service reads no ERP).
    fn more_checks(_src: &dyn Source, settings: Option<&Self>, checks: &mut Checks) {
        if let Some(settings) = settings {
            checks.add("SMTP", check_smtp(settings.clone()));
            checks.add("Twilio", check_twilio(settings.clone()));
        }
    }
}

/// Reaches the SMTP relay of `SMTP_URL` (and logs in when it has credentials), then Mailjet's message
/// records when `MAILJET_API_URL` is set.
pub async fn check_smtp(settings: Settings) -> Result<String, String> {
    let mailer = Mailer::from_settings(&settings)
        .map_err(|e| format!("{e}: check SMTP_URL, SMTP_CA_FILE, MAILJET_API_URL and MAIL_FROM"))?;
    let Some(mailer) = mailer else {
        return Ok("SMTP_URL not set: emails are captured in the outbox only".to_owned());
    };
    mailer
        .ping()
        .await
        .map_err(|e| format!("the relay of SMTP_URL does not work ({e}): check SMTP_URL (and SMTP_CA_FILE for a relay with a certificate of its own CA)"))?;
    if !mailer.has_sent_log() {
        return Ok("the relay of SMTP_URL answers and accepts us (MAILJET_API_URL not set: an email cut by a crash is sent again)".to_owned());
    }
    mailer
        .accepted_earlier("check-config")
        .await
        .map(|_| "the relay of SMTP_URL answers and accepts us; Mailjet's message records answer".to_owned())
        .map_err(|e| format!("Mailjet's message records do not answer ({e}): check MAILJET_API_URL and the key and secret of SMTP_URL"))
}

/// Reads Twilio's message list with the account's credentials (sends nothing): the same call that
/// tells, after a crash, whether an SMS went.
pub async fn check_twilio(settings: Settings) -> Result<String, String> {
    let Some(t) = settings.twilio else {
        return Ok("TWILIO_ACCOUNT_SID not set: SMS are captured in the outbox only".to_owned());
    };
    let api = t.api_url.clone();
    let twilio = Twilio::new(t, String::new()).map_err(|e| format!("no HTTP client: {e}"))?;
    twilio
        .check()
        .await
        .map(|()| format!("Twilio's API at {api} answers and takes TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (nothing sent)"))
        .map_err(|e| format!("Twilio's API does not answer ({e}): check TWILIO_API_URL, TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"))
}
