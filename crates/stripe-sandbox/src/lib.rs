//! A Stripe stand-in: the API subset the payments service uses (customers, Checkout Sessions in
//! payment and setup mode, PaymentIntents with off-session charges of saved cards, charges and
//! their fees, refunds, Billing Portal sessions), a hosted Checkout page a person clicks through
//! with Stripe's test cards, a Billing Portal page, and webhooks signed and retried Stripe's way,
//! over its own SQLite database. `make run` and the tests need no Stripe account. Never for
//! production.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use stripe_sandbox::{Sandbox, SandboxSettings};
//! let settings = SandboxSettings::for_tests();
//! let sandbox = Sandbox::build(settings).await?;
//! let url = sandbox.base_url();
//! tokio::spawn(sandbox.run_until_stopped());
//! # let _ = url; Ok(()) }
//! ```

mod api;
mod bank;
mod bank_page;
mod cards;
mod charges;
mod checkout;
mod config;
mod error;
mod expand;
mod fees;
pub mod fixtures;
mod form;
mod objects;
mod off_session;
mod pages;
mod payment_methods;
mod portal;
mod settle;
mod setup;
mod setup_page;
mod store;
mod webhooks;

use std::time::Duration;

use actix_web::{dev::Server, dev::ServerHandle, web};
use anyhow::Context;
use secrecy::SecretString;
use stand_in_kit::server;

pub use config::DEFAULT_SECRET_KEY;
pub use error::StripeError;

use store::Store;

/// The `api_version` the sandbox's events carry.
pub const API_VERSION: &str = "2025-03-31.basil";

/// A webhook endpoint: where events go and the secret that signs them.
#[derive(Debug, Clone)]
pub struct WebhookEndpoint {
    /// `http://127.0.0.1:8082/webhook/stripe`.
    pub url: String,
    /// `whsec_…`; the HMAC key is the whole string.
    pub secret: SecretString,
}

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxSettings {
    /// Listen address; `127.0.0.1:0` picks a free port.
    pub bind: String,
    /// Origin of the hosted pages' URLs; `None`: `http://127.0.0.1:<bound port>`.
    pub public_url: Option<String>,
    /// `sqlite::memory:` or `sqlite://var/stripe-sandbox.db?mode=rwc`.
    pub database_url: String,
    /// The only API key accepted (`sk_test_…`).
    pub secret_key: SecretString,
    /// Where events are delivered.
    pub webhook_endpoints: Vec<WebhookEndpoint>,
    /// Waits before each retry of a delivery not answered 2xx; after the last, it is given up.
    pub retry_schedule: Vec<Duration>,
    /// How often the delivery worker looks at its queue.
    pub poll_interval: Duration,
    /// A Billing Portal session not visited within this expires (5 minutes); once visited, its
    /// page works for an hour.
    pub portal_unvisited_lifetime: Duration,
    /// How long a bank debit stays `processing` before it settles (days at Stripe; a minute by
    /// default here, milliseconds in tests); Stripe's "late" test accounts add three minutes.
    pub debit_delay: Duration,
    /// The business named in the pre-authorised debit agreement.
    pub business_name: String,
}

impl SandboxSettings {
    /// A free port on loopback, an in-memory DB, a random `sk_test_` key, no webhook endpoint,
    /// retries after 50, 100, 200, 400 and 800 ms.
    pub fn for_tests() -> Self {
        Self {
            bind: "127.0.0.1:0".to_owned(),
            public_url: None,
            database_url: "sqlite::memory:".to_owned(),
            secret_key: SecretString::from(format!("sk_test_{}", objects::random_token(24))),
            webhook_endpoints: Vec::new(),
            retry_schedule: [50, 100, 200, 400, 800]
                .into_iter()
                .map(Duration::from_millis)
                .collect(),
            poll_interval: Duration::from_millis(20),
            portal_unvisited_lifetime: Duration::from_secs(300),
            debit_delay: Duration::from_millis(200),
            business_name: "Gigafibre".to_owned(),
        }
    }

    /// Stripe's own retry pace, shortened to a day: 1 min, 5 min, 30 min, 2 h, 5 h, 10 h.
    pub fn default_retry_schedule() -> Vec<Duration> {
        [60, 300, 1800, 7200, 18000, 36000]
            .into_iter()
            .map(Duration::from_secs)
            .collect()
    }
}

/// Shared state of the handlers.
pub(crate) struct AppState {
    pub(crate) store: Store,
    pub(crate) secret_key: SecretString,
    pub(crate) public_url: String,
    pub(crate) endpoints: Vec<WebhookEndpoint>,
    pub(crate) portal_unvisited_lifetime: Duration,
    pub(crate) debit_delay: Duration,
    pub(crate) business_name: String,
    /// Serialises writes: an idempotency key, a refund's remaining amount and a session's state
    /// are read and written under it.
    pub(crate) write_lock: tokio::sync::Mutex<()>,
}

/// A bound sandbox, ready to run.
pub struct Sandbox {
    port: u16,
    server: Server,
    worker: stand_in_kit::webhooks::Worker<webhooks::StripePost>,
    settler: settle::Settler,
}

impl Sandbox {
    /// Opens the DB (creating the tables) and binds the listener.
    pub async fn build(settings: SandboxSettings) -> anyhow::Result<Sandbox> {
        let store = Store::connect(&settings.database_url)
            .await
            .context("opening the stripe-sandbox database")?;
        let (listener, port) = server::bind("stripe-sandbox", &settings.bind)?;
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://127.0.0.1:{port}"));
        let state = web::Data::new(AppState {
            store: store.clone(),
            secret_key: settings.secret_key.clone(),
            public_url: public_url.trim_end_matches('/').to_owned(),
            endpoints: settings.webhook_endpoints.clone(),
            portal_unvisited_lifetime: settings.portal_unvisited_lifetime,
            debit_delay: settings.debit_delay,
            business_name: settings.business_name.clone(),
            write_lock: tokio::sync::Mutex::new(()),
        });
        let worker = webhooks::worker(store.queue, &settings)?;
        let settler = settle::Settler::new(state.clone().into_inner(), settings.poll_interval);
        let server = server::serve("stripe-sandbox", listener, move |app| {
            app.app_data(state.clone())
                .app_data(web::PayloadConfig::new(256 * 1024))
                .service(web::scope("/v1").configure(api::configure))
                .service(web::scope("/c/pay").configure(checkout::configure))
                .service(web::scope("/p/session").configure(portal::configure))
                .default_service(web::to(api::not_found));
        })?;
        Ok(Sandbox {
            port,
            server,
            worker,
            settler,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A handle to stop the server gracefully.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves, and delivers webhooks, until stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let worker = tokio::spawn(self.worker.run());
        let settler = tokio::spawn(self.settler.run());
        let served = self.server.await;
        worker.abort();
        settler.abort();
        served
    }
}

/// Creates the sandbox's tables at `database_url` (`stripe-sandbox migrate`).
pub async fn prepare_database(database_url: &str) -> anyhow::Result<()> {
    Store::connect(database_url)
        .await
        .context("opening the stripe-sandbox database")?;
    Ok(())
}
