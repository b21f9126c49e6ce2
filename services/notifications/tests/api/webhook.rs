//! `POST /webhook/twilio`: status callbacks believed only with a valid `X-Twilio-Signature` over
//! the configured URL.

use serde_json::Value;
use testkit::twilio_signature;

use crate::helpers::{
    ALLOWLIST, Backend, TWILIO_TOKEN, TestApp, envelope, signed, sms, spawn_app, status_params,
};
use crate::on_both_backends;

/// Sends one SMS through the fake; returns the app, its envelope's log row and the SID.
async fn app_with_a_sent_sms(backend: Backend) -> (TestApp, shared::events::Envelope, String) {
    let app = spawn_app(backend, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    let e = envelope(&sms("+15145550100"));
    app.publish(&e).await;
    let row = app.wait_for_status(&e, "sent").await;
    let sid = row["provider_id"].as_str().unwrap().to_owned();
    assert_eq!(app.twilio.messages()[0].sid, sid);
    (app, e, sid)
}

async fn assert_refused(r: reqwest::Response) {
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], 403);
}

async fn a_signed_delivery_callback_updates_the_log(backend: Backend) {
    let (app, e, sid) = app_with_a_sent_sms(backend).await;
    let params = status_params(&sid, "delivered");
    let r = app
        .twilio_webhook(&params, Some(&signed(&params)), None)
        .await;
    assert_eq!(r.status(), 204);
    let row = app.wait_for_status(&e, "delivered").await;
    assert_eq!(row["provider_id"], sid.as_str());
    app.cleanup().await;
}
on_both_backends!(
    a_signed_delivery_callback_updates_the_log,
    a_signed_delivery_callback_updates_the_log
);

async fn a_bad_or_missing_signature_is_refused_and_changes_nothing(backend: Backend) {
    let (app, e, sid) = app_with_a_sent_sms(backend).await;
    let params = status_params(&sid, "undelivered");
    let wrong_token = twilio_signature("not-the-token", crate::helpers::WEBHOOK_URL, &params);
    assert_refused(app.twilio_webhook(&params, Some(&wrong_token), None).await).await;
    assert_refused(app.twilio_webhook(&params, None, None).await).await;
    // A signature of other parameters does not cover these.
    let delivered = status_params(&sid, "delivered");
    assert_refused(
        app.twilio_webhook(&params, Some(&signed(&delivered)), None)
            .await,
    )
    .await;
    assert_eq!(app.log_row(&e).await.unwrap()["status"], "sent");
    app.cleanup().await;
}
on_both_backends!(
    a_bad_or_missing_signature_is_refused_and_changes_nothing,
    a_bad_or_missing_signature_is_refused_and_changes_nothing
);

#[tokio::test]
async fn a_forged_host_does_not_change_the_url_that_is_verified() {
    let (app, e, sid) = app_with_a_sent_sms(Backend::Sqlite).await;
    let params = status_params(&sid, "undelivered");
    // Signed over the attacker's own host, sent with that Host header: still refused.
    let forged = twilio_signature(
        TWILIO_TOKEN,
        "https://evil.example.com/webhook/twilio",
        &params,
    );
    assert_refused(
        app.twilio_webhook(&params, Some(&forged), Some("evil.example.com"))
            .await,
    )
    .await;
    assert_eq!(app.log_row(&e).await.unwrap()["status"], "sent");
    // The genuine signature is accepted whatever the Host header says.
    let r = app
        .twilio_webhook(&params, Some(&signed(&params)), Some("evil.example.com"))
        .await;
    assert_eq!(r.status(), 204);
    app.wait_for_status(&e, "undelivered").await;
    app.cleanup().await;
}

#[tokio::test]
async fn a_signed_callback_without_its_fields_is_a_bad_request() {
    let (app, e, _sid) = app_with_a_sent_sms(Backend::Sqlite).await;
    let params = [("AccountSid", crate::helpers::TWILIO_SID), ("Foo", "bar")];
    let r = app
        .twilio_webhook(&params, Some(&signed(&params)), None)
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(app.log_row(&e).await.unwrap()["status"], "sent");
    app.cleanup().await;
}

#[tokio::test]
async fn an_oversized_callback_body_is_refused() {
    let (app, e, _sid) = app_with_a_sent_sms(Backend::Sqlite).await;
    let big = "x".repeat(64 * 1024);
    let params = [("MessageSid", "SMx"), ("Body", big.as_str())];
    let r = app
        .twilio_webhook(&params, Some(&signed(&params)), None)
        .await;
    assert_eq!(r.status(), 413);
    assert_eq!(app.log_row(&e).await.unwrap()["status"], "sent");
    app.cleanup().await;
}
