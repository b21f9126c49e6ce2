//! Exactly once in effect, retries of temporary failures, dead letters for permanent ones, and an
//! SMTP outage that loses nothing.

use crate::helpers::{ALLOWLIST, Backend, PATIENCE, email, envelope, sms, spawn_app};
use crate::on_both_backends;

const OPS: &str = "ops@gigafibre.ca";

async fn the_same_envelope_published_twice_is_sent_once(backend: Backend) {
    let app = spawn_app(backend, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    let e = envelope(&email(OPS));
    app.publish(&e).await;
    // The second publish returns only once the service acked the redelivery.
    app.publish(&e).await;
    assert!(app.sink.wait_for(1, PATIENCE).await);
    assert_eq!(app.sink.count(), 1);
    let rows = app.log(OPS).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["status"], "sent");
    app.cleanup().await;
}
on_both_backends!(
    the_same_envelope_published_twice_is_sent_once,
    the_same_envelope_published_twice_is_sent_once
);

async fn a_temporary_smtp_failure_is_retried_until_delivered(backend: Backend) {
    let app = spawn_app(backend, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    app.sink.fail_next(2, "451 4.3.0 try later");
    let e = envelope(&email(OPS));
    let publishing = app.publish_in_background(&e);
    let row = app.wait_for_status(&e, "sent").await;
    assert_eq!(row["attempts"], 2);
    assert_eq!(app.sink.count(), 1);
    publishing.await.unwrap();
    app.cleanup().await;
}
on_both_backends!(
    a_temporary_smtp_failure_is_retried_until_delivered,
    a_temporary_smtp_failure_is_retried_until_delivered
);

async fn a_permanent_smtp_failure_is_dead_at_once(backend: Backend) {
    let app = spawn_app(backend, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    app.sink.fail_next(1, "550 5.1.1 no such user");
    let e = envelope(&email(OPS));
    app.publish(&e).await;
    let row = app.wait_for_status(&e, "dead").await;
    assert_eq!(row["attempts"], 1, "not retried");
    assert!(row["error"].as_str().unwrap().contains("5.1.1"), "{row}");
    let letter = app.wait_for_dead_letter(&e).await;
    assert!(letter.reason.contains("5.1.1"), "{}", letter.reason);
    assert_eq!(letter.recipient.as_deref(), Some(OPS));
    assert_eq!(letter.channel, "email");
    assert_eq!(app.sink.count(), 0);
    app.cleanup().await;
}
on_both_backends!(
    a_permanent_smtp_failure_is_dead_at_once,
    a_permanent_smtp_failure_is_dead_at_once
);

#[tokio::test]
async fn a_rejected_recipient_is_dead_at_once() {
    let app = spawn_app(Backend::Sqlite, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    app.sink
        .reject_recipient("gone@example.org", "550 5.1.1 unknown user");
    let e = envelope(&email("gone@example.org"));
    app.publish(&e).await;
    let row = app.wait_for_status(&e, "dead").await;
    assert_eq!(row["attempts"], 1);
    assert!(app.wait_for_dead_letter(&e).await.reason.contains("5.1.1"));
    app.cleanup().await;
}

#[tokio::test]
async fn a_temporary_failure_on_every_attempt_ends_dead_out_of_attempts() {
    let app = spawn_app(Backend::Sqlite, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    app.sink.fail_next(3, "451 4.3.0 try later");
    let e = envelope(&email(OPS));
    let publishing = app.publish_in_background(&e);
    let row = app.wait_for_status(&e, "dead").await;
    assert_eq!(row["attempts"], 3);
    let letter = app.wait_for_dead_letter(&e).await;
    assert!(
        letter.reason.starts_with("out of attempts"),
        "{}",
        letter.reason
    );
    assert_eq!(letter.attempts, 3);
    assert_eq!(app.sink.count(), 0);
    publishing.await.unwrap();
    app.cleanup().await;
}

#[tokio::test]
async fn twilio_rate_limiting_is_retried_until_sent() {
    let app = spawn_app(Backend::Sqlite, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    app.twilio.fail_next(1, 429, 20429, "Too Many Requests");
    let e = envelope(&sms("+15145550100"));
    let publishing = app.publish_in_background(&e);
    let row = app.wait_for_status(&e, "sent").await;
    assert_eq!(row["attempts"], 1);
    let texts = app.twilio.messages();
    assert_eq!(texts.len(), 1);
    assert_eq!(row["provider_id"], texts[0].sid.as_str());
    publishing.await.unwrap();
    app.cleanup().await;
}

#[tokio::test]
async fn an_invalid_number_at_twilio_is_dead_at_once() {
    let app = spawn_app(Backend::Sqlite, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    app.twilio.fail_next(
        1,
        400,
        21211,
        "The 'To' number is not a valid phone number.",
    );
    let e = envelope(&sms("+15145550100"));
    app.publish(&e).await;
    let row = app.wait_for_status(&e, "dead").await;
    assert_eq!(row["attempts"], 1);
    assert!(app.wait_for_dead_letter(&e).await.reason.contains("21211"));
    assert!(app.twilio.messages().is_empty());
    app.cleanup().await;
}

#[tokio::test]
async fn mail_waits_out_an_smtp_outage_and_is_delivered_after() {
    let app = spawn_app(Backend::Sqlite, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    app.sink.stop().await;
    let e = envelope(&email(OPS));
    let publishing = app.publish_in_background(&e);
    let waiting = app.wait_for_status(&e, "retrying").await;
    assert!(waiting["error"].as_str().is_some());
    app.sink.restart().await;
    let row = app.wait_for_status(&e, "sent").await;
    assert_eq!(
        row["attempts"], 0,
        "an outage uses up none of the message's attempts"
    );
    assert_eq!(app.sink.count(), 1);
    publishing.await.unwrap();
    app.cleanup().await;
}
