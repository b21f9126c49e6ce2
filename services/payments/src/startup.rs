//! Building payments: storage and routes; served on its own (`shared::http::Application::build`) or,
//! later, mounted in the hub.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use anyhow::Context;
use shared::events::EventBus;
use shared::http::{DbProbe, Metrics, Probe, ServerSettings, Service, ServiceSettings};
use utoipa::OpenApi;

use crate::config::Settings;
use crate::routes::{self, AppState};
use crate::store::Store;

/// The `service` label of the shared metrics.
const SERVICE: &str = "payments";

/// The OpenAPI document of payments.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "payments",
        description = "Stripe payments kept in step with ERPNext"
    ),
    paths(routes::stripe_webhook),
    components(schemas(shared::http::Problem))
)]
pub struct ApiDoc;

/// payments, ready to be mounted on a server.
pub struct Payments {
    state: web::Data<AppState>,
    probes: Vec<Arc<dyn Probe>>,
    webhook_max_bytes: usize,
}

impl Payments {
    /// Connects storage; metrics go in `metrics`. (Events will leave through `bus`.)
    pub async fn start(
        settings: &Settings,
        _bus: Arc<dyn EventBus>,
        metrics: &Metrics,
    ) -> anyhow::Result<Self> {
        let store = Store::connect(&settings.database_url)
            .await
            .context("opening the payments database")?;
        if settings.webhook_secrets.is_empty() {
            tracing::warn!("STRIPE_WEBHOOK_SECRETS is not set: every Stripe webhook is refused");
        }
        metrics.watch_database(SERVICE, store.connection().clone());
        let probes: Vec<Arc<dyn Probe>> = vec![Arc::new(DbProbe::new(
            "payments-database",
            store.connection().clone(),
        ))];
        let state = web::Data::new(AppState {
            store,
            webhook_secrets: settings.webhook_secrets.clone(),
        });
        Ok(Self {
            state,
            probes,
            webhook_max_bytes: settings.webhook_max_bytes,
        })
    }
}

#[async_trait::async_trait]
impl Service for Payments {
    fn configure(&self, cfg: &mut web::ServiceConfig) {
        routes::configure(cfg, self.state.clone(), self.webhook_max_bytes);
    }

    fn probes(&self) -> Vec<Arc<dyn Probe>> {
        self.probes.clone()
    }

    fn document(&self) -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }

    /// Nothing runs in the background yet.
    async fn drain(&self, _grace: Duration) {}
}

#[async_trait::async_trait]
impl ServiceSettings for Settings {
    type Service = Payments;

    fn server(&self) -> &ServerSettings {
        &self.server
    }

    async fn start(
        &self,
        bus: Arc<dyn EventBus>,
        metrics: &Arc<Metrics>,
    ) -> anyhow::Result<Payments> {
        Payments::start(self, bus, metrics).await
    }
}
