//! Building payments: storage and routes; served on its own (`shared::http::Application::build`) or,
//! later, mounted in the hub.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use anyhow::Context;
use shared::events::EventBus;
use shared::http::{DbProbe, Metrics, Probe, ServerSettings, Service, ServiceSettings};
use utoipa::OpenApi;

use crate::checkout::KlarnaLimits;
use crate::config::Settings;
use crate::metrics::PayMetrics;
use crate::pay::Ctx;
use crate::processor::Processor;
use crate::routes::{self, AppState};
use crate::store::Store;
use shared::events::OutboxRelay;
use shared::portal_auth::PortalAuth;
use tokio::sync::Notify;

/// The `service` label of the shared metrics.
const SERVICE: &str = "payments";

/// The OpenAPI document of payments.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "payments",
        description = "Stripe payments kept in step with ERPNext"
    ),
    paths(
        routes::webhook::stripe_webhook,
        routes::customer::balance,
        routes::customer::invoices,
        routes::customer::invoice_pdf,
        routes::customer::pay_invoice,
        routes::customer::pay_balance,
        routes::stripe_return::stripe_return,
        routes::cards::methods,
        routes::cards::make_default,
        routes::cards::remove,
        routes::cards::save_card,
        routes::cards::billing_portal,
        routes::staff::repair,
        routes::staff::refund,
        routes::staff::send_link,
        routes::ppa::get_ppa,
        routes::ppa::put_ppa,
        routes::ppa::run_ppa,
    ),
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
    /// Connects storage and starts the background work (the inbox's processor, the outbox relay);
    /// metrics go in `metrics`, events leave through `bus`.
    pub async fn start(
        settings: &Settings,
        bus: Arc<dyn EventBus>,
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
        let erp = settings
            .erp
            .client()
            .context("building the ERP client (ERP_URL)")?
            .with_metrics(metrics.erpnext(SERVICE));
        let stripe = settings.stripe_client()?;
        if stripe.is_none() {
            tracing::warn!("STRIPE_SECRET_KEY is not set: no payment can be taken");
        }
        let relay = OutboxRelay::new(store.connection().clone(), bus)
            .with_counters(metrics.outbox(SERVICE));
        let outbox_written = relay.notifier();
        relay.spawn();
        let ppa = crate::ppa::Runner::new(
            &settings.ppa,
            store.clone(),
            erp.clone(),
            stripe.clone(),
            &settings.portal_url,
            Arc::clone(&outbox_written),
        );
        if settings.ppa.enabled {
            crate::ppa::schedule::spawn(ppa.clone(), settings.ppa.time);
        }
        let inbox_wake = Arc::new(Notify::new());
        let pay_metrics =
            PayMetrics::register(metrics.registry()).context("registering payments' metrics")?;
        metrics.watch(Arc::new(pay_metrics.inbox_gauges(store.clone())));
        let processor = Processor {
            store: store.clone(),
            erp: erp.clone(),
            stripe: stripe.clone(),
            accounts: settings.accounts.clone(),
            tax_numbers: settings.tax_numbers.clone(),
            outbox_written: Arc::clone(&outbox_written),
            metrics: pay_metrics.clone(),
        };
        processor.clone().spawn(Arc::clone(&inbox_wake));
        processor
            .clone()
            .spawn_repair(settings.repair.0, settings.repair.1);
        let state = web::Data::new(AppState {
            pay: Ctx {
                store,
                erp,
                stripe,
                public_url: settings.public_url.clone(),
                portal_url: settings.portal_url.clone(),
                outbox_written,
                metrics: pay_metrics,
                klarna: KlarnaLimits {
                    min: settings.klarna_cents.0,
                    max: settings.klarna_cents.1,
                },
            },
            auth: PortalAuth::new(&settings.portal_auth_url, settings.internal_secret.clone()),
            webhook_secrets: settings.webhook_secrets.clone(),
            inbox_wake,
            processor,
            staff: (settings.staff_gate.clone(), settings.staff_groups.clone()),
            ppa,
        });
        Ok(Self {
            state,
            probes,
            webhook_max_bytes: settings.webhook_max_bytes,
        })
    }
}

impl Payments {
    /// The OpenAPI document.
    pub fn openapi() -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
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
