//! The payments service's own Stripe client and event reader against the sandbox: what the next
//! increment relies on.

use payments::stripe::{CallError, ErrorKind, Event, Form, Meaning, StripeClient};
use secrecy::SecretString;
use serde_json::Value;

use crate::helpers::{WebhookSink, spawn_app_with_sink};

fn session_form(cents: i64) -> Form {
    Form::new()
        .set("mode", "payment")
        .set("line_items[0][price_data][currency]", "cad")
        .set("line_items[0][price_data][unit_amount]", cents)
        .set(
            "line_items[0][price_data][product_data][name]",
            "Facture SINV-0001",
        )
        .set("line_items[0][quantity]", 1)
        .set(
            "success_url",
            "http://127.0.0.1:9/paid?session_id={CHECKOUT_SESSION_ID}",
        )
        .metadata("invoice", "SINV-0001")
}

#[tokio::test]
async fn the_payments_client_pays_refunds_and_reads_the_events_it_gets() {
    let sink = WebhookSink::start(0);
    let app = spawn_app_with_sink(&sink).await;
    let stripe = StripeClient::new(&app.base, &SecretString::from(app.key.clone())).unwrap();

    let session: Value = stripe
        .post("/v1/checkout/sessions", &session_form(5749), "checkout:1")
        .await
        .unwrap();
    let replayed: Value = stripe
        .post("/v1/checkout/sessions", &session_form(5749), "checkout:1")
        .await
        .unwrap();
    assert_eq!(replayed["id"], session["id"]);
    let conflict = stripe
        .post::<Value>("/v1/checkout/sessions", &session_form(100), "checkout:1")
        .await
        .unwrap_err();
    assert!(matches!(conflict, CallError::Api(e) if e.kind == ErrorKind::Idempotency));

    app.pay(&session, "4242424242424242").await;
    let received = sink.wait_for(2).await;
    let meanings: Vec<Meaning> = received
        .iter()
        .map(|r| Event::parse(&r.body).unwrap().meaning())
        .collect();
    let session: Value = stripe
        .get(
            &format!("/v1/checkout/sessions/{}", session["id"].as_str().unwrap()),
            &Form::new(),
        )
        .await
        .unwrap();
    let pi = session["payment_intent"].as_str().unwrap().to_owned();
    let paid = Meaning::Paid {
        payment_intent: pi.clone(),
    };
    assert_eq!(meanings, [paid.clone(), paid]);

    let too_much = stripe
        .post::<Value>(
            "/v1/refunds",
            &Form::new().set("payment_intent", &pi).set("amount", 5750),
            "refund:1",
        )
        .await
        .unwrap_err();
    let CallError::Api(error) = too_much else {
        panic!("{too_much:?}")
    };
    assert_eq!(error.kind, ErrorKind::InvalidRequest);
    assert_eq!(error.code.as_deref(), Some("amount_too_large"));
    let _: Value = stripe
        .post(
            "/v1/refunds",
            &Form::new().set("payment_intent", &pi),
            "refund:2",
        )
        .await
        .unwrap();
    let received = sink.wait_for(3).await;
    let refunded = Event::parse(&received[2].body).unwrap().meaning();
    assert_eq!(
        refunded,
        Meaning::Refunded {
            payment_intent: Some(pi)
        }
    );
}
