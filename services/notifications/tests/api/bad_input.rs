//! Malformed commands are dead-lettered with a reason and acknowledged; the consumer goes on.
//! Header injection is neutralised.

use serde_json::json;
use shared::events::{EmailSend, Envelope, Event};

use crate::helpers::{ALLOWLIST, Backend, PATIENCE, TestApp, email, envelope, sms, spawn_app};
use crate::on_both_backends;

/// Publishes `bad` (its publish returning means it was acked), checks its dead letter and log row.
async fn assert_dead(app: &TestApp, bad: &Envelope, reason: &str) {
    app.publish(bad).await;
    let letter = app.wait_for_dead_letter(bad).await;
    assert!(
        letter.reason.contains(reason),
        "{:?} lacks {reason:?}",
        letter.reason
    );
    let row = app.wait_for_status(bad, "dead").await;
    assert!(row["error"].as_str().unwrap().contains(reason), "{row}");
}

fn with_data(kind: &str, data: serde_json::Value) -> Envelope {
    let mut e = envelope(&email("client@example.ca"));
    e.kind = kind.to_owned();
    e.data = data;
    e
}

async fn malformed_commands_are_dead_lettered_and_the_consumer_goes_on(backend: Backend) {
    let app = spawn_app(backend, &[]).await;
    let unknown_version = with_data(
        "ca.gigafibre.notify.email.send.v2",
        serde_json::to_value(email("client@example.ca")).unwrap(),
    );
    assert_dead(&app, &unknown_version, "unknown event type or version").await;
    let no_recipient = with_data(
        EmailSend::TYPE,
        json!({"subject": "s", "text": "t", "html": "h", "lang": "fr", "template": "x"}),
    );
    assert_dead(&app, &no_recipient, "missing field `to`").await;
    assert_dead(
        &app,
        &envelope(&email("not-an-address")),
        "invalid email address",
    )
    .await;
    assert_dead(&app, &envelope(&sms("514-555")), "invalid phone number").await;
    let mut long_sms = sms("+15145550147");
    long_sms.body = "x".repeat(1601);
    assert_dead(&app, &envelope(&long_sms), "SMS body over its limit").await;
    let mut big_email = email("client@example.ca");
    big_email.text = "x".repeat(512 * 1024 + 1);
    assert_dead(&app, &envelope(&big_email), "body over its limit").await;

    let good = envelope(&email("client@example.ca"));
    app.publish(&good).await;
    app.wait_for_status(&good, "captured").await;
    assert_eq!(app.dead.lock().unwrap().len(), 6);
    app.cleanup().await;
}
on_both_backends!(
    malformed_commands_are_dead_lettered_and_the_consumer_goes_on,
    malformed_commands_are_dead_lettered_and_the_consumer_goes_on
);

#[tokio::test]
async fn a_dead_letter_carries_the_original_command() {
    let app = spawn_app(Backend::Sqlite, &[]).await;
    let bad = envelope(&sms("514-555"));
    app.publish(&bad).await;
    let letter = app.wait_for_dead_letter(&bad).await;
    assert_eq!(letter.channel, "sms");
    assert_eq!(letter.subject, "notify.sms.send");
    assert_eq!(letter.attempts, 0);
    let original: Envelope = serde_json::from_str(&letter.original).unwrap();
    assert_eq!(original.id, bad.id);
    app.cleanup().await;
}

#[tokio::test]
async fn a_crlf_in_the_subject_or_name_cannot_add_a_header() {
    let app = spawn_app(Backend::Sqlite, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    let mut injected = email("ops@gigafibre.ca");
    injected.subject = "Votre facture\r\nBcc: x@y.z".into();
    injected.to_name = Some("Marie\r\nBcc: z@y.x".into());
    app.publish(&envelope(&injected)).await;
    assert!(app.sink.wait_for(1, PATIENCE).await);
    let mail = &app.sink.messages()[0];
    assert_eq!(mail.to, ["ops@gigafibre.ca"], "no extra recipient");
    assert_eq!(mail.header("Bcc"), None, "{}", mail.data);
    let subject = mail.subject.as_deref().unwrap();
    assert!(!subject.contains('\r') && !subject.contains('\n'));
    assert!(subject.starts_with("Votre facture"), "{subject}");
    assert!(
        !mail
            .data
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:"))
    );
    app.cleanup().await;
}

async fn a_redelivered_bad_command_is_dead_lettered_once(backend: Backend) {
    let app = spawn_app(backend, &[]).await;
    let bad = envelope(&email("not-an-address"));
    app.publish(&bad).await;
    app.wait_for_dead_letter(&bad).await;
    app.publish(&bad).await;
    app.wait_for_outbox_drained().await;
    let id = bad.id.to_string();
    let letters = app
        .dead
        .lock()
        .unwrap()
        .iter()
        .filter(|d| d.event_id.as_deref() == Some(id.as_str()))
        .count();
    assert_eq!(letters, 1, "a redelivery must not raise a second alert");
    app.cleanup().await;
}
on_both_backends!(
    a_redelivered_bad_command_is_dead_lettered_once,
    a_redelivered_bad_command_is_dead_lettered_once
);
