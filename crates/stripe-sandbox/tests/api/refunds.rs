use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_partial_then_the_rest_refund_the_whole_charge() {
    let app = spawn_app().await;
    let intent = app.paid_intent("5000").await;
    let pi = intent["id"].as_str().unwrap().to_owned();
    let form = [
        ("payment_intent", pi.clone()),
        ("amount", "2000".to_owned()),
    ];
    let refund: Value = app
        .post("/v1/refunds", &form, None)
        .await
        .json()
        .await
        .unwrap();
    assert!(refund["id"].as_str().unwrap().starts_with("re_"));
    assert_eq!(refund["object"], "refund");
    assert_eq!(refund["amount"], 2000);
    assert_eq!(refund["status"], "succeeded");
    let rest: Value = app
        .post("/v1/refunds", &[("payment_intent", pi.clone())], None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["amount"], 3000);
    let intent = app.get_json(&format!("/v1/payment_intents/{pi}")).await;
    assert_eq!(intent["amount_received"], 5000);
    let again = app
        .post("/v1/refunds", &[("payment_intent", pi)], None)
        .await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    let body: Value = again.json().await.unwrap();
    assert_eq!(body["error"]["code"], "charge_already_refunded");
}

#[tokio::test]
async fn a_refund_larger_than_what_is_left_is_refused() {
    let app = spawn_app().await;
    let intent = app.paid_intent("5000").await;
    let pi = intent["id"].as_str().unwrap().to_owned();
    let answer = app
        .post(
            "/v1/refunds",
            &[("payment_intent", pi), ("amount", "5001".to_owned())],
            None,
        )
        .await;
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert_eq!(body["error"]["code"], "amount_too_large");
    assert_eq!(body["error"]["param"], "amount");
    assert_eq!(
        body["error"]["message"],
        "Refund amount ($50.01) is greater than unrefunded amount on charge ($50.00)"
    );
}

#[tokio::test]
async fn an_unpaid_or_unknown_payment_intent_cannot_be_refunded() {
    let app = spawn_app().await;
    let unknown = app
        .post(
            "/v1/refunds",
            &[("payment_intent", "pi_nope".to_owned())],
            None,
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["error"]["code"], "resource_missing");
    assert_eq!(
        body["error"]["message"],
        "No such payment_intent: 'pi_nope'"
    );
    let zero = app
        .post(
            "/v1/refunds",
            &[
                ("payment_intent", "pi_nope".to_owned()),
                ("amount", "0".to_owned()),
            ],
            None,
        )
        .await;
    assert_eq!(zero.status(), StatusCode::BAD_REQUEST);
}

/// `GET /v1/refunds?payment_intent=` lists that payment's refunds, newest first.
#[tokio::test]
async fn a_payments_refunds_are_listed() {
    let app = spawn_app().await;
    let intent = app.paid_intent("5000").await;
    let pi = intent["id"].as_str().unwrap();
    for amount in ["1000", "500"] {
        let form = [
            ("payment_intent", pi.to_owned()),
            ("amount", amount.to_owned()),
        ];
        assert_eq!(app.post("/v1/refunds", &form, None).await.status(), 200);
    }
    let other = app.paid_intent("700").await;
    let form = [("payment_intent", other["id"].as_str().unwrap().to_owned())];
    assert_eq!(app.post("/v1/refunds", &form, None).await.status(), 200);
    let list = app
        .get_json(&format!("/v1/refunds?payment_intent={pi}"))
        .await;
    let amounts: Vec<i64> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, [500, 1000]);
    assert_eq!(list["has_more"], false);
}
