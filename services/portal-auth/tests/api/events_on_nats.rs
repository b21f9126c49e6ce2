//! The events of a link request on a real NATS JetStream: subjects, CloudEvents envelope,
//! `Nats-Msg-Id`, and storage in the `NOTIFY` / `PORTAL` streams.
//!
//! Streams are shared by every test run, so messages are picked by this test's customer and
//! recipient, never by position.

use async_nats::Message;
use serde_json::{Value, json};
use shared::events::Envelope;
use testkit::NatsWatcher;

use crate::helpers::{Backend, Bus, spawn_app_with};

/// A customer created for this test only, so parallel runs cannot confuse their messages.
async fn fresh_customer(app: &crate::helpers::TestApp) -> (String, String) {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let email = format!("nats-{unique}@example.ca");
    let created: Value = app
        .erp
        .client()
        .create(
            "Customer",
            &json!({
                "name": format!("CUST-NATS-{unique}"),
                "customer_name": "Client NATS",
                "email_id": email,
                "cell_phone": "514 555 0111",
                "language": "fr",
            }),
        )
        .await
        .unwrap();
    (created["name"].as_str().unwrap().to_owned(), email)
}

fn envelope(m: &Message) -> Option<Envelope> {
    Envelope::from_bytes(&m.payload).ok()
}

fn for_customer(m: &Message, customer: &str, to: Option<&str>) -> bool {
    envelope(m)
        .is_some_and(|e| e.data["customer"] == customer && to.is_none_or(|to| e.data["to"] == to))
}

fn msg_id(m: &Message) -> String {
    m.headers
        .as_ref()
        .and_then(|h| h.get("Nats-Msg-Id"))
        .map(|v| v.as_str().to_owned())
        .unwrap_or_default()
}

async fn a_link_request_lands_on_jetstream(backend: Backend) {
    let app = spawn_app_with(backend, Bus::Nats, &[]).await;
    let (customer, email) = fresh_customer(&app).await;
    let mut notify = NatsWatcher::start("notify.>", &["NOTIFY"]).await;
    let mut portal = NatsWatcher::start("portal.>", &["PORTAL"]).await;

    assert_eq!(app.request_link_for(&email).await.status(), 200);

    let patience = NatsWatcher::PATIENCE;
    let email_msg = notify
        .wait_for(patience, |m| {
            m.subject.as_str() == "notify.email.send" && for_customer(m, &customer, Some(&email))
        })
        .await
        .expect("notify.email.send");
    let sms_msg = notify
        .wait_for(patience, |m| {
            m.subject.as_str() == "notify.sms.send"
                && for_customer(m, &customer, Some("+15145550111"))
        })
        .await
        .expect("notify.sms.send");
    let fact = portal
        .wait_for(patience, |m| {
            m.subject.as_str() == "portal.link.requested" && for_customer(m, &customer, None)
        })
        .await
        .expect("portal.link.requested");

    for (m, kind_suffix, stream, watcher) in [
        (&email_msg, "notify.email.send", "NOTIFY", &notify),
        (&sms_msg, "notify.sms.send", "NOTIFY", &notify),
        (&fact, "portal.link.requested", "PORTAL", &portal),
    ] {
        let e = envelope(m).unwrap();
        assert_eq!(e.specversion, "1.0");
        assert_eq!(e.id.get_version_num(), 7, "ids are UUIDv7");
        assert_eq!(msg_id(m), e.id.to_string(), "Nats-Msg-Id is the event id");
        assert_eq!(e.subject, kind_suffix);
        assert!(e.kind.contains(kind_suffix), "type {}", e.kind);
        assert_eq!(e.source, "/portal-auth");
        assert_eq!(e.datacontenttype, "application/json");
        let raw: Value = serde_json::from_slice(&m.payload).unwrap();
        for attribute in ["specversion", "id", "type", "source", "time", "data"] {
            assert!(raw.get(attribute).is_some(), "{attribute} missing");
        }
        let stored = watcher
            .stored(stream, &e.id.to_string())
            .await
            .unwrap_or_else(|| panic!("{kind_suffix} not stored in {stream}"));
        assert_eq!(stored.subject.as_str(), kind_suffix);
        assert_eq!(stored.payload, m.payload);
    }
    let fact = envelope(&fact).unwrap();
    assert_eq!(fact.data["channels"], json!(["email", "sms"]));
    assert_eq!(fact.data["lang"], "fr");
    app.cleanup().await;
}

#[tokio::test]
async fn a_link_request_lands_on_jetstream_with_sqlite() {
    a_link_request_lands_on_jetstream(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_link_request_lands_on_jetstream_with_postgres() {
    a_link_request_lands_on_jetstream(Backend::Postgres).await;
}

#[tokio::test]
async fn readyz_reports_nats_as_ready() {
    let app = spawn_app_with(Backend::Sqlite, Bus::Nats, &[]).await;
    let body: Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(body["checks"]["events"], "ok");
}
