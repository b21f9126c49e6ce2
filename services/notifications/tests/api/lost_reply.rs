//! A relay that stops answering holds no worker, and an email whose data went out but whose verdict
//! never came back is not sent again blindly. Bad cases tried: a relay that accepts the connection
//! and never greets; a relay that keeps the message and never answers its final `.` (then, once the
//! lease ran out, Mailjet's records say it was accepted: recorded sent, not sent again).

use std::time::Duration;

use tokio::net::TcpListener;

use crate::helpers::{
    ALLOWLIST, Backend, MAILJET_KEY, MAILJET_SECRET, PATIENCE, email, envelope, sms, spawn_app,
};
use crate::on_both_backends;

const OPS: &str = "ops@gigafibre.ca";
/// An allowlisted number.
const PHONE: &str = "+15145550100";

async fn a_relay_that_never_greets_holds_no_worker(backend: Backend) {
    // Accepts connections and keeps them, silent.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let url = format!("smtp://{MAILJET_KEY}:{MAILJET_SECRET}@127.0.0.1:{port}");
    let held = tokio::spawn(async move {
        let mut kept = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            kept.push(stream);
        }
    });
    let app = spawn_app(
        backend,
        &[
            ("OUTBOUND_ALLOWLIST", ALLOWLIST),
            ("SMTP_URL", &url),
            ("SMTP_TIMEOUT_S", "1"),
        ],
    )
    .await;
    let e = envelope(&email(OPS));
    let publishing = app.publish_in_background(&e);
    let row = app.wait_for_status(&e, "retrying").await;
    assert!(row["error"].as_str().unwrap().contains("no reply"), "{row}");
    assert_eq!(row["attempts"], 0, "an outage uses up no attempt: {row}");
    publishing.abort();
    held.abort();
    app.cleanup().await;
}
on_both_backends!(
    a_relay_that_never_greets_holds_no_worker,
    a_relay_that_never_greets_holds_no_worker
);

async fn a_lost_reply_to_the_message_is_asked_about_before_any_resend(backend: Backend) {
    let app = spawn_app(
        backend,
        &[
            ("OUTBOUND_ALLOWLIST", ALLOWLIST),
            ("SMTP_TIMEOUT_S", "1"),
            ("NOTIFY_LEASE_S", "1"),
        ],
    )
    .await;
    // The relay keeps the message, then says nothing in time.
    app.sink.delay_acceptance(Duration::from_secs(30));
    let e = envelope(&email(OPS));
    let publishing = app.publish_in_background(&e);
    assert!(app.sink.wait_for(1, PATIENCE).await);
    let uncertain = app.wait_for_error(&e, "no reply").await;
    assert_eq!(uncertain["status"], "sending", "{uncertain}");
    // A resend would now be accepted at once: it must not happen.
    app.sink.delay_acceptance(Duration::ZERO);
    let row = app.wait_for_status(&e, "sent").await;
    assert_eq!(app.mailjet.lookups(), 1, "Mailjet's records asked once");
    assert_eq!(row["provider_id"], format!("<{}@gigafibre.ca>", e.id));
    publishing.await.unwrap();
    assert_eq!(app.sink.count(), 1, "sent a second time");
    app.cleanup().await;
}
on_both_backends!(
    a_lost_reply_to_the_message_is_asked_about_before_any_resend,
    a_lost_reply_to_the_message_is_asked_about_before_any_resend
);

/// Twilio keeps the SMS but answers only after `TWILIO_TIMEOUT_S`: the SMS is uncertain, not
/// failed; after the lease Twilio's list is asked, and says it has it: recorded sent, not sent again.
async fn a_lost_answer_from_twilio_is_asked_about_before_any_resend(backend: Backend) {
    let app = spawn_app(
        backend,
        &[
            ("OUTBOUND_ALLOWLIST", ALLOWLIST),
            ("TWILIO_TIMEOUT_S", "1"),
            ("NOTIFY_LEASE_S", "1"),
        ],
    )
    .await;
    app.twilio.answer_late(1, Duration::from_secs(3));
    let e = envelope(&sms(PHONE));
    let publishing = app.publish_in_background(&e);
    let uncertain = app.wait_for_error(&e, "answer was lost").await;
    assert_eq!(uncertain["status"], "sending", "{uncertain}");
    let row = app.wait_for_status(&e, "sent").await;
    let sent = app.twilio.messages();
    assert_eq!(sent.len(), 1, "sent a second time: {sent:?}");
    assert_eq!(row["provider_id"], sent[0].sid, "{row}");
    assert_eq!(app.twilio.list_requests(), 1);
    publishing.await.unwrap();
    app.cleanup().await;
}
on_both_backends!(
    a_lost_answer_from_twilio_is_asked_about_before_any_resend,
    a_lost_answer_from_twilio_is_asked_about_before_any_resend
);
