//! Prometheus metrics: request counts and latencies by route, plus resident memory.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The metrics of one process; clone freely.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl Metrics {
    /// A fresh registry with the HTTP metrics registered.
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
        Ok(Arc::new(Self {
            registry,
            requests,
            latency,
        }))
    }

    /// The registry, for services to add their own metrics.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Text exposition of every metric (this registry's, and those the services registered in
    /// prometheus' default registry) plus `process_resident_memory_bytes`.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let families = [
            self.registry.gather(),
            prometheus::default_registry().gather(),
        ]
        .concat();
        let _ = TextEncoder::new().encode(&families, &mut buf);
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
