//! Two payments replicas asked to run the same auto-pay day at once charge each invoice once: the
//! day's lease in PostgreSQL lets one run; the other answers 409 (or, coming after, finds nothing
//! left to charge).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::ONE_AT_A_TIME;
use crate::cluster::{Cluster, PAY_1, PAY_2, PORTAL_1, STRIPE, STRIPE_KEY};

/// Marie Tremblay and her unpaid December invoice, due 2026-12-31 (crates/erp-sandbox/README.md).
const CUSTOMER: &str = "CUST-2024-00001";
const DAY: &str = "2027-01-05";

#[tokio::test]
async fn two_replicas_running_the_same_auto_pay_day_charge_each_invoice_once() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut cluster = Cluster::start(&[]).await;
    cluster.start_payments().await;
    let token = customer_token(&cluster).await;
    let stripe_customer = stripe_customer(&cluster, &token).await;
    let card = saved_card(&cluster, &stripe_customer).await;
    let enrolled = cluster
        .http
        .put(cluster.url(PAY_1, "/payments/ppa"))
        .bearer_auth(&token)
        .json(&json!({"method": "card", "payment_method": card}))
        .send()
        .await
        .unwrap();
    assert_eq!(enrolled.status(), StatusCode::OK);

    let (one, two) = tokio::join!(run(&cluster, PAY_1), run(&cluster, PAY_2));
    let statuses = [one, two];
    assert!(
        statuses.contains(&StatusCode::OK)
            && statuses
                .iter()
                .all(|s| matches!(*s, StatusCode::OK | StatusCode::CONFLICT)),
        "{statuses:?}"
    );
    let intents = stripe_get(
        &cluster,
        &format!("/v1/payment_intents?customer={stripe_customer}"),
    )
    .await;
    assert_eq!(
        intents["data"].as_array().unwrap().len(),
        1,
        "one charge: {intents}"
    );
    cluster.cleanup().await;
}

/// `POST /payments/ppa/run?date=DAY` on `replica` as billing staff (loopback is its trusted proxy).
async fn run(cluster: &Cluster, replica: &str) -> StatusCode {
    cluster
        .http
        .post(cluster.url(replica, &format!("/payments/ppa/run?date={DAY}")))
        .header("X-authentik-username", "replicas-test")
        .header("X-authentik-groups", "billing")
        .send()
        .await
        .unwrap()
        .status()
}

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
    opened["token"].as_str().unwrap().to_owned()
}

/// The customer's Stripe customer, made by replica 1 when they ask to pay their balance.
async fn stripe_customer(cluster: &Cluster, token: &str) -> String {
    let answer: Value = cluster
        .http
        .post(cluster.url(PAY_1, "/payments/pay-balance"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session = answer["url"].as_str().unwrap().rsplit('/').next().unwrap();
    let session = stripe_get(cluster, &format!("/v1/checkout/sessions/{session}")).await;
    session["customer"].as_str().unwrap().to_owned()
}

/// A 4242 card saved on the stand-in's setup page for `stripe_customer`: its `pm_…`.
async fn saved_card(cluster: &Cluster, stripe_customer: &str) -> String {
    let session: Value = cluster
        .http
        .post(cluster.url(STRIPE, "/v1/checkout/sessions"))
        .bearer_auth(STRIPE_KEY)
        .form(&[
            ("mode", "setup"),
            ("customer", stripe_customer),
            ("payment_method_types[]", "card"),
            ("success_url", "https://portail.example.ca/ok"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let saved = cluster
        .http
        .post(session["url"].as_str().unwrap())
        .form(&[("card_number", "4242 4242 4242 4242")])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let cards = stripe_get(
        cluster,
        &format!("/v1/payment_methods?customer={stripe_customer}&type=card"),
    )
    .await;
    cards["data"][0]["id"].as_str().unwrap().to_owned()
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
