//! Recipients on `OUTBOUND_ALLOWLIST` really leave (SMTP, Twilio); `OUTBOUND_MODE=live` sends all.

use std::collections::HashMap;

use base64::Engine as _;
use notifications::Settings;
use shared::events::Attachment;

use crate::helpers::{
    ALLOWLIST, Backend, PATIENCE, TWILIO_FROM, WEBHOOK_URL, email, envelope, sms, spawn_app,
};
use crate::on_both_backends;

async fn allowlisted_recipients_are_sent_and_others_captured(backend: Backend) {
    let app = spawn_app(backend, &[("OUTBOUND_ALLOWLIST", ALLOWLIST)]).await;
    let mut ops = email("ops@gigafibre.ca");
    ops.reply_to = Some("support@gigafibre.ca".into());
    ops.attachments.push(Attachment {
        filename: "contrat.pdf".into(),
        content_type: "application/pdf".into(),
        content_base64: base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.4 contrat"),
    });
    let (ops, domain, customer) = (
        envelope(&ops),
        envelope(&email("tech@example.org")),
        envelope(&email("client@example.ca")),
    );
    for e in [&ops, &domain, &customer] {
        app.publish(e).await;
    }
    app.publish(&envelope(&sms("+15145550100"))).await;
    app.publish(&envelope(&sms("+15145550147"))).await;

    assert!(app.sink.wait_for(2, PATIENCE).await);
    let mails = app.sink.messages();
    assert_eq!(
        mails.len(),
        2,
        "the customer's mail must stay in the outbox"
    );
    let mail = mails.iter().find(|m| m.to == ["ops@gigafibre.ca"]).unwrap();
    assert_eq!(mail.from, "noreply@gigafibre.ca");
    assert!(mail.header("From").unwrap().contains("Gigafibre"));
    assert!(mail.header("To").unwrap().contains("Marie Tremblay"));
    assert_eq!(
        mail.message_id.as_deref(),
        Some(format!("<{}@gigafibre.ca>", ops.id).as_str())
    );
    assert!(mail.header("Date").is_some());
    assert_eq!(
        mail.header("Reply-To").as_deref(),
        Some("support@gigafibre.ca")
    );
    assert_eq!(mail.subject.as_deref(), Some("Votre lien de connexion"));
    let data = &mail.data;
    assert!(data.contains("multipart/alternative"), "{data}");
    assert!(data.contains("text/plain"));
    assert!(data.contains("text/html"));
    assert!(data.contains("multipart/mixed"));
    assert!(data.contains("filename=\"contrat.pdf\""));
    assert!(data.contains("application/pdf"));
    assert!(mails.iter().any(|m| m.to == ["tech@example.org"]));

    let texts = app.twilio.messages();
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0].to, "+15145550100");
    assert_eq!(texts[0].from.as_deref(), Some(TWILIO_FROM));
    assert_eq!(texts[0].status_callback.as_deref(), Some(WEBHOOK_URL));

    let sent = app.wait_for_status(&ops, "sent").await;
    assert_eq!(sent["provider_id"], format!("<{}@gigafibre.ca>", ops.id));
    app.wait_for_status(&domain, "sent").await;
    app.wait_for_status(&customer, "captured").await;
    assert_eq!(app.outbox_json("client@example.ca").await.len(), 1);
    assert_eq!(app.outbox_json("+15145550147").await.len(), 1);
    assert!(app.outbox_json("ops@gigafibre.ca").await.is_empty());
    app.cleanup().await;
}
on_both_backends!(
    allowlisted_recipients_are_sent_and_others_captured,
    allowlisted_recipients_are_sent_and_others_captured
);

#[tokio::test]
async fn live_mode_sends_everything_and_has_no_outbox() {
    let app = spawn_app(Backend::Sqlite, &[("OUTBOUND_MODE", "live")]).await;
    app.publish(&envelope(&email("client@example.ca"))).await;
    app.publish(&envelope(&sms("+15145550147"))).await;
    assert!(app.sink.wait_for(1, PATIENCE).await);
    assert_eq!(app.sink.messages()[0].to, ["client@example.ca"]);
    assert_eq!(app.twilio.messages()[0].to, "+15145550147");
    assert_eq!(app.get("/notifications/outbox.json").await.status(), 404);
    app.cleanup().await;
}

fn live_env(without: &str) -> HashMap<String, String> {
    [
        ("OUTBOUND_MODE", "live"),
        ("SMTP_URL", "smtp://127.0.0.1:2525"),
        ("TWILIO_ACCOUNT_SID", "AC123"),
        ("TWILIO_AUTH_TOKEN", "token"),
        ("TWILIO_FROM", "+15145550100"),
    ]
    .into_iter()
    .filter(|(k, _)| *k != without)
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

#[test]
fn live_mode_without_smtp_is_a_config_error_naming_smtp_url() {
    let err = Settings::from_source(&live_env("SMTP_URL")).unwrap_err();
    assert_eq!(err.name, "SMTP_URL");
}

#[test]
fn live_mode_without_twilio_is_a_config_error_naming_the_twilio_variable() {
    let err = Settings::from_source(&live_env("TWILIO_ACCOUNT_SID")).unwrap_err();
    assert_eq!(err.name, "TWILIO_ACCOUNT_SID");
    let err = Settings::from_source(&live_env("TWILIO_AUTH_TOKEN")).unwrap_err();
    assert_eq!(err.name, "TWILIO_AUTH_TOKEN");
    let err = Settings::from_source(&live_env("TWILIO_FROM")).unwrap_err();
    assert_eq!(err.name, "TWILIO_FROM");
}

#[test]
fn a_complete_live_configuration_is_accepted_and_sandbox_is_the_default() {
    assert!(Settings::from_source(&live_env("")).is_ok());
    let settings = Settings::from_source(&HashMap::new()).unwrap();
    assert_eq!(settings.mode, shared::config::OutboundMode::Sandbox);
    let mut typo = live_env("");
    typo.insert("OUTBOUND_MODE".into(), "production".into());
    assert_eq!(
        Settings::from_source(&typo).unwrap_err().name,
        "OUTBOUND_MODE"
    );
}
