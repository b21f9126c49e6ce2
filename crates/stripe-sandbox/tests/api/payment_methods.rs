//! Saved cards: the lists, one card, detaching, the customer's default for invoices.
//! Bad input tried: listing without `customer`, for an unknown customer, with `type=bogus` and
//! `limit=0`; an unknown PaymentMethod (GET, detach, default); detaching twice; a default that
//! is another customer's card; an unknown `invoice_settings[…]` key.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, WebhookSink, spawn_app, spawn_app_with_sink};

async fn error_of(answer: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(answer.status(), status);
    answer.json::<Value>().await.unwrap()["error"].clone()
}

async fn customer_with_two_cards(app: &TestApp) -> (String, String, String) {
    let customer = app.create_customer().await;
    let cus = customer["id"].as_str().unwrap().to_owned();
    let first = app.save_card(&cus, "4242424242424242").await;
    let second = app.save_card(&cus, "4000000000009995").await;
    (cus, first, second)
}

#[tokio::test]
async fn a_customers_cards_are_listed_newest_first_both_ways() {
    let app = spawn_app().await;
    let (cus, first, second) = customer_with_two_cards(&app).await;
    let other = app.create_customer().await;
    app.save_card(other["id"].as_str().unwrap(), "4242424242424242")
        .await;
    let list = app
        .get_json(&format!("/v1/payment_methods?customer={cus}&type=card"))
        .await;
    assert_eq!(list["object"], "list");
    assert_eq!(list["url"], "/v1/payment_methods");
    assert_eq!(list["has_more"], false);
    let ids: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![second.as_str(), first.as_str()]);
    assert_eq!(list["data"][0]["card"]["last4"], "9995");
    let nested = app
        .get_json(&format!("/v1/customers/{cus}/payment_methods?limit=1"))
        .await;
    assert_eq!(
        nested["url"],
        format!("/v1/customers/{cus}/payment_methods")
    );
    assert_eq!(nested["data"].as_array().unwrap().len(), 1);
    assert_eq!(nested["has_more"], true);
    let klarna = app
        .get_json(&format!("/v1/payment_methods?customer={cus}&type=klarna"))
        .await;
    assert_eq!(klarna["data"].as_array().unwrap().len(), 0);
    let one = app.get_json(&format!("/v1/payment_methods/{first}")).await;
    assert_eq!(one["object"], "payment_method");
    assert_eq!(one["customer"], cus.as_str());
    assert!(one.get("test_card").is_none());

    let error = error_of(
        app.get("/v1/payment_methods?type=card").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(error["code"], "parameter_missing");
    let error = error_of(
        app.get("/v1/payment_methods?customer=cus_nope").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(error["message"], "No such customer: 'cus_nope'");
    let error = error_of(
        app.get(&format!("/v1/payment_methods?customer={cus}&type=bogus"))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(error["param"], "type");
    let error = error_of(
        app.get(&format!("/v1/customers/{cus}/payment_methods?limit=0"))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(error["param"], "limit");
    let error = error_of(
        app.get("/v1/payment_methods/pm_nope").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(error["message"], "No such PaymentMethod: 'pm_nope'");
}

#[tokio::test]
async fn the_default_must_be_the_customers_own_card() {
    let app = spawn_app().await;
    let (cus, first, _) = customer_with_two_cards(&app).await;
    let created = app.get_json(&format!("/v1/customers/{cus}")).await;
    assert_eq!(
        created["invoice_settings"]["default_payment_method"],
        Value::Null
    );
    let form = [
        ("invoice_settings[default_payment_method]", first.clone()),
        ("name", "Marie T.".to_owned()),
        ("metadata[erp]", "CUST-1".to_owned()),
    ];
    let updated: Value = app
        .post(&format!("/v1/customers/{cus}"), &form, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        updated["invoice_settings"]["default_payment_method"],
        first.as_str()
    );
    assert_eq!(updated["name"], "Marie T.");
    assert_eq!(updated["metadata"]["erp"], "CUST-1");
    assert_eq!(updated["email"], "marie@example.ca");
    let expanded = app.get_json(&format!("/v1/customers/{cus}")).await;
    assert_eq!(expanded, updated);

    let stranger = app.create_customer().await;
    let theirs = app
        .save_card(stranger["id"].as_str().unwrap(), "4242424242424242")
        .await;
    let path = format!("/v1/customers/{cus}");
    let error = error_of(
        app.post(
            &path,
            &[("invoice_settings[default_payment_method]", theirs.clone())],
            None,
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(error["param"], "invoice_settings[default_payment_method]");
    assert_eq!(
        error["message"],
        format!(
            "The customer does not have a payment method with the ID {theirs}. The payment method must be attached to the customer."
        )
    );
    let error = error_of(
        app.post(
            &path,
            &[(
                "invoice_settings[default_payment_method]",
                "pm_nope".to_owned(),
            )],
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(error["code"], "resource_missing");
    let error = error_of(
        app.post(&path, &[("invoice_settings[footer]", "x".to_owned())], None)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(error["code"], "parameter_unknown");
    let error = error_of(
        app.post("/v1/customers/cus_nope", &[("name", "x".to_owned())], None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(error["message"], "No such customer: 'cus_nope'");
}

#[tokio::test]
async fn a_detached_card_leaves_the_list_and_the_default() {
    let sink = WebhookSink::start(0);
    let app = spawn_app_with_sink(&sink).await;
    let (cus, first, second) = customer_with_two_cards(&app).await;
    app.post(
        &format!("/v1/customers/{cus}"),
        &[("invoice_settings[default_payment_method]", first.clone())],
        None,
    )
    .await;
    let detached: Value = app
        .post(
            &format!("/v1/payment_methods/{first}/detach"),
            &[],
            Some("detach-1"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detached["id"], first.as_str());
    assert_eq!(detached["customer"], Value::Null);
    // the same key replays the answer
    let replay = app
        .post(
            &format!("/v1/payment_methods/{first}/detach"),
            &[],
            Some("detach-1"),
        )
        .await;
    assert_eq!(replay.status(), StatusCode::OK);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let list = app
        .get_json(&format!("/v1/customers/{cus}/payment_methods"))
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["id"], second.as_str());
    let customer = app.get_json(&format!("/v1/customers/{cus}")).await;
    assert_eq!(
        customer["invoice_settings"]["default_payment_method"],
        Value::Null
    );
    let error = error_of(
        app.post(&format!("/v1/payment_methods/{first}/detach"), &[], None)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(error["type"], "invalid_request_error");
    let error = error_of(
        app.post("/v1/payment_methods/pm_nope/detach", &[], None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(error["code"], "resource_missing");
    let mut seen = Vec::new();
    for _ in 0..100 {
        seen = sink
            .received()
            .iter()
            .map(|r| r.json()["type"].as_str().unwrap().to_owned())
            .collect();
        if seen.contains(&"payment_method.detached".to_owned()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        seen.contains(&"payment_method.detached".to_owned()),
        "{seen:?}"
    );
    assert!(seen.contains(&"payment_method.attached".to_owned()));
    assert!(seen.contains(&"customer.updated".to_owned()));
}
