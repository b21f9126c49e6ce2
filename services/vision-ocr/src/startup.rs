//! Building vision-ocr: storage, providers, workers and routes; served on its own
//! (`shared::http::Application::build`) or mounted in the hub.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use anyhow::Context;
use shared::claims::JwksCache;
use shared::events::{EventBus, OutboxRelay};
use shared::http::{DbProbe, Metrics, Probe, ServerSettings, Service, ServiceSettings};
use tokio::sync::Notify;
use utoipa::OpenApi;

use crate::config::Settings;
use crate::erp::Erp;
use crate::flow::Vision;
use crate::gemini::Gemini;
use crate::local::Local;
use crate::metrics::VisionMetrics;
use crate::read::Readers;
use crate::routes::{self, AppState};
use crate::store::Store;

/// The `service` label of the shared metrics.
const SERVICE: &str = "vision-ocr";

/// The OpenAPI document of vision-ocr.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "vision-ocr",
        description = "Supplier invoices and equipment labels read from a photo"
    ),
    paths(routes::page, routes::invoice, routes::equipment, routes::job),
    components(schemas(shared::http::Problem))
)]
pub struct ApiDoc;

/// vision-ocr, ready to be mounted on a server.
pub struct VisionOcr {
    state: web::Data<AppState>,
    probes: Vec<Arc<dyn Probe>>,
}

impl VisionOcr {
    /// Connects storage and starts the background work (the job worker, the outbox relay).
    pub async fn start(
        settings: &Settings,
        bus: Arc<dyn EventBus>,
        metrics: &Metrics,
    ) -> anyhow::Result<Self> {
        let store = Store::connect(&settings.database_url)
            .await
            .context("opening the vision-ocr database")?;
        metrics.watch_database(SERVICE, store.connection().clone());
        let probes: Vec<Arc<dyn Probe>> = vec![Arc::new(DbProbe::new(
            "vision-ocr-database",
            store.connection().clone(),
        ))];
        let client = settings
            .erp
            .client()
            .context("building the ERP client (ERP_URL)")?
            .with_metrics(metrics.erpnext(SERVICE));
        let gemini = match &settings.gemini {
            Some(g) => Some(Gemini::new(g.clone()).context("GEMINI_* settings")?),
            None => {
                tracing::info!("GEMINI_API_KEY is not set: Tesseract reads every upload");
                None
            }
        };
        let local = Local::new(settings.local.clone());
        if let Err(e) = local.check().await {
            tracing::warn!(error = %e, "the local OCR provider is not usable");
        }
        let relay = OutboxRelay::new(store.connection().clone(), bus)
            .with_counters(metrics.outbox(SERVICE));
        let outbox_written = relay.notifier();
        relay.spawn();
        let vision_metrics = VisionMetrics::register(metrics.registry())
            .context("registering vision-ocr's metrics")?;
        metrics.watch(Arc::new(vision_metrics.backlog_gauges(store.clone())));
        let vision = Vision {
            store,
            readers: Readers::new(local, gemini, settings.workers),
            erp: Erp {
                client,
                accounts: settings.tax_accounts.clone(),
            },
            guard: settings.guard,
            metrics: vision_metrics,
            outbox_written,
            jobs: Arc::new(Notify::new()),
        };
        vision.clone().spawn_worker();
        let jwks = format!("{}/.well-known/jwks.json", settings.portal_auth_url);
        let jwks = url::Url::parse(&jwks).context("PORTAL_AUTH_URL")?;
        let state = web::Data::new(AppState {
            vision,
            staff: (settings.staff_gate.clone(), settings.staff_groups.clone()),
            tech_keys: JwksCache::new(jwks, &settings.jwt_issuer),
            max_upload_bytes: settings.max_upload_bytes,
        });
        Ok(Self { state, probes })
    }

    /// The OpenAPI document.
    pub fn openapi() -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }
}

#[async_trait::async_trait]
impl Service for VisionOcr {
    fn configure(&self, cfg: &mut web::ServiceConfig) {
        routes::configure(cfg, self.state.clone());
    }

    fn probes(&self) -> Vec<Arc<dyn Probe>> {
        self.probes.clone()
    }

    fn document(&self) -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }

    /// The worker stops with the process: a job it held is taken over when its lease ends.
    async fn drain(&self, _grace: Duration) {}
}

#[async_trait::async_trait]
impl ServiceSettings for Settings {
    type Service = VisionOcr;

    fn server(&self) -> &ServerSettings {
        &self.server
    }

    async fn start(
        &self,
        bus: Arc<dyn EventBus>,
        metrics: &Arc<Metrics>,
    ) -> anyhow::Result<VisionOcr> {
        VisionOcr::start(self, bus, metrics).await
    }
}
