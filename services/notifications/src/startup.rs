//! Building the notifications service: storage, SMTP and Twilio clients, the consumer, the outbox
//! relay for `notify.dead`, and the routes; standalone or mounted in the hub.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, middleware, web};
use anyhow::Context;
use shared::config::OutboundMode;
use shared::events::{EventBus, OutboxRelay};
use shared::http::{
    Metrics, Probe, Readiness, configure_health, not_found, openapi_route, path_config,
    query_config,
};
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
    paths(routes::outbox_json, routes::delivery_log, routes::twilio_status)
)]
pub struct ApiDoc;

/// The notifications service, ready to be mounted.
pub struct Notifications {
    state: web::Data<AppState>,
    probes: Vec<Arc<dyn Probe>>,
}

impl Notifications {
    /// Connects storage and providers, subscribes to the delivery commands and starts the relay.
    pub async fn start(settings: &Settings, bus: Arc<dyn EventBus>) -> anyhow::Result<Self> {
        let store = Store::connect(&settings.database_url)
            .await
            .context("opening the notifications database")?;
        let mailer = settings
            .smtp_url
            .as_ref()
            .map(|url| {
                Mailer::new(
                    url,
                    &settings.mail_from,
                    settings.reply_to.as_deref(),
                    &settings.message_id_domain,
                )
            })
            .transpose()?;
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
        consumer
            .start(&bus)
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
        Ok(Self { state, probes })
    }

    /// Mounts the routes.
    pub fn configure(&self, cfg: &mut web::ServiceConfig) {
        routes::configure(cfg, self.state.clone());
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
struct SmtpProbe(Mailer);

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
    server: Server,
    port: u16,
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
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("binding BIND={}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let metrics = Metrics::new()?;
        let mut probes = service.probes();
        probes.push(Arc::new(BusProbe(bus)));
        let readiness = Readiness(probes);
        let server = HttpServer::new(move || {
            let service = Arc::clone(&service);
            let (readiness, metrics) = (readiness.clone(), Arc::clone(&metrics));
            App::new()
                .wrap(middleware::from_fn(Metrics::middleware))
                .app_data(web::Data::new(readiness))
                .app_data(web::Data::from(metrics))
                .app_data(query_config())
                .app_data(path_config())
                .configure(configure_health)
                .configure(|c| openapi_route(c, Notifications::openapi()))
                .configure(|c| service.configure(c))
                .default_service(web::to(not_found))
        })
        .listen(listener)?
        .run();
        Ok(Self { server, port })
    }

    /// The port bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

struct BusProbe(Arc<dyn EventBus>);

#[async_trait::async_trait]
impl Probe for BusProbe {
    fn name(&self) -> &'static str {
        "events"
    }
    async fn check(&self) -> Result<(), String> {
        self.0.ready().await.map_err(|e| e.to_string())
    }
}
