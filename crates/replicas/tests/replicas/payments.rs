//! Two payments replicas behave as one: a customer pays an invoice on the Stripe stand-in's page,
//! and Stripe's two events for that payment (`checkout.session.completed`,
//! `payment_intent.succeeded`), each delivered to both replicas at once, book one Payment Entry.

use std::time::Duration;

use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::ONE_AT_A_TIME;
use crate::cluster::{Cluster, PAY_1, PAY_2, PORTAL_1, STRIPE, STRIPE_KEY, STRIPE_WEBHOOK_SECRET};

/// Marie Tremblay's unpaid December invoice (crates/erp-sandbox/README.md), 91,98 $.
const CUSTOMER: &str = "CUST-2024-00001";
const INVOICE: &str = "ACC-SINV-2026-00003";

#[tokio::test]
async fn a_payments_events_delivered_to_both_replicas_at_once_book_one_payment_entry() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut cluster = Cluster::start(&[]).await;
    cluster.start_payments().await;
    let token = customer_token(&cluster).await;

    // Paid on replica 1's Checkout Session, on the stand-in's hosted page.
    let session_url = pay_invoice(&cluster, &token).await;
    let paid = cluster
        .http
        .post(&session_url)
        .form(&[("card_number", "4242 4242 4242 4242")])
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), StatusCode::SEE_OTHER, "the card is taken");
    let session_id = session_url.rsplit('/').next().unwrap();
    let session = stripe_get(&cluster, &format!("/v1/checkout/sessions/{session_id}")).await;
    assert_eq!(session["payment_status"], "paid");
    let payment_intent = session["payment_intent"].as_str().unwrap().to_owned();
    let intent = stripe_get(&cluster, &format!("/v1/payment_intents/{payment_intent}")).await;

    // Stripe's two events for the payment, each to both replicas at once.
    let events = [
        event("checkout.session.completed", session),
        event("payment_intent.succeeded", intent),
    ];
    let deliveries = events.iter().flat_map(|e| [(PAY_1, e), (PAY_2, e)]);
    let answers = futures::future::join_all(deliveries.map(|(r, e)| deliver(&cluster, r, e))).await;
    assert!(
        answers.iter().all(|s| *s == StatusCode::OK),
        "every delivery recorded: {answers:?}"
    );

    let deadline = Instant::now() + Duration::from_secs(30);
    while cluster.invoice(INVOICE).await["outstanding_amount"].as_f64() != Some(0.0) {
        assert!(Instant::now() < deadline, "{INVOICE} not paid within 30 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Both replicas have had time to process every event they recorded.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let entries = cluster.payment_entries(&payment_intent).await;
    assert_eq!(
        entries.len(),
        1,
        "one Payment Entry for {payment_intent}: {entries:?}"
    );
    assert_eq!(entries[0]["docstatus"], 1, "submitted");
    cluster.cleanup().await;
}

/// A customer token, opened by support on portal-auth (staff headers from loopback, its trusted proxy).
async fn customer_token(cluster: &Cluster) -> String {
    let opened: Value = cluster
        .http
        .post(cluster.url(PORTAL_1, "/portal/impersonate"))
        .header("X-authentik-username", "replicas-test")
        .header("X-authentik-groups", "support")
        .json(&json!({"customer": CUSTOMER, "reason": "replicas test"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    opened["token"]
        .as_str()
        .expect("a customer token")
        .to_owned()
}

/// `POST /payments/pay-invoice/{INVOICE}` on replica 1: the Checkout page's URL.
async fn pay_invoice(cluster: &Cluster, token: &str) -> String {
    let answer = cluster
        .http
        .post(cluster.url(PAY_1, &format!("/payments/pay-invoice/{INVOICE}")))
        .bearer_auth(token)
        .json(&json!({"method": "card"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let body: Value = answer.json().await.unwrap();
    body["url"].as_str().unwrap().to_owned()
}

async fn stripe_get(cluster: &Cluster, path: &str) -> Value {
    cluster
        .http
        .get(cluster.url(STRIPE, path))
        .bearer_auth(STRIPE_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// An event shaped as Stripe's, about `object`.
fn event(kind: &str, object: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": format!("evt_replicas_{}", uuid::Uuid::new_v4().simple()),
        "object": "event",
        "type": kind,
        "api_version": "2025-03-31.basil",
        "created": unix_now(),
        "livemode": false,
        "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null},
        "data": {"object": object},
    }))
    .unwrap()
}

/// `POST /webhook/stripe` on `replica`, signed as Stripe signs it now.
async fn deliver(cluster: &Cluster, replica: &str, body: &[u8]) -> StatusCode {
    let secret = SecretString::from(STRIPE_WEBHOOK_SECRET);
    let signature = payments::stripe::sign(&secret, unix_now(), body);
    cluster
        .http
        .post(cluster.url(replica, "/webhook/stripe"))
        .header("Stripe-Signature", signature)
        .header("Content-Type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
        .status()
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap()
}
