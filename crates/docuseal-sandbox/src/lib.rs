//! A DocuSeal stand-in: the subset of DocuSeal's API the quotation-signing service uses
//! (`POST /api/submissions`, `GET /api/submissions/{id}`, `GET /api/submitters/{id}`), a signing
//! page a person fills in and signs in a browser (`/s/{slug}`), the signed document and audit log
//! as PDFs at public `/file/…` URLs, and webhooks sent DocuSeal's way (the configured secret
//! headers, retried on any answer ≥ 400), over its own SQLite database. Never for production.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use docuseal_sandbox::{Sandbox, SandboxSettings};
//! let settings = SandboxSettings::for_tests();
//! let sandbox = Sandbox::build(settings).await?;
//! let api = format!("{}/api", sandbox.base_url());
//! tokio::spawn(sandbox.run_until_stopped());
//! # let _ = api; Ok(()) }
//! ```

mod api;
mod config;
mod control;
mod error;
pub mod fixtures;
mod model;
mod pages;
mod pdf;
mod preview;
mod serialize;
mod signing;
mod store;
mod templates;
mod webhooks;

use std::time::Duration;

use actix_web::{dev::Server, dev::ServerHandle, web};
use anyhow::Context;
use secrecy::SecretString;
use stand_in_kit::server;

pub use config::DEFAULT_API_KEY;
pub use error::DocusealError;
pub use templates::{TEMPLATE_EN, TEMPLATE_FR};

use store::Store;

/// The events the stand-in sends.
pub const EVENTS: &[&str] = &[
    "form.viewed",
    "form.started",
    "form.completed",
    "form.declined",
    "submission.created",
    "submission.completed",
    "submission.expired",
];

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxSettings {
    /// Listen address; `127.0.0.1:0` picks a free port.
    pub bind: String,
    /// Origin of the signing pages' and files' URLs; `None`: `http://127.0.0.1:<bound port>`.
    pub public_url: Option<String>,
    /// `sqlite::memory:` or `sqlite://var/docuseal-sandbox.db?mode=rwc`.
    pub database_url: String,
    /// The only `X-Auth-Token` accepted.
    pub api_key: SecretString,
    /// Where events are POSTed; `None`: none is sent.
    pub webhook_url: Option<String>,
    /// The events the webhook URL is subscribed to (DocuSeal's checkboxes); by default all the
    /// stand-in sends ([`EVENTS`]).
    pub webhook_events: Vec<String>,
    /// DocuSeal's webhook "secret": free header names and values merged into every delivery.
    pub webhook_headers: Vec<(String, SecretString)>,
    /// The key of `X-Docuseal-Signature` (`<unix time>.<hex HMAC-SHA256 of "<time>.<body>">`),
    /// which DocuSeal adds unless the secret headers already carry one.
    pub webhook_hmac_secret: SecretString,
    /// Waits before each retry of a delivery answered ≥ 400 or not answered; after the last, it
    /// is given up.
    pub retry_schedule: Vec<Duration>,
    /// How often the worker looks at its delivery queue and for expired submissions.
    pub poll_interval: Duration,
}

impl SandboxSettings {
    /// A free port on loopback, an in-memory DB, a random key, no webhook URL, retries after 50,
    /// 100, 200, 400 and 800 ms.
    pub fn for_tests() -> Self {
        Self {
            bind: "127.0.0.1:0".to_owned(),
            public_url: None,
            database_url: "sqlite::memory:".to_owned(),
            api_key: SecretString::from(model::random_token(32)),
            webhook_url: None,
            webhook_events: EVENTS.iter().map(|e| (*e).to_owned()).collect(),
            webhook_headers: Vec::new(),
            webhook_hmac_secret: SecretString::from(format!("whsec_{}", model::random_token(32))),
            retry_schedule: [50, 100, 200, 400, 800]
                .into_iter()
                .map(Duration::from_millis)
                .collect(),
            poll_interval: Duration::from_millis(20),
        }
    }

    /// DocuSeal's own pace: a retry `2^attempt` minutes after each failed attempt, attempts 0 to
    /// 10 (1 minute to about 17 hours; about 34 hours in all).
    pub fn default_retry_schedule() -> Vec<Duration> {
        (0..=10)
            .map(|attempt| Duration::from_secs(60 << attempt))
            .collect()
    }
}

/// Shared state of the handlers and the worker.
pub(crate) struct AppState {
    pub(crate) store: Store,
    pub(crate) api_key: SecretString,
    pub(crate) public_url: String,
    pub(crate) webhook_url: Option<String>,
    pub(crate) webhook_events: Vec<String>,
    /// Keys the signing pages' anti-forgery tokens; derived from the API key, so a page stays
    /// valid across restarts and no one without the key can make a token.
    pub(crate) page_key: [u8; 32],
    /// Serialises read-modify-write of submissions and submitters.
    pub(crate) write_lock: tokio::sync::Mutex<()>,
}

fn page_key(api_key: &SecretString) -> [u8; 32] {
    use secrecy::ExposeSecret;
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(b"docuseal-sandbox signing page tokens\0");
    hasher.update(api_key.expose_secret().as_bytes());
    hasher.finalize().into()
}

/// A bound sandbox, ready to run.
pub struct Sandbox {
    port: u16,
    server: Server,
    worker: stand_in_kit::webhooks::Worker<webhooks::DocusealPost>,
}

impl Sandbox {
    /// Opens the DB (creating the tables) and binds the listener.
    pub async fn build(settings: SandboxSettings) -> anyhow::Result<Sandbox> {
        let store = Store::connect(&settings.database_url)
            .await
            .context("opening the docuseal-sandbox database")?;
        let (listener, port) = server::bind("docuseal-sandbox", &settings.bind)?;
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://127.0.0.1:{port}"));
        let state = web::Data::new(AppState {
            store,
            api_key: settings.api_key.clone(),
            public_url: public_url.trim_end_matches('/').to_owned(),
            webhook_url: settings.webhook_url.clone(),
            webhook_events: settings.webhook_events.clone(),
            page_key: page_key(&settings.api_key),
            write_lock: tokio::sync::Mutex::new(()),
        });
        let worker = webhooks::worker(state.clone(), &settings)?;
        let server = server::serve("docuseal-sandbox", listener, move |app| {
            app.app_data(state.clone())
                .app_data(web::PayloadConfig::new(2 * 1024 * 1024))
                .app_data(web::FormConfig::default().limit(2 * 1024 * 1024))
                .service(web::scope("/api").configure(api::configure))
                .service(web::scope("/s").configure(signing::configure))
                .service(web::scope("/sandbox").configure(control::configure))
                .configure(signing::configure_files)
                .configure(preview::configure)
                .default_service(web::to(api::not_found));
        })?;
        Ok(Sandbox {
            port,
            server,
            worker,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`; the API is under `/api`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A handle to stop the server gracefully.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves, delivers webhooks and expires submissions, until stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let worker = tokio::spawn(self.worker.run());
        let served = self.server.await;
        worker.abort();
        served
    }
}

/// Creates the sandbox's tables at `database_url` (`docuseal-sandbox migrate`).
pub async fn prepare_database(database_url: &str) -> anyhow::Result<()> {
    Store::connect(database_url)
        .await
        .context("opening the docuseal-sandbox database")?;
    Ok(())
}
