//! Refunds by staff: partial then the rest, a repeat within ten minutes refunds nothing more, each
//! paid back in ERPNext. Bad input tried: more than is left, a negative, zero, fractional or USD
//! amount, an unknown field, an unknown PaymentIntent, no staff identity.

use serde_json::{Value, json};

use crate::helpers::{Backend, MARIE, MARIE_UNPAID, Stack, assert_problem};

async fn refund(stack: &Stack, user: &str, body: Value) -> reqwest::Response {
    stack
        .post_as_staff("/payments/refund", user, "billing", Some(body))
        .await
}

async fn refunds(backend: Backend) {
    let stack = Stack::spawn(backend).await;
    let marie = stack.token(MARIE).await;
    let pi = stack.paid_invoice(&marie, MARIE_UNPAID).await;
    let first = refund(
        &stack,
        "agent.roy",
        json!({"payment_intent": pi, "amount_cents": 1000}),
    )
    .await;
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["status"], "succeeded");
    let stripe_refund = first["stripe_refund"].as_str().unwrap().to_owned();
    assert!(stripe_refund.starts_with("re_"));
    let entry: Value = stack
        .erp
        .client()
        .get("Payment Entry", first["payment_entry"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(
        (
            entry["payment_type"].as_str(),
            entry["paid_amount"].as_f64()
        ),
        (Some("Pay"), Some(10.0))
    );
    assert_eq!(entry["reference_no"], stripe_refund.as_str());

    let again: Value = refund(
        &stack,
        "agent.roy",
        json!({"payment_intent": pi, "amount_cents": 1000}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(again["id"], first["id"], "a repeat is the same refund");
    let paid = stack.stripe_get(&format!("/v1/payment_intents/{pi}")).await["amount_received"]
        .as_i64()
        .unwrap();
    let too_much = refund(
        &stack,
        "agent.cote",
        json!({"payment_intent": pi, "amount_cents": paid - 999}),
    )
    .await;
    assert_problem(too_much, 409, "PAY_15").await;
    let rest: Value = refund(
        &stack,
        "agent.cote",
        json!({"payment_intent": pi, "reason": "duplicate"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(rest["amount_cents"].as_i64(), Some(paid - 1000));
    let nothing_left = refund(&stack, "agent.tremblay", json!({"payment_intent": pi})).await;
    assert_problem(nothing_left, 409, "PAY_15").await;
    let charge = stack
        .stripe_get(&format!("/v1/payment_intents/{pi}?expand[]=latest_charge"))
        .await;
    assert_eq!(
        charge["latest_charge"]["amount_refunded"].as_i64(),
        Some(paid)
    );
    stack.cleanup().await;
}

#[tokio::test]
async fn refunds_on_sqlite() {
    refunds(Backend::Sqlite).await;
}

#[tokio::test]
async fn refunds_on_postgres() {
    refunds(Backend::Postgres).await;
}

#[tokio::test]
async fn bad_refunds_are_refused_with_nothing_refunded() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let marie = stack.token(MARIE).await;
    let pi = stack.paid_invoice(&marie, MARIE_UNPAID).await;
    for (body, status, code) in [
        (
            json!({"payment_intent": pi, "amount_cents": -5}),
            422,
            Some("PAY_16"),
        ),
        (
            json!({"payment_intent": pi, "amount_cents": 0}),
            422,
            Some("PAY_16"),
        ),
        (
            json!({"payment_intent": pi, "amount_cents": 500, "currency": "USD"}),
            422,
            Some("PAY_16"),
        ),
        (
            json!({"payment_intent": pi, "amount_cents": 12.5}),
            422,
            None,
        ),
        (
            json!({"payment_intent": pi, "amount_cents": 100, "to": "me"}),
            422,
            None,
        ),
        (
            json!({"payment_intent": "pi_unknown", "amount_cents": 100}),
            404,
            Some("PAY_14"),
        ),
    ] {
        let answer = refund(&stack, "agent.roy", body.clone()).await;
        match code {
            Some(code) => assert_problem(answer, status, code).await,
            None => assert_eq!(answer.status(), status, "{body}"),
        }
    }
    let anonymous = stack
        .post(
            "/payments/refund",
            None,
            Some(json!({"payment_intent": pi})),
        )
        .await;
    assert_problem(anonymous, 403, "PAY_06").await;
    let charge = stack
        .stripe_get(&format!("/v1/payment_intents/{pi}?expand[]=latest_charge"))
        .await;
    assert_eq!(charge["latest_charge"]["amount_refunded"].as_i64(), Some(0));
}

/// A refund made in Stripe's dashboard (not through payments) reaches ERPNext through
/// `charge.refunded`, once, and counts against what staff may refund after it.
#[tokio::test]
async fn a_refund_made_in_stripes_dashboard_is_booked_once() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let marie = stack.token(MARIE).await;
    let pi = stack.paid_invoice(&marie, MARIE_UNPAID).await;
    let made: Value = stack
        .http
        .post(format!("{}/v1/refunds", stack.stripe))
        .bearer_auth(secrecy::ExposeSecret::expose_secret(&stack.stripe_key))
        .form(&[("payment_intent", pi.as_str()), ("amount", "700")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let re = made["id"].as_str().unwrap().to_owned();
    let erp = stack.erp.client();
    let query = shared::erpnext::ListQuery::new()
        .fields(&["name", "payment_type", "paid_amount"])
        .filter("reference_no", shared::erpnext::Op::Eq, json!(re));
    let entries = testkit::poll_until(std::time::Duration::from_secs(15), || async {
        let found: Vec<Value> = erp.list("Payment Entry", &query).await.ok()?;
        (!found.is_empty()).then_some(found)
    })
    .await
    .expect("the dashboard's refund booked");
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (
            entries[0]["payment_type"].as_str(),
            entries[0]["paid_amount"].as_f64()
        ),
        (Some("Pay"), Some(7.0))
    );
    let paid = stack.stripe_get(&format!("/v1/payment_intents/{pi}")).await["amount_received"]
        .as_i64()
        .unwrap();
    let too_much = refund(
        &stack,
        "agent.roy",
        json!({"payment_intent": pi, "amount_cents": paid - 699}),
    )
    .await;
    assert_problem(too_much, 409, "PAY_15").await;
    // The same event again books nothing more.
    let charge = stack
        .stripe_get(&format!("/v1/payment_intents/{pi}?expand[]=latest_charge"))
        .await["latest_charge"]
        .clone();
    let event = json!({"id": "evt_again", "object": "event", "type": "charge.refunded",
        "created": 1_800_000_000, "livemode": false, "data": {"object": charge}});
    assert_eq!(stack.deliver(&event).await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let found: Vec<Value> = erp.list("Payment Entry", &query).await.unwrap();
    assert_eq!(found.len(), 1);
}
