//! The hub as the operator's tool: `serve` (the default), `migrate` and `check-config`, each over
//! every service the hub mounts (and the in-process erp-sandbox when `ERP_URL` is unset, the Stripe
//! stand-in when `STRIPE_API_URL` is, the DocuSeal stand-in when `DOCUSEAL_API_URL` is).

use std::process::ExitCode;

use shared::cli::{Checks, Common, settings_outcome};
use shared::config::{self, BusSettings, Env, ErpSettings, Source};

use crate::{DEFAULT_DATABASE_URL, HubDefaults, SANDBOX_DATABASE_URL, defaults};

const LONG_ABOUT: &str = "hub: the Gigafibre hub in one process (the embedded default): every \
service's routes on one server (portal-auth, notifications, payments, quotation-signing, \
vision-ocr), the \
erp-sandbox in-process unless ERP_URL is set, the Stripe stand-in in-process unless STRIPE_API_URL \
is set, the DocuSeal stand-in in-process unless DOCUSEAL_API_URL is set, and the customer portal \
at /.

Without a subcommand it serves. Every variable is listed in .env.example; the main ones:
  BIND                  listen address (default 127.0.0.1:8080)
  DATABASE_URL          sqlite://… (default sqlite://var/hub.db?mode=rwc: one file per service,
                        var/hub.portal-auth.db, var/hub.notifications.db, var/hub.payments.db,
                        var/hub.quotation-signing.db, var/hub.vision-ocr.db)
                        or postgres://…
  NATS_URL              nats://… for JetStream; unset: in-process bus
  ERP_URL               ERPNext base URL, with ERP_API_KEY and ERP_API_SECRET; unset: the
                        in-process erp-sandbox on ERP_SANDBOX_BIND (default 127.0.0.1:8000)
  STRIPE_API_URL        Stripe's API, with STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRETS; unset: the
                        in-process Stripe stand-in on STRIPE_SANDBOX_BIND (default 127.0.0.1:8002)
                        over STRIPE_SANDBOX_DATABASE_URL (default sqlite://var/stripe-sandbox.db),
                        key sk_test_sandbox, events to this hub's /webhook/stripe signed with
                        whsec_sandbox_embedded (test card 4242 4242 4242 4242)
  DOCUSEAL_API_URL      DocuSeal's API (https://<host>/api), with DOCUSEAL_API_KEY and
                        DOCUSEAL_WEBHOOK_SECRETS; unset: the in-process DocuSeal stand-in on
                        DOCUSEAL_SANDBOX_BIND (default 127.0.0.1:8003) over
                        DOCUSEAL_SANDBOX_DATABASE_URL (default sqlite://var/docuseal-sandbox.db),
                        key docuseal-sandbox-key, events to this hub's /accept/docuseal-webhook
                        with a secret header made at start
  GEMINI_API_KEY        vision-ocr reads photos with Gemini; unset: with Tesseract on this machine
                        (Debian's tesseract-ocr, -fra, -eng and poppler-utils; scripts/ensure-ocr.sh)
  PORTAL_URL            the portal's origin in links and DocuSeal's return (default: this hub)
  INTERNAL_API_SECRET   shared by portal-auth, payments and quotation-signing (customer tokens in
                        links); unset: made at start
  LOOPBACK_IS_STAFF     a request from this machine is staff (default true in the hub: curl can
                        send a quote with POST /accept/generate and read the outbox)
  JWT_KEYS_DIR          Ed25519 signing keys (manage them with `portal-auth keys`)
  OUTBOUND_MODE         sandbox (default) or live; SMTP_URL and TWILIO_* for live delivery
  SHUTDOWN_GRACE_S      seconds to finish requests and work in hand after SIGTERM (default 25)
  RUST_LOG              log filter (serve logs JSON on stdout; other subcommands log to stderr)

The services' own tools (`portal-auth keys …`, `portal-auth audit list`, `notifications \
dead-letters …`) work on the hub's data too: point their DATABASE_URL at the hub's file of that \
service.";

/// The command line of `hub`.
#[derive(Debug, clap::Parser)]
#[command(
    name = "hub",
    version,
    about = "The Gigafibre hub: every service in one process",
    long_about = LONG_ABOUT
)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Common>,
}

/// Runs the command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let command = cli.command.unwrap_or_default();
    if command != Common::Serve {
        shared::cli::init_logging();
    }
    match command {
        Common::Serve => crate::serve_all().await,
        Common::Migrate => migrate(&defaults()).await,
        Common::CheckConfig => Ok(checks(&defaults()).run().await),
    }
}

/// Each service's migrations on its own database, then the in-process sandbox's database.
async fn migrate(src: &HubDefaults) -> anyhow::Result<ExitCode> {
    let url = config::database_url(src, DEFAULT_DATABASE_URL)?;
    println!(
        "{}",
        portal_auth::cli::migrate(&src.with_database(&url, "portal-auth")).await?
    );
    println!(
        "{}",
        notifications::cli::migrate(&src.with_database(&url, "notifications")).await?
    );
    println!(
        "{}",
        shared::cli::migrate_service::<payments::Settings>(&src.with_database(&url, "payments"))
            .await?
    );
    println!(
        "{}",
        shared::cli::migrate_service::<quotation_signing::Settings>(
            &src.with_database(&url, "quotation-signing")
        )
        .await?
    );
    println!(
        "{}",
        shared::cli::migrate_service::<vision_ocr::Settings>(
            &src.with_database(&url, "vision-ocr")
        )
        .await?
    );
    if Env.get("DOCUSEAL_API_URL").is_none() {
        let own = crate::stand_ins::docuseal_sandbox_source(src, "not-used-by-migrate")?;
        let sandbox = docuseal_sandbox::SandboxSettings::from_source(&own)?.database_url;
        std::fs::create_dir_all("var").map_err(|e| anyhow::anyhow!("creating var/: {e}"))?;
        docuseal_sandbox::prepare_database(&sandbox).await?;
        let place = shared::cli::describe_database(&sandbox);
        println!("docuseal-sandbox: {place} ready");
    }
    if Env.get("STRIPE_API_URL").is_none() {
        let own = crate::stand_ins::stripe_sandbox_source(src)?;
        let sandbox = stripe_sandbox::SandboxSettings::from_source(&own)?.database_url;
        std::fs::create_dir_all("var").map_err(|e| anyhow::anyhow!("creating var/: {e}"))?;
        stripe_sandbox::prepare_database(&sandbox).await?;
        let place = shared::cli::describe_database(&sandbox);
        println!("stripe-sandbox: {place} ready");
    }
    if Env.get("ERP_URL").is_none() {
        let sandbox = config::string_or(src, "ERP_SANDBOX_DATABASE_URL", SANDBOX_DATABASE_URL);
        std::fs::create_dir_all("var").map_err(|e| anyhow::anyhow!("creating var/: {e}"))?;
        let seeded = erp_sandbox::prepare_database(&sandbox).await?;
        let place = shared::cli::describe_database(&sandbox);
        println!(
            "erp-sandbox: {place} ready{}",
            if seeded {
                "; demo customers seeded"
            } else {
                ""
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Every check of every service, each dependency once.
fn checks(src: &HubDefaults) -> Checks {
    let mut checks = Checks::new();
    let url = match config::database_url(src, DEFAULT_DATABASE_URL) {
        Ok(url) => url,
        Err(e) => {
            checks.known("settings", settings_outcome::<()>(&Err(e)));
            return checks;
        }
    };
    let (portal, notify, pay, quote, vision) = (
        src.with_database(&url, "portal-auth"),
        src.with_database(&url, "notifications"),
        src.with_database(&url, "payments"),
        src.with_database(&url, "quotation-signing"),
        src.with_database(&url, "vision-ocr"),
    );
    let notify_settings = notifications::Settings::from_source(&notify);
    checks.known(
        "portal-auth settings",
        settings_outcome(&portal_auth::Settings::from_source(&portal)),
    );
    checks.known("notifications settings", settings_outcome(&notify_settings));
    checks.known(
        "payments settings",
        settings_outcome(&payments::Settings::from_source(&pay)),
    );
    checks.known(
        "quotation-signing settings",
        settings_outcome(&quotation_signing::Settings::from_source(&quote)),
    );
    checks.known(
        "vision-ocr settings",
        settings_outcome(&vision_ocr::Settings::from_source(&vision)),
    );
    let bind = config::string_or(src, "BIND", "127.0.0.1:8080");
    checks.known("listen address", shared::cli::check_bind(&bind));
    let own =
        |source: &HubDefaults| config::string_or(source, "DATABASE_URL", DEFAULT_DATABASE_URL);
    checks.add(
        "portal-auth database",
        shared::cli::check_database::<portal_auth::store::Migrator>(own(&portal), "DATABASE_URL"),
    );
    checks.add(
        "notifications database",
        shared::cli::check_database::<notifications::store::Migrator>(own(&notify), "DATABASE_URL"),
    );
    checks.add(
        "payments database",
        shared::cli::check_database::<payments::store::Migrator>(own(&pay), "DATABASE_URL"),
    );
    checks.add(
        "quotation-signing database",
        shared::cli::check_database::<quotation_signing::store::Migrator>(
            own(&quote),
            "DATABASE_URL",
        ),
    );
    checks.add(
        "vision-ocr database",
        shared::cli::check_database::<vision_ocr::store::Migrator>(own(&vision), "DATABASE_URL"),
    );
    match BusSettings::from_source(src) {
        Ok(bus) => checks.add("NATS", shared::cli::check_nats(bus)),
        Err(e) => checks.known("NATS", settings_outcome::<()>(&Err(e))),
    }
    add_erp_check(&mut checks, src);
    add_stripe_check(&mut checks, src);
    add_docuseal_check(&mut checks, src);
    checks.known("signing keys", portal_auth::cli::check_keys(&portal));
    checks.known("code hash key", portal_auth::code_key::check(&portal));
    if let Ok(settings) = notify_settings {
        checks.add("SMTP", notifications::cli::check_smtp(settings.clone()));
        checks.add("Twilio", notifications::cli::check_twilio(settings));
    }
    checks
}

/// The ERP of `ERP_URL`, or, when it is unset, the database of the in-process erp-sandbox.
fn add_erp_check(checks: &mut Checks, src: &HubDefaults) {
    if Env.get("ERP_URL").is_some() {
        let keys = (
            portal_auth::config::SANDBOX_ERP_KEY,
            portal_auth::config::SANDBOX_ERP_SECRET,
        );
        match ErpSettings::from_source(src, keys.0, keys.1) {
            Ok(erp) => checks.add("ERP", shared::cli::check_erp(erp)),
            Err(e) => checks.known("ERP", settings_outcome::<()>(&Err(e))),
        }
        return;
    }
    let sandbox = config::string_or(src, "ERP_SANDBOX_DATABASE_URL", SANDBOX_DATABASE_URL);
    checks.add("ERP", async move {
        let place = shared::cli::describe_database(&sandbox);
        let db = shared::db::connect(&sandbox)
            .await
            .map_err(|e| format!("cannot open {place} ({e}): check ERP_SANDBOX_DATABASE_URL"))?;
        let _ = db.close().await;
        Ok(format!(
            "ERP_URL not set: the hub runs the erp-sandbox in-process on ERP_SANDBOX_BIND, over {place}"
        ))
    });
}

/// Stripe: with `STRIPE_API_URL` set, its key and webhook secrets are payments' settings (checked
/// above); unset, the settings and database of the in-process stand-in.
fn add_stripe_check(checks: &mut Checks, src: &HubDefaults) {
    if Env.get("STRIPE_API_URL").is_some() {
        return;
    }
    let settings = crate::stand_ins::stripe_sandbox_source(src)
        .and_then(|own| stripe_sandbox::SandboxSettings::from_source(&own));
    let sandbox = match settings {
        Ok(settings) => settings.database_url,
        Err(e) => return checks.known("Stripe", settings_outcome::<()>(&Err(e))),
    };
    checks.add("Stripe", async move {
        let place = shared::cli::describe_database(&sandbox);
        let db = shared::db::connect(&sandbox).await.map_err(|e| {
            format!("cannot open {place} ({e}): check STRIPE_SANDBOX_DATABASE_URL")
        })?;
        let _ = db.close().await;
        Ok(format!(
            "STRIPE_API_URL not set: the hub runs the Stripe stand-in in-process on STRIPE_SANDBOX_BIND, over {place}"
        ))
    });
}

/// DocuSeal: with `DOCUSEAL_API_URL` set, its key and webhook secrets are quotation-signing's
/// settings (checked above); unset, the settings and database of the in-process stand-in.
fn add_docuseal_check(checks: &mut Checks, src: &HubDefaults) {
    if Env.get("DOCUSEAL_API_URL").is_some() {
        return;
    }
    let settings = crate::stand_ins::docuseal_sandbox_source(src, "made-at-start")
        .and_then(|own| docuseal_sandbox::SandboxSettings::from_source(&own));
    let sandbox = match settings {
        Ok(settings) => settings.database_url,
        Err(e) => return checks.known("DocuSeal", settings_outcome::<()>(&Err(e))),
    };
    checks.add("DocuSeal", async move {
        let place = shared::cli::describe_database(&sandbox);
        let db = shared::db::connect(&sandbox).await.map_err(|e| {
            format!("cannot open {place} ({e}): check DOCUSEAL_SANDBOX_DATABASE_URL")
        })?;
        let _ = db.close().await;
        Ok(format!(
            "DOCUSEAL_API_URL not set: the hub runs the DocuSeal stand-in in-process on DOCUSEAL_SANDBOX_BIND, over {place}"
        ))
    });
}
