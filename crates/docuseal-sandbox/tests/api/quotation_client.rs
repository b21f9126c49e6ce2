//! The quotation-signing service's own DocuSeal client and webhook parser against the stand-in.

use docuseal_sandbox::fixtures;
use quotation_signing::docuseal::{
    DocusealClient, Event, NewSubmission, Submitter, check_secret, download,
};
use secrecy::SecretString;
use serde_json::json;

use crate::helpers::{Receiver, SECRET_HEADER, spawn_app_with_receiver};

fn new_submission() -> NewSubmission {
    NewSubmission {
        template_id: 1,
        send_email: false,
        expire_at: "2099-12-31T23:59:59-05:00".to_owned(),
        completed_redirect_url: "http://127.0.0.1:9/#/soumissions".to_owned(),
        submitters: vec![Submitter {
            role: "Client".to_owned(),
            name: "Marie Tremblay".to_owned(),
            email: "marie@example.ca".to_owned(),
            phone: Some("+15145550123".to_owned()),
            external_id: "SAL-QTN-2026-00042".to_owned(),
            metadata: json!({"quotation": "SAL-QTN-2026-00042"}),
            values: json!({"Soumission": "SAL-QTN-2026-00042", "Client": "Marie Tremblay", "Total": "1 149,75 $"}),
        }],
    }
}

#[tokio::test]
async fn the_services_client_creates_reads_and_downloads_and_its_parser_reads_the_events() {
    let receiver = Receiver::start(0);
    let app = spawn_app_with_receiver(&receiver).await;
    let client = DocusealClient::new(&format!("{}/api", app.base), &app.key).unwrap();
    let created = client.create_submission(&new_submission()).await.unwrap();
    assert!(created.url.starts_with(&format!("{}/s/", app.base)));

    let signed = fixtures::sign(&created.url, "Marie Tremblay")
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);

    let delivery = receiver.wait_for("form.completed", 1).await.remove(0);
    let secrets = [SecretString::from(receiver.secret.clone())];
    check_secret(delivery.header(SECRET_HEADER).map(str::as_bytes), &secrets).unwrap();
    let event = Event::parse(&delivery.body).unwrap();
    assert_eq!(event.envelope_id, Some(created.id.to_string()));
    let signer = event.signer();
    assert_eq!(signer.name.as_deref(), Some("Marie Tremblay"));
    assert_eq!(signer.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(signer.user_agent.as_deref(), Some(fixtures::USER_AGENT));
    assert!(signer.audit_log_url.is_some());
    assert!(signer.at.is_some());

    let submission = client.submission(&created.id.to_string()).await.unwrap();
    assert_eq!(submission["status"], "completed");
    // Document URLs carry their own token: downloaded without the API key.
    let pdf = download(signer.document_url.as_deref().unwrap())
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"));

    let missing = client.submission("999999").await.unwrap_err();
    assert!(missing.to_string().contains("404"), "{missing}");
}
