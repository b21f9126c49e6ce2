//! Building the notifications service: storage, SMTP and Twilio clients, the consumer, the outbox
//! relay for `notify.dead`, and the routes; standalone or mounted in the hub.

use std::sync::Arc;

use actix_web::web;
use anyhow::Context;
use shared::config::OutboundMode;
use shared::events::{BusProbe, EventBus, OutboxRelay};
use shared::http::{Probe, Readiness, Serving, serve};
use utoipa::OpenApi;

use crate::config::Settings;
use crate::consumer::Consumer;
use crate::mailer::Mailer;
use crate::routes::{self, AppState};
use crate::store::Store;
use crate::twilio::Twilio;

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
    /// Connects storage and providers, subscribes to the delivery commands and starts the relay.
    pub async fn start(settings: &Settings, bus: Arc<dyn EventBus>) -> anyhow::Result<Self> {
        let store = Store::connect(&settings.database_url)
            .await
            .context("opening the notifications database")?;
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
        let relay = OutboxRelay::new(store.connection().clone(), Arc::clone(&bus));
        let outbox_written = relay.notifier();
        relay.spawn();
        let consumer = Arc::new(Consumer {
            store: store.clone(),
            mailer: mailer.clone(),
            twilio,
            settings: Arc::new(settings.clone()),
            outbox_written,
        });
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let consumers = consumer
            .start(&bus, stopping)
            .await
            .context("subscribing to notify.email.send and notify.sms.send")?;

        let mut probes: Vec<Arc<dyn Probe>> = vec![Arc::new(DbProbe(store.clone()))];
        if let Some(m) = mailer {
            probes.push(Arc::new(SmtpProbe(m)));
        }
        let state = web::Data::new(AppState {
            store,
            mode: settings.mode,
            trusted_proxies: settings.trusted_proxies.clone(),
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

    /// Mounts the routes.
    pub fn configure(&self, cfg: &mut web::ServiceConfig) {
        routes::configure(cfg, self.state.clone());
    }

    /// Graceful stop (SIGTERM): takes no new command and waits, up to `grace`, for the ones in hand
    /// to be sent and recorded, so a rolling update neither loses nor doubles a message.
    pub async fn drain(&self, grace: std::time::Duration) {
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

    /// What `/readyz` checks for this service.
    pub fn probes(&self) -> Vec<Arc<dyn Probe>> {
        self.probes.clone()
    }

    /// The OpenAPI document.
    pub fn openapi() -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }
}

struct DbProbe(Store);
struct SmtpProbe(Arc<Mailer>);

#[async_trait::async_trait]
impl Probe for DbProbe {
    fn name(&self) -> &'static str {
        "notifications-database"
    }
    async fn check(&self) -> Result<(), String> {
        self.0.connection().ping().await.map_err(|e| e.to_string())
    }
}

#[async_trait::async_trait]
impl Probe for SmtpProbe {
    fn name(&self) -> &'static str {
        "smtp"
    }
    async fn check(&self) -> Result<(), String> {
        self.0.ping().await
    }
}

/// The notifications service as its own process.
pub struct Application {
    service: Arc<Notifications>,
    serving: Serving,
}

impl Application {
    /// Binds `settings.bind` and starts, with the bus `NATS_URL` names.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let bus = settings
            .bus
            .connect()
            .await
            .context("connecting the event bus (NATS_URL)")?;
        Self::build_with_bus(settings, bus).await
    }

    /// Binds and starts with a given bus (tests keep a handle on it).
    pub async fn build_with_bus(
        settings: Settings,
        bus: Arc<dyn EventBus>,
    ) -> anyhow::Result<Self> {
        let service = Arc::new(Notifications::start(&settings, Arc::clone(&bus)).await?);
        let mut probes = service.probes();
        probes.push(Arc::new(BusProbe(bus)));
        let drained = Arc::clone(&service);
        let serving = serve(
            &settings.bind,
            settings.shutdown,
            Readiness(probes),
            Notifications::openapi(),
            move |c| service.configure(c),
        )?;
        Ok(Self {
            service: drained,
            serving,
        })
    }

    /// The port bound.
    pub fn port(&self) -> u16 {
        self.serving.port()
    }

    /// Serves until SIGTERM/SIGINT, then, within `SHUTDOWN_GRACE_S`, lets requests in flight finish
    /// and drains the consumer at the same time.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let service = self.service;
        self.serving
            .run_until_stopped(|grace| async move { service.drain(grace).await })
            .await
    }
}
