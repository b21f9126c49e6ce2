//! `/healthz` (alive), `/readyz` (dependencies reachable), `/metrics` (Prometheus) and `/openapi.json`.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::Metrics;

/// A dependency checked by `/readyz` (database, NATS, ERP).
#[async_trait::async_trait]
pub trait Probe: Send + Sync {
    /// Short name shown in the readiness report.
    fn name(&self) -> &'static str;
    /// `Ok` when the dependency answers; the error is a short reason without secrets.
    async fn check(&self) -> Result<(), String>;
    /// Whether the process cannot serve without it. A failing optional dependency shows in the
    /// report (`"status": "degraded"`) but keeps the process in its load balancer's pool.
    fn required(&self) -> bool {
        true
    }
}

/// The probes of one process.
#[derive(Clone, Default)]
pub struct Readiness(pub Vec<Arc<dyn Probe>>);

/// One probe's verdict: its name, whether it is required, and its outcome.
type Verdict = (&'static str, bool, Result<(), String>);

impl Readiness {
    /// Runs every probe at once, each bounded by 3 s.
    async fn evaluate(&self) -> Vec<Verdict> {
        let checks = self.0.iter().map(|p| async move {
            let outcome = tokio::time::timeout(Duration::from_secs(3), p.check())
                .await
                .unwrap_or_else(|_| Err("timed out".to_owned()));
            (p.name(), p.required(), outcome)
        });
        futures::future::join_all(checks).await
    }
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(r#"{"status":"ok"}"#)
}

async fn readyz(readiness: web::Data<Readiness>) -> HttpResponse {
    let results = readiness.evaluate().await;
    let ready = results
        .iter()
        .all(|(_, required, r)| r.is_ok() || !required);
    let status = match (ready, results.iter().all(|(_, _, r)| r.is_ok())) {
        (true, true) => "ready",
        (true, false) => "degraded",
        (false, _) => "not ready",
    };
    let report: serde_json::Map<_, _> = results
        .into_iter()
        .map(|(name, _, r)| {
            let v = match r {
                Ok(()) => json!("ok"),
                Err(e) => json!(e),
            };
            (name.to_owned(), v)
        })
        .collect();
    let body = json!({"status": status, "checks": report});
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

async fn metrics(metrics: web::Data<Metrics>, readiness: web::Data<Readiness>) -> HttpResponse {
    let checks: Vec<_> = readiness
        .evaluate()
        .await
        .into_iter()
        .map(|(name, required, outcome)| (name, required, outcome.is_ok()))
        .collect();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render(&checks).await)
}

/// Mounts `/healthz`, `/readyz` and `/metrics`. The app must provide `web::Data<Readiness>` and
/// `web::Data<Metrics>`.
pub fn configure_health(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(metrics));
}

/// The common plumbing of every server: readiness, metrics, health routes, problem+json extractor
/// errors and `/openapi.json`.
pub fn configure_base(
    cfg: &mut web::ServiceConfig,
    readiness: Readiness,
    metrics: Arc<Metrics>,
    doc: utoipa::openapi::OpenApi,
) {
    cfg.app_data(web::Data::new(readiness))
        .app_data(web::Data::from(metrics))
        .app_data(super::query_config())
        .app_data(super::path_config())
        .configure(configure_health)
        .configure(|c| openapi_route(c, doc));
}

/// The Content-Security-Policy of every answer that sets none of its own: the portal SPA's.
/// Vite emits one script file and one style sheet and no inline code, so `'self'` is all it
/// needs; the API is same-origin (`connect-src`); nothing may frame the pages (clickjacking),
/// rebase their URLs or post forms elsewhere. Pages with other needs (the sandbox outbox)
/// send their own header, which this one does not replace.
///
/// The one source of the portal's policy: in the services mode nginx (`deploy/portal-nginx.conf`)
/// and Traefik (`traefik/dynamic.yml`) send the same value, which the hub's tests compare to this.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// `Referrer-Policy` of every answer: magic-link tokens live in URL fragments and short links.
pub const REFERRER_POLICY: &str = "no-referrer";

/// Headers every answer carries unless it sets them itself: no referrer (magic-link tokens live
/// in URL fragments and must not leak to a third party), no sniffing, and the portal's
/// Content-Security-Policy (no inline script or style, same-origin only, never framed).
pub fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add(("Referrer-Policy", REFERRER_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
}

/// Mounts `/openapi.json` serving `doc`.
pub fn openapi_route(cfg: &mut web::ServiceConfig, doc: utoipa::openapi::OpenApi) {
    let body = Arc::new(doc.to_json().unwrap_or_else(|_| "{}".to_owned()));
    cfg.route(
        "/openapi.json",
        web::get().to(move || {
            let body = Arc::clone(&body);
            async move {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .body(body.as_str().to_owned())
            }
        }),
    );
}
