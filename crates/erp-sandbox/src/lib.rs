//! A Frappe-compatible REST server over its own SQLite database, seeded with demo
//! customers, their invoices, an item catalogue, quotations, suppliers, service locations,
//! equipment, technicians and a dispatch day: the default ERP for `make run` and for every test.
//!
//! It speaks the Frappe v1 wire format (`/api/resource/{doctype}`, list filters,
//! Frappe-shaped errors) so the real [`shared::erpnext::FrappeClient`] talks to it
//! unchanged. See the crate README for the demo data tests rely on ([`demo_quotations`],
//! [`demo_suppliers`] and [`demo_equipment`] name the quotations, suppliers, locations and
//! equipment; [`demo_dispatch`] builds the dispatch day).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use erp_sandbox::{Sandbox, SandboxSettings};
//! let sandbox = Sandbox::build(SandboxSettings::for_tests()).await?;
//! let url = sandbox.base_url();
//! tokio::spawn(sandbox.run_until_stopped());
//! # let _ = url; Ok(()) }
//! ```

mod auth;
mod buying;
pub mod demo_dispatch;
pub mod demo_equipment;
mod demo_invoices;
pub mod demo_quotations;
pub mod demo_suppliers;
mod dispatch;
mod dispatch_doctypes;
mod doctypes;
mod equipment;
mod error;
mod file;
mod filters;
mod invoice;
mod listing;
mod mapper;
mod money;
mod operations_doctypes;
mod payment;
mod pdf;
mod routes;
mod sales_order;
mod seed;
mod selling;
mod selling_doctypes;
mod store;
mod submittable;
mod subscription;

use actix_web::{dev::Server, dev::ServerHandle, web};
use anyhow::Context;
use secrecy::SecretString;
use stand_in_kit::server;

pub use error::FrappeError;

use auth::Credential;
use store::Store;

/// API key accepted by default (`ERP_API_KEY` of the embedded mode).
pub const DEFAULT_API_KEY: &str = "sandbox-key";
/// API secret accepted by default (`ERP_API_SECRET` of the embedded mode).
pub const DEFAULT_API_SECRET: &str = "sandbox-secret";
/// A second, read-only key: may list and get, never write.
pub const READONLY_API_KEY: &str = "readonly-key";
/// Secret of [`READONLY_API_KEY`].
pub const READONLY_API_SECRET: &str = "readonly-secret";
/// The Frappe user behind the configured key (answer of `get_logged_user`).
pub const API_USER: &str = "hub-api@example.ca";
/// The Frappe user behind [`READONLY_API_KEY`].
pub const READONLY_API_USER: &str = "readonly-api@example.ca";

const BODY_LIMIT: usize = 1024 * 1024;

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxSettings {
    /// Listen address; `127.0.0.1:0` picks a free port.
    pub bind: String,
    /// `sqlite::memory:` or `sqlite://var/erp-sandbox.db?mode=rwc`.
    pub database_url: String,
    /// API key accepted with full rights.
    pub api_key: String,
    /// Its secret.
    pub api_secret: SecretString,
}

impl SandboxSettings {
    /// A free port on loopback, an in-memory DB, the default credentials.
    pub fn for_tests() -> Self {
        Self {
            bind: "127.0.0.1:0".to_owned(),
            database_url: "sqlite::memory:".to_owned(),
            api_key: DEFAULT_API_KEY.to_owned(),
            api_secret: SecretString::from(DEFAULT_API_SECRET),
        }
    }
}

/// Shared state of the handlers.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) store: Store,
    pub(crate) credentials: Vec<Credential>,
    /// Serialises writes so naming series and duplicate checks see a settled table.
    pub(crate) write_lock: tokio::sync::Mutex<()>,
}

/// A bound, seeded sandbox, ready to run.
pub struct Sandbox {
    port: u16,
    server: Server,
}

impl Sandbox {
    /// Opens the DB (creating the table), seeds the demo customers if it is empty and
    /// binds the listener.
    pub async fn build(settings: SandboxSettings) -> anyhow::Result<Sandbox> {
        let (store, _) = open_seeded(&settings.database_url).await?;
        let state = web::Data::new(AppState {
            store,
            credentials: credentials(&settings),
            write_lock: tokio::sync::Mutex::new(()),
        });
        let (listener, port) = server::bind("erp-sandbox", &settings.bind)?;
        let server = server::serve("erp-sandbox", listener, move |app| {
            app.app_data(state.clone())
                .app_data(web::PayloadConfig::new(BODY_LIMIT))
                .app_data(web::QueryConfig::default().error_handler(|err, _| {
                    FrappeError::validation(format!("Invalid query string: {err}")).into()
                }))
                .app_data(web::PathConfig::default().error_handler(|err, _| {
                    FrappeError::validation(format!("Invalid path: {err}")).into()
                }))
                .service(web::scope("/api/v1").configure(routes::configure))
                .service(web::scope("/api").configure(routes::configure))
                .route(
                    "/private/files/{file_name}",
                    web::get().to(file::download_private),
                )
                .route("/files/{file_name}", web::get().to(file::download_public))
                .default_service(web::to(routes::not_found));
        })?;
        Ok(Sandbox { port, server })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A handle to stop the server gracefully (`handle.stop(true).await`).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Prepares the database at `database_url` (`erp-sandbox migrate`): creates the table and seeds the
/// demo customers when it is empty, the demo invoices when it has no Sales Invoice, and the demo
/// catalogue and quotations when it has no Item, and the demo suppliers, service locations and
/// equipment when it has no Supplier, and the demo dispatch day when it has no Technician. Returns
/// whether it seeded anything.
pub async fn prepare_database(database_url: &str) -> anyhow::Result<bool> {
    open_seeded(database_url).await.map(|(_, seeded)| seeded)
}

async fn open_seeded(database_url: &str) -> anyhow::Result<(Store, bool)> {
    let store = Store::connect(database_url)
        .await
        .context("opening the erp-sandbox database")?;
    let empty = store
        .is_empty()
        .await
        .context("reading the erp-sandbox database")?;
    if empty {
        seed::seed(&store)
            .await
            .context("seeding the demo customers")?;
    }
    let invoices = seed::seed_invoices(&store)
        .await
        .context("seeding the demo invoices")?;
    let quotations = seed::seed_quotations(&store)
        .await
        .context("seeding the demo items, plans and quotations")?;
    let operations = seed::seed_operations(&store)
        .await
        .context("seeding the demo suppliers, service locations and equipment")?;
    let dispatch = seed::seed_dispatch(&store)
        .await
        .context("seeding the demo technicians and dispatch day")?;
    Ok((
        store,
        empty || invoices || quotations || operations || dispatch,
    ))
}

fn credentials(settings: &SandboxSettings) -> Vec<Credential> {
    vec![
        Credential {
            key: settings.api_key.clone(),
            secret: settings.api_secret.clone(),
            user: API_USER,
            read_only: false,
        },
        Credential {
            key: READONLY_API_KEY.to_owned(),
            secret: SecretString::from(READONLY_API_SECRET),
            user: READONLY_API_USER,
            read_only: true,
        },
    ]
}
