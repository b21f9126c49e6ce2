//! The whole pay-invoice flow: a Checkout Session, the card typed on Stripe's page, Stripe's signed
//! webhooks, one submitted Payment Entry with the fee as a deduction, the receipt and the fact in the
//! outbox; the same events again and in reverse order book nothing more.

use std::time::Duration;

use serde_json::{Value, json};
use shared::events::{EmailSend, PaymentSucceeded};

use crate::helpers::{Backend, MARIE, MARIE_UNPAID, PORTAL_URL, Stack};

async fn pay_an_invoice(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let marie = stack.token(MARIE).await;
    let url = stack.checkout_url(&marie, MARIE_UNPAID, "card").await;
    let paid = stack.pay_on_page(&url, "4242 4242 4242 4242").await;
    assert_eq!(paid.status(), 303);
    let back = paid.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        back.starts_with(&format!(
            "{}/payments/return?status=success&session_id=cs_",
            stack.payments
        )),
        "{back}"
    );
    let invoice = stack.wait_paid(MARIE_UNPAID).await;
    assert_eq!(invoice["status"], "Paid");
    let facts: Vec<PaymentSucceeded> = stack.sent(1).await;
    assert_eq!(facts.len(), 1);
    let fact = &facts[0];
    assert_eq!(fact.invoices, vec![MARIE_UNPAID.to_owned()]);
    let entries = stack.entries_for(&fact.payment_intent).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["docstatus"], 1);
    let entry: Value = stack
        .erp
        .client()
        .get("Payment Entry", entries[0]["name"].as_str().unwrap())
        .await
        .unwrap();
    // Stripe's fee on the charge, kept back: the deduction.
    let intent = stack
        .stripe_get(&format!(
            "/v1/payment_intents/{}?expand[]=latest_charge.balance_transaction",
            fact.payment_intent
        ))
        .await;
    let fee = intent["latest_charge"]["balance_transaction"]["fee"]
        .as_i64()
        .unwrap();
    assert!(fee > 0);
    assert_eq!(
        entry["deductions"][0]["amount"].as_f64().unwrap(),
        fee as f64 / 100.0
    );
    let receipts: Vec<EmailSend> = stack.sent(1).await;
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].template, "payments.receipt");
    assert_eq!(receipts[0].subject, "Reçu de paiement Gigafibre");
    assert!(receipts[0].text.contains("No de TPS"));
    comes_back_logged_in_once(&stack, &back).await;
    replays_book_nothing_more(&stack, &fact.payment_intent).await;
    stack.cleanup().await;
}

#[tokio::test]
async fn an_invoice_paid_by_card_is_booked_once_with_its_receipt_on_sqlite() {
    pay_an_invoice(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_invoice_paid_by_card_is_booked_once_with_its_receipt_on_postgres() {
    pay_an_invoice(Backend::Postgres).await;
}

/// Stripe's return address lands the customer on the portal's page with a fresh token, once.
async fn comes_back_logged_in_once(stack: &Stack, back: &str) {
    let first = stack.http.get(back).send().await.unwrap();
    assert_eq!(first.status(), 302);
    let location = first.headers()["location"].to_str().unwrap().to_owned();
    let prefix = format!("{PORTAL_URL}/#/paiement/reussi?token=");
    let token = location
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{location}"));
    assert_eq!(stack.whose(token).await.as_deref(), Some(MARIE));
    let again = stack.http.get(back).send().await.unwrap();
    assert_eq!(
        again.headers()["location"].to_str().unwrap(),
        format!("{PORTAL_URL}/#/paiement/reussi")
    );
}

/// The same events five times, newest first, and events about the same payment under other ids:
/// still one Payment Entry, one fact, one receipt.
async fn replays_book_nothing_more(stack: &Stack, payment_intent: &str) {
    let events_before = stack.events().len();
    let object = json!({"id": payment_intent, "object": "payment_intent", "status": "succeeded"});
    let mut events: Vec<Value> = (0..3)
        .map(|n| {
            json!({"id": format!("evt_replay{n}"), "object": "event", "type": "payment_intent.succeeded",
                "created": 1_800_000_000 - n, "livemode": false, "data": {"object": object}})
        })
        .collect();
    events.reverse();
    for _ in 0..5 {
        for event in &events {
            assert_eq!(stack.deliver(event).await.status(), 200);
        }
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(stack.entries_for(payment_intent).await.len(), 1);
    assert_eq!(stack.events().len(), events_before);
}
