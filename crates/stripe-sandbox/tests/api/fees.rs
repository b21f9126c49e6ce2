//! Stripe's fee on a charge, and `expand[]`.
//! Bad input tried: an unknown charge and balance transaction id (404), an expand path of a field
//! that is not expandable (`amount`), of an unknown field, one level too deep
//! (`latest_charge.balance_transaction.source.payment_intent.customer`), and a query parameter
//! a GET does not take.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_paid_charge_books_the_fee_of_a_canadian_card() {
    let app = spawn_app().await;
    let intent = app.paid_intent("5749").await;
    let charge_id = intent["latest_charge"].as_str().unwrap();
    let charge = app.get_json(&format!("/v1/charges/{charge_id}")).await;
    assert_eq!(charge["object"], "charge");
    assert_eq!(charge["status"], "succeeded");
    let txn_id = charge["balance_transaction"].as_str().unwrap();
    assert!(txn_id.starts_with("txn_"));
    let txn = app
        .get_json(&format!("/v1/balance_transactions/{txn_id}"))
        .await;
    assert_eq!(txn["object"], "balance_transaction");
    assert_eq!(txn["amount"], 5749);
    assert_eq!(txn["currency"], "cad");
    // round(2.9 % × 57.49 $) + 0.30 $ = 1.67 $ + 0.30 $
    assert_eq!(txn["fee"], 197);
    assert_eq!(txn["net"], 5749 - 197);
    assert_eq!(txn["fee_details"][0]["amount"], 197);
    assert_eq!(txn["fee_details"][0]["type"], "stripe_fee");
    assert_eq!(txn["fee_details"][0]["currency"], "cad");
    assert!(txn["fee_details"][0]["description"].is_string());
    assert_eq!(txn["source"], charge["id"]);
    assert_eq!(txn["type"], "charge");
    assert_eq!(txn["status"], "pending");
}

#[tokio::test]
async fn the_0077_card_makes_the_funds_available_at_once() {
    let app = spawn_app().await;
    let session = app.create_session("10000").await;
    assert_eq!(app.pay(&session, "4000 0000 0000 0077").await.status(), 303);
    let session = app
        .get_json(&format!(
            "/v1/checkout/sessions/{}?expand[]=payment_intent.latest_charge.balance_transaction",
            session["id"].as_str().unwrap()
        ))
        .await;
    let txn = &session["payment_intent"]["latest_charge"]["balance_transaction"];
    assert_eq!(txn["status"], "available");
    assert_eq!(txn["fee"], 320);
}

#[tokio::test]
async fn expand_replaces_ids_by_objects_level_by_level() {
    let app = spawn_app().await;
    let intent = app.paid_intent("5000").await;
    let pi = intent["id"].as_str().unwrap();
    let plain = app.get_json(&format!("/v1/payment_intents/{pi}")).await;
    assert!(plain["latest_charge"].is_string());
    let one = app
        .get_json(&format!("/v1/payment_intents/{pi}?expand[]=latest_charge"))
        .await;
    assert_eq!(one["latest_charge"]["object"], "charge");
    assert!(one["latest_charge"]["balance_transaction"].is_string());
    let two = app
        .get_json(&format!(
            "/v1/payment_intents/{pi}?expand%5B%5D=latest_charge.balance_transaction"
        ))
        .await;
    assert_eq!(
        two["latest_charge"]["balance_transaction"]["object"],
        "balance_transaction"
    );
    assert_eq!(two["latest_charge"]["balance_transaction"]["fee"], 175);
    let session = app.create_session("5000").await;
    let id = session["id"].as_str().unwrap();
    // nothing to expand yet: stays null
    let unpaid = app
        .get_json(&format!(
            "/v1/checkout/sessions/{id}?expand[]=payment_intent"
        ))
        .await;
    assert_eq!(unpaid["payment_intent"], Value::Null);
    app.pay(&session, "4242424242424242").await;
    let paid = app
        .get_json(&format!(
            "/v1/checkout/sessions/{id}?expand[]=payment_intent"
        ))
        .await;
    assert_eq!(paid["payment_intent"]["object"], "payment_intent");
    assert_eq!(paid["payment_intent"]["status"], "succeeded");
}

#[tokio::test]
async fn unknown_expand_paths_and_ids_are_stripes_errors() {
    let app = spawn_app().await;
    let intent = app.paid_intent("5000").await;
    let pi = intent["id"].as_str().unwrap();
    for (path, shown) in [
        ("amount", "amount"),
        ("nope", "nope"),
        ("latest_charge.nope", "latest_charge.nope"),
    ] {
        let answer = app
            .get(&format!("/v1/payment_intents/{pi}?expand[]={path}"))
            .await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{path}");
        let error = answer.json::<Value>().await.unwrap()["error"].clone();
        assert_eq!(error["type"], "invalid_request_error");
        assert_eq!(
            error["message"],
            format!("This property cannot be expanded ({shown}).")
        );
    }
    let deep = app
        .get(&format!(
            "/v1/payment_intents/{pi}?expand[]=latest_charge.balance_transaction.source.payment_intent.customer"
        ))
        .await;
    assert_eq!(deep.status(), StatusCode::BAD_REQUEST);
    let unknown = app.get(&format!("/v1/payment_intents/{pi}?limit=3")).await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    for path in ["/v1/charges/ch_nope", "/v1/balance_transactions/txn_nope"] {
        let answer = app.get(path).await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path}");
        let error = answer.json::<Value>().await.unwrap()["error"].clone();
        assert_eq!(error["code"], "resource_missing");
    }
}
