use secrecy::SecretString;
use serde_json::Value;

use crate::helpers::{WebhookSink, spawn_app_with_sink};

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
            delivery.signature.as_deref(),
            &delivery.body,
            std::slice::from_ref(&sink.secret),
            now,
        )
        .unwrap();
        let other = SecretString::from("whsec_other");
        assert!(
            payments::stripe::verify(delivery.signature.as_deref(), &delivery.body, &[other], now)
                .is_err()
        );
    }
    assert_eq!(received[0].json()["data"]["object"]["id"], intent["id"]);
    let session = &received[1].json()["data"]["object"];
    assert_eq!(session["payment_status"], "paid");
    assert_eq!(session["payment_intent"], intent["id"]);
}

#[tokio::test]
async fn the_signature_is_the_contracts_hmac() {
    let secret = SecretString::from("whsec_test_secret");
    let body = br#"{"id":"evt_test_webhook","object":"event"}"#;
    assert_eq!(
        payments::stripe::sign(&secret, 1_700_000_000, body),
        "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990"
    );
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
