//! Health, readiness, metrics and the API description.

use serde_json::Value;

use crate::helpers::{Backend, Bus, spawn_app, spawn_app_with};

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app(Backend::Sqlite).await;
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn readyz_reports_each_dependency() {
    let app = spawn_app(Backend::Sqlite).await;
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    for check in ["database", "erp", "events"] {
        assert_eq!(body["checks"][check], "ok", "{body}");
    }
}

/// ERPNext unreachable: the replica stays in the pool ("degraded", 200) and still takes link requests
/// (queued until ERPNext is back), instead of every replica leaving at once.
#[tokio::test]
async fn an_erp_outage_degrades_readiness_without_leaving_the_pool() {
    let app = spawn_app_with(
        Backend::Sqlite,
        Bus::InProcess,
        &[("ERP_URL", "http://127.0.0.1:9")],
    )
    .await;
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "degraded", "{body}");
    assert_ne!(body["checks"]["erp"], "ok", "{body}");
    assert_eq!(body["checks"]["database"], "ok", "{body}");
    let link = app.request_link_for("marie.tremblay@example.ca").await;
    assert_eq!(link.status(), 200);
}

#[tokio::test]
async fn metrics_count_http_requests() {
    let app = spawn_app(Backend::Sqlite).await;
    app.get("/healthz").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(text.contains("http_requests_total"), "{text}");
}

/// The link worker counts its queue when it starts, then every 10 s.
#[tokio::test]
async fn metrics_show_the_link_jobs_waiting() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut text = String::new();
    for _ in 0..50 {
        text = app.get("/metrics").await.text().await.unwrap();
        if text.contains("\nportal_auth_link_jobs_pending ") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let line = text
        .lines()
        .find(|l| l.starts_with("portal_auth_link_jobs_pending "))
        .unwrap_or_else(|| panic!("no link-job gauge in {text}"));
    let value = line.rsplit(' ').next().unwrap();
    assert!(value.parse::<i64>().is_ok_and(|n| n >= 0), "{line}");
}

#[tokio::test]
async fn the_openapi_document_lists_the_routes() {
    let app = spawn_app(Backend::Sqlite).await;
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    for path in [
        "/portal/request-link",
        "/portal/verify-code",
        "/portal/l/{code}",
        "/auth/verify",
        "/.well-known/jwks.json",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
}

#[tokio::test]
async fn an_unknown_route_is_a_problem_json_404() {
    let app = spawn_app(Backend::Sqlite).await;
    crate::helpers::problem(app.get("/portal/nothing-here").await, 404).await;
}

#[tokio::test]
async fn answers_carry_no_referrer_and_no_sniff_headers() {
    let app = spawn_app(Backend::Sqlite).await;
    let r = app.request_link_for("nobody@example.ca").await;
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.headers()["cache-control"], "no-store");
}
