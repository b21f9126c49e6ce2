//! The Gigafibre hub in one process (the embedded default): every service's routes on one server,
//! the erp-sandbox started in-process unless `ERP_URL` points elsewhere, the Stripe stand-in unless
//! `STRIPE_API_URL` does, the DocuSeal stand-in unless `DOCUSEAL_API_URL` does, and the portal SPA
//! at `/`. vision-ocr reads with Tesseract on this machine unless `GEMINI_API_KEY` is set.

mod cli;
mod stand_ins;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use actix_web::web;
use anyhow::Context;
use clap::Parser as _;
use shared::config::{self, Env, Source};
use shared::http::{Application, ServerSettings, Service, ServiceSettings};

/// `DATABASE_URL` of the hub when unset; each service gets its own file beside it.
const DEFAULT_DATABASE_URL: &str = "sqlite://var/hub.db?mode=rwc";
/// The erp-sandbox's own database when the hub runs it in-process.
const SANDBOX_DATABASE_URL: &str = "sqlite://var/erp-sandbox.db?mode=rwc";

/// The environment, with the hub's embedded defaults under it.
struct HubDefaults {
    /// Values the hub decides (a service's own database), over the environment.
    overrides: HashMap<String, String>,
    /// Embedded defaults, under the environment.
    defaults: HashMap<String, String>,
}

impl Source for HubDefaults {
    fn get(&self, name: &str) -> Option<String> {
        self.overrides
            .get(name)
            .cloned()
            .or_else(|| Env.get(name))
            .or_else(|| self.defaults.get(name).cloned())
    }
}

impl HubDefaults {
    /// The sources of one service: its own database. SQLite gets one file per service (two outbox
    /// relays must not share one SQLite outbox); PostgreSQL is shared, each service owning its tables.
    fn with_database(&self, url: &str, service: &str) -> HubDefaults {
        let own = match url.strip_prefix("sqlite://") {
            Some(rest) => {
                let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
                let stem = path.strip_suffix(".db").unwrap_or(path);
                let sep = if query.is_empty() { "" } else { "?" };
                format!("sqlite://{stem}.{service}.db{sep}{query}")
            }
            None => url.to_owned(),
        };
        let mut overrides = self.overrides.clone();
        overrides.insert("DATABASE_URL".to_owned(), own);
        HubDefaults {
            overrides,
            defaults: self.defaults.clone(),
        }
    }
}

fn defaults() -> HubDefaults {
    let pairs = [
        ("BIND", "127.0.0.1:8080"),
        ("DATABASE_URL", DEFAULT_DATABASE_URL),
        ("ERP_URL", "http://127.0.0.1:8000"),
        // Whoever sits at this machine reads the sandbox outbox without Authentik.
        ("LOOPBACK_IS_STAFF", "true"),
    ];
    HubDefaults {
        overrides: HashMap::new(),
        defaults: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

// mimalloc: the request paths allocate many small short-lived buffers; glibc malloc showed up
// at ~10% of CPU under load (perf), mimalloc handles that pattern better.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    shared::cli::run(cli::run(cli))
}

/// Serves every service on one server until SIGTERM, then stops them all within the grace period.
async fn serve_all() -> anyhow::Result<ExitCode> {
    let _telemetry = shared::telemetry::init("hub")?;
    let mut src = defaults();
    if Env.get("ERP_URL").is_none() {
        let url = start_erp_sandbox(&src).await?;
        src.overrides.insert("ERP_URL".to_owned(), url);
    }
    if Env.get("STRIPE_API_URL").is_none() {
        let url = stand_ins::start_stripe_sandbox(&src).await?;
        stand_ins::use_stripe_sandbox(&mut src, url);
    }
    stand_ins::wire_payments(&mut src);
    if Env.get("DOCUSEAL_API_URL").is_none() {
        stand_ins::start_docuseal_sandbox(&mut src).await?;
    }
    let server = ServerSettings::from_source(&src, "127.0.0.1:8080")?;
    let database_url = config::database_url(&src, DEFAULT_DATABASE_URL)?;
    let portal_auth_settings =
        portal_auth::Settings::from_source(&src.with_database(&database_url, "portal-auth"))?;
    let notifications_settings =
        notifications::Settings::from_source(&src.with_database(&database_url, "notifications"))?;
    let payments_settings =
        payments::Settings::from_source(&src.with_database(&database_url, "payments"))?;
    let quotation_settings = quotation_signing::Settings::from_source(
        &src.with_database(&database_url, "quotation-signing"),
    )?;
    let vision_settings =
        vision_ocr::Settings::from_source(&src.with_database(&database_url, "vision-ocr"))?;
    let mode = config::outbound_mode(&src)?;
    let bus = server
        .bus
        .connect()
        .await
        .context("connecting the event bus (NATS_URL)")?;
    let metrics = shared::http::Metrics::new()?;
    // Consumers first: the in-process bus delivers only to subscriptions that exist when it publishes.
    let notifications = notifications_settings
        .start(Arc::clone(&bus), &metrics)
        .await?;
    let portal_auth = portal_auth_settings
        .start(Arc::clone(&bus), &metrics)
        .await?;
    let payments = payments_settings.start(Arc::clone(&bus), &metrics).await?;
    let quotation_signing = quotation_settings.start(Arc::clone(&bus), &metrics).await?;
    let vision_ocr = vision_settings.start(Arc::clone(&bus), &metrics).await?;
    let spa = config::path_or(&src, "SPA_DIR", "apps/client/dist");
    tracing::info!(bind = %server.bind, outbound = ?mode, database = %redact(&database_url),
        nats = server.bus.url.is_some(), spa = %spa.display(), "hub listening");
    let services: Vec<Arc<dyn Service>> = vec![
        Arc::new(portal_auth),
        Arc::new(notifications),
        Arc::new(payments),
        Arc::new(quotation_signing),
        Arc::new(vision_ocr),
    ];
    // SIGTERM: requests in flight, the link worker's round and the deliveries in hand all finish.
    Application::serve(
        &server,
        services,
        bus,
        metrics,
        Some("Gigafibre hub"),
        move |c| serve_spa(c, &spa),
    )?
    .run_until_stopped()
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// Starts the Frappe-compatible sandbox on `ERP_SANDBOX_BIND` (default 127.0.0.1:8000); returns its URL.
async fn start_erp_sandbox(src: &dyn Source) -> anyhow::Result<String> {
    let settings = erp_sandbox::SandboxSettings {
        bind: config::string_or(src, "ERP_SANDBOX_BIND", "127.0.0.1:8000"),
        database_url: config::string_or(src, "ERP_SANDBOX_DATABASE_URL", SANDBOX_DATABASE_URL),
        api_key: config::string_or(src, "ERP_API_KEY", portal_auth::config::SANDBOX_ERP_KEY),
        api_secret: config::secret_or(
            src,
            "ERP_API_SECRET",
            portal_auth::config::SANDBOX_ERP_SECRET,
        )?,
    };
    stand_ins::start_in_process(
        "erp-sandbox (ERP_SANDBOX_BIND)",
        erp_sandbox::Sandbox::build(settings),
    )
    .await
}

/// The built portal at `/` when present (`make run` builds it).
fn serve_spa(cfg: &mut web::ServiceConfig, dir: &PathBuf) {
    if dir.join("index.html").is_file() {
        cfg.service(actix_files::Files::new("/", dir).index_file("index.html"));
    } else {
        tracing::warn!(dir = %dir.display(), "no built portal found; run `make run` to build apps/client");
    }
}

/// A database URL without its password, for the start-up log.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…{}", &url[..s], &url[at..]),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The hub serves one OpenAPI document: a schema name two services use for different schemas
    /// would keep only one of them (payments' `Status` and quotation-signing's did).
    #[test]
    fn no_two_services_give_one_schema_name_to_different_schemas() {
        let documents = [
            ("portal-auth", portal_auth::startup::PortalAuth::openapi()),
            (
                "notifications",
                notifications::startup::Notifications::openapi(),
            ),
            ("payments", payments::startup::Payments::openapi()),
            (
                "quotation-signing",
                quotation_signing::QuotationSigning::openapi(),
            ),
            ("vision-ocr", vision_ocr::VisionOcr::openapi()),
        ];
        let mut seen: HashMap<String, (&str, String)> = HashMap::new();
        for (service, doc) in &documents {
            let schemas = doc.components.as_ref().map(|c| &c.schemas);
            for (name, schema) in schemas.into_iter().flatten() {
                let json = serde_json::to_string(schema).unwrap();
                if let Some((first, other)) = seen.get(name) {
                    assert_eq!(
                        other, &json,
                        "{first} and {service} both name a different schema {name}"
                    );
                }
                seen.insert(name.clone(), (service, json));
            }
        }
    }

    /// Issue 16, finding 5: the loopback shortcut to the outbox is the embedded default's alone;
    /// notifications started on its own leaves it off.
    #[test]
    fn only_the_embedded_default_makes_this_machine_staff() {
        let embedded = defaults().defaults;
        assert_eq!(
            embedded.get("LOOPBACK_IS_STAFF").map(String::as_str),
            Some("true")
        );
        let alone: HashMap<String, String> = HashMap::new();
        assert!(
            !notifications::Settings::from_source(&alone)
                .unwrap()
                .loopback_is_staff
        );
        assert!(
            notifications::Settings::from_source(&embedded)
                .unwrap()
                .loopback_is_staff
        );
        let vision = vision_ocr::Settings::from_source(&embedded).unwrap();
        assert!(vision.staff_gate.loopback_is_staff);
    }
}
