//! The staff delivery log, who may read it, and readiness.

use serde_json::Value;

use crate::helpers::{ALLOWLIST, Backend, email, envelope, spawn_app};

#[tokio::test]
async fn the_log_shows_statuses_without_bodies() {
    let app = spawn_app(Backend::Sqlite, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    let captured = envelope(&email("client@example.ca"));
    let sent = envelope(&email("ops@gigafibre.ca"));
    app.publish(&captured).await;
    app.publish(&sent).await;

    let rows = app.log("client@example.ca").await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row["status"], "captured");
    assert_eq!(row["attempts"], 0);
    assert_eq!(row["template"], "portal.magic_link");
    assert!(
        row["text"].is_null(),
        "the log must not carry message bodies"
    );
    let row = app.wait_for_status(&sent, "sent").await;
    assert!(
        row["provider_id"]
            .as_str()
            .unwrap()
            .ends_with("@gigafibre.ca>")
    );
    assert!(row["error"].is_null());
    assert!(row["text"].is_null());
    let everything = app.log("").await;
    assert_eq!(everything.len(), 2);
    let raw = serde_json::to_string(&everything).unwrap();
    assert!(
        !raw.contains("portail.example.ca/l/abc"),
        "no login links in the log"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn a_forwarded_request_needs_the_authentik_user() {
    let app = spawn_app(Backend::Sqlite, &[]).await;
    for path in [
        "/notifications/log",
        "/notifications/outbox.json",
        "/notifications/outbox",
    ] {
        let anonymous = app
            .client
            .get(app.url(path))
            .header("X-Forwarded-For", "203.0.113.7")
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 403, "{path}");
        assert_eq!(
            anonymous.headers()["content-type"],
            "application/problem+json"
        );
        let staff = app
            .client
            .get(app.url(path))
            .header("X-Forwarded-For", "203.0.113.7")
            .header("X-authentik-username", "akadmin")
            .send()
            .await
            .unwrap();
        assert_eq!(staff.status(), 200, "{path}");
    }
    app.cleanup().await;
}

#[tokio::test]
async fn staff_headers_from_an_untrusted_proxy_are_not_believed() {
    // 127.0.0.1 is no longer a trusted proxy: its forwarded staff header means nothing.
    let app = spawn_app(Backend::Sqlite, &[("TRUSTED_PROXIES", "10.0.0.1")]).await;
    let r = app
        .client
        .get(app.url("/notifications/log"))
        .header("X-Forwarded-For", "203.0.113.7")
        .header("X-authentik-username", "akadmin")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.cleanup().await;
}

#[tokio::test]
async fn readiness_checks_the_smtp_relay() {
    let app = spawn_app(Backend::Sqlite, &[]).await;
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["checks"]["smtp"], "ok", "{body}");
    assert_eq!(body["checks"]["notifications-database"], "ok");

    app.sink.stop().await;
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.unwrap();
    assert_ne!(body["checks"]["smtp"], "ok", "{body}");
    app.sink.restart().await;
    app.cleanup().await;
}
