use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{session_form, spawn_app};

#[tokio::test]
async fn the_same_key_and_parameters_replay_the_first_answer() {
    let app = spawn_app().await;
    let first = app
        .post(
            "/v1/checkout/sessions",
            &session_form("100"),
            Some("checkout:1"),
        )
        .await;
    let first: Value = first.json().await.unwrap();
    let again = app
        .post(
            "/v1/checkout/sessions",
            &session_form("100"),
            Some("checkout:1"),
        )
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let other = app
        .post(
            "/v1/checkout/sessions",
            &session_form("100"),
            Some("checkout:2"),
        )
        .await;
    assert_ne!(other.json::<Value>().await.unwrap()["id"], first["id"]);
}

#[tokio::test]
async fn the_same_key_with_other_parameters_is_an_idempotency_error() {
    let app = spawn_app().await;
    app.post("/v1/checkout/sessions", &session_form("100"), Some("k"))
        .await;
    let other = app
        .post("/v1/checkout/sessions", &session_form("200"), Some("k"))
        .await;
    assert_eq!(other.status(), StatusCode::BAD_REQUEST);
    let body: Value = other.json().await.unwrap();
    assert_eq!(body["error"]["type"], "idempotency_error");
    let elsewhere = app.post("/v1/customers", &[], Some("k")).await;
    assert_eq!(elsewhere.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_refund_retried_with_its_key_refunds_once() {
    let app = spawn_app().await;
    let intent = app.paid_intent("1000").await;
    let form = [
        ("payment_intent", intent["id"].as_str().unwrap().to_owned()),
        ("amount", "600".to_owned()),
    ];
    let first: Value = app
        .post("/v1/refunds", &form, Some("refund:1"))
        .await
        .json()
        .await
        .unwrap();
    let again: Value = app
        .post("/v1/refunds", &form, Some("refund:1"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first, again);
    // Without the key a second 600 would be more than the 400 left.
    let third = app.post("/v1/refunds", &form, None).await;
    assert_eq!(third.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_request_refused_on_validation_keeps_no_answer_under_its_key() {
    let app = spawn_app().await;
    let bad = app
        .post("/v1/checkout/sessions", &session_form("-1"), Some("k"))
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let good = app
        .post("/v1/checkout/sessions", &session_form("100"), Some("k"))
        .await;
    assert_eq!(good.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_refused_refund_is_replayed_under_its_key() {
    let app = spawn_app().await;
    let intent = app.paid_intent("1000").await;
    let form = [
        ("payment_intent", intent["id"].as_str().unwrap().to_owned()),
        ("amount", "1001".to_owned()),
    ];
    let first = app.post("/v1/refunds", &form, Some("refund:big")).await;
    assert_eq!(first.status(), StatusCode::BAD_REQUEST);
    let first: Value = first.json().await.unwrap();
    let again = app.post("/v1/refunds", &form, Some("refund:big")).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
}
