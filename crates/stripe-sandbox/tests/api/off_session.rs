//! Off-session PaymentIntents charging a saved card (pre-authorised payments).
//! Bad input tried: no `amount`, `amount=49` and `12.5`, no `currency`, `confirm=maybe`,
//! `off_session=true` without `confirm`, `confirm=true` without `payment_method`, an unknown
//! PaymentMethod and customer, a card of another customer, a detached card, a card without the
//! customer, `payment_method_types[]=klarna` only, an unknown parameter; the same
//! `Idempotency-Key` replayed after a success and after a decline, and reused with another amount.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, WebhookSink, spawn_app, spawn_app_with_sink};

fn form(customer: &str, pm: &str, amount: &str) -> Vec<(&'static str, String)> {
    vec![
        ("amount", amount.into()),
        ("currency", "cad".into()),
        ("customer", customer.into()),
        ("payment_method", pm.into()),
        ("confirm", "true".into()),
        ("off_session", "true".into()),
        ("metadata[invoice]", "SINV-0042".into()),
        ("description", "Facture SINV-0042".into()),
        ("payment_method_types[]", "card".into()),
    ]
}

async fn saved(app: &TestApp, card: &str) -> (String, String) {
    let customer = app.create_customer().await;
    let cus = customer["id"].as_str().unwrap().to_owned();
    let pm = app.save_card(&cus, card).await;
    (cus, pm)
}

#[tokio::test]
async fn a_saved_4242_card_is_charged_with_its_fee() {
    let sink = WebhookSink::start(0);
    let app = spawn_app_with_sink(&sink).await;
    let (cus, pm) = saved(&app, "4242424242424242").await;
    let answer = app
        .post(
            "/v1/payment_intents",
            &form(&cus, &pm, "5749"),
            Some("ppa-1"),
        )
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    let intent: Value = answer.json().await.unwrap();
    assert!(intent["id"].as_str().unwrap().starts_with("pi_"));
    assert_eq!(intent["status"], "succeeded");
    assert_eq!(intent["amount_received"], 5749);
    assert_eq!(intent["customer"], cus.as_str());
    assert_eq!(intent["payment_method"], pm.as_str());
    assert_eq!(intent["metadata"]["invoice"], "SINV-0042");
    assert_eq!(intent["description"], "Facture SINV-0042");
    let pi = intent["id"].as_str().unwrap();
    let read = app
        .get_json(&format!(
            "/v1/payment_intents/{pi}?expand[]=latest_charge.balance_transaction"
        ))
        .await;
    let charge = &read["latest_charge"];
    assert_eq!(charge["payment_method"], pm.as_str());
    assert_eq!(charge["payment_method_details"]["card"]["last4"], "4242");
    assert_eq!(charge["balance_transaction"]["fee"], 197);
    // the same key replays, no second charge
    let replay = app
        .post(
            "/v1/payment_intents",
            &form(&cus, &pm, "5749"),
            Some("ppa-1"),
        )
        .await;
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<Value>().await.unwrap()["id"], pi);
    let list = app
        .get_json(&format!("/v1/payment_intents?customer={cus}"))
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let other = app
        .post(
            "/v1/payment_intents",
            &form(&cus, &pm, "5750"),
            Some("ppa-1"),
        )
        .await;
    assert_eq!(other.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        other.json::<Value>().await.unwrap()["error"]["type"],
        "idempotency_error"
    );
    let events: Vec<String> = sink
        .wait_for(4)
        .await
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        events.contains(&"payment_intent.succeeded".to_owned()),
        "{events:?}"
    );
}

#[tokio::test]
async fn declined_cards_answer_402_with_stripes_codes() {
    let app = spawn_app().await;
    for (card, code, decline_code, message) in [
        (
            "4000000000000002",
            "card_declined",
            "generic_decline",
            "Your card was declined.",
        ),
        (
            "4000000000000341",
            "card_declined",
            "generic_decline",
            "Your card was declined.",
        ),
        (
            "4000000000009995",
            "card_declined",
            "insufficient_funds",
            "Your card has insufficient funds.",
        ),
        (
            "4000000000009987",
            "card_declined",
            "lost_card",
            "Your card was declined.",
        ),
        (
            "4000000000000069",
            "expired_card",
            "",
            "Your card has expired.",
        ),
    ] {
        let (cus, pm) = saved(&app, card).await;
        let key = format!("ppa-{card}");
        let answer = app
            .post("/v1/payment_intents", &form(&cus, &pm, "5000"), Some(&key))
            .await;
        assert_eq!(answer.status(), StatusCode::PAYMENT_REQUIRED, "{card}");
        let error = answer.json::<Value>().await.unwrap()["error"].clone();
        assert_eq!(error["type"], "card_error");
        assert_eq!(error["code"], code, "{card}");
        // an expired card has no decline_code, as Stripe answers it
        let expected_decline = (!decline_code.is_empty()).then_some(decline_code);
        assert_eq!(error["decline_code"].as_str(), expected_decline, "{card}");
        if code == "expired_card" {
            assert_eq!(error["param"], "exp_month");
        }
        assert_eq!(error["message"], message, "{card}");
        assert!(error["charge"].as_str().unwrap().starts_with("ch_"));
        assert_eq!(error["payment_method"]["id"], pm.as_str());
        let intent = &error["payment_intent"];
        assert_eq!(intent["status"], "requires_payment_method");
        assert_eq!(intent["last_payment_error"]["code"], code);
        assert_eq!(
            intent["last_payment_error"]["decline_code"].as_str(),
            expected_decline
        );
        assert!(!error.to_string().contains(card));
        let charge = app
            .get_json(&format!(
                "/v1/charges/{}",
                error["charge"].as_str().unwrap()
            ))
            .await;
        assert_eq!(charge["status"], "failed");
        assert_eq!(charge["balance_transaction"], Value::Null);
        // the decline is kept under the key: replayed, not retried
        let replay = app
            .post("/v1/payment_intents", &form(&cus, &pm, "5000"), Some(&key))
            .await;
        assert_eq!(replay.status(), StatusCode::PAYMENT_REQUIRED);
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
    }
}

#[tokio::test]
async fn the_3184_card_needs_authentication_but_3155_once_set_up_does_not() {
    let sink = WebhookSink::start(0);
    let app = spawn_app_with_sink(&sink).await;
    let (cus, pm) = saved(&app, "4000002760003184").await;
    let answer = app
        .post("/v1/payment_intents", &form(&cus, &pm, "5000"), None)
        .await;
    assert_eq!(answer.status(), StatusCode::PAYMENT_REQUIRED);
    let error = answer.json::<Value>().await.unwrap()["error"].clone();
    assert_eq!(error["code"], "authentication_required");
    assert_eq!(error["decline_code"], "authentication_required");
    assert_eq!(error["payment_intent"]["status"], "requires_payment_method");
    assert_eq!(
        error["payment_intent"]["last_payment_error"]["code"],
        "authentication_required"
    );
    let (cus, pm) = saved(&app, "4000002500003155").await;
    let answer = app
        .post("/v1/payment_intents", &form(&cus, &pm, "5000"), None)
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.json::<Value>().await.unwrap()["status"], "succeeded");
    let mut failed = None;
    for _ in 0..250 {
        failed = sink
            .received()
            .iter()
            .map(|r| r.json())
            .find(|e| e["type"] == "payment_intent.payment_failed");
        if failed.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let failed = failed.expect("payment_intent.payment_failed");
    assert_eq!(
        failed["data"]["object"]["last_payment_error"]["code"],
        "authentication_required"
    );
}

#[tokio::test]
async fn an_unconfirmed_intent_waits_for_confirmation() {
    let app = spawn_app().await;
    let (cus, pm) = saved(&app, "4242424242424242").await;
    let unconfirmed: Vec<_> = form(&cus, &pm, "5000")
        .into_iter()
        .filter(|(k, _)| *k != "confirm" && *k != "off_session")
        .collect();
    let intent: Value = app
        .post("/v1/payment_intents", &unconfirmed, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(intent["status"], "requires_confirmation");
    assert_eq!(intent["latest_charge"], Value::Null);
}

#[tokio::test]
async fn bad_requests_are_refused_before_anything_is_charged() {
    let app = spawn_app().await;
    let (cus, pm) = saved(&app, "4242424242424242").await;
    let (other_cus, other_pm) = saved(&app, "4242424242424242").await;
    let (_, detached) = saved(&app, "4242424242424242").await;
    app.post(&format!("/v1/payment_methods/{detached}/detach"), &[], None)
        .await;
    let base = form(&cus, &pm, "5000");
    let without = |key: &str| -> Vec<(&'static str, String)> {
        base.iter().filter(|(k, _)| *k != key).cloned().collect()
    };
    let with = |key: &'static str, value: &str| -> Vec<(&'static str, String)> {
        let mut f = without(key);
        f.push((key, value.to_owned()));
        f
    };
    let klarna_only: Vec<_> = without("payment_method_types[]")
        .into_iter()
        .chain([("payment_method_types[]", "klarna".to_owned())])
        .collect();
    let cases = [
        (without("amount"), StatusCode::BAD_REQUEST, "amount"),
        (with("amount", "49"), StatusCode::BAD_REQUEST, "amount"),
        (with("amount", "12.5"), StatusCode::BAD_REQUEST, "amount"),
        (without("currency"), StatusCode::BAD_REQUEST, "currency"),
        (with("confirm", "maybe"), StatusCode::BAD_REQUEST, "confirm"),
        (
            with("confirm", "false"),
            StatusCode::BAD_REQUEST,
            "off_session",
        ),
        (
            without("payment_method"),
            StatusCode::BAD_REQUEST,
            "payment_method",
        ),
        (
            with("payment_method", "pm_nope"),
            StatusCode::NOT_FOUND,
            "payment_method",
        ),
        (
            with("customer", "cus_nope"),
            StatusCode::NOT_FOUND,
            "customer",
        ),
        (
            with("payment_method", &other_pm),
            StatusCode::BAD_REQUEST,
            "payment_method",
        ),
        (
            with("customer", &other_cus),
            StatusCode::BAD_REQUEST,
            "payment_method",
        ),
        (
            with("payment_method", &detached),
            StatusCode::BAD_REQUEST,
            "payment_method",
        ),
        (
            without("customer"),
            StatusCode::BAD_REQUEST,
            "payment_method",
        ),
        (klarna_only, StatusCode::BAD_REQUEST, "payment_method"),
        (
            with("capture_method", "manual"),
            StatusCode::BAD_REQUEST,
            "capture_method",
        ),
    ];
    for (form, status, param) in cases {
        let answer = app
            .post("/v1/payment_intents", &form, Some("same-key"))
            .await;
        assert_eq!(answer.status(), status, "{param} {form:?}");
        let error = answer.json::<Value>().await.unwrap()["error"].clone();
        assert_eq!(error["param"], param, "{form:?}");
        assert_eq!(error["type"], "invalid_request_error");
    }
    let list = app.get_json("/v1/payment_intents").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    // refusals on validation keep nothing under the key: the corrected request goes through
    let ok = app
        .post("/v1/payment_intents", &base, Some("same-key"))
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
}
