//! Building the notifications service: storage, SMTP and Twilio clients, the consumer, the outbox
//! relay for `notify.dead`, and the routes; served on its own (`shared::http::Application`) or
//! mounted in the hub.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use anyhow::Context;
use shared::config::OutboundMode;
use shared::events::{EventBus, OutboxRelay};
use shared::http::{DbProbe, Metrics, Probe, ServerSettings, Service, ServiceSettings, StaffGate};
use utoipa::OpenApi;

use crate::config::Settings;
use crate::consumer::Consumer;
use crate::mailer::Mailer;
use crate::metrics::NotifyMetrics;
use crate::routes::{self, AppState, StaffAccess};
use crate::store::Store;
use crate::twilio::Twilio;

/// The `service` label of the shared metrics.
const SERVICE: &str = "notifications";

/// The OpenAPI document of the notifications service.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "notifications",
        description = "Email and SMS delivery, sandbox outbox, delivery log"
    ),
    paths(routes::outbox_json, routes::delivery_log, routes::twilio_status),
    components(schemas(shared::http::Problem))
)]
pub struct ApiDoc;

/// The notifications service, ready to be mounted.
pub struct Notifications {
    state: web::Data<AppState>,
    probes: Vec<Arc<dyn Probe>>,
    stop: tokio::sync::watch::Sender<bool>,
    consumers: tokio::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl Notifications {
    /// Connects storage and providers, subscribes to the delivery commands and starts the relay;
    /// metrics go in `metrics`.
    pub async fn start(
        settings: &Settings,
        bus: Arc<dyn EventBus>,
        metrics: &Metrics,
    ) -> anyhow::Result<Self> {
        let store = Store::connect(&settings.database_url)
            .await
            .context("opening the notifications database")?;
        let notify_metrics = NotifyMetrics::register(metrics.registry())
            .context("registering the notifications metrics")?;
        metrics.watch(Arc::new(notify_metrics.waiting(store.clone())));
        metrics.watch_database(SERVICE, store.connection().clone());
        let mailer = Mailer::from_settings(settings)?.map(Arc::new);
        let callback = format!("{}/webhook/twilio", settings.public_url);
        let twilio = settings
            .twilio
            .clone()
            .map(|t| Twilio::new(t, callback.clone()))
            .transpose()
            .context("building the Twilio client")?;
        match settings.mode {
            OutboundMode::Live => {
                tracing::warn!("OUTBOUND_MODE=live: email and SMS go to real recipients")
            }
            OutboundMode::Sandbox => tracing::info!(
                allowlisted = settings.allowlist.len(),
                "OUTBOUND_MODE=sandbox: messages are captured in the outbox unless allowlisted"
            ),
        }
        let relay = OutboxRelay::new(store.connection().clone(), Arc::clone(&bus))
            .with_counters(metrics.outbox(SERVICE));
        let outbox_written = relay.notifier();
        relay.spawn();
        let consumer = Arc::new(Consumer {
            store: store.clone(),
            mailer: mailer.clone(),
            twilio,
            settings: Arc::new(settings.clone()),
            outbox_written,
            metrics: notify_metrics,
        });
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let consumers = consumer
            .start(&bus, stopping)
            .await
            .context("subscribing to notify.email.send and notify.sms.send")?;

        let mut probes: Vec<Arc<dyn Probe>> = vec![Arc::new(DbProbe::new(
            "notifications-database",
            store.connection().clone(),
        ))];
        if let Some(m) = mailer {
            probes.push(Arc::new(SmtpProbe(m)));
        }
        let state = web::Data::new(AppState {
            store,
            mode: settings.mode,
            staff: StaffAccess {
                gate: StaffGate {
                    trusted_proxies: settings.trusted_proxies.clone(),
                    loopback_is_staff: settings.loopback_is_staff,
                },
                full_view: settings.impersonation_groups.clone(),
                masked_view: settings.outbox_reader_groups.clone(),
            },
            twilio_callback_url: callback,
            twilio_auth_token: settings.twilio.as_ref().map(|t| t.auth_token.clone()),
        });
        Ok(Self {
            state,
            probes,
            stop,
            consumers: tokio::sync::Mutex::new(consumers),
        })
    }

    /// The OpenAPI document.
    pub fn openapi() -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }
}

#[async_trait::async_trait]
impl Service for Notifications {
    fn configure(&self, cfg: &mut web::ServiceConfig) {
        routes::configure(cfg, self.state.clone());
    }

    fn probes(&self) -> Vec<Arc<dyn Probe>> {
        self.probes.clone()
    }

    fn document(&self) -> utoipa::openapi::OpenApi {
        Self::openapi()
    }

    /// Takes no new command and waits, up to `grace`, for the ones in hand to be sent and
    /// recorded, so a rolling update neither loses nor doubles a message.
    async fn drain(&self, grace: Duration) {
        let _ = self.stop.send(true);
        let tasks = std::mem::take(&mut *self.consumers.lock().await);
        if tokio::time::timeout(grace, futures::future::join_all(tasks))
            .await
            .is_err()
        {
            tracing::warn!(
                "deliveries still in hand after the grace period; they will be redelivered"
            );
        }
    }
}

#[async_trait::async_trait]
impl ServiceSettings for Settings {
    type Service = Notifications;

    fn server(&self) -> &ServerSettings {
        &self.server
    }

    async fn start(
        &self,
        bus: Arc<dyn EventBus>,
        metrics: &Arc<Metrics>,
    ) -> anyhow::Result<Notifications> {
        Notifications::start(self, bus, metrics).await
    }
}

struct SmtpProbe(Arc<Mailer>);

#[async_trait::async_trait]
impl Probe for SmtpProbe {
    fn name(&self) -> &'static str {
        "smtp"
    }
    async fn check(&self) -> Result<(), String> {
        self.0.ping().await
    }
}
