//! Prometheus metrics of one process (docs/metrics.md has the table): one registry per process, the
//! HTTP metrics, the families every service shares (readiness, outbox, event consumers, database
//! pool, ERPNext), each service's own, and gauges read from storage when `/metrics` is asked.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

mod families;

use families::{DatabaseGauges, Families};
pub use families::{ErpCallMetrics, OutboxCounters};

/// The longest a scrape waits for one set of gauges; a set that could not be read keeps its last
/// values.
const GAUGES_TIMEOUT: Duration = Duration::from_secs(2);

/// Gauges whose values live elsewhere (a table, the bus): read when `/metrics` is asked rather than
/// kept up to date on every change.
#[async_trait::async_trait]
pub trait Gauges: Send + Sync + 'static {
    /// Reads the values and sets the gauges; logs (and leaves the gauges as they were) on failure.
    async fn refresh(&self);
}

/// The metrics of one process; the hub shares one between its services.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    families: Families,
    watched: Mutex<Vec<Arc<dyn Gauges>>>,
}

impl Metrics {
    /// A fresh registry with the HTTP and shared families registered.
    pub fn new() -> Result<Arc<Self>, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route and status"),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP latency by route"),
            &["route"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        let families = Families::register(&registry)?;
        Ok(Arc::new(Self {
            registry,
            requests,
            latency,
            families,
            watched: Mutex::new(Vec::new()),
        }))
    }

    /// The registry, where a service registers its own metrics.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Has `gauges` read at every scrape.
    pub fn watch(&self, gauges: Arc<dyn Gauges>) {
        self.watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(gauges);
    }

    /// Watches `service`'s database: its outbox backlog and its connection pool.
    pub fn watch_database(&self, service: &'static str, db: sea_orm::DatabaseConnection) {
        self.watch(Arc::new(DatabaseGauges::new(&self.families, service, db)));
    }

    /// Watches the backlog of the bus's durable consumers.
    pub fn watch_bus(&self, bus: Arc<dyn crate::events::EventBus>) {
        self.watch(Arc::new(self.families.bus_gauges(bus)));
    }

    /// The counters `service`'s outbox relay moves.
    pub fn outbox(&self, service: &str) -> OutboxCounters {
        self.families.outbox(service)
    }

    /// What `service`'s ERPNext client records.
    pub fn erpnext(&self, service: &str) -> ErpCallMetrics {
        self.families.erpnext(service)
    }

    /// Text exposition: the watched gauges read first, the readiness `checks` recorded, then every
    /// metric of the registry plus `process_resident_memory_bytes`.
    pub async fn render(&self, checks: &[(&'static str, bool, bool)]) -> String {
        let watched = self
            .watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        futures::future::join_all(watched.iter().map(|g| async move {
            if tokio::time::timeout(GAUGES_TIMEOUT, g.refresh())
                .await
                .is_err()
            {
                tracing::warn!(
                    "reading gauges for /metrics timed out; they keep their last values"
                );
            }
        }))
        .await;
        self.families.record_readiness(checks);
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        let mut text = String::from_utf8(buf).unwrap_or_default();
        if let Some(rss) = resident_memory_bytes() {
            text.push_str("# TYPE process_resident_memory_bytes gauge\n");
            text.push_str(&format!("process_resident_memory_bytes {rss}\n"));
        }
        text
    }

    /// Middleware recording every request (use with `actix_web::middleware::from_fn`).
    pub async fn middleware(
        req: ServiceRequest,
        next: Next<impl MessageBody>,
    ) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
        let metrics = req.app_data::<actix_web::web::Data<Metrics>>().cloned();
        let started = Instant::now();
        let method = req.method().as_str().to_owned();
        let res = next.call(req).await?;
        if let Some(m) = metrics {
            let route = res
                .request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".to_owned());
            m.requests
                .with_label_values(&[method.as_str(), route.as_str(), res.status().as_str()])
                .inc();
            m.latency
                .with_label_values(&[route.as_str()])
                .observe(started.elapsed().as_secs_f64());
        }
        Ok(res)
    }
}

/// Resident set size of this process, from `/proc/self/statm` (Linux).
pub fn resident_memory_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Registers `metric` in `registry` and hands it back (for a service's own metrics).
pub fn register<M: prometheus::core::Collector + Clone + 'static>(
    registry: &Registry,
    metric: M,
) -> Result<M, prometheus::Error> {
    registry.register(Box::new(metric.clone()))?;
    Ok(metric)
}

/// A counter with one label whose `values` all show from the start, at 0, so that `rate()` and the
/// tests see the first event.
pub fn labelled_counter(
    registry: &Registry,
    name: &str,
    help: &str,
    label: &str,
    values: &[&str],
) -> Result<prometheus::IntCounterVec, prometheus::Error> {
    let vec = register(
        registry,
        prometheus::IntCounterVec::new(prometheus::Opts::new(name, help), &[label])?,
    )?;
    for v in values {
        vec.with_label_values(&[*v]);
    }
    Ok(vec)
}

/// Milliseconds since the Unix epoch of `then`, as an age in seconds at `now_ms` (never negative).
pub fn age_seconds(then_ms: i64, now_ms: i64) -> f64 {
    (now_ms - then_ms).max(0) as f64 / 1000.0
}
