//! A process that serves services: each service's own binary serves one, the hub serves them all.
//! Written once here so that every new service starts, probes, documents and stops the same way.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use anyhow::Context as _;

use super::{Metrics, Probe, Readiness, Serving, Shutdown, serve};
use crate::config::{self, BusSettings, ConfigError, Source};
use crate::events::{BusProbe, EventBus};

/// What a process needs to serve, whatever it serves: where it listens, how it stops, its bus.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Listen address (`BIND`); port 0 picks a free port.
    pub bind: String,
    /// How it stops (`SHUTDOWN_DELAY_S`, `SHUTDOWN_GRACE_S`).
    pub shutdown: Shutdown,
    /// The event bus (`NATS_URL`, …; unset: in-process).
    pub bus: BusSettings,
}

impl ServerSettings {
    /// Reads `BIND` (default `default_bind`), the shutdown and the bus settings.
    pub fn from_source(src: &dyn Source, default_bind: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            bind: config::string_or(src, "BIND", default_bind),
            shutdown: Shutdown::from_source(src)?,
            bus: BusSettings::from_source(src)?,
        })
    }
}

/// A started service, ready to be mounted on a server (its own, or the hub's).
#[async_trait::async_trait]
pub trait Service: Send + Sync + 'static {
    /// Mounts the routes.
    fn configure(&self, cfg: &mut web::ServiceConfig);
    /// What `/readyz` checks for this service (the bus is the server's).
    fn probes(&self) -> Vec<Arc<dyn Probe>>;
    /// The OpenAPI document of its routes.
    fn document(&self) -> utoipa::openapi::OpenApi;
    /// Graceful stop (SIGTERM): finishes the work in hand within `grace`; what is left is taken
    /// again by a replica or at the next start.
    async fn drain(&self, grace: Duration);
}

/// The settings of one service, which know how to start it.
#[async_trait::async_trait]
pub trait ServiceSettings: Send + Sync + Sized + 'static {
    /// The service they start.
    type Service: Service;
    /// Where and how its own process serves.
    fn server(&self) -> &ServerSettings;
    /// Connects storage and third parties and starts the background work; events leave through
    /// `bus`; its metrics go in `metrics` (the process's, which `/metrics` serves).
    async fn start(
        &self,
        bus: Arc<dyn EventBus>,
        metrics: &Arc<Metrics>,
    ) -> anyhow::Result<Self::Service>;
}

/// A bound server and the services it serves.
pub struct Application {
    services: Vec<Arc<dyn Service>>,
    serving: Serving,
}

impl Application {
    /// One service on its own server: connects the bus `NATS_URL` names, starts the service, binds.
    pub async fn build<S: ServiceSettings>(settings: S) -> anyhow::Result<Self> {
        let bus = settings
            .server()
            .bus
            .connect()
            .await
            .context("connecting the event bus (NATS_URL)")?;
        Self::build_with_bus(settings, bus).await
    }

    /// Like [`Application::build`], with events going through `bus` (tests keep a clone of an
    /// in-process bus); `NATS_URL` is then ignored.
    pub async fn build_with_bus<S: ServiceSettings>(
        settings: S,
        bus: Arc<dyn EventBus>,
    ) -> anyhow::Result<Self> {
        let metrics = Metrics::new()?;
        let service = Arc::new(settings.start(Arc::clone(&bus), &metrics).await?);
        Self::serve(settings.server(), vec![service], bus, metrics, None, |_| {})
    }

    /// Serves `services` on one server with the common plumbing (health, readiness with each
    /// service's probes and the bus's, `metrics` with the bus's consumers watched, the OpenAPI
    /// documents merged, under `title` when given), plus `routes`.
    pub fn serve<F>(
        server: &ServerSettings,
        services: Vec<Arc<dyn Service>>,
        bus: Arc<dyn EventBus>,
        metrics: Arc<Metrics>,
        title: Option<&str>,
        routes: F,
    ) -> anyhow::Result<Self>
    where
        F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
    {
        let mut probes: Vec<Arc<dyn Probe>> = services.iter().flat_map(|s| s.probes()).collect();
        metrics.watch_bus(Arc::clone(&bus));
        probes.push(Arc::new(BusProbe(bus)));
        let mut documents = services.iter().map(|s| s.document());
        let mut doc = documents
            .next()
            .context("an application serves at least one service")?;
        for other in documents {
            doc.merge(other);
        }
        if let Some(title) = title {
            doc.info.title = title.to_owned();
        }
        let mounted = services.clone();
        let serving = serve(
            &server.bind,
            server.shutdown,
            Readiness(probes),
            metrics,
            doc,
            move |c| {
                for service in &mounted {
                    service.configure(c);
                }
                routes(c);
            },
        )?;
        Ok(Self { services, serving })
    }

    /// The port bound.
    pub fn port(&self) -> u16 {
        self.serving.port()
    }

    /// Serves until SIGTERM/SIGINT, then, within `SHUTDOWN_GRACE_S`, lets requests in flight
    /// finish while every service drains its work in hand.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let services = self.services;
        self.serving
            .run_until_stopped(|grace| async move {
                futures::future::join_all(services.iter().map(|s| s.drain(grace))).await;
            })
            .await
    }
}

/// `/readyz`'s check of a service's database.
pub struct DbProbe {
    name: &'static str,
    db: sea_orm::DatabaseConnection,
}

impl DbProbe {
    /// A probe named `name` (shown in the readiness report) pinging `db`.
    pub fn new(name: &'static str, db: sea_orm::DatabaseConnection) -> Self {
        Self { name, db }
    }
}

#[async_trait::async_trait]
impl Probe for DbProbe {
    fn name(&self) -> &'static str {
        self.name
    }

    async fn check(&self) -> Result<(), String> {
        self.db.ping().await.map_err(|e| e.to_string())
    }
}
