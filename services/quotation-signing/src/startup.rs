//! Building quotation-signing: storage, workers and routes; served on its own
//! (`shared::http::Application::build`) or mounted in the hub.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use anyhow::Context;
use shared::events::{EventBus, OutboxRelay};
use shared::http::{DbProbe, Metrics, Probe, ServerSettings, Service, ServiceSettings};
use shared::portal_auth::PortalAuth;
use tokio::sync::Notify;
use utoipa::OpenApi;

use crate::accept::Acceptor;
use crate::config::Settings;
use crate::docuseal::DocusealClient;
use crate::generate::Sender;
use crate::metrics::QuoteMetrics;
use crate::portal::Portal;
use crate::processor::Processor;
use crate::routes::{self, AppState};
use crate::store::Store;

/// The `service` label of the shared metrics.
const SERVICE: &str = "quotation-signing";

/// The OpenAPI document of quotation-signing.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "quotation-signing",
        description = "ERPNext quotations signed on DocuSeal or accepted in one click"
    ),
    paths(
        routes::webhook::docuseal_webhook,
        routes::staff::generate,
        routes::customer::quotes,
        routes::customer::confirm,
        routes::quote::status,
        routes::quote::qr_svg,
        routes::quote::qr_png,
        routes::quote::print,
    ),
    components(schemas(shared::http::Problem))
)]
pub struct ApiDoc;

/// quotation-signing, ready to be mounted on a server.
pub struct QuotationSigning {
    state: web::Data<AppState>,
    probes: Vec<Arc<dyn Probe>>,
    webhook_max_bytes: usize,
}

impl QuotationSigning {
    /// Connects storage and starts the background work (the inbox's processor, the outbox relay).
    pub async fn start(
        settings: &Settings,
        bus: Arc<dyn EventBus>,
        metrics: &Metrics,
    ) -> anyhow::Result<Self> {
        let store = Store::connect(&settings.database_url)
            .await
            .context("opening the quotation-signing database")?;
        if settings.docuseal.webhook_secrets.is_empty() {
            tracing::warn!(
                "DOCUSEAL_WEBHOOK_SECRETS is not set: every DocuSeal webhook is refused"
            );
        }
        metrics.watch_database(SERVICE, store.connection().clone());
        let probes: Vec<Arc<dyn Probe>> = vec![Arc::new(DbProbe::new(
            "quotation-signing-database",
            store.connection().clone(),
        ))];
        let erp = settings
            .erp
            .client()
            .context("building the ERP client (ERP_URL)")?
            .with_metrics(metrics.erpnext(SERVICE));
        let docuseal = match &settings.docuseal.api_key {
            Some(key) => Some(
                DocusealClient::new(&settings.docuseal.api_url, key)
                    .context("DOCUSEAL_API_KEY cannot be sent as a header")?,
            ),
            None => {
                tracing::warn!("DOCUSEAL_API_KEY is not set: no quote can be sent to sign");
                None
            }
        };
        let relay = OutboxRelay::new(store.connection().clone(), bus)
            .with_counters(metrics.outbox(SERVICE));
        let outbox_written = relay.notifier();
        relay.spawn();
        let quote_metrics = QuoteMetrics::register(metrics.registry())
            .context("registering quotation-signing's metrics")?;
        metrics.watch(Arc::new(quote_metrics.backlog_gauges(store.clone())));
        let inbox_wake = Arc::new(Notify::new());
        let signed = Arc::new(Notify::new());
        Processor {
            store: store.clone(),
            metrics: quote_metrics.clone(),
            signed: Arc::clone(&signed),
        }
        .spawn(Arc::clone(&inbox_wake));
        let acceptor = Acceptor {
            store: store.clone(),
            erp: erp.clone(),
            outbox_written: Arc::clone(&outbox_written),
            metrics: quote_metrics.clone(),
        };
        acceptor.clone().spawn(signed);
        let auth = PortalAuth::new(&settings.portal_auth_url, settings.internal_secret.clone());
        let state = web::Data::new(AppState {
            sender: Sender {
                store: store.clone(),
                erp: erp.clone(),
                docuseal,
                templates: settings.docuseal.templates,
                auth: auth.clone(),
                portal_url: settings.portal_url.clone(),
                outbox_written,
                metrics: quote_metrics.clone(),
            },
            portal: Portal {
                store: store.clone(),
                erp,
                acceptor,
            },
            store,
            metrics: quote_metrics,
            auth,
            webhook_header: settings.docuseal.webhook_header.clone(),
            webhook_secrets: settings.docuseal.webhook_secrets.clone(),
            inbox_wake,
            staff: (settings.staff_gate.clone(), settings.staff_groups.clone()),
        });
        Ok(Self {
            state,
            probes,
            webhook_max_bytes: settings.docuseal.webhook_max_bytes,
        })
    }

    /// The OpenAPI document.
    pub fn openapi() -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }
}

#[async_trait::async_trait]
impl Service for QuotationSigning {
    fn configure(&self, cfg: &mut web::ServiceConfig) {
        routes::configure(cfg, self.state.clone(), self.webhook_max_bytes);
    }

    fn probes(&self) -> Vec<Arc<dyn Probe>> {
        self.probes.clone()
    }

    fn document(&self) -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }

    /// The workers stop with the process: everything they do is recorded before it counts.
    async fn drain(&self, _grace: Duration) {}
}

#[async_trait::async_trait]
impl ServiceSettings for Settings {
    type Service = QuotationSigning;

    fn server(&self) -> &ServerSettings {
        &self.server
    }

    async fn start(
        &self,
        bus: Arc<dyn EventBus>,
        metrics: &Arc<Metrics>,
    ) -> anyhow::Result<QuotationSigning> {
        QuotationSigning::start(self, bus, metrics).await
    }
}
