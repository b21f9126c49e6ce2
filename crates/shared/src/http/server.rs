//! The server of every service, and its graceful stop: on SIGTERM (Kubernetes, `docker stop`, a
//! rolling update) or SIGINT, `/readyz` answers 503 and every answer says `Connection: close`, so a
//! load balancer stops sending and no client sends another request on a closing connection; after
//! `SHUTDOWN_DELAY_S` the listener closes, requests in flight finish, and the service finishes the
//! work it already took, all within the grace period (`SHUTDOWN_GRACE_S`).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::web;

use super::{Metrics, Probe, Readiness, configure_base, security_headers};
use crate::config::{self, ConfigError, Source};

/// How a server stops.
#[derive(Debug, Clone, Copy)]
pub struct Shutdown {
    /// Time to keep serving, unready, before the listener closes (`SHUTDOWN_DELAY_S`, default 0).
    pub delay: Duration,
    /// Time to finish requests in flight and work in hand after that (`SHUTDOWN_GRACE_S`, 25).
    pub grace: Duration,
}

impl Shutdown {
    /// Reads `SHUTDOWN_DELAY_S` and `SHUTDOWN_GRACE_S`.
    pub fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        Ok(Self {
            delay: config::shutdown_delay(src)?,
            grace: config::shutdown_grace(src)?,
        })
    }
}

/// Set once the stop has begun.
#[derive(Clone, Default)]
struct Stopping(Arc<AtomicBool>);

impl Stopping {
    fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// `/readyz` fails once the stop has begun, so load balancers take the replica out.
#[async_trait::async_trait]
impl Probe for Stopping {
    fn name(&self) -> &'static str {
        "stopping"
    }

    async fn check(&self) -> Result<(), String> {
        if self.is_set() {
            Err("shutting down".to_owned())
        } else {
            Ok(())
        }
    }
}

/// A bound server, not yet running: [`Serving::run_until_stopped`] runs it.
pub struct Serving {
    server: Server,
    port: u16,
    shutdown: Shutdown,
    stopping: Stopping,
}

/// Binds `bind` (port 0 picks one) and serves the common plumbing ([`configure_base`], `metrics`
/// and its middleware, security headers, problem+json for unknown routes and actix's own error
/// answers, a server span per request when traces are exported) around `routes`; `shutdown` says how
/// it stops.
pub fn serve<F>(
    bind: &str,
    shutdown: Shutdown,
    mut readiness: Readiness,
    metrics: Arc<Metrics>,
    doc: utoipa::openapi::OpenApi,
    routes: F,
) -> anyhow::Result<Serving>
where
    F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
{
    use anyhow::Context as _;
    let listener =
        std::net::TcpListener::bind(bind).with_context(|| format!("binding BIND={bind}"))?;
    let port = listener.local_addr()?.port();
    let stopping = Stopping::default();
    readiness.0.push(Arc::new(stopping.clone()));
    let flag = stopping.clone();
    let server = actix_web::HttpServer::new(move || {
        let (readiness, metrics, doc) = (readiness.clone(), Arc::clone(&metrics), doc.clone());
        actix_web::App::new()
            .app_data(web::Data::new(flag.clone()))
            .wrap(actix_web::middleware::from_fn(
                super::bare_errors_as_problems,
            ))
            .wrap(actix_web::middleware::from_fn(close_when_stopping))
            .wrap(actix_web::middleware::from_fn(Metrics::middleware))
            .wrap(security_headers())
            // Not even a layer when traces are not exported.
            .wrap(actix_web::middleware::Condition::new(
                crate::telemetry::exporting(),
                actix_web::middleware::from_fn(super::trace_requests),
            ))
            .configure(|c| configure_base(c, readiness, metrics, doc))
            .configure(routes.clone())
            .default_service(web::to(super::not_found))
    })
    // Signals are handled by `run_until_stopped`, which also drains the service's own work.
    .disable_signals()
    .shutdown_timeout(shutdown.grace.as_secs().max(1))
    .listen(listener)?
    .run();
    Ok(Serving {
        server,
        port,
        shutdown,
        stopping,
    })
}

/// Once the stop has begun, answers close their connection.
async fn close_when_stopping(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let flag = req.app_data::<web::Data<Stopping>>().cloned();
    let mut res = next.call(req).await?;
    if flag.is_some_and(|f| f.is_set()) {
        res.response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(res)
}

impl Serving {
    /// The port bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or SIGINT, then stops: unready and closing connections for the delay,
    /// then within the grace period no new connection, requests in flight finish (cut when the
    /// grace period ends), and `drain(grace)` runs at the same time to finish the work in hand.
    pub async fn run_until_stopped<D, F>(self, drain: D) -> std::io::Result<()>
    where
        D: FnOnce(Duration) -> F,
        F: Future<Output = ()>,
    {
        let Self {
            server,
            shutdown: Shutdown { delay, grace },
            stopping,
            ..
        } = self;
        let handle = server.handle();
        tokio::pin!(server);
        tokio::select! {
            result = &mut server => return result,
            () = shutdown_signal() => {}
        }
        stopping.0.store(true, Ordering::Relaxed);
        if !delay.is_zero() {
            tracing::info!(
                delay_s = delay.as_secs(),
                "stopping: unready, still serving until load balancers take this replica out"
            );
            tokio::select! {
                result = &mut server => return result,
                () = tokio::time::sleep(delay) => {}
            }
        }
        tracing::info!(
            grace_s = grace.as_secs(),
            "stopping: no new connections; finishing requests in flight and work in hand"
        );
        // `stop` sends its command at once; the server future carries it out, so that is the one
        // awaited.
        let stopped = handle.stop(true);
        let http = async {
            let result = server.await;
            stopped.await;
            result
        };
        // A little over `grace`: both sides bound themselves by it; this only guards against a bug.
        match tokio::time::timeout(grace + Duration::from_secs(1), async {
            tokio::join!(http, drain(grace))
        })
        .await
        {
            Ok((result, ())) => {
                tracing::info!("stopped");
                result
            }
            Err(_) => {
                tracing::warn!(
                    "grace period over; exiting with work unfinished (it will be retried)"
                );
                Ok(())
            }
        }
    }
}

/// Resolves on the first SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
