use secrecy::SecretString;
use serde_json::Value;

use stripe_sandbox::{Sandbox, SandboxSettings, WebhookEndpoint};

use crate::helpers::{WebhookSink, spawn_app_with, spawn_app_with_sink};

fn types(received: &[crate::helpers::Received]) -> Vec<String> {
    received
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_payment_sends_signed_events_the_payments_service_verifies() {
    let sink = WebhookSink::start(0);
    let app = spawn_app_with_sink(&sink).await;
    let intent = app.paid_intent("5749").await;
    let received = sink.wait_for(2).await;
    assert_eq!(
        types(&received),
        ["payment_intent.succeeded", "checkout.session.completed"]
    );
    let now = chrono::Utc::now().timestamp();
    for delivery in &received {
        let event = delivery.json();
        assert!(event["id"].as_str().unwrap().starts_with("evt_"));
        assert_eq!(event["object"], "event");
        assert_eq!(event["livemode"], false);
        assert!(event["api_version"].is_string());
        assert!(event["created"].is_i64());
        payments::stripe::verify(
            delivery.header("Stripe-Signature"),
            &delivery.body,
            std::slice::from_ref(&sink.secret),
            now,
        )
        .unwrap();
        let other = SecretString::from("whsec_other");
        assert!(
            payments::stripe::verify(
                delivery.header("Stripe-Signature"),
                &delivery.body,
                &[other],
                now
            )
            .is_err()
        );
    }
    assert_eq!(received[0].json()["data"]["object"]["id"], intent["id"]);
    let session = &received[1].json()["data"]["object"];
    assert_eq!(session["payment_status"], "paid");
    assert_eq!(session["payment_intent"], intent["id"]);
}

#[tokio::test]
async fn a_declined_card_and_a_refund_send_their_events() {
    let sink = WebhookSink::start(0);
    let app = spawn_app_with_sink(&sink).await;
    let session = app.create_session("1000").await;
    app.pay(&session, "4000000000000002").await;
    let failed = sink.wait_for(1).await;
    assert_eq!(types(&failed), ["payment_intent.payment_failed"]);
    let intent = app.paid_intent("1000").await;
    let form = [
        ("payment_intent", intent["id"].as_str().unwrap().to_owned()),
        ("amount", "250".to_owned()),
    ];
    app.post("/v1/refunds", &form, None).await;
    let received = sink.wait_for(4).await;
    let refunded = received
        .iter()
        .find(|r| r.json()["type"] == "charge.refunded")
        .unwrap();
    let charge: Value = refunded.json()["data"]["object"].clone();
    assert_eq!(charge["object"], "charge");
    assert_eq!(charge["amount_refunded"], 250);
    assert_eq!(charge["refunded"], false);
    assert_eq!(charge["payment_intent"], intent["id"]);
}

#[tokio::test]
async fn an_event_is_retried_until_the_endpoint_answers_200() {
    let sink = WebhookSink::start(3);
    let app = spawn_app_with_sink(&sink).await;
    let session = app.create_session("1000").await;
    app.pay(&session, "4000000000000002").await;
    let received = sink.wait_for(4).await;
    let ids: Vec<Value> = received.iter().map(|r| r.json()["id"].clone()).collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "the same event each time"
    );
    assert_eq!(received[0].body, received[3].body);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 4, "no delivery after the 200");
}

#[tokio::test]
async fn a_delivery_is_given_up_after_the_last_retry_of_the_schedule() {
    let sink = WebhookSink::start(usize::MAX);
    let app = spawn_app_with_sink(&sink).await;
    let session = app.create_session("1000").await;
    app.pay(&session, "4000000000000002").await;
    // for_tests(): 5 retries after the first attempt, 1.55 s in all.
    sink.wait_for(6).await;
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(sink.received().len(), 6);
}

#[tokio::test]
async fn every_configured_endpoint_gets_each_event_signed_with_its_own_secret() {
    let first = WebhookSink::start(0);
    let second = WebhookSink::start(0);
    let mut settings = SandboxSettings::for_tests();
    for sink in [&first, &second] {
        settings.webhook_endpoints.push(WebhookEndpoint {
            url: sink.url.clone(),
            secret: sink.secret.clone(),
        });
    }
    let app = spawn_app_with(settings).await;
    let session = app.create_session("1000").await;
    app.pay(&session, "4000000000000002").await;
    let now = chrono::Utc::now().timestamp();
    for sink in [&first, &second] {
        let received = sink.wait_for(1).await;
        let verified = payments::stripe::verify(
            received[0].header("Stripe-Signature"),
            &received[0].body,
            std::slice::from_ref(&sink.secret),
            now,
        );
        assert!(verified.is_ok());
    }
    assert_eq!(first.received()[0].body, second.received()[0].body);
}

#[tokio::test]
async fn a_pending_delivery_survives_a_restart_of_the_sandbox() {
    let sink = WebhookSink::start(1);
    let path = std::env::temp_dir().join(format!("stripe-sandbox-{}.db", rand::random::<u64>()));
    let mut settings = SandboxSettings::for_tests();
    settings.database_url = format!("sqlite://{}?mode=rwc", path.display());
    settings.retry_schedule = vec![std::time::Duration::from_millis(500)];
    settings.webhook_endpoints.push(WebhookEndpoint {
        url: sink.url.clone(),
        secret: sink.secret.clone(),
    });
    let sandbox = Sandbox::build(settings.clone()).await.unwrap();
    let handle = sandbox.handle();
    let base = sandbox.base_url();
    let running = tokio::spawn(sandbox.run_until_stopped());
    let app = crate::helpers::TestApp {
        base,
        key: secrecy::ExposeSecret::expose_secret(&settings.secret_key).to_owned(),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    };
    let session = app.create_session("1000").await;
    app.pay(&session, "4000000000000002").await;
    sink.wait_for(1).await; // answered 500: a retry is due in 500 ms
    handle.stop(true).await;
    running.await.unwrap().unwrap();
    assert_eq!(sink.received().len(), 1);

    let restarted = Sandbox::build(settings).await.unwrap();
    tokio::spawn(restarted.run_until_stopped());
    let received = sink.wait_for(2).await;
    assert_eq!(received[0].body, received[1].body);
    let _ = std::fs::remove_file(path);
}
