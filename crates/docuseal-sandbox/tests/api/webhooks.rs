use std::time::Duration;

use docuseal_sandbox::fixtures;
use reqwest::StatusCode;
use serde_json::json;

use docuseal_sandbox::SandboxSettings;
use secrecy::SecretString;

use crate::helpers::{
    Receiver, SECRET_HEADER, event_type, quote_request, spawn_app_with, spawn_app_with_receiver,
};

#[tokio::test]
async fn a_receiver_answering_500_gets_the_event_again_with_the_secret_header_each_time() {
    let receiver = Receiver::start(1);
    let app = spawn_app_with_receiver(&receiver).await;
    let submitter = app.create_quote().await;
    receiver.wait_for("submission.created", 2).await;
    fixtures::open(submitter["embed_src"].as_str().unwrap())
        .await
        .unwrap();
    receiver.wait_for("form.viewed", 1).await;
    let received = receiver.received();
    let created = receiver.of_type("submission.created");
    assert_eq!(
        created[0].body, created[1].body,
        "a retry resends the same body"
    );
    for delivery in &received {
        assert_eq!(
            delivery.header(SECRET_HEADER),
            Some(receiver.secret.as_str())
        );
        assert_eq!(delivery.header("User-Agent"), Some("DocuSeal.com Webhook"));
        assert_eq!(delivery.header("Content-Type"), Some("application/json"));
        assert!(
            delivery
                .header("X-Docuseal-Signature")
                .unwrap()
                .contains('.')
        );
        let event = delivery.json();
        let timestamp = event["timestamp"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(timestamp).is_ok());
        assert!(event["data"].is_object());
    }
}

#[tokio::test]
async fn the_control_route_expires_a_submission_and_sends_submission_expired_once() {
    let receiver = Receiver::start(0);
    let app = spawn_app_with_receiver(&receiver).await;
    let submitter = app.create_quote().await;
    let id = submitter["submission_id"].as_i64().unwrap();
    let expired = fixtures::expire(&app.base, &app.key, id).await.unwrap();
    assert_eq!(expired["status"], "expired");

    let events = receiver.wait_for("submission.expired", 1).await;
    assert_eq!(events[0].json()["data"]["id"], id);
    assert_eq!(events[0].json()["data"]["status"], "expired");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.of_type("submission.expired").len(), 1);
    let page = app
        .http
        .get(submitter["embed_src"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::CONFLICT);
    assert!(page.text().await.unwrap().contains("expiré"));
    assert_eq!(app.submission(&json!(id)).await["status"], "expired");
}

#[tokio::test]
async fn a_submission_past_its_expire_at_is_announced_by_the_sweep() {
    let receiver = Receiver::start(0);
    let app = spawn_app_with_receiver(&receiver).await;
    let mut body = quote_request();
    let soon = chrono::Utc::now() + chrono::Duration::milliseconds(300);
    body["expire_at"] = json!(soon.to_rfc3339());
    let submitter = app.create_quote_with(body).await;
    let events = receiver.wait_for("submission.expired", 1).await;
    assert_eq!(events[0].json()["data"]["id"], submitter["submission_id"]);
}

#[tokio::test]
async fn a_signed_submission_is_never_announced_expired() {
    let receiver = Receiver::start(0);
    let app = spawn_app_with_receiver(&receiver).await;
    let submitter = app.create_quote().await;
    fixtures::sign(submitter["embed_src"].as_str().unwrap(), "Marie Tremblay")
        .await
        .unwrap();
    let id = submitter["submission_id"].as_i64().unwrap();
    fixtures::expire(&app.base, &app.key, id).await.unwrap();
    receiver.wait_for("submission.completed", 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(receiver.of_type("submission.expired").is_empty());
    assert_eq!(app.submission(&json!(id)).await["status"], "completed");
}

#[tokio::test]
async fn only_the_subscribed_events_are_sent() {
    let receiver = Receiver::start(0);
    let mut settings = SandboxSettings::for_tests();
    settings.webhook_url = Some(receiver.url.clone());
    settings.webhook_headers = vec![(
        SECRET_HEADER.to_owned(),
        SecretString::from(receiver.secret.clone()),
    )];
    settings.webhook_events = vec!["form.completed".to_owned()];
    let app = spawn_app_with(settings).await;
    let submitter = app.create_quote().await;
    fixtures::sign(submitter["embed_src"].as_str().unwrap(), "Marie Tremblay")
        .await
        .unwrap();
    receiver.wait_for("form.completed", 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let types: Vec<String> = receiver.received().iter().map(event_type).collect();
    assert_eq!(types, ["form.completed"]);
}

#[tokio::test]
async fn a_receiver_that_was_down_gets_the_event_once_it_is_up() {
    let port = testkit::free_port();
    let mut settings = SandboxSettings::for_tests();
    settings.webhook_url = Some(format!("http://127.0.0.1:{port}/accept/docuseal-webhook"));
    let app = spawn_app_with(settings).await;
    app.create_quote().await;
    tokio::time::sleep(Duration::from_millis(120)).await;
    let receiver = Receiver::start_on(port, 0);
    let created = receiver.wait_for("submission.created", 1).await;
    assert_eq!(
        created[0].header("User-Agent"),
        Some("DocuSeal.com Webhook")
    );
}
