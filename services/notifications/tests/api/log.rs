//! The staff delivery log and readiness (who may read the log: `staff.rs`).

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
